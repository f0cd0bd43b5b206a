package intake

import (
	"errors"
	"net/http"
	"strings"

	"github.com/onward-network/onward/core"
)

// checkData is the "check your answers" page: every answer with a link to
// change it.
type checkData struct {
	Needs         []core.Need
	Postcode      string
	NoPostcode    bool
	Town          string
	NoFood        string
	LosingHome    string
	Name          string
	Phone         string
	Email         string
	Method        string
	Time          string
	Consent       string // wording version agreed to
	ServiceName   string // chosen in the directory, "" for none
	AgencyName    string
	TextReference bool // we will text the reference
}

func (w *Web) showCheck(rw http.ResponseWriter, r *http.Request, s *webSession) {
	if m := s.firstMissing(); m != "" {
		http.Redirect(rw, r, m, http.StatusSeeOther)
		return
	}
	if !s.Reviewing {
		s.Reviewing = true
		if err := w.saveSession(r.Context(), s); err != nil {
			w.unavailable(rw, r, err)
			return
		}
	}
	w.renderCheck(rw, r, s, http.StatusOK, nil)
}

func (w *Web) renderCheck(rw http.ResponseWriter, r *http.Request, s *webSession, status int, errs []formError) {
	p := w.page(r, s)
	p.Back = pathConsent
	p.Errors = errs
	d := checkData{Needs: s.Needs, Postcode: s.Postcode, NoPostcode: s.NoPostcode, Town: s.Town, NoFood: s.NoFood,
		LosingHome: s.LosingHome, Name: s.Name, Phone: s.Phone, Email: s.Email, Method: s.Method, Time: s.Time,
		Consent: s.ConsentVersion, TextReference: s.textReference()}
	if s.Service != 0 {
		if svc, err := w.engine.Service(r.Context(), s.Service); err == nil {
			d.ServiceName = svc.Name
			if a, err := w.engine.Agency(r.Context(), svc.AgencyID); err == nil {
				d.AgencyName = a.Name
			}
		}
	}
	p.Data = d
	w.render(rw, r, status, "web/check", p)
}

// textReference reports whether the reference will be texted to the
// client: they gave a phone and did not ask for email only.
func (s *webSession) textReference() bool { return s.Phone != "" && s.Method != "email" }

// submit sends the request to core, once. The idempotency key is the
// session's submission id, so a double click, a second tab or a resend
// after a timeout all get the same referral back.
func (w *Web) submit(rw http.ResponseWriter, r *http.Request, s *webSession) {
	ctx := r.Context()
	if m := s.firstMissing(); m != "" {
		http.Redirect(rw, r, m, http.StatusSeeOther)
		return
	}
	if s.Bot {
		// Someone filled the field people cannot see: look like success
		// and write nothing.
		w.log.Info("web self-referral refused: honeypot filled")
		s.submitted("", "", false)
		w.savedTo(rw, r, s, pathDone)
		return
	}
	in := core.SelfReferral{
		IdempotencyKey: "web:" + s.Submission,
		Client: core.ClientDetails{Name: s.Name, Phone: s.Phone, Email: s.Email, Town: s.Town,
			PreferredContact: s.Method, ContactTime: s.Time},
		Needs:         s.Needs,
		Crisis:        s.crisis(),
		CrisisReasons: s.crisisReasons(),
		Consent:       core.ConsentInput{WordingVersion: s.ConsentVersion, Channel: core.ChannelWeb, Evidence: "web-form:" + s.Submission},
		Source:        core.SourceWeb,
		LeafletCode:   s.Leaflet,
		ServiceID:     s.Service,
		ConfirmBySMS:  s.textReference(),
	}
	if s.NoPostcode {
		in.Client.District = s.District
	} else {
		in.Client.Postcode = s.Postcode
	}
	res, err := w.engine.SelfRefer(ctx, in)
	var ve *core.ValidationError
	if errors.As(err, &ve) {
		w.submitRefused(rw, r, s, ve)
		return
	}
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	agency := ""
	if res.Agency != nil {
		agency = res.Agency.Name
	}
	w.log.Info("web self-referral", "reference", res.Referral.Reference, "leaflet", s.Leaflet,
		"crisis", in.Crisis, "triage", res.Agency == nil, "replayed", res.Replayed)
	s.submitted(res.Referral.Reference, agency, in.ConfirmBySMS)
	w.savedTo(rw, r, s, pathDone)
}

// coreFields maps core's field names to the question that asks for them.
var coreFields = map[string]struct{ path, input string }{
	"needs":                           {pathNeeds, "needs"},
	"client.name":                     {pathName, "name"},
	"client.phone number":             {pathContact, "phone"},
	"client.email address":            {pathContact, "email"},
	"client.postcode":                 {pathPostcode, "postcode"},
	"client.postcode district":        {pathTown, "town"},
	"client.town":                     {pathTown, "town"},
	"client.how to contact you":       {pathPreference, "method"},
	"client.best time to contact you": {pathPreference, "time"},
}

// submitRefused shows core's objections on "check your answers", each
// linking to the question that fixes it. A service that left the
// directory is dropped so the request can go without it.
func (w *Web) submitRefused(rw http.ResponseWriter, r *http.Request, s *webSession, ve *core.ValidationError) {
	var errs []formError
	for _, f := range ve.Fields {
		e := formError{Field: "main", Href: "#main", Message: sentence(f.Message)}
		switch q, ok := coreFields[f.Field]; {
		case ok:
			e.Field, e.Href = q.input, q.path+"#"+q.input
		case strings.HasPrefix(f.Field, "consent"):
			e.Field, e.Href = "consent", pathConsent+"#consent"
		case f.Field == "service":
			s.Service = 0
			e.Message = w.pages.message("service", "gone")
		case f.Field == "leaflet code":
			s.Leaflet = ""
		}
		errs = append(errs, e)
	}
	if err := w.saveSession(r.Context(), s); err != nil {
		w.unavailable(rw, r, err)
		return
	}
	w.renderCheck(rw, r, s, http.StatusBadRequest, errs)
}

// sentence capitalises core's message for the error summary.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// savedTo stores the session and redirects to path.
func (w *Web) savedTo(rw http.ResponseWriter, r *http.Request, s *webSession, path string) {
	if err := w.saveSession(r.Context(), s); err != nil {
		w.unavailable(rw, r, err)
		return
	}
	http.Redirect(rw, r, path, http.StatusSeeOther)
}
