package bot

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"github.com/go-redis/redis_rate/v10"

	"github.com/onward-network/onward/core"
)

// referForm is the refer-a-client form as typed; it travels whole between
// its steps (find the client, show agencies, send) as hidden and visible
// fields, never in the URL: it carries personal details.
type referForm struct {
	Key                                       string // the idempotency key, made when the form is first shown
	Parent                                    string // the referral the client is referred on from
	Client                                    string // a client found by phone or reference
	ClientDistrict                            string // where the client found is on record, for matching
	ClientLanguage                            string // the language the client found is texted in, for matching
	FindPhone, FindReference                  string
	Name, Phone, Email, Postcode, Town, Notes string
	// Language is the language the client is texted in (a shipped code, ""
	// for English); Interpreter, that they want one, and
	// InterpreterLanguage the language it is for when it is another (any
	// language: a BCP 47 tag, core checks it).
	Language, InterpreterLanguage string
	Interpreter                   bool
	Needs                         []string
	Crisis                        bool
	CrisisReason                  string
	Agency                        string
	agencyErr                     error  // two agencies chosen (formAgency)
	Scope                         string // "agency" (the receiving agency alone) or "network"
	Consent                       bool
	Wording                       string // the version of the consent wording shown
}

// referView is the refer-a-client page.
type referView struct {
	chrome
	Form      referForm
	Found     *core.FoundClient
	NotFound  bool
	ParentRef string
	// ParentCrisis: the referral referred on from is a crisis, so the
	// form says why its crisis box came ticked.
	ParentCrisis bool
	Needs        []needOption
	Choice       agencyField // the directory's suggestions, once needs are chosen, and every other agency
	Wording      core.ConsentWording
	Witness      string
	Limits       map[string]int // referLimits, for the fields' maxlength
	// Languages are the languages clients may be texted in; Interpreting,
	// every language an interpreter may be asked for.
	Languages    []referLanguage
	Interpreting []core.LanguageChoice
	// Restored says the form below was sent after its session ended,
	// kept, and is filled in again after signing in (keptForm.referForm).
	Restored string
}

// referLanguage is a language clients may be texted in, as the form
// offers it: its code and its names in English and in itself.
type referLanguage struct {
	Code, English, Own string
}

// referLimits are the most characters (not bytes) each typed field of
// the form may hold: one definition, for the server's check and the
// page's maxlength. The client's details and the crisis reason have
// core's limits (ClientDetails, StaffReferral; TestReferLimitsAreCores
// holds them there), so a text the form accepts is never refused or cut
// further on; the search fields' are the form's own.
var referLimits = map[string]int{
	"find_phone": 40, "find_reference": 40,
	"name": 200, "phone": 40, "email": 320, "postcode": 40, "town": 100,
	"crisis_reason": 500, "notes": 4000,
}

// referLabels are the typed fields' labels, as the page shows them, for
// the messages that name a field.
var referLabels = map[string]string{
	"find_phone": "Phone number", "find_reference": "Reference",
	"name": "Full name", "phone": "Phone number", "email": "Email address", "postcode": "Postcode",
	"town": "Town", "crisis_reason": "Why it is a crisis", "notes": "Note for the agency",
	"language": "Language for texts", "interpreter_language": "Interpreter needed in",
}

// referPageOrder is the order of the form's fields on the page: the
// error summary lists problems in it, as the adviser meets the fields.
var referPageOrder = []string{"find_phone", "find_reference", "name", "phone", "email", "postcode", "town",
	"language", "interpreter_language", "needs", "crisis_reason", "notes", "agency", "scope", "consent"}

// referFields maps core's field names to the form's.
var referWebFields = map[string]string{
	"client.name": "name", "client.phone number": "phone", "client.email address": "email",
	"client.postcode": "postcode", "client.postcode district": "postcode", "client.town": "town",
	"client.notes": "notes", "client.language": "language", "client.interpreter language": "interpreter_language",
	"needs": "needs", "receiving agency": "agency", "client's consent": "consent",
	"consent wording version": "consent", "why it is a crisis": "crisis_reason", "parent": "name",
	"who the client agreed may see their details": "scope", "find_phone": "find_phone", "find_reference": "find_reference",
	"client": "find_phone",
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
// referral the agency holds (?from=REFERENCE). A form of this page sent
// after its session ended comes back filled in, once, for the member of
// staff who sent it (restoreKeptForm), but for the consent tick.
func (b *Bot) referPage(w http.ResponseWriter, r *http.Request, s session) {
	f := referForm{Key: newFormKey(), Scope: "agency"}
	v := referView{}
	if from := r.URL.Query().Get("from"); from != "" {
		ref, err := b.engine.ReferralByReference(r.Context(), strings.ToUpper(from))
		if err == nil && !s.staff.Actor().MaySee(ref) {
			// Answered as one that does not exist, and recorded.
			b.engine.RecordAccessDenied(r.Context(), ref.ID, s.staff.Actor(), "refer-on", "web")
		}
		if err != nil || !s.staff.Actor().MaySee(ref) {
			b.message(w, http.StatusNotFound, &s.staff, s.csrf, sayWeb("web.notfound.title", nil), sayWeb("web.notfound", nil))
			return
		}
		f.Parent = ref.Reference
		for _, n := range ref.Needs {
			f.Needs = append(f.Needs, string(n))
		}
		if ref.Crisis {
			// A crisis stays one when the client is referred on: the
			// form comes ticked, with the reasons the referral's page
			// gives, and the adviser unticks it if it has passed.
			reasons, err := b.engine.ChainCrisisReasons(r.Context(), ref.ID)
			if err != nil {
				b.failed(w, &s, err)
				return
			}
			f.Crisis, f.CrisisReason = true, carriedCrisisReason(reasons)
		}
	}
	// After the referral referred on from is checked: a kept form comes
	// back only on a page its member of staff may still open.
	if k, ok := b.restoreKeptForm(w, r, s); ok {
		f, v.Restored = k.referForm()
	}
	b.showRefer(w, r, s, http.StatusOK, f, v)
}

// carriedCrisisReason is the crisis reasons of the referral a client is
// referred on from, as the form's one reason: joined, and cut at a
// word to the field's limit so the form never refuses what it filled in.
func carriedCrisisReason(reasons []string) string {
	s := strings.Join(reasons, "; ")
	limit := referLimits["crisis_reason"]
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut := []rune(s)[:limit-1]
	if i := strings.LastIndex(string(cut), " "); i > 0 {
		return string(cut)[:i] + "…"
	}
	return string(cut) + "…"
}

// readReferForm reads the posted form (referFormFrom).
func readReferForm(r *http.Request) referForm {
	_ = r.ParseMultipartForm(32 << 20) // as PostFormValue does; a form it cannot read is an empty one
	return referFormFrom(r.PostForm)
}

// referFormFrom reads the refer form's fields, trimmed: those posted, or
// those of a form kept after its session ended (keptForm.referForm), the
// one reading of both. What the adviser typed is kept whole, however
// long (tooLong names a field past its limit); only the hidden fields
// the page writes itself are bounded, and those at a character's edge,
// never inside one.
func referFormFrom(form url.Values) referForm {
	typed := func(name string) string { return strings.TrimSpace(form.Get(name)) }
	hidden := func(name string, max int) string { return cutRunes(strings.TrimSpace(form.Get(name)), max) }
	f := referForm{Key: hidden("key", 64), Parent: hidden("parent", 20), Client: hidden("client", 20),
		ClientDistrict: hidden("client_district", 8), ClientLanguage: hidden("client_language", 20), FindPhone: typed("find_phone"), FindReference: typed("find_reference"),
		Name: typed("name"), Phone: typed("phone"), Email: typed("email"), Postcode: typed("postcode"),
		Town: typed("town"), Notes: typed("notes"), Crisis: form.Get("crisis") == "yes",
		CrisisReason: typed("crisis_reason"), Scope: hidden("scope", 20),
		Consent: form.Get("consent") == "yes", Wording: hidden("wording", 40),
		Language: hidden("language", 20), InterpreterLanguage: hidden("interpreter_language", 40),
		Interpreter: form.Get("interpreter") == "yes"}
	f.Agency, f.agencyErr = formAgency(form)
	for _, n := range form["needs"] {
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

// cutRunes bounds s to at most max bytes without splitting a character.
func cutRunes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// typedValues are the form's typed fields by name, for the length check.
func (f referForm) typedValues() map[string]string {
	return map[string]string{"find_phone": f.FindPhone, "find_reference": f.FindReference,
		"name": f.Name, "phone": f.Phone, "email": f.Email, "postcode": f.Postcode, "town": f.Town,
		"crisis_reason": f.CrisisReason, "notes": f.Notes}
}

// tooLong names each of the fields given that holds more characters than
// referLimits allows, and by how much.
func (f referForm) tooLong(fields ...string) []core.FieldError {
	values := f.typedValues()
	var out []core.FieldError
	for _, name := range fields {
		if n, max := utf8.RuneCountInString(values[name]), referLimits[name]; n > max {
			out = append(out, core.FieldError{Field: name,
				Message: fmt.Sprintf("%s must be %d characters or fewer: it has %d", referLabels[name], max, n)})
		}
	}
	return out
}

// emailCheck is the check core makes of a client's email address (its
// ClientDetails tag), made here too so a bad address is named with every
// other problem of the form, in one round.
var emailCheck = sync.OnceValue(func() *validator.Validate { return validator.New() })

// clientProblems are the problems of the typed client details that core
// would find only once the form's own problems are mended: too long, a
// phone or postcode core cannot read, an email address it would refuse.
// Checking them with the rest lists every problem at once.
func (f referForm) clientProblems() []core.FieldError {
	out := f.tooLong("name", "phone", "email", "postcode", "town", "crisis_reason", "notes")
	long := map[string]bool{}
	for _, fe := range out {
		long[fe.Field] = true
	}
	if f.Phone != "" && !long["phone"] {
		if _, err := core.ParsePhone(f.Phone); err != nil {
			out = append(out, core.FieldError{Field: "client.phone number", Message: "phone number: " + err.Error()})
		}
	}
	if f.Email != "" && !long["email"] {
		if err := emailCheck().Var(f.Email, "email"); err != nil {
			out = append(out, core.FieldError{Field: "client.email address", Message: "enter an email address like name@example.org"})
		}
	}
	if f.Postcode != "" && !long["postcode"] {
		if _, err := core.ParsePostcode(f.Postcode); err != nil {
			out = append(out, core.FieldError{Field: "client.postcode", Message: "postcode: " + err.Error()})
		}
	}
	return out
}

// setReferErrors puts problems on the page in page order, each against
// its field.
func (v *referView) setReferErrors(problems []core.FieldError, fallback string) {
	fields := map[string]string{}
	for k, name := range referWebFields {
		fields[k] = name
	}
	for _, name := range referPageOrder {
		fields[name] = name
	}
	webName := func(fe core.FieldError) string {
		label, _, _ := strings.Cut(fe.Field, "[")
		if name, ok := fields[label]; ok {
			return name
		}
		if name, ok := fields[fe.Field]; ok {
			return name
		}
		return fallback
	}
	position := func(fe core.FieldError) int {
		if i := slices.Index(referPageOrder, webName(fe)); i >= 0 {
			return i
		}
		return len(referPageOrder)
	}
	sorted := slices.Clone(problems)
	slices.SortStableFunc(sorted, func(a, b core.FieldError) int { return position(a) - position(b) })
	v.setFieldErrors(sorted, fields, fallback)
}

// findsPerHour is how many clients one member of staff may look up by
// phone or reference in an hour: enough for a busy adviser referring
// clients in front of them, too few to try numbers until someone is found.
var findsPerHour = redis_rate.Limit{Rate: 30, Burst: 30, Period: time.Hour}

// findAllowed counts one look-up against the staff member's hourly limit
// and says how long to wait when it is used up; the first refusal in a
// window is logged, for whoever watches for misuse.
func (b *Bot) findAllowed(ctx context.Context, st core.Staff) (time.Duration, error) {
	key := b.prefix + "bot:find:staff:" + strconv.FormatInt(int64(st.ID), 10)
	res, err := redis_rate.NewLimiter(b.rdb).Allow(ctx, key, findsPerHour)
	if err != nil {
		return 0, fmt.Errorf("count client look-ups: %w", err)
	}
	if res.Allowed == 0 {
		if first, err := b.rdb.SetNX(ctx, key+":told", 1, findsPerHour.Period).Result(); err == nil && first {
			b.log.Warn("client look-ups over the hourly limit", "staff", int64(st.ID), "agency", int64(st.AgencyID))
		}
		return res.RetryAfter, nil
	}
	return 0, nil
}

// referSubmit handles each step of the form: find the client, show the
// agencies that fit, or send — the same core call as Slack's /refer.
func (b *Bot) referSubmit(w http.ResponseWriter, r *http.Request, s session) {
	ctx := r.Context()
	f := readReferForm(r)
	v := referView{}
	switch r.PostFormValue("step") {
	case "find":
		if long := f.tooLong("find_phone", "find_reference"); len(long) > 0 {
			v.setReferErrors(long, "find_phone")
			b.showRefer(w, r, s, http.StatusUnprocessableEntity, f, v)
			return
		}
		if wait, err := b.findAllowed(ctx, s.staff); err != nil {
			b.failed(w, &s, err)
			return
		} else if wait > 0 {
			v.setReferErrors([]core.FieldError{{Field: "find_phone", Message: fmt.Sprintf(
				"You have looked up %d clients in the last hour: try again in %d minutes, or refer the client as new", findsPerHour.Burst,
				int(math.Ceil(wait.Minutes())))}}, "find_phone")
			b.showRefer(w, r, s, http.StatusTooManyRequests, f, v)
			return
		}
		found, err := b.engine.FindClient(ctx, s.staff.Actor(), f.FindPhone, f.FindReference)
		var invalid *core.ValidationError
		switch {
		case errors.As(err, &invalid):
			v.setReferErrors(invalid.Fields, "find_phone")
			b.showRefer(w, r, s, http.StatusUnprocessableEntity, f, v)
			return
		case errors.Is(err, core.ErrNotFound):
			// The same answer whether the client does not exist or their
			// consent does not cover this agency.
			v.NotFound, f.Client, f.ClientDistrict, f.ClientLanguage = true, "", "", ""
		case err != nil:
			b.failed(w, &s, err)
			return
		default:
			v.Found, f.Client = &found, strconv.FormatInt(int64(found.ID), 10)
			f.ClientDistrict = b.foundDistrict(ctx, found)
			// Carried by the form like the district, so later steps need
			// not trust a client id the browser posts back.
			if f.ClientLanguage, _, err = b.engine.ClientLanguage(ctx, found.ID); err != nil {
				b.failed(w, &s, err)
				return
			}
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
		v.setReferErrors(problems, "name")
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
		v.setReferErrors(fields, "name")
		b.showRefer(w, r, s, http.StatusUnprocessableEntity, f, v)
		return
	case errors.As(err, &scope):
		_, _, msg := b.webAnswer(ctx, err)
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
// agency not offered) and, when there are any, the problems core would
// find in the client's details, so every problem is named in one round.
func (b *Bot) staffReferral(ctx context.Context, s session, f referForm) (core.StaffReferral, []core.FieldError) {
	in := core.StaffReferral{IdempotencyKey: b.referKey(f), By: s.staff.Actor(),
		Client: core.ClientDetails{Name: f.Name, Phone: f.Phone, Email: f.Email, Postcode: f.Postcode, Town: f.Town, Notes: f.Notes,
			Language: f.Language, Interpreter: f.Interpreter, InterpreterLanguage: f.InterpreterLanguage},
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
	if f.agencyErr != nil {
		problems = append(problems, core.FieldError{Field: "receiving agency", Message: twoAgencies})
	} else if f.Agency == "" {
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
	if in.ExistingClient == 0 && in.Parent == 0 {
		if f.Name == "" {
			problems = append(problems, core.FieldError{Field: "client.name", Message: referMessages["name"]})
		}
		// Core's rule, named here with the form's other problems.
		problems = append(problems, core.ContactProblems(in.Client)...)
	}
	if !f.Consent {
		problems = append(problems, core.FieldError{Field: "client's consent", Message: referMessages["consent"]})
	}
	if f.Scope == "network" {
		in.Scope = core.ScopeNetwork
	}
	// Too long is always the form's to say: core would refuse it too, but
	// the adviser should learn it with the rest, and in characters.
	client := f.clientProblems()
	if len(problems) == 0 {
		client = f.tooLong("name", "phone", "email", "postcode", "town", "crisis_reason", "notes")
	}
	return in, append(problems, client...)
}

// referKey is the referral's idempotency key: the form's key, made when
// the form was first shown, and a digest of what the form says. Sending
// the same form twice (a double click, a retry) makes one referral; going
// Back and sending it again for another client or agency is another
// referral, not a replay of the first. The digest is keyed with the
// session secret: the key is stored in clear, and an unkeyed hash of a
// phone number can be reversed by trying every number.
func (b *Bot) referKey(f referForm) string {
	needs := slices.Clone(f.Needs)
	slices.Sort(needs)
	mac := hmac.New(sha256.New, []byte(b.cfg.SessionSecret))
	for _, part := range append([]string{"web-refer", f.Parent, f.Client, f.Name, f.Phone, f.Email, f.Postcode, f.Town,
		f.Notes, strconv.FormatBool(f.Crisis), f.CrisisReason, f.Agency, f.Scope, f.Wording,
		f.Language, strconv.FormatBool(f.Interpreter), f.InterpreterLanguage}, needs...) {
		mac.Write([]byte(part))
		mac.Write([]byte{0})
	}
	return "web-refer:" + f.Key + ":" + hex.EncodeToString(mac.Sum(nil)[:16])
}

// showRefer renders the form with the suggestions for what was typed so
// far and the consent wording to read to the client.
func (b *Bot) showRefer(w http.ResponseWriter, r *http.Request, s session, status int, f referForm, v referView) {
	ctx := r.Context()
	v.chrome.Title, v.chrome.Staff, v.chrome.CSRF = "Refer a client", &s.staff, s.csrf
	v.Form = f
	v.Witness = s.staff.Name + ", " + s.staff.AgencyName
	v.Limits = referLimits
	if cat := languages(); cat != nil {
		for _, l := range cat.Languages() {
			v.Languages = append(v.Languages, referLanguage{Code: l.Code, English: l.English, Own: l.Name})
		}
	}
	v.Interpreting = core.InterpreterLanguages()
	var err error
	if v.Wording, err = b.engine.CurrentConsentWording(ctx); err != nil {
		b.failed(w, &s, err)
		return
	}
	if f.Parent != "" {
		if ref, err := b.engine.ReferralByReference(ctx, strings.ToUpper(f.Parent)); err == nil && s.staff.Actor().MaySee(ref) {
			v.ParentRef, v.ParentCrisis = ref.Reference, ref.Crisis
		}
	}
	if f.Client != "" && v.Found == nil {
		// Shown again after another step: name the client found, no more.
		v.Found = &core.FoundClient{Name: "the client you found", District: f.ClientDistrict}
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
		district = b.districtOf(ctx, s, f)
		if f.Crisis {
			needs = core.CrisisNeeds(needs, []string{f.CrisisReason})
		}
		m, err := b.engine.Suggest(ctx, core.MatchQuery{Needs: needs, District: district, Language: b.languageOf(ctx, s, f), Asking: s.staff.AgencyID})
		if err != nil {
			b.failed(w, &s, err)
			return
		}
		match = &m
	}
	// The consent is given with this form: no agency is marked outside it.
	if v.Choice, err = b.newAgencyField(ctx, match, district, f.Agency, sameAgency(s.staff.AgencyID), nil); err != nil {
		b.failed(w, &s, err)
		return
	}
	v.Choice.Error = v.Invalid["agency"]
	b.renderWeb(w, status, "refer", v)
}

// districtOf places the client for matching: the postcode typed, else the
// town typed; else, for a client Onward has, where they are on record:
// the district of the referral they are referred on from (the one its
// Redirect panel matches on), or the found client's (foundDistrict).
func (b *Bot) districtOf(ctx context.Context, s session, f referForm) string {
	if f.Postcode != "" {
		if p, err := core.ParsePostcode(f.Postcode); err == nil {
			return p.District()
		}
	}
	if d := b.townDistrict(ctx, f.Town); d != "" {
		return d
	}
	if f.Parent != "" {
		ref, err := b.engine.ReferralByReference(ctx, strings.ToUpper(f.Parent))
		if err != nil || !s.staff.Actor().MaySee(ref) {
			return ""
		}
		if ref.PostcodeDistrict != "" {
			return ref.PostcodeDistrict
		}
		_, district, err := b.engine.ClientTown(ctx, ref.ClientID)
		if err != nil {
			return ""
		}
		return district
	}
	if f.Client != "" {
		// Found at the first step, and carried by the form since.
		if d, err := core.ParseDistrict(f.ClientDistrict); err == nil {
			return d
		}
	}
	return ""
}

// languageOf is the language to match on, as districtOf places the
// client: for a client Onward has, the one on record (as the referral's
// Redirect panel matches on, and as core records the referral with),
// whatever the form's own language field says; else the form's.
func (b *Bot) languageOf(ctx context.Context, s session, f referForm) string {
	if f.Parent != "" {
		ref, err := b.engine.ReferralByReference(ctx, strings.ToUpper(f.Parent))
		if err != nil || !s.staff.Actor().MaySee(ref) {
			return ""
		}
		language, _, err := b.engine.ClientLanguage(ctx, ref.ClientID)
		if err != nil {
			return ""
		}
		return language
	}
	if f.Client != "" {
		// Found at the first step, and carried by the form since.
		return f.ClientLanguage
	}
	return f.Language
}

// foundDistrict is where a client found at the first step is on record:
// their postcode district, else the district of their town.
func (b *Bot) foundDistrict(ctx context.Context, c core.FoundClient) string {
	if c.District != "" {
		return c.District
	}
	return b.townDistrict(ctx, c.Town)
}

// townDistrict is the district the directory places a town in, "" for
// none or a town it does not know.
func (b *Bot) townDistrict(ctx context.Context, town string) string {
	if town == "" {
		return ""
	}
	if d, ok, err := b.engine.DistrictForTown(ctx, town); err == nil && ok {
		return d.District
	}
	return ""
}
