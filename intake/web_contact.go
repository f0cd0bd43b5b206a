package intake

import (
	"net/http"

	"github.com/onward-network/onward/core"
)

// contactInput is how an adviser can reach the client: a phone number, an
// email address, or both.
type contactInput struct {
	Phone string `form:"phone" validate:"omitempty,ukphone"`
	Email string `form:"email" validate:"omitempty,max=320,email"`
}

func (w *Web) showContact(rw http.ResponseWriter, r *http.Request, s *webSession) {
	p := w.stepPage(r, s, pathContact)
	p.Form["phone"], p.Form["email"] = s.Phone, s.Email
	w.render(rw, r, http.StatusOK, "web/contact", p)
}

func (w *Web) saveContact(rw http.ResponseWriter, r *http.Request, s *webSession) {
	in := contactInput{Phone: core.CleanLine(r.PostForm.Get("phone")), Email: core.CleanLine(r.PostForm.Get("email"))}
	errs := w.check(in)
	if in.Phone == "" && in.Email == "" {
		errs = append(errs, w.fieldError("phone", "required"))
	}
	if errs != nil {
		p := w.stepPage(r, s, pathContact)
		p.Errors = errs
		p.Form["phone"], p.Form["email"] = in.Phone, in.Email
		w.render(rw, r, http.StatusBadRequest, "web/contact", p)
		return
	}
	s.Phone, s.Email = in.Phone, in.Email
	// A way of contact that no longer has its number or address is asked again.
	if (s.Method == "text" || s.Method == "call") && s.Phone == "" || s.Method == "email" && s.Email == "" {
		s.Method = ""
	}
	w.saved(rw, r, s, pathContact)
}
