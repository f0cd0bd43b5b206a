package bot

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/templates"
)

// This file is the staff web's form for recording that the client of a
// referral agreed to share their details more widely, so that it can be
// redirected (or, from triage, assigned) to an agency their first consent
// did not cover: core.Engine.RecordWiderConsent. A redirect refused for
// the consent tells the adviser to "ask the client and record new
// consent"; the referral's redirect panel links here in the same words.

// doneConsent is the referral page's confirmation after new consent;
// doneConsentAgain says a form sent again found it recorded already.
const (
	doneConsent      = "consent"
	doneConsentAgain = "consent-again"
)

// consentNote is what a referral's redirect or assign form says when the
// client's consent does not cover the whole network: whom it covers, and
// the way to record more, or why the viewer cannot (core's
// WiderConsentRefusal).
type consentNote struct {
	Reference string
	Covers    []string // the agencies the consent covers, by name
	// Agency is the agency chosen and refused, ticked on the consent
	// form the note links to.
	Agency string
	May    bool
	Why    string
}

// Link is the consent form's address, with the refused agency to tick.
func (n consentNote) Link() string {
	link := "/staff/referrals/" + n.Reference + "/consent"
	if n.Agency != "" {
		link += "?agency=" + n.Agency
	}
	return link
}

// consentNoteFor is the note for a referral's redirect or assign form, or
// nil when the client's consent covers every agency (or nothing can be
// recorded on it: withdrawn). chosen is the agency the form last chose.
func (b *Bot) consentNoteFor(ctx context.Context, ref core.Referral, consent core.Consent, by core.Actor, chosen string) (*consentNote, error) {
	if consent.Scope == core.ScopeNetwork || consent.WithdrawnAt != nil {
		return nil, nil
	}
	n := &consentNote{Reference: ref.Reference}
	names, err := b.agencyNames(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range consent.AgencyIDs {
		n.Covers = append(n.Covers, names[id])
	}
	if id, err := strconv.ParseInt(chosen, 10, 64); err == nil && !consent.Covers(core.AgencyID(id)) {
		n.Agency = chosen
	}
	refusal := b.engine.WiderConsentRefusal(ctx, ref, by)
	var forbidden *core.ForbiddenError
	var transition *core.TransitionError
	switch {
	case refusal == nil:
		n.May = true
	case errors.As(refusal, &forbidden):
		n.Why = sentence(forbidden.Why) + "."
	case errors.As(refusal, &transition):
		n.Why = sentence(transition.Why) + "."
	case errors.As(refusal, new(*core.ValidationError)) || errors.Is(refusal, core.ErrConsentWithdrawn):
		return nil, nil // nothing to record: said by the rest of the page
	default:
		return nil, refusal
	}
	return n, nil
}

// agencyNames are the network's agencies' names by id.
func (b *Bot) agencyNames(ctx context.Context) (map[core.AgencyID]string, error) {
	agencies, err := b.engine.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[core.AgencyID]string, len(agencies))
	for _, a := range agencies {
		out[a.ID] = a.Name
	}
	return out, nil
}

// consentPages is the consent form, with the layout and the card partial.
var consentPages = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Funcs(htmlFuncs).Funcs(webFuncs).ParseFS(templates.FS,
		"html/staff/layout.html", "html/staff/card.html", "html/staff/consent.html"))
})

// consentForm is the form as posted (or first shown).
type consentForm struct {
	Scope    string
	Agencies []string
	How      string
	Date     string // 2026-12-05
	Time     string // 14:30
	Wording  string
	Confirm  bool
	// Carried is what the referral's redirect (or assign) form held when
	// its "Record new consent" was pressed, carried through this form in
	// hidden fields and back into that form once the consent is recorded.
	Carried carriedForm
}

// carriedForm is the redirect or assign form as it was when "Record new
// consent" was pressed: the agency chosen and the redirect's why. They
// travel in the forms' bodies, never in an address: the why is about
// the client.
type carriedForm struct{ Agency, Why string }

// carriedFrom reads the redirect or assign form posted to open the
// consent form: the agency chosen (none, when two were), and the why.
func carriedFrom(r *http.Request) carriedForm {
	agency, _ := formAgency(r.PostForm)
	return carriedForm{Agency: agency, Why: strings.TrimSpace(r.PostFormValue("feedback"))}
}

// consentAgency is one agency the client could agree to.
type consentAgency struct {
	ID      string
	Name    string
	Checked bool
}

// consentView is the consent form's page.
type consentView struct {
	page
	Reference string
	Covers    []string // the agencies the client's consent covers now
	Verb      string   // "redirect" or "assign": what the new consent is for
	Wording   core.ConsentWording
	Agencies  []consentAgency
	Hows      []core.Choice
	Form      consentForm
	Witness   string
	Today     string
}

// readConsentForm reads the posted form.
func readConsentForm(r *http.Request) consentForm {
	return consentForm{Scope: r.PostFormValue("scope"), Agencies: r.PostForm["agencies"], How: r.PostFormValue("how"),
		Date: strings.TrimSpace(r.PostFormValue("given_date")), Time: strings.TrimSpace(r.PostFormValue("given_time")),
		Wording: r.PostFormValue("wording"), Confirm: r.PostFormValue("confirm") == "yes",
		Carried: carriedForm{Agency: strings.TrimSpace(r.PostFormValue("redirect_agency")), Why: strings.TrimSpace(r.PostFormValue("redirect_why"))}}
}

// request is the form as core's WiderConsent: a date or time that is not
// one is left out, and core asks for it.
func (f consentForm) request(ref core.ReferralID, by core.Actor, loc *time.Location) core.WiderConsent {
	in := core.WiderConsent{Referral: ref, By: by, Scope: core.ConsentScope(f.Scope), How: core.ConsentHow(f.How),
		WordingVersion: f.Wording, Confirmed: f.Confirm, Via: "web"}
	for _, a := range f.Agencies {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			id = -1 // not an agency: core says to choose from the list
		}
		in.Agencies = append(in.Agencies, core.AgencyID(id))
	}
	if at, err := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Time, loc); err == nil {
		in.GivenAt = at
	}
	return in
}

// consentFormPage asks what the client agreed to, how and when, with the
// wording to read them. A member of staff who may not record it is told
// why (core's WiderConsentRefusal).
func (b *Bot) consentFormPage(w http.ResponseWriter, r *http.Request, s session) {
	id, ok := b.referralFromPath(w, r, s)
	if !ok {
		return
	}
	b.openConsentForm(w, r, s, id, r.URL.Query().Get("agency"), carriedForm{})
}

// openConsentForm shows the consent form first, with agency (the one the
// redirect was refused for, or chosen in its form) ticked for the
// adviser to confirm with the client, never recorded unasked, and what
// the redirect form held carried through.
func (b *Bot) openConsentForm(w http.ResponseWriter, r *http.Request, s session, id core.ReferralID, agency string, carried carriedForm) {
	ctx := r.Context()
	ref, err := b.engine.Referral(ctx, id)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	if err := b.engine.WiderConsentRefusal(ctx, ref, s.staff.Actor()); err != nil {
		var forbidden *core.ForbiddenError
		if errors.As(err, &forbidden) {
			b.engine.RecordAccessDenied(ctx, ref.ID, s.staff.Actor(), "record-consent", "web")
		}
		b.refused(w, r, s, err)
		return
	}
	loc := b.location(ctx)
	now := b.clock.Now().In(loc)
	f := consentForm{Date: now.Format(time.DateOnly), Time: now.Format("15:04"), Carried: carried}
	if agency != "" {
		f.Scope, f.Agencies = string(core.ScopeAgencies), []string{agency}
	}
	b.showConsentForm(ctx, w, s, http.StatusOK, ref, f, nil)
}

// recordConsent records the client's new consent and goes back to the
// referral's redirect (or assign) form, where the agencies it now covers
// may be chosen: filled in as it was, when its "Record new consent" led
// here (openConsent). The same form sent again once it worked (a double
// click, Back and send) is answered that the consent is recorded already.
func (b *Bot) recordConsent(w http.ResponseWriter, r *http.Request, s session) {
	id, ok := b.referralFromPath(w, r, s)
	if !ok {
		return
	}
	if r.PostFormValue("open") == openConsent {
		b.openConsentForm(w, r, s, id, carriedFrom(r).Agency, carriedFrom(r))
		return
	}
	ctx := r.Context()
	f := readConsentForm(r)
	_, err := b.engine.RecordWiderConsent(ctx, f.request(id, s.staff.Actor(), b.location(ctx)))
	ref, rerr := b.engine.Referral(ctx, id)
	if rerr != nil {
		b.failed(w, &s, rerr)
		return
	}
	done := doneConsent
	var invalid *core.ValidationError
	switch {
	case errors.As(err, &invalid):
		consent, cerr := b.engine.Consent(ctx, ref.ConsentID)
		if cerr != nil {
			b.failed(w, &s, cerr)
			return
		}
		if !alreadyRecorded(consent, f) {
			b.showConsentForm(ctx, w, s, http.StatusUnprocessableEntity, ref, f, invalid)
			return
		}
		done = doneConsentAgain
	case err != nil:
		b.refused(w, r, s, err)
		return
	}
	if f.Carried != (carriedForm{}) {
		// The redirect form comes back as it was. Its why cannot travel
		// in an address, so the page is shown here rather than after a
		// redirect; sent again, this form finds the consent recorded.
		b.showReferral(w, r, s, id, referralForm{status: http.StatusOK, done: done, kept: true,
			values: formValues{Agency: f.Carried.Agency, Feedback: f.Carried.Why, Action: consentVerb(ref)}})
		return
	}
	http.Redirect(w, r, "/staff/referrals/"+ref.Reference+"?done="+done+"#"+consentVerb(ref), http.StatusSeeOther)
}

// openConsent is the value of the "Record new consent" button of a
// referral's redirect or assign form: it posts that form here, to open
// the consent form with what it held (carriedFrom).
const openConsent = "consent"

// alreadyRecorded reports whether the referral's consent already covers
// everything the consent form asks for: every agency ticked, or the
// whole network. The form only offers agencies it does not cover, so
// this is a form sent again after it worked, or one a colleague's
// recording overtook: either way there is nothing more to record.
func alreadyRecorded(c core.Consent, f consentForm) bool {
	switch core.ConsentScope(f.Scope) {
	case core.ScopeNetwork:
		return c.Scope == core.ScopeNetwork
	case core.ScopeAgencies:
		for _, a := range f.Agencies {
			id, err := strconv.ParseInt(a, 10, 64)
			if err != nil || !c.Covers(core.AgencyID(id)) {
				return false
			}
		}
		return len(f.Agencies) > 0
	}
	return false
}

// consentVerb is what new consent on the referral is for: assigning it
// from triage, or redirecting it.
func consentVerb(ref core.Referral) string {
	if ref.InTriage() {
		return "assign"
	}
	return "redirect"
}

// showConsentForm renders the form: the agencies the consent covers, the
// network's current wording, and the agencies it does not cover yet.
func (b *Bot) showConsentForm(ctx context.Context, w http.ResponseWriter, s session, status int, ref core.Referral, f consentForm, invalid *core.ValidationError) {
	v := consentView{page: page{Staff: &s.staff, CSRF: s.csrf, Title: "Record the client's new consent"},
		Reference: ref.Reference, Verb: consentVerb(ref), Hows: core.ConsentHows(), Form: f,
		Witness: s.staff.Name + ", " + s.staff.AgencyName, Today: b.clock.Now().In(b.location(ctx)).Format(time.DateOnly)}
	if invalid != nil {
		v.Fields = map[string]string{}
		for _, fe := range invalid.Fields {
			if _, seen := v.Fields[fe.Field]; seen {
				continue
			}
			fp := problem(fe.Field, fe.Message)
			v.Fields[fe.Field] = fp.Message
			v.Errors = append(v.Errors, fp)
		}
	}
	consent, err := b.engine.Consent(ctx, ref.ConsentID)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	if v.Wording, err = b.engine.CurrentConsentWording(ctx); err != nil {
		b.failed(w, &s, err)
		return
	}
	// The version shown is the version recorded: a form that came back
	// because the wording changed shows the new words, to read again.
	v.Form.Wording = v.Wording.Version
	agencies, err := b.engine.Agencies(ctx)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	for _, a := range agencies {
		switch {
		case consent.Covers(a.ID):
			v.Covers = append(v.Covers, a.Name)
		case a.RetiredAt == nil:
			id := strconv.FormatInt(int64(a.ID), 10)
			v.Agencies = append(v.Agencies, consentAgency{ID: id, Name: a.Name, Checked: slices.Contains(f.Agencies, id)})
		}
	}
	b.writeLayout(w, status, consentPages(), "consent", v)
}

// ConsentRoutes adds the form for recording a client's new consent on a
// referral.
func (b *Bot) ConsentRoutes(mux *http.ServeMux) {
	staff := func(pattern string, h http.Handler) { mux.Handle(pattern, staffHeaders(h)) }
	staff("GET /staff/referrals/{id}/consent", b.signedIn(b.consentFormPage))
	staff("POST /staff/referrals/{id}/consent", b.signedIn(b.recordConsent))
}
