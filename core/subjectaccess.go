package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/nyaruka/phonenumbers"

	"github.com/onward-network/onward/core/lang"
)

// SubjectAccessFormat names the shape of the export's JSON, written in
// it, so that whoever reads a copy later knows which keys to expect.
const SubjectAccessFormat = "onward-subject-access/2"

// subjectAccessAbout is the export's own short note on its keys, written
// at its top (about_this_file): the JSON goes to the client, who has no
// other guide to it.
var subjectAccessAbout = []string{
	"Everything the network holds about one person, made to answer their request to see it (request).",
	"Times are in UTC, written as ISO 8601 (2026-10-29T07:48:00Z); time_zone is the network's own, in which the readable page shows them.",
	"Each code has its words beside it: status and status_words, needs and needs_words, kind and what, given_through and given_through_words.",
	"Numbers and references are the network's own, kept so that it can find the records they name: export_number (this copy), consent_id, and each referral's reference (ONW-...), which events and disclosures name as referral_reference.",
	"client holds the details on your record now; each referral's details_given, the details as given with that referral.",
	"A referral's simd_decile and ward are facts of the area of the postcode given with it, kept for the network's reports on demand by area: the Scottish Index of Multiple Deprivation decile of its area (1 is the most deprived tenth of Scotland's, 10 the least) and its council ward.",
}

// SubjectAccess is everything Onward holds about one person, for a subject
// access request: their details, every consent with the exact words they
// agreed to, every referral with the details given with it, the audit log
// of their referrals and of their record (each event told in words), and
// every disclosure of their details (who saw them, when, through what).
// Its JSON keys are snake_case throughout, with words beside each code;
// the export says so itself (About).
type SubjectAccess struct {
	Format string   `json:"format"` // SubjectAccessFormat
	About  []string `json:"about_this_file"`
	// Network is the network's name, the controller the client asked.
	Network string `json:"network"`
	// ExportNumber is this export's number in the audit log (the id of
	// its client.exported event): the data protection officer's list
	// shows it, also once the client is erased, so the copy handed over
	// can be matched to the request it answered.
	ExportNumber EventID   `json:"export_number"`
	GeneratedAt  time.Time `json:"made_at"`
	// TimeZone is the network's time zone (an IANA name such as
	// Europe/London): the readable page shows every time in it.
	TimeZone    string              `json:"time_zone"`
	Request     SubjectRequest      `json:"request"`
	Client      SubjectClient       `json:"client"`
	Consents    []SubjectConsent    `json:"consents"`
	Referrals   []SubjectReferral   `json:"referrals"`
	Disclosures []SubjectDisclosure `json:"disclosures"`
	Events      []SubjectEvent      `json:"events"`
}

// SubjectRequest is the request an export answers, as the client made it.
type SubjectRequest struct {
	Channel      RequestChannel `json:"came_in"`
	ChannelWords string         `json:"came_in_words"`
	Received     string         `json:"received"` // the day, YYYY-MM-DD
	Reference    string         `json:"reference"`
}

// SubjectDetails are a client's details as the export shows them: on
// their record now (SubjectClient) or as given with a referral.
type SubjectDetails struct {
	Name string `json:"name"`
	// Phone is the number as people in its country write it
	// (Phone.National).
	Phone string `json:"phone"`
	// PhonePassedOn says the number passed to someone else since
	// (Client.PhonePassedOn).
	PhonePassedOn    bool   `json:"phone_passed_on"`
	Email            string `json:"email"`
	Postcode         string `json:"postcode"`
	PostcodeDistrict string `json:"postcode_district"`
	Town             string `json:"town"`
	Notes            string `json:"notes"`
	// PreferredContact (text, call, email) and ContactTime (ContactTimes)
	// are the codes; ContactWords says both as the client chose them
	// ("Phone call, any time").
	PreferredContact string `json:"preferred_contact"`
	ContactTime      string `json:"contact_time"`
	ContactWords     string `json:"contact_words"`
	// Language is the language they chose for texts (a BCP 47 tag) and
	// LanguageName its English name; Interpreter says they asked for an
	// interpreter, InterpreterLanguage in which language when not theirs.
	Language            string `json:"language"`
	LanguageName        string `json:"language_name"`
	Interpreter         bool   `json:"interpreter"`
	InterpreterLanguage string `json:"interpreter_language"`
}

// SubjectClient is the client's record: their details now, whether they
// proved the phone theirs, when the record was made, and whether it was
// erased (then only the codes in clear remain).
type SubjectClient struct {
	SubjectDetails
	PhoneProven     bool      `json:"phone_proven"`
	FirstRecordedAt time.Time `json:"first_recorded_at"`
	Erased          bool      `json:"erased"`
}

// SubjectConsent is one consent with the words agreed to.
type SubjectConsent struct {
	ID      ConsentID `json:"consent_id"`
	GivenAt time.Time `json:"given_at"`
	// Channel is how it was given (ChannelSMS …) and ChannelWords says it
	// ("by text message").
	Channel      Channel `json:"given_through"`
	ChannelWords string  `json:"given_through_words"`
	// Language is the language of the words the client was shown.
	Language       string `json:"language"`
	WordingVersion string `json:"wording_version"`
	Wording        string `json:"wording"`
	// Scope is whom it covers: the whole network, or the agencies named in
	// AgencyNames; SharedWith says it in words.
	Scope       ConsentScope `json:"shared_with"`
	AgencyNames []string     `json:"agencies"`
	SharedWith  string       `json:"shared_with_words"`
	WithdrawnAt *time.Time   `json:"withdrawn_at"`
	// Partner is what a partner system said of a consent it gave; nil
	// for a consent given any other way.
	Partner *SubjectPartnerConsent `json:"partner_particulars,omitempty"`
}

// SubjectPartnerConsent is what a partner system said of a consent it
// gave: when and how the client agreed, who recorded it there and who
// confirmed it with them, each in words too ("not given" when the
// partner did not say).
type SubjectPartnerConsent struct {
	AgreedAt        *time.Time `json:"agreed_at"`
	AgreedAtWords   string     `json:"agreed_at_words"`
	How             ConsentHow `json:"how"`
	HowWords        string     `json:"how_words"`
	RecordedBy      string     `json:"recorded_by"`
	RecordedByWords string     `json:"recorded_by_words"`
	WitnessedBy     string     `json:"witnessed_by"`
}

// subjectPartnerConsent is p as the export gives it, the time in loc.
func subjectPartnerConsent(p ConsentParticulars, loc *time.Location) *SubjectPartnerConsent {
	return &SubjectPartnerConsent{AgreedAt: p.AgreedAt, AgreedAtWords: p.AgreedAtWords(loc), How: p.How, HowWords: p.HowWords(),
		RecordedBy: p.RecordedBy, RecordedByWords: p.RecordedByWords(), WitnessedBy: p.WitnessedBy}
}

// SubjectReferral is one referral as the client would recognise it.
type SubjectReferral struct {
	Reference   string `json:"reference"`
	Status      Status `json:"status"`
	StatusWords string `json:"status_words"`
	// Reason is why it was not accepted (a rejection, a redirect) and
	// ReasonWords says it; Outcome is how a completed one ended.
	Reason       Reason          `json:"reason_not_accepted,omitempty"`
	ReasonWords  string          `json:"reason_not_accepted_words,omitempty"`
	Outcome      Outcome         `json:"outcome,omitempty"`
	OutcomeWords string          `json:"outcome_words,omitempty"`
	Needs        []Need          `json:"needs"`
	NeedsWords   []string        `json:"needs_words"`
	FromAgency   string          `json:"from_agency,omitempty"`
	ToAgency     string          `json:"to_agency,omitempty"`
	CreatedAt    time.Time       `json:"made_at"`
	ClosedAt     *time.Time      `json:"closed_at,omitempty"`
	DetailsGiven *SubjectDetails `json:"details_given,omitempty"`
	Notes        string          `json:"notes,omitempty"`
	// CrisisReasons say why it was dealt with as a crisis, as recorded
	// when it was made.
	CrisisReasons []string `json:"crisis_reasons,omitempty"`
	OutcomeNote   string   `json:"outcome_note,omitempty"` // the adviser's note on completing it
	// What the client said of the help afterwards: their score, comment
	// and whether they would recommend the service.
	FeedbackScore     *int   `json:"feedback_score,omitempty"`
	FeedbackComment   string `json:"feedback_comment,omitempty"`
	FeedbackRecommend *bool  `json:"feedback_recommend,omitempty"`
	// SIMDDecile and Ward are facts of the area of the postcode given
	// with it, kept for the network's reports on demand by area (and
	// kept after an erasure, with nothing to tie them to a person): the
	// deprivation decile of its data zone (1 the most deprived tenth of
	// Scotland's, SIMDDecile) and its council ward, named when the ward
	// names are imported. Empty when not known.
	SIMDDecile *int   `json:"simd_decile,omitempty"`
	Ward       string `json:"ward,omitempty"`
}

// AreaWords says the area facts kept with the referral in words, or ""
// when none are.
func (s SubjectReferral) AreaWords() string {
	var parts []string
	if s.SIMDDecile != nil {
		parts = append(parts, fmt.Sprintf("deprivation decile %d of 10 in the Scottish Index of Multiple Deprivation (1 is the most deprived tenth of Scotland's areas)", *s.SIMDDecile))
	}
	if s.Ward != "" {
		parts = append(parts, "council ward "+s.Ward)
	}
	return strings.Join(parts, "; ")
}

// Recommends is the client's answer to "would you recommend the service?"
// in words: "yes", "no", or "" when they did not answer.
func (s SubjectReferral) Recommends() string {
	switch {
	case s.FeedbackRecommend == nil:
		return ""
	case *s.FeedbackRecommend:
		return "yes"
	}
	return "no"
}

// SubjectDisclosure is one time someone saw the client's details.
type SubjectDisclosure struct {
	At        time.Time `json:"at"`
	Reference string    `json:"referral_reference,omitempty"`
	Who       string    `json:"who"`
	Agency    string    `json:"agency"`
	// Via is the channel it went through ("slack", "web", "fhir", "cli",
	// …) and What says in words what was seen and how ("saw your details
	// in Slack").
	Via  string `json:"through"`
	What string `json:"what"`
}

// SubjectEvent is one audit log entry about the client or their
// referrals: Kind is the audit log's code, What says it in words
// ("Kirkton Citizens Advice accepted your referral").
type SubjectEvent struct {
	At        time.Time `json:"at"`
	Reference string    `json:"referral_reference,omitempty"`
	Kind      EventKind `json:"kind"`
	What      string    `json:"what"`
	Who       string    `json:"who"`
	From      Status    `json:"status_before,omitempty"`
	To        Status    `json:"status_after,omitempty"`
}

// sqlSubjectConsents are the client's consents, each with the words they
// agreed to: the translation in the language they were shown, when the
// consent was given in another language than English.
const sqlSubjectConsents = `
SELECT k.id, k.scope, k.agency_ids, k.wording_version, k.channel, k.evidence, k.given_at, k.language, k.withdrawn_at,
       coalesce(t.body, w.body), k.agreed_at, coalesce(k.how, ''), k.recorded_by_enc, k.evidence_enc
FROM consents k JOIN consent_wordings w ON w.version = k.wording_version
LEFT JOIN consent_wording_translations t ON t.version = k.wording_version AND t.language = k.language
WHERE k.client_id = $1 ORDER BY k.id`

// sqlSubjectEvents is the audit log of the client and their referrals,
// each event with who did it (sqlEventActor), its data, and the agency
// it concerns by name: the one a referral was made to, or the one it was
// sent, assigned or redirected to (data.to_agency_id).
const sqlSubjectEvents = `
SELECT ev.created_at, coalesce(r.reference, ''), ev.kind, ev.actor_kind, act.name, act.agency,
       ev.from_status, ev.to_status, ev.data,
       coalesce((SELECT name FROM agencies WHERE id = CASE WHEN ev.kind = 'referral.created' THEN ev.agency_id
                 ELSE (ev.data->>'to_agency_id')::bigint END), '') AS target
FROM events ev
LEFT JOIN referrals r ON r.id = ev.referral_id` + sqlEventActor + `
WHERE ev.client_id = $1 OR ev.referral_id IN (SELECT id FROM referrals WHERE client_id = $1)
ORDER BY ev.id`

// subjectEventWho says who did an event, as the client reads it: "you",
// a member of staff with their agency, a partner system with the agency
// it acts for, or Onward itself.
func subjectEventWho(kind ActorKind, name, agency string) string {
	switch kind {
	case ActorClient:
		return "you"
	case ActorStaff:
		if name == "" {
			name = "staff"
		}
		if agency != "" {
			name += " (" + agency + ")"
		}
		return name
	case ActorPartner:
		return partnerSystemWords(name, agency)
	}
	return "Onward"
}

// Choice is one entry of a fixed list that every channel offers the same
// way: the code stored (and typed on the command line) and the words
// shown for it.
type Choice struct {
	Code  string
	Label string
}

// RequestChannel is how a subject access request reached the network.
type RequestChannel string

// How a subject access request can come in.
const (
	RequestLetter         RequestChannel = "letter"
	RequestEmail          RequestChannel = "email"
	RequestPhone          RequestChannel = "phone"
	RequestInPerson       RequestChannel = "in-person"
	RequestRepresentative RequestChannel = "representative"
)

// RequestChannels are the ways a subject access request can come in, in
// the order every channel lists them.
func RequestChannels() []Choice {
	return []Choice{
		{string(RequestLetter), "By letter"},
		{string(RequestEmail), "By email"},
		{string(RequestPhone), "By phone"},
		{string(RequestInPerson), "In person"},
		{string(RequestRepresentative), "From someone acting for the client, with their authority"},
	}
}

// MaxRequestReference is the most characters a subject access request's
// reference may have: a case or letter number, not a description.
const MaxRequestReference = 40

// RequestReferenceExample is the shape of a request's reference that
// pages and refusals show.
const RequestReferenceExample = "SAR-2026-014"

// SubjectAccessRequest is the request an export answers: how it came in,
// the day it was received and the network's own reference for it (its
// case or letter number: a code such as SAR-2026-014, never the client's
// name or contact details, see checkRequestReference). Every export
// follows one, and the audit log keeps it with the export, so the data
// protection officer can match each export to a request.
type SubjectAccessRequest struct {
	Channel   RequestChannel
	Received  time.Time // the day it was received; the time of day is ignored
	Reference string
}

// check refuses a request that is incomplete or out of bounds, naming
// each field (request_channel, request_received, request_reference).
func (q SubjectAccessRequest) check(now time.Time) error {
	var fields []FieldError
	known := false
	for _, c := range RequestChannels() {
		known = known || c.Code == string(q.Channel)
	}
	if !known {
		fields = append(fields, FieldError{Field: "request_channel", Message: "how the request came in: choose letter, email, phone, in-person or representative"})
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	day := time.Date(q.Received.Year(), q.Received.Month(), q.Received.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case q.Received.IsZero():
		fields = append(fields, FieldError{Field: "request_received", Message: "date received: give the day the request came in"})
	case day.After(today):
		fields = append(fields, FieldError{Field: "request_received", Message: "date received: the request cannot come in after today"})
	case day.Year() < 2000:
		fields = append(fields, FieldError{Field: "request_received", Message: "date received: give a date from 2000 on"})
	}
	if why := checkRequestReference(q.Reference); why != "" {
		fields = append(fields, FieldError{Field: "request_reference", Message: "request reference: " + why})
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// requestReferenceMark is what a request's reference may be made of:
// letters, digits and the separators of case numbers.
func requestReferenceMark(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) || strings.ContainsRune("-/._", r)
}

// checkRequestReference says what is wrong with a request's reference, ""
// when nothing is. The data protection officer's list and its register
// show it to whoever reads them, so it must be the organisation's own case
// reference and nothing of the client's: one code of letters, digits and
// - / . _, with a digit in it, at most MaxRequestReference characters. A
// phone number, an email address or a postcode (anywhere in it, as in
// "KY11AB1") is refused by name; a name or a description has spaces, no
// digit, or words written as names are ("Jane-Smith-2").
func checkRequestReference(raw string) string {
	ref := strings.TrimSpace(raw)
	const want = "use your organisation's own case reference for the request, such as " + RequestReferenceExample +
		", not the client's details (their name, phone number, email address or postcode)"
	n := utf8.RuneCountInString(ref)
	var digits strings.Builder
	for _, r := range ref {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	switch {
	case n == 0:
		return "give your organisation's own case reference for the request, such as " + RequestReferenceExample
	case n > MaxRequestReference:
		return fmt.Sprintf("at most %d characters, please (this has %d): your organisation's own case reference, such as %s, not a description", MaxRequestReference, n, RequestReferenceExample)
	case strings.IndexFunc(ref, unicode.IsControl) >= 0:
		return "one line, please: " + want
	case strings.Contains(ref, "@"):
		return "this looks like an email address: " + want
	case looksLikePhone(ref, digits.String()):
		return "this looks like a phone number: " + want
	case containsPostcode(ref):
		return "this looks like a postcode: " + want
	case strings.IndexFunc(ref, unicode.IsSpace) >= 0:
		return "one code without spaces, please (this looks like a name or a description): " + want
	case strings.IndexFunc(ref, func(r rune) bool { return !requestReferenceMark(r) }) >= 0:
		return "use letters, digits and - / . _ only: " + want
	case digits.Len() == 0:
		return "a case reference has a number in it, such as " + RequestReferenceExample + " (this looks like a name): " + want
	case namedWords(ref) >= 2:
		return "this looks like a name: " + want
	}
	return ""
}

// namedWords counts the parts of a reference (between - / . _) that are
// words written as names and sentences are, letters with lower case ones
// among them ("Jane", "smith"): a case reference's letters are a code
// ("SAR", "LTR").
func namedWords(ref string) int {
	n := 0
	for _, part := range strings.FieldsFunc(ref, func(r rune) bool { return strings.ContainsRune("-/._", r) }) {
		if len(part) >= 2 && strings.IndexFunc(part, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 &&
			strings.IndexFunc(part, unicode.IsLower) >= 0 {
			n++
		}
	}
	return n
}

// looksLikePhone reports whether a reference holds a phone number: its
// digits run together read as a valid number of any country, by
// libphonenumber (or one of Ofcom's drama ranges), when written as people
// write them: from 0, or with a country code (+48, 44). Nine digits or
// more only: a case number's year and count are fewer, and a run of
// digits alone that starts otherwise is left to be a case number.
func looksLikePhone(ref, digits string) bool {
	var number string
	switch {
	case len(digits) < 9:
		return false
	case strings.HasPrefix(digits, "0"):
		number = digits
	case strings.Contains(ref, "+") || strings.HasPrefix(digits, "44"):
		number = "+" + digits
	default:
		return false
	}
	n, err := phonenumbers.Parse(number, "GB")
	if err != nil {
		return false
	}
	return phonenumbers.IsValidNumber(n) || dramaPhone(Phone(phonenumbers.Format(n, phonenumbers.E164)))
}

// containsPostcode reports whether a full UK postcode (ParsePostcode) is
// in a reference, whole or within it: "KY1 1AB", "KY11AB", "KY11AB1",
// "SAR-KY1-1AB". A postcode is 5 to 7 letters and digits (separators and
// spaces between them skipped) starting with a letter that starts a run
// of letters and ending with a letter that ends one, so a code's letters
// are not read as part of one ("SAR2026AB" has none).
func containsPostcode(ref string) bool {
	rs := []rune(postcodeRunes(ref))
	letter := func(i int) bool { return i >= 0 && i < len(rs) && unicode.IsLetter(rs[i]) }
	for i := range rs {
		if !letter(i) || letter(i-1) {
			continue
		}
		var run []rune
		for j := i; j < len(rs) && len(run) < 7; j++ {
			r := rs[j]
			if unicode.IsSpace(r) || strings.ContainsRune("-/._", r) {
				continue
			}
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			run = append(run, r)
			if len(run) < 5 || letter(j+1) {
				continue
			}
			if _, err := ParsePostcode(string(run)); err == nil {
				return true
			}
		}
	}
	return false
}

// ExportClient gathers everything held about the client (see
// SubjectAccess), to answer req, a subject access request the network
// received. Only coordinators may export (or Onward itself; anyone else's
// refusal is audited, as RecordClientAccessDenied records one), and only with
// the request given whole: a subject access export is the client's right,
// never a way round the disclosure rule, so each one follows a recorded
// request. It reads as Onward itself and records the export in the audit
// log as a disclosure to the person asking (by), through via ("web",
// "cli"), with the request: how it came in and the day in clear, its
// reference sealed under the client's data key (erasing the client shreds
// it; for a client already erased it is not kept). The export lists itself
// among the times someone saw the client's details, as every later export
// does, and carries its number in the audit log (ExportNumber), which
// outlives an erasure.
func (e *Engine) ExportClient(ctx context.Context, client ClientID, by Actor, via string, req SubjectAccessRequest) (SubjectAccess, error) {
	// A coordinator (on the staff web, or named by the command line's
	// --by) or Onward itself; never a partner system, nor anyone else.
	if (by.Kind == ActorStaff && !by.Coordinates()) || (by.Kind != ActorStaff && by.Kind != ActorSystem) {
		e.RecordClientAccessDenied(ctx, client, by, "export", via)
		return SubjectAccess{}, &ForbiddenError{Why: "only a coordinator can export everything held about a client"}
	}
	if err := req.check(e.clock.Now()); err != nil {
		return SubjectAccess{}, err
	}
	cal, err := e.calendar(ctx)
	if err != nil {
		return SubjectAccess{}, err
	}
	words, err := englishWords()
	if err != nil {
		return SubjectAccess{}, err
	}
	out := SubjectAccess{Format: SubjectAccessFormat, About: subjectAccessAbout, Network: cal.Name,
		GeneratedAt: e.clock.Now().UTC(), TimeZone: "UTC", Disclosures: []SubjectDisclosure{}, Consents: []SubjectConsent{},
		Referrals: []SubjectReferral{}, Events: []SubjectEvent{},
		Request: SubjectRequest{Channel: req.Channel, ChannelWords: req.Channel.Label(),
			Received: req.Received.Format(time.DateOnly), Reference: strings.TrimSpace(req.Reference)}}
	if cal.Location != nil {
		out.TimeZone = cal.Location.String()
	}
	c, err := e.ClientDetailsFor(ctx, client)
	if err != nil {
		return out, err
	}
	out.Client = SubjectClient{SubjectDetails: subjectDetails(c, words), PhoneProven: c.PhoneProven,
		FirstRecordedAt: c.CreatedAt.UTC(), Erased: c.Erased}
	names, err := e.agencyNames(ctx)
	if err != nil {
		return out, err
	}
	var partner []Consent // given through a partner system, to open
	rows, _ := e.pool.Query(ctx, sqlSubjectConsents, client)
	consents, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SubjectConsent, error) {
		var (
			s        SubjectConsent
			agencies []AgencyID
			evidence string
			k        = Consent{ClientID: client}
		)
		err := row.Scan(&s.ID, &s.Scope, &agencies, &s.WordingVersion, &s.Channel, &evidence, &s.GivenAt,
			&s.Language, &s.WithdrawnAt, &s.Wording, &k.AgreedAt, &k.How, &k.RecordedByEnc, &k.EvidenceEnc)
		if s.Channel == ChannelAPI {
			k.ID, k.Channel, k.Evidence = s.ID, s.Channel, evidence
			partner = append(partner, k)
		}
		s.AgencyNames = []string{}
		for _, id := range agencies {
			s.AgencyNames = append(s.AgencyNames, names[id])
		}
		s.ChannelWords, s.SharedWith = consentChannelWords(s.Channel, evidence), consentSharedWith(s.Scope, s.AgencyNames)
		return s, err
	})
	if err != nil {
		return out, fmt.Errorf("consents of client %d: %w", client, err)
	}
	particulars := map[ConsentID]*SubjectPartnerConsent{}
	for _, k := range partner {
		p, err := e.ConsentParticulars(ctx, k)
		if err != nil {
			return out, err
		}
		particulars[k.ID] = subjectPartnerConsent(p, cal.Location)
	}
	for _, s := range consents {
		s.Partner = particulars[s.ID]
		s.GivenAt = s.GivenAt.UTC()
		if s.WithdrawnAt != nil {
			t := s.WithdrawnAt.UTC()
			s.WithdrawnAt = &t
		}
		out.Consents = append(out.Consents, s)
	}
	rows, _ = e.pool.Query(ctx, sqlSelectReferral+"client_id = $1 ORDER BY id", client)
	refs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Referral])
	if err != nil {
		return out, fmt.Errorf("referrals of client %d: %w", client, err)
	}
	areas, err := e.referralAreas(ctx, client)
	if err != nil {
		return out, err
	}
	for _, r := range refs {
		sr := SubjectReferral{Reference: r.Reference, Status: r.Status, StatusWords: r.Status.Label(), Needs: r.Needs,
			NeedsWords: make([]string, len(r.Needs)), CreatedAt: r.CreatedAt.UTC(),
			FeedbackScore: r.FeedbackScore, FeedbackRecommend: r.FeedbackRecommend}
		for i, n := range r.Needs {
			sr.NeedsWords[i] = n.In(words, lang.English)
		}
		if r.ClosedAt != nil {
			t := r.ClosedAt.UTC()
			sr.ClosedAt = &t
		}
		if r.Reason != nil {
			sr.Reason, sr.ReasonWords = *r.Reason, r.Reason.Label()
		}
		if r.Outcome != nil {
			sr.Outcome, sr.OutcomeWords = *r.Outcome, cal.OutcomeLabel(*r.Outcome)
		}
		if r.FromAgencyID != nil {
			sr.FromAgency = names[*r.FromAgencyID]
		}
		if r.ToAgencyID != nil {
			sr.ToAgency = names[*r.ToAgencyID]
		}
		a := areas[r.ID]
		sr.SIMDDecile, sr.Ward = a.decile, a.ward
		if !c.Erased {
			d, err := e.referralClient(ctx, r)
			if err != nil {
				return out, err
			}
			given := subjectDetails(d, words)
			sr.DetailsGiven = &given
			if sr.Notes, err = e.ReferralNotes(ctx, r); err != nil {
				return out, err
			}
			if sr.CrisisReasons, err = e.CrisisReasons(ctx, r); err != nil {
				return out, err
			}
			if sr.OutcomeNote, err = e.OutcomeNote(ctx, r); err != nil {
				return out, err
			}
			if sr.FeedbackComment, err = e.FeedbackComment(ctx, r); err != nil {
				return out, err
			}
		}
		out.Referrals = append(out.Referrals, sr)
	}
	// Recorded before the audit log is read, so the export is in it.
	if out.ExportNumber, err = e.recordExport(ctx, client, by, via, req); err != nil {
		return out, err
	}
	key, err := e.clientKeyOf(ctx, e.pool, client)
	if err != nil {
		return out, err
	}
	tell := subjectTeller{network: cal.Network, consents: out.Consents, key: key}
	rows, _ = e.pool.Query(ctx, sqlSubjectEvents, client)
	defer rows.Close()
	for rows.Next() {
		var (
			ev                   SubjectEvent
			f                    subjectEventFacts
			name, agency, target string
		)
		if err := rows.Scan(&ev.At, &ev.Reference, &ev.Kind, &f.actor, &name, &agency, &ev.From, &ev.To, &f.data, &target); err != nil {
			return out, fmt.Errorf("events of client %d: %w", client, err)
		}
		ev.At = ev.At.UTC()
		f.agency, f.target = agency, target
		ev.Who = subjectEventWho(f.actor, name, agency)
		ev.What = tell.what(ev, f)
		out.Events = append(out.Events, ev)
		switch ev.Kind {
		case EventDisclosed, EventClientFound, EventSubjectAccess:
			out.Disclosures = append(out.Disclosures, SubjectDisclosure{At: ev.At, Reference: ev.Reference, Who: ev.Who,
				Agency: agency, Via: f.str("via"), What: upperFirst(tell.seen(ev, f))})
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("events of client %d: %w", client, err)
	}
	return out, nil
}

// EventSubjectAccess records that everything held about a client was
// exported for them.
const EventSubjectAccess EventKind = "client.exported"

// recordExport appends the export's event with the request it answers
// (see ExportClient) and returns its id, the export's number.
func (e *Engine) recordExport(ctx context.Context, client ClientID, by Actor, via string, req SubjectAccessRequest) (EventID, error) {
	var id EventID
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		data := eventData("via", via, "agency_id", int64(by.AgencyID), "request_channel", string(req.Channel),
			"request_received", req.Received.Format(time.DateOnly))
		k, err := e.writableClientKey(ctx, tx, client)
		if err != nil {
			return fmt.Errorf("export client %d: %w", client, err)
		}
		if !k.erased {
			enc, err := k.seal("events", "request_reference_enc", withdrawalEvidenceAD(client), strings.TrimSpace(req.Reference))
			if err != nil {
				return fmt.Errorf("export client %d: %w", client, err)
			}
			data["request_reference_enc"] = enc
		}
		ev := newEvent{kind: EventSubjectAccess, client: client, actor: by, data: data}
		if err := tx.QueryRow(ctx, sqlAppendEvent, e.eventArgs(ev, e.clock.Now())...).Scan(&id); err != nil {
			return fmt.Errorf("append %s event: %w", EventSubjectAccess, err)
		}
		return nil
	})
	return id, err
}

func (e *Engine) agencyNames(ctx context.Context) (map[AgencyID]string, error) {
	rows, err := e.pool.Query(ctx, `SELECT id, name FROM agencies`)
	if err != nil {
		return nil, fmt.Errorf("agency names: %w", err)
	}
	defer rows.Close()
	m := map[AgencyID]string{}
	for rows.Next() {
		var (
			id AgencyID
			n  string
		)
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("agency names: %w", err)
		}
		m[id] = n
	}
	if err := rows.Err(); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("agency names: %w", err)
	}
	return m, nil
}

// referralArea is the area facts a referral keeps (SubjectReferral).
type referralArea struct {
	decile *int
	ward   string // its name, or its code when the names are not imported
}

// referralAreas reads the area facts kept with each of client's
// referrals.
func (e *Engine) referralAreas(ctx context.Context, client ClientID) (map[ReferralID]referralArea, error) {
	rows, err := e.pool.Query(ctx, `SELECT r.id, r.simd_decile, coalesce(w.name, r.ward_code, '')
FROM referrals r LEFT JOIN wards w ON w.code = r.ward_code WHERE r.client_id = $1`, client)
	if err != nil {
		return nil, fmt.Errorf("area facts of client %d's referrals: %w", client, err)
	}
	out := map[ReferralID]referralArea{}
	var (
		id     ReferralID
		decile *int
		ward   string
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &decile, &ward}, func() error {
		a := referralArea{ward: ward}
		if decile != nil { // a copy: the scan may reuse the pointer
			d := *decile
			a.decile = &d
		}
		out[id] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("area facts of client %d's referrals: %w", client, err)
	}
	return out, nil
}
