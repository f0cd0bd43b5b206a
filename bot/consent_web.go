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

// doneConsent is the referral page's confirmation after new consent.
const doneConsent = "consent"

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
		Wording: r.PostFormValue("wording"), Confirm: r.PostFormValue("confirm") == "yes"}
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
	f := consentForm{Date: now.Format(time.DateOnly), Time: now.Format("15:04")}
	if a := r.URL.Query().Get("agency"); a != "" {
		// The agency the redirect was refused for: ticked, for the
		// adviser to confirm with the client, never recorded unasked.
		f.Scope, f.Agencies = string(core.ScopeAgencies), []string{a}
	}
	b.showConsentForm(ctx, w, s, http.StatusOK, ref, f, nil)
}

// recordConsent records the client's new consent and goes back to the
// referral's redirect (or assign) form, where the agencies it now covers
// may be chosen.
func (b *Bot) recordConsent(w http.ResponseWriter, r *http.Request, s session) {
	id, ok := b.referralFromPath(w, r, s)
	if !ok {
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
	var invalid *core.ValidationError
	switch {
	case errors.As(err, &invalid):
		b.showConsentForm(ctx, w, s, http.StatusUnprocessableEntity, ref, f, invalid)
		return
	case err != nil:
		b.refused(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/staff/referrals/"+ref.Reference+"?done="+doneConsent+"#"+consentVerb(ref), http.StatusSeeOther)
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
			v.Fields[fe.Field] = sentence(fe.Message)
			v.Errors = append(v.Errors, fieldProblem{Field: fe.Field, Message: sentence(fe.Message)})
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
