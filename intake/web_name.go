package intake

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// nameInput is the answer to "what is your name?". Any characters a name
// may have are kept (pages escape them); control characters are not.
type nameInput struct {
	Name string `form:"name" validate:"required,max=200"`
}

func (w *Web) showName(rw http.ResponseWriter, r *http.Request, s *webSession) {
	p := w.stepPage(r, s, pathName)
	p.Form["name"] = s.Name
	w.render(rw, r, http.StatusOK, "web/name", p)
}

func (w *Web) saveName(rw http.ResponseWriter, r *http.Request, s *webSession) {
	in := nameInput{Name: core.CleanLine(r.PostForm.Get("name"))}
	if errs := w.check(in); errs != nil {
		p := w.stepPage(r, s, pathName)
		p.Errors = errs
		p.Form["name"] = in.Name
		w.render(rw, r, http.StatusBadRequest, "web/name", p)
		return
	}
	s.Name = in.Name
	w.saved(rw, r, s, pathName)
}
