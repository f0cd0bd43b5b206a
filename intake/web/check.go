package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// checkData is the "check your answers" page: every answer, in the order
// asked, with a link to change it.
type checkData struct {
	Rows          []flow.Row
	Phone         string // where the reference is texted
	ServiceName   string // chosen in the directory, "" for none
	AgencyName    string
	TextReference bool // we will text the reference (the phone is proven)
	// OfferCode: the client gave a phone not yet proven: offer a code.
	OfferCode bool
	CodeSent  bool // a code was texted: ask for it
	// InterpreterLabel and Interpreter are the row of a client who chose
	// a language the form is not in ("Interpreter: Romanian"), "" for
	// others (other_language.go).
	InterpreterLabel, Interpreter string
}

func (w *Web) showCheck(rw http.ResponseWriter, r *http.Request, s *webSession) {
	if m := w.firstMissing(s); m != "" {
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
	if !w.takeNotice(rw, r, s, &p) {
		return
	}
	rows := w.flow.In(p.Lang.Code).Summary(s.Answers, core.ChannelWeb)
	p.Back = pathStart
	if len(rows) > 0 {
		p.Back = stepPath(rows[len(rows)-1].Step)
	}
	p.Errors = errs
	d := checkData{Rows: rows, Phone: s.Answers.Phone, TextReference: s.textReference() && s.phoneProven(),
		OfferCode: s.Answers.Phone != "" && !s.phoneProven() && !isLandline(s.Answers.Phone), CodeSent: s.CodeSentTo != "" && s.CodeSentTo == s.Answers.Phone}
	if label, value, ok := w.interpreterRow(s, p.Lang.Code); ok {
		d.InterpreterLabel, d.Interpreter = label, value
	}
	if s.Service != 0 {
		if svc, err := w.engine.Service(r.Context(), s.Service); err == nil {
			d.ServiceName = svc.Name
			if a, err := w.engine.Agency(r.Context(), svc.AgencyID); err == nil {
				d.AgencyName = a.Name
			}
		}
	}
	if d.CodeSent {
		// A phone that once texted STOP gets no code until it texts
		// START: said to everyone who is waiting for one, as the page
		// must not tell whether a number opted out.
		p.SMS = w.smsOption(p.Lang.Code)
	}
	p.Data = d
	w.render(rw, r, status, "web/check", p)
}

// textReference reports whether the reference will be texted to the
// client: they gave a phone and did not ask for email only.
func (s *webSession) textReference() bool {
	return s.Answers.Phone != "" && s.Answers.ContactMethod != "email"
}

// submit sends the request to core, once. The idempotency key is the
// session's submission id, so a double click, a second tab or a resend
// after a timeout all get the same referral back.
func (w *Web) submit(rw http.ResponseWriter, r *http.Request, s *webSession) {
	ctx := r.Context()
	if m := w.firstMissing(s); m != "" {
		http.Redirect(rw, r, m, http.StatusSeeOther)
		return
	}
	if s.Bot {
		// Someone filled the field people cannot see: look like success
		// and write nothing.
		w.log.Info("web self-referral refused: honeypot filled")
		s.submitted("", "", false, false)
		w.savedTo(rw, r, s, pathDone)
		return
	}
	in := w.flow.SelfReferral(s.Answers, flow.Origin{Channel: core.ChannelWeb,
		IdempotencyKey: "web:" + s.Submission, Evidence: "web-form:" + s.Submission,
		LeafletCode: s.Leaflet, ServiceID: s.Service, ConfirmBySMS: s.textReference(), PhoneProofSession: s.id})
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
	if in.ConfirmBySMS && res.PhoneProven {
		w.referralTexted(ctx, s, res.Referral.Reference)
	}
	s.submitted(res.Referral.Reference, agency, in.ConfirmBySMS && res.PhoneProven, res.NoLocalService())
	if !res.Replayed {
		w.savedTo(rw, r, s, pathDone)
		return
	}
	// A second click: the first request's confirmation stands
	// (saveUnlessSubmitted).
	if _, err := w.saveUnlessSubmitted(ctx, s); err != nil {
		w.unavailable(rw, r, err)
		return
	}
	http.Redirect(rw, r, pathDone, http.StatusSeeOther)
}

// coreFields maps core's field names to the answer (and the input) that
// gives them, so core's objection links to the question that fixes it.
// The input also names the objection's words in the client's language
// (check_refused.<input>): core's own messages are English, for staff.
var coreFields = map[string]struct{ answer, input string }{
	"needs":                           {"needs", "needs"},
	"client.name":                     {"name", "name"},
	"client.phone number":             {"contact", "phone"},
	"client.email address":            {"contact", "email"},
	"client.postcode":                 {"postcode", "postcode"},
	"client.postcode district":        {"postcode", "postcode"},
	"client.town":                     {"town", "town"},
	"client.how to contact you":       {"contact_method", "contact_method"},
	"client.best time to contact you": {"contact_time", "contact_time"},
}

// submitRefused shows core's objections on "check your answers", in the
// client's language, each linking to the question that fixes it. A
// service that left the directory is dropped so the request can go
// without it.
func (w *Web) submitRefused(rw http.ResponseWriter, r *http.Request, s *webSession, ve *core.ValidationError) {
	var errs []formError
	for _, f := range ve.Fields {
		e := formError{Field: "main", Href: "#main", Message: w.words(r, s, "check_refused.general")}
		q, known := coreFields[f.Field]
		if strings.HasPrefix(f.Field, "consent") {
			q, known = struct{ answer, input string }{"consent", "consent"}, true
		}
		st, asked := w.flow.FieldStep(q.answer)
		switch {
		case known && asked:
			e.Field, e.Href = q.input, stepPath(st)+"#"+q.input
			e.Message = w.words(r, s, "check_refused."+q.input)
			if msg := w.noAddressForEmail(r, s, f); msg != "" {
				e.Message = msg
			}
		case f.Field == "service":
			s.Service = 0
			e.Message = w.words(r, s, "check_refused.service")
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

// words is message id in the request's language, for messages the
// handlers put on a page (errors) rather than the templates.
func (w *Web) words(r *http.Request, s *webSession, id string) string {
	return w.cat.Text(w.requestLang(r, s), id)
}

// savedTo stores the session and redirects to path.
func (w *Web) savedTo(rw http.ResponseWriter, r *http.Request, s *webSession, path string) {
	if err := w.saveSession(r.Context(), s); err != nil {
		w.unavailable(rw, r, err)
		return
	}
	http.Redirect(rw, r, path, http.StatusSeeOther)
}
