package intake

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// townInput is the answer to "which town or village do you live in?",
// asked when the client does not know their postcode.
type townInput struct {
	Town string `form:"town" validate:"required,max=100"`
}

func (w *Web) showTown(rw http.ResponseWriter, r *http.Request, s *webSession) {
	p := w.stepPage(r, s, pathTown)
	p.Back = pathPostcode
	p.Form["town"] = s.Town
	w.render(rw, r, http.StatusOK, "web/town", p)
}

func (w *Web) saveTown(rw http.ResponseWriter, r *http.Request, s *webSession) {
	in := townInput{Town: core.CleanLine(r.PostForm.Get("town"))}
	if errs := w.check(in); errs != nil {
		p := w.stepPage(r, s, pathTown)
		p.Back = pathPostcode
		p.Errors = errs
		p.Form["town"] = in.Town
		w.render(rw, r, http.StatusBadRequest, "web/town", p)
		return
	}
	// A town we do not know still goes through: a coordinator places it.
	d, ok, err := w.townDistrict(r.Context(), in.Town)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	s.NoPostcode, s.Postcode, s.Town, s.District = true, "", in.Town, ""
	if ok {
		s.District = d.District
	}
	w.saved(rw, r, s, pathTown)
}
