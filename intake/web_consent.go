package intake

import (
	"net/http"
)

// consentInput is the client's agreement to the wording version the page
// showed them. If the network publishes new words while the page is open,
// the client is asked again with the new ones.
type consentInput struct {
	Agree string `form:"consent" validate:"required,eq=yes"`
}

// consentData is the wording shown.
type consentData struct {
	Version string
	Body    string
}

func (w *Web) showConsent(rw http.ResponseWriter, r *http.Request, s *webSession) {
	wording, err := w.engine.CurrentConsentWording(r.Context())
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	p := w.stepPage(r, s, pathConsent)
	if s.ConsentVersion == wording.Version {
		p.Form["consent"] = "yes"
	}
	p.Data = consentData{Version: wording.Version, Body: wording.Body}
	w.render(rw, r, http.StatusOK, "web/consent", p)
}

func (w *Web) saveConsent(rw http.ResponseWriter, r *http.Request, s *webSession) {
	wording, err := w.engine.CurrentConsentWording(r.Context())
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	errs := w.check(consentInput{Agree: r.PostForm.Get("consent")})
	if errs == nil && r.PostForm.Get("version") != wording.Version {
		errs = append(errs, w.fieldError("consent", "changed"))
	}
	if errs != nil {
		p := w.stepPage(r, s, pathConsent)
		p.Errors = errs
		p.Data = consentData{Version: wording.Version, Body: wording.Body}
		w.render(rw, r, http.StatusBadRequest, "web/consent", p)
		return
	}
	s.ConsentVersion = wording.Version
	w.saved(rw, r, s, pathConsent)
}
