package intake

import (
	"net/http"
)

// preferenceInput is how and when the client would like to be contacted.
// The values are the ones the SMS conversation records too.
type preferenceInput struct {
	Method string `form:"method" validate:"required,oneof=text call email"`
	Time   string `form:"time" validate:"required,oneof=morning afternoon evening any"`
}

// preferenceData tells the page which ways of contact the client gave
// details for.
type preferenceData struct {
	HasPhone, HasEmail bool
}

func (w *Web) showPreference(rw http.ResponseWriter, r *http.Request, s *webSession) {
	p := w.stepPage(r, s, pathPreference)
	p.Form["method"], p.Form["time"] = s.Method, s.Time
	p.Data = preferenceData{HasPhone: s.Phone != "", HasEmail: s.Email != ""}
	w.render(rw, r, http.StatusOK, "web/contact-preference", p)
}

func (w *Web) savePreference(rw http.ResponseWriter, r *http.Request, s *webSession) {
	in := preferenceInput{Method: r.PostForm.Get("method"), Time: r.PostForm.Get("time")}
	errs := w.check(in)
	switch {
	case (in.Method == "text" || in.Method == "call") && s.Phone == "":
		errs = append(errs, w.fieldError("method", "needs_phone"))
	case in.Method == "email" && s.Email == "":
		errs = append(errs, w.fieldError("method", "needs_email"))
	}
	if errs != nil {
		p := w.stepPage(r, s, pathPreference)
		p.Errors = sortErrors(errs, "method", "time")
		p.Form["method"], p.Form["time"] = in.Method, in.Time
		p.Data = preferenceData{HasPhone: s.Phone != "", HasEmail: s.Email != ""}
		w.render(rw, r, http.StatusBadRequest, "web/contact-preference", p)
		return
	}
	s.Method, s.Time = in.Method, in.Time
	w.saved(rw, r, s, pathPreference)
}

// sortErrors puts errors in the order the inputs appear on the page, so
// the error summary reads top to bottom.
func sortErrors(errs []formError, order ...string) []formError {
	out := make([]formError, 0, len(errs))
	for _, f := range order {
		for _, e := range errs {
			if e.Field == f {
				out = append(out, e)
				break
			}
		}
	}
	return out
}
