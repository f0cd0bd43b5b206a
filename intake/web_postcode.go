package intake

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// postcodeInput is the answer to "what is your postcode?".
type postcodeInput struct {
	Postcode string `form:"postcode" validate:"required,ukpostcode"`
}

func (w *Web) showPostcode(rw http.ResponseWriter, r *http.Request, s *webSession) {
	p := w.stepPage(r, s, pathPostcode)
	p.Form["postcode"] = s.Postcode
	w.render(rw, r, http.StatusOK, "web/postcode", p)
}

func (w *Web) savePostcode(rw http.ResponseWriter, r *http.Request, s *webSession) {
	in := postcodeInput{Postcode: core.CleanLine(r.PostForm.Get("postcode"))}
	if errs := w.check(in); errs != nil {
		p := w.stepPage(r, s, pathPostcode)
		p.Errors = errs
		p.Form["postcode"] = in.Postcode
		w.render(rw, r, http.StatusBadRequest, "web/postcode", p)
		return
	}
	pc, _ := core.ParsePostcode(in.Postcode)
	s.Postcode, s.District, s.NoPostcode, s.Town = string(pc), pc.District(), false, ""
	w.saved(rw, r, s, pathPostcode)
}
