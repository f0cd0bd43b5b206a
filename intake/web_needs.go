package intake

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// needsInput is the answer to "what do you need help with?".
type needsInput struct {
	Needs []string `form:"needs" validate:"required,max=11,dive,need"`
}

// needsData is what the needs page lists.
type needsData struct {
	Needs    []core.Need // every need, in the order offered
	Selected []core.Need
}

func (w *Web) showNeeds(rw http.ResponseWriter, r *http.Request, s *webSession) {
	p := w.stepPage(r, s, pathNeeds)
	p.Data = needsData{Needs: core.Needs, Selected: s.Needs}
	w.render(rw, r, http.StatusOK, "web/needs", p)
}

func (w *Web) saveNeeds(rw http.ResponseWriter, r *http.Request, s *webSession) {
	in := needsInput{Needs: r.PostForm["needs"]}
	if errs := w.check(in); errs != nil {
		p := w.stepPage(r, s, pathNeeds)
		p.Errors = errs
		var sel []core.Need
		for _, n := range in.Needs {
			if core.Need(n).Valid() {
				sel = append(sel, core.Need(n))
			}
		}
		p.Data = needsData{Needs: core.Needs, Selected: sel}
		w.render(rw, r, http.StatusBadRequest, "web/needs", p)
		return
	}
	s.Needs = s.Needs[:0]
	for _, n := range core.Needs { // taxonomy order, each once
		for _, c := range in.Needs {
			if string(n) == c {
				s.Needs = append(s.Needs, n)
				break
			}
		}
	}
	w.saved(rw, r, s, pathNeeds)
}
