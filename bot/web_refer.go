package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/onward-network/onward/core"
)

// referForm is the refer-a-client form as typed; it travels whole between
// its steps (find the client, show agencies, send) as hidden and visible
// fields, never in the URL: it carries personal details.
type referForm struct {
	Key                                       string // the idempotency key, made when the form is first shown
	Parent                                    string // the referral the client is referred on from
	Client                                    string // a client found by phone or reference
	FindPhone, FindReference                  string
	Name, Phone, Email, Postcode, Town, Notes string
	Needs                                     []string
	Crisis                                    bool
	CrisisReason                              string
	Agency                                    string
	Scope                                     string // "agency" (the receiving agency alone) or "network"
	Consent                                   bool
	Wording                                   string // the version of the consent wording shown
}

// referView is the refer-a-client page.
type referView struct {
	chrome
	Form      referForm
	Found     *core.FoundClient
	NotFound  bool
	ParentRef string
	Needs     []needOption
	Choice    agencyField // the directory's suggestions, once needs are chosen, and every other agency
	Wording   core.ConsentWording
	Witness   string
}

// referFields maps core's field names to the form's.
var referWebFields = map[string]string{
	"client.name": "name", "client.phone number": "phone", "client.email address": "email",
	"client.postcode": "postcode", "client.postcode district": "postcode", "client.town": "town",
	"client.notes": "notes", "needs": "needs", "receiving agency": "agency", "client's consent": "consent",
	"consent wording version": "consent", "why it is a crisis": "crisis_reason", "parent": "name",
	"who the client agreed may see their details": "scope", "find_phone": "find_phone", "find_reference": "find_reference",
}

// referMessages are the page's own words for a field left empty, in place
// of the validator's.
var referMessages = map[string]string{
	"name":    "Enter the client's name",
	"needs":   "Choose at least one thing the client needs help with",
	"agency":  "Choose the agency to refer the client to",
	"consent": "Confirm the client agreed to the consent wording shown",
}

func newFormKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// referPage shows the empty form, or the form to refer on the client of a
// referral the agency holds (?from=REFERENCE).
func (b *Bot) referPage(w http.ResponseWriter, r *http.Request, s session) {
	f := referForm{Key: newFormKey(), Scope: "agency"}
	v := referView{}
	if from := r.URL.Query().Get("from"); from != "" {
		ref, err := b.engine.ReferralByReference(r.Context(), strings.ToUpper(from))
		if err != nil || !s.staff.Actor().MaySee(ref) {
			b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.notfound.title", nil), sayWeb("web.notfound", nil))
			return
		}
		f.Parent = ref.Reference
		for _, n := range ref.Needs {
			f.Needs = append(f.Needs, string(n))
		}
	}
	b.showRefer(w, r, s, http.StatusOK, f, v)
}

// readReferForm reads the posted form, trimmed and bounded.
func readReferForm(r *http.Request) referForm {
	v := func(name string, max int) string {
		s := strings.TrimSpace(r.PostFormValue(name))
		if len(s) > max {
			s = s[:max]
		}
		return s
	}
	f := referForm{Key: v("key", 64), Parent: v("parent", 20), Client: v("client", 20),
		FindPhone: v("find_phone", 40), FindReference: v("find_reference", 40),
		Name: v("name", 300), Phone: v("phone", 40), Email: v("email", 400), Postcode: v("postcode", 40),
		Town: v("town", 120), Notes: v("notes", 5000), Crisis: r.PostFormValue("crisis") == "yes",
		CrisisReason: v("crisis_reason", 600), Agency: chosenFormAgency(r.PostForm), Scope: v("scope", 20),
		Consent: r.PostFormValue("consent") == "yes", Wording: v("wording", 40)}
	for _, n := range r.PostForm["needs"] {
		if len(f.Needs) < 20 {
			f.Needs = append(f.Needs, n)
		}
	}
	if f.Key == "" {
		f.Key = newFormKey()
	}
	if f.Scope != "network" {
		f.Scope = "agency"
	}
	return f
}

// referSubmit handles each step of the form: find the client, show the
// agencies that fit, or send — the same core call as Slack's /refer.
func (b *Bot) referSubmit(w http.ResponseWriter, r *http.Request, s session) {
	ctx := r.Context()
	f := readReferForm(r)
	v := referView{}
	switch r.PostFormValue("step") {
	case "find":
		found, err := b.engine.FindClient(ctx, s.staff.Actor(), f.FindPhone, f.FindReference)
		var invalid *core.ValidationError
		switch {
		case errors.As(err, &invalid):
			v.setFieldErrors(invalid.Fields, referWebFields, "find_phone")
			b.showRefer(w, r, s, http.StatusUnprocessableEntity, f, v)
			return
		case errors.Is(err, core.ErrNotFound):
			// The same answer whether the client does not exist or their
			// consent does not cover this agency.
			v.NotFound, f.Client = true, ""
		case err != nil:
			b.failed(w, &s, err)
			return
		default:
			v.Found, f.Client = &found, strconv.FormatInt(int64(found.ID), 10)
		}
		f.FindPhone, f.FindReference = "", ""
		b.showRefer(w, r, s, http.StatusOK, f, v)
		return
	case "match":
		b.showRefer(w, r, s, http.StatusOK, f, v)
		return
	}
	if f.Wording == "" {
		wording, err := b.engine.CurrentConsentWording(ctx)
		if err != nil {
			b.failed(w, &s, err)
			return
		}
		f.Wording = wording.Version
	}
	in, problems := b.staffReferral(r.Context(), s, f)
	if len(problems) > 0 {
		v.setFieldErrors(problems, referWebFields, "name")
		b.showRefer(w, r, s, http.StatusUnprocessableEntity, f, v)
		return
	}
	ref, err := b.engine.StaffRefer(ctx, in)
	var (
		invalid *core.ValidationError
		scope   *core.ConsentScopeError
	)
	switch {
	case errors.As(err, &invalid):
		fields := slices.Clone(invalid.Fields)
		for i, fe := range fields {
			if name, ok := referWebFields[fe.Field]; ok && strings.Contains(fe.Message, "required") {
				if msg, ok := referMessages[name]; ok {
					fields[i].Message = msg
				}
			}
		}
		v.setFieldErrors(fields, referWebFields, "name")
		b.showRefer(w, r, s, http.StatusUnprocessableEntity, f, v)
		return
	case errors.As(err, &scope):
		_, msg := b.webAnswer(ctx, err)
		v.setFieldErrors([]core.FieldError{{Field: "scope", Message: msg}}, map[string]string{"scope": "scope"}, "scope")
		b.showRefer(w, r, s, http.StatusUnprocessableEntity, f, v)
		return
	case err != nil:
		b.refused(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/staff/referrals/"+ref.Reference+"?done=referred", http.StatusSeeOther)
}

// staffReferral turns the form into core's StaffReferral, with the
// problems only the form can see (a crisis without its reason, a need or
// agency not offered).
func (b *Bot) staffReferral(ctx context.Context, s session, f referForm) (core.StaffReferral, []core.FieldError) {
	in := core.StaffReferral{IdempotencyKey: "web-refer:" + f.Key, By: s.staff.Actor(),
		Client:           core.ClientDetails{Name: f.Name, Phone: f.Phone, Email: f.Email, Postcode: f.Postcode, Town: f.Town, Notes: f.Notes},
		ConsentConfirmed: f.Consent, WordingVersion: f.Wording, Crisis: f.Crisis, CrisisReason: f.CrisisReason}
	var problems []core.FieldError
	for _, n := range f.Needs {
		need, err := core.ParseNeed(n)
		if err != nil {
			problems = append(problems, core.FieldError{Field: "needs", Message: "Choose needs from the list"})
			break
		}
		in.Needs = append(in.Needs, need)
	}
	if len(in.Needs) == 0 {
		problems = append(problems, core.FieldError{Field: "needs", Message: referMessages["needs"]})
	}
	if f.Crisis && f.CrisisReason == "" {
		problems = append(problems, core.FieldError{Field: "why it is a crisis", Message: "Say why it is a crisis, like “no food in the house today”"})
	}
	if f.Agency == "" {
		problems = append(problems, core.FieldError{Field: "receiving agency", Message: referMessages["agency"]})
	} else if id, err := strconv.ParseInt(f.Agency, 10, 64); err != nil || id <= 0 {
		problems = append(problems, core.FieldError{Field: "receiving agency", Message: "Choose an agency from the list"})
	} else {
		in.ToAgency = core.AgencyID(id)
	}
	if f.Client != "" {
		id, _ := strconv.ParseInt(f.Client, 10, 64)
		in.ExistingClient = core.ClientID(id)
	}
	if f.Parent != "" {
		// Core checks the member of staff may see it; one they may not
		// is answered as if it did not exist.
		if ref, err := b.engine.ReferralByReference(ctx, strings.ToUpper(f.Parent)); err == nil {
			in.Parent = ref.ID
		} else {
			problems = append(problems, core.FieldError{Field: "parent", Message: "The referral to refer on from does not exist"})
		}
	}
	if in.ExistingClient == 0 && in.Parent == 0 && f.Name == "" {
		problems = append(problems, core.FieldError{Field: "client.name", Message: referMessages["name"]})
	}
	if !f.Consent {
		problems = append(problems, core.FieldError{Field: "client's consent", Message: referMessages["consent"]})
	}
	if f.Scope == "network" {
		in.Scope = core.ScopeNetwork
	}
	return in, problems
}

// showRefer renders the form with the suggestions for what was typed so
// far and the consent wording to read to the client.
func (b *Bot) showRefer(w http.ResponseWriter, r *http.Request, s session, status int, f referForm, v referView) {
	ctx := r.Context()
	v.chrome.Title, v.chrome.Staff, v.chrome.CSRF = "Refer a client", &s.staff, s.csrf
	v.Form = f
	v.Witness = s.staff.Name + ", " + s.staff.AgencyName
	var err error
	if v.Wording, err = b.engine.CurrentConsentWording(ctx); err != nil {
		b.failed(w, &s, err)
		return
	}
	if f.Parent != "" {
		if ref, err := b.engine.ReferralByReference(ctx, strings.ToUpper(f.Parent)); err == nil && s.staff.Actor().MaySee(ref) {
			v.ParentRef = ref.Reference
		}
	}
	if f.Client != "" && v.Found == nil {
		// Shown again after another step: name the client found, no more.
		v.Found = &core.FoundClient{Name: "the client you found"}
	}
	var needs []core.Need
	for _, n := range core.Needs {
		checked := slices.Contains(f.Needs, string(n))
		if checked {
			needs = append(needs, n)
		}
		v.Needs = append(v.Needs, needOption{Value: string(n), Label: n.Label(), Checked: checked})
	}
	var (
		match    *core.Match
		district string
	)
	if len(needs) > 0 {
		district = b.districtOf(ctx, f)
		if f.Crisis {
			needs = core.CrisisNeeds(needs, []string{f.CrisisReason})
		}
		m, err := b.engine.Suggest(ctx, core.MatchQuery{Needs: needs, District: district, Asking: s.staff.AgencyID})
		if err != nil {
			b.failed(w, &s, err)
			return
		}
		match = &m
	}
	// The consent is given with this form: no agency is marked outside it.
	if v.Choice, err = b.newAgencyField(ctx, match, district, f.Agency, s.staff.AgencyID, nil); err != nil {
		b.failed(w, &s, err)
		return
	}
	v.Choice.Error = v.Invalid["agency"]
	b.renderWeb(w, status, "refer", v)
}

// districtOf places the client for matching: the postcode typed, else the
// town, else nothing.
func (b *Bot) districtOf(ctx context.Context, f referForm) string {
	if f.Postcode != "" {
		if p, err := core.ParsePostcode(f.Postcode); err == nil {
			return p.District()
		}
	}
	if f.Town != "" {
		if d, ok, err := b.engine.DistrictForTown(ctx, f.Town); err == nil && ok {
			return d.District
		}
	}
	return ""
}
