package intake

import (
	"net/http"
)

// The two crisis questions. A yes to either sends the request to a
// coordinator first and shows the help numbers on every page from then on.

// foodInput is the answer to "do you have money for food or heating today?"
// (yes means they do not), homeInput to "are you at risk of losing your
// home?".
type foodInput struct {
	Answer string `form:"no_food" validate:"required,oneof=yes no"`
}

type homeInput struct {
	Answer string `form:"losing_home" validate:"required,oneof=yes no"`
}

// Crisis reasons in the words a coordinator reads on the triage card; the
// SMS conversation uses the same.
const (
	reasonNoFood     = "going without food or heating today"
	reasonLosingHome = "at risk of losing their home within two weeks"
)

func (w *Web) showFood(rw http.ResponseWriter, r *http.Request, s *webSession) {
	p := w.stepPage(r, s, pathFood)
	p.Form["no_food"] = s.NoFood
	w.render(rw, r, http.StatusOK, "web/money-today", p)
}

func (w *Web) saveFood(rw http.ResponseWriter, r *http.Request, s *webSession) {
	in := foodInput{Answer: r.PostForm.Get("no_food")}
	if errs := w.check(in); errs != nil {
		p := w.stepPage(r, s, pathFood)
		p.Errors = errs
		w.render(rw, r, http.StatusBadRequest, "web/money-today", p)
		return
	}
	s.NoFood = in.Answer
	w.saved(rw, r, s, pathFood)
}

func (w *Web) showHome(rw http.ResponseWriter, r *http.Request, s *webSession) {
	p := w.stepPage(r, s, pathHome)
	p.Form["losing_home"] = s.LosingHome
	w.render(rw, r, http.StatusOK, "web/home", p)
}

func (w *Web) saveHome(rw http.ResponseWriter, r *http.Request, s *webSession) {
	in := homeInput{Answer: r.PostForm.Get("losing_home")}
	if errs := w.check(in); errs != nil {
		p := w.stepPage(r, s, pathHome)
		p.Errors = errs
		w.render(rw, r, http.StatusBadRequest, "web/home", p)
		return
	}
	s.LosingHome = in.Answer
	w.saved(rw, r, s, pathHome)
}

// crisisReasons says why the request is a crisis, for core.
func (s *webSession) crisisReasons() []string {
	var out []string
	if s.NoFood == "yes" {
		out = append(out, reasonNoFood)
	}
	if s.LosingHome == "yes" {
		out = append(out, reasonLosingHome)
	}
	return out
}
