package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// referralJSON is a referral as partners see it: ids, statuses and what
// was asked, never the client's details.
type referralJSON struct {
	Reference        string     `json:"reference"`
	Status           string     `json:"status"`
	Version          int        `json:"version"`
	Source           string     `json:"source"`
	CaseID           string     `json:"case_id,omitempty"`
	ReferredOnFrom   string     `json:"referred_on_from,omitempty"`
	ReferredOnAs     string     `json:"referred_on_as,omitempty"`
	Needs            []string   `json:"needs"`
	PostcodeDistrict string     `json:"postcode_district,omitempty"`
	Crisis           bool       `json:"crisis"`
	ToAgency         string     `json:"to_agency,omitempty"`
	FromAgency       string     `json:"from_agency,omitempty"`
	Reason           string     `json:"reason,omitempty"`
	Feedback         string     `json:"feedback,omitempty"`
	Outcome          string     `json:"outcome,omitempty"`
	Gain             *gainIO    `json:"gain,omitempty"`
	AdviceType       string     `json:"advice_type,omitempty"`
	AdviceTopic      string     `json:"advice_topic,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
}

// referralsPath begins a referral's address, its reference after it.
const referralsPath = "/api/v1/referrals/"

// slugs maps agency ids to slugs for one request.
type slugs map[core.AgencyID]string

func (a *API) agencySlugs(ctx context.Context, want ...string) (slugs, map[string]core.AgencyID, error) {
	return a.cache.agencies(ctx, want...)
}

func (s slugs) of(id *core.AgencyID) string {
	if id == nil {
		return ""
	}
	return s[*id]
}

func toJSON(r core.Referral, s slugs, links core.ReferralLinks) referralJSON {
	j := referralJSON{Reference: r.Reference, Status: string(r.Status), Version: r.Version, Source: string(r.Source),
		CaseID: links.CaseID, ReferredOnFrom: links.From, ReferredOnAs: links.OnwardAs, Needs: core.NeedStrings(r.Needs), PostcodeDistrict: r.PostcodeDistrict, Crisis: r.Crisis,
		ToAgency: s.of(r.ToAgencyID), FromAgency: s.of(r.FromAgencyID), Feedback: r.Feedback,
		CreatedAt: r.CreatedAt, UpdatedAt: r.StatusAt, ClosedAt: r.ClosedAt}
	if r.Reason != nil {
		j.Reason = string(*r.Reason)
	}
	if r.Outcome != nil {
		j.Outcome = string(*r.Outcome)
	}
	if g := r.Gain(); !g.IsZero() {
		io := gainIO(g)
		j.Gain = &io
	}
	if r.AdviceType != nil {
		j.AdviceType = string(*r.AdviceType)
	}
	if r.AdviceTopic != nil {
		j.AdviceTopic = *r.AdviceTopic
	}
	return j
}

// ETag is the referral's version as an entity tag; If-Match takes it back.
func ETag(r core.Referral) string { return fmt.Sprintf(`"v%d"`, r.Version) }

// The versions an If-Match header can stand for besides a referral's own,
// which start at 1.
const (
	// AnyVersion stands for no If-Match, or "*", which RFC 9110 §13.1.1
	// makes true whenever the referral exists: core acts on whatever
	// version is current (its ExpectedVersion 0).
	AnyVersion = 0
	// NoVersion stands for an entity tag that matches no version of any
	// referral: one naming version 0, or a weak tag, which the strong
	// comparison If-Match uses never matches. It is as stale as a version
	// the referral has moved on from, and core refuses it the same way.
	NoVersion = -1
)

// errBadIfMatch refuses an If-Match that is neither * nor a list of
// entity tags, naming the header (FieldName gives it no pointer).
var errBadIfMatch = &core.ValidationError{Fields: []core.FieldError{{Field: "If-Match",
	Message: `If-Match must be * or the ETag Onward gave for the referral, like "v3" (several separated by commas)`}}}

// IfMatch reads an If-Match header: "*", or a list of entity tags (RFC
// 9110 §13.1.1, several lines of it joined with commas). It returns nil
// for "*" or no header, which stand for AnyVersion; else the version each
// tag names, NoVersion for a weak tag or one naming no version. A header
// that is neither is a 422 naming If-Match.
func IfMatch(h string) ([]int, error) {
	h = strings.TrimSpace(h)
	if h == "" || h == "*" {
		return nil, nil
	}
	var versions []int
	for rest := h; ; {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			break
		}
		weak := strings.HasPrefix(rest, "W/")
		quoted, opened := strings.CutPrefix(strings.TrimPrefix(rest, "W/"), `"`)
		tag, after, closed := strings.Cut(quoted, `"`)
		next := strings.TrimLeft(after, " \t")
		if !opened || !closed || next != "" && next[0] != ',' {
			return nil, errBadIfMatch
		}
		rest = next
		digits, named := strings.CutPrefix(tag, "v")
		switch {
		case weak, !named:
			versions = append(versions, NoVersion) // weak: never matches under strong comparison
		default:
			versions = append(versions, TagVersion(digits))
		}
	}
	if versions == nil {
		return nil, errBadIfMatch
	}
	return versions, nil
}

// Matching is the version to act on when If-Match names versions:
// AnyVersion for none named ("*"); the referral's own when one names it
// (core checks it again as it acts, so a change in between still fails);
// NoVersion when none can ever match; else one the referral has moved on
// from, which core refuses saying who changed it.
func Matching(versions []int, ref core.Referral) int {
	if versions == nil {
		return AnyVersion
	}
	if slices.Contains(versions, ref.Version) {
		return ref.Version
	}
	for _, v := range versions {
		if v != NoVersion {
			return v
		}
	}
	return NoVersion
}

// TagVersion is the version an entity tag's digits name, compared the
// strong way (RFC 9110 §13.1.1: character by character with the tag
// Onward gives): digits Onward never writes ("0", "00", "01") are
// NoVersion. FHIR's Task tags carry their version in the same digits.
func TagVersion(digits string) int {
	v, err := strconv.Atoi(digits)
	if err != nil || v < 1 || strconv.Itoa(v) != digits {
		return NoVersion
	}
	return v
}

// Stale reports whether the version an If-Match stands for is not the
// referral's current one: the precondition fails, and nothing may change.
// Core checks the same again as it acts; an edge that answers without
// acting (a Task PUT with the status it has) asks this first.
func Stale(version int, ref core.Referral) bool {
	return version != AnyVersion && version != ref.Version
}

// unmatchable is the 412 for an If-Match that no version of any referral
// can ever match (IfMatch's NoVersion): a weak tag, or one naming a
// version Onward never writes. It is refused as stale (RFC 9110
// §13.1.1), but said plainly, with the tag to send, so an integrator
// does not read the referral again, get the same ETag and loop on
// "someone else changed it".
func unmatchable(h string, ref core.Referral) problem {
	h = strings.TrimSpace(h)
	why := fmt.Sprintf("If-Match %s names no version a referral is ever at (Onward's ETags are \"v1\", \"v2\", …), so it can never match", h)
	send := "Send the ETag exactly as Onward gave it"
	if versions, _ := IfMatch(h); len(versions) > 1 {
		why = fmt.Sprintf("If-Match %s holds no tag that can match: a weak tag never matches, as If-Match compares tags strongly (RFC 9110 §13.1.1), and Onward's ETags are \"v1\", \"v2\", …", h)
	} else if strings.HasPrefix(h, "W/") {
		why = fmt.Sprintf("If-Match %s is a weak tag, and If-Match compares tags strongly (RFC 9110 §13.1.1), so a weak tag can never match", h)
		send += ", without W/"
	}
	return probUnmatchableTag.problem(http.StatusPreconditionFailed, fmt.Sprintf("%s; nothing was changed. %s: %s's is now %s (or * to act on whatever version is current)",
		why, send, ref.Reference, ETag(ref)))
}

// ClientRequest is the client's details in a create request.
type ClientRequest struct {
	Name             string `json:"name"`
	Phone            string `json:"phone,omitempty"`
	Email            string `json:"email,omitempty"`
	Postcode         string `json:"postcode,omitempty"`
	District         string `json:"district,omitempty"`
	Town             string `json:"town,omitempty"`
	Notes            string `json:"notes,omitempty"`
	PreferredContact string `json:"preferred_contact,omitempty"`
	ContactTime      string `json:"contact_time,omitempty"`
	Language         string `json:"language,omitempty"`
	// InterpreterLanguage is a language to book an interpreter in (any
	// language tag, "ro", "ti"); texts stay in Language.
	InterpreterLanguage string `json:"interpreter_language,omitempty"`
}

// ConsentRequest is the consent evidence in a create request. GivenAt,
// Method and RecordedBy say when and how the client agreed and who
// recorded it (core.PartnerConsent); a partner integrated before they
// were asked for leaves them out.
type ConsentRequest struct {
	WordingVersion string   `json:"wording_version"`
	Scope          string   `json:"scope"`
	Agencies       []string `json:"agencies,omitempty"`
	WitnessedBy    string   `json:"witnessed_by"`
	// GivenAt is an RFC 3339 date and time ("2026-11-23T09:40:00Z").
	GivenAt    string `json:"given_at,omitempty"`
	Method     string `json:"method,omitempty"`
	RecordedBy string `json:"recorded_by,omitempty"`
}

// givenAt reads consent.given_at: nil when left out, and a field error
// when it is not an RFC 3339 date and time.
func (c ConsentRequest) givenAt() (*time.Time, []core.FieldError) {
	if c.GivenAt == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, c.GivenAt)
	if err != nil {
		return nil, []core.FieldError{{Field: "consent.given_at", Message: fmt.Sprintf(
			"%q is not a date and time: give when the client agreed as RFC 3339, like 2026-11-23T09:40:00Z (with its time zone)", c.GivenAt)}}
	}
	return &t, nil
}

// CreateRequest is a partner's request to refer a client; FHIR's
// transaction Bundle is turned into one.
type CreateRequest struct {
	CaseID   string         `json:"case_id,omitempty"`
	Client   ClientRequest  `json:"client"`
	Needs    []string       `json:"needs"`
	ToAgency string         `json:"to_agency"`
	Crisis   bool           `json:"crisis,omitempty"`
	Consent  ConsentRequest `json:"consent"`
}

// PartnerReferral turns a create request into core's input, resolving
// agency slugs; the FHIR Bundle create ends here too. fields are the
// slugs not in the directory, and a consent.given_at that is no date and
// time: the input then leaves them out.
func partnerReferral(in CreateRequest, ids map[string]core.AgencyID, p core.Partner, key string) (core.PartnerReferral, []core.FieldError) {
	var fields []core.FieldError
	needs := make([]core.Need, len(in.Needs))
	for i, n := range in.Needs {
		needs[i] = core.Need(n)
	}
	to := ids[in.ToAgency]
	if in.ToAgency != "" && to == 0 {
		fields = append(fields, core.FieldError{Field: "to_agency", Message: fmt.Sprintf("no agency %q in the directory; GET /api/v1/agencies lists them", in.ToAgency)})
	}
	var consentAgencies []core.AgencyID
	for i, s := range in.Consent.Agencies {
		id, ok := ids[s]
		if !ok {
			fields = append(fields, core.FieldError{Field: fmt.Sprintf("consent.agencies[%d]", i), Message: fmt.Sprintf("no agency %q in the directory", s)})
			continue
		}
		consentAgencies = append(consentAgencies, id)
	}
	givenAt, bad := in.Consent.givenAt()
	fields = append(fields, bad...)
	c := in.Client
	return core.PartnerReferral{
		IdempotencyKey: fmt.Sprintf("api:%d:%s", p.ID, key), By: p.Actor(), CaseID: in.CaseID,
		Client: core.ClientDetails{Name: c.Name, Phone: c.Phone, Email: c.Email, Postcode: c.Postcode, District: c.District,
			Town: c.Town, Notes: c.Notes, PreferredContact: c.PreferredContact, ContactTime: c.ContactTime, Language: c.Language,
			InterpreterLanguage: c.InterpreterLanguage},
		Needs: needs, ToAgency: to, Crisis: in.Crisis,
		Consent: core.PartnerConsent{WordingVersion: in.Consent.WordingVersion, Scope: core.ConsentScope(in.Consent.Scope),
			Agencies: consentAgencies, WitnessedBy: in.Consent.WitnessedBy,
			GivenAt: givenAt, How: core.ConsentHow(in.Consent.Method), RecordedBy: in.Consent.RecordedBy},
	}, fields
}

// Create refers a client through core for a partner; FHIR's transaction
// Bundle calls it too.
func (a *API) Create(ctx context.Context, in CreateRequest, p core.Partner, key string) (core.Referral, error) {
	_, ids, err := a.agencySlugs(ctx, append([]string{in.ToAgency}, in.Consent.Agencies...)...)
	if err != nil {
		return core.Referral{}, err
	}
	req, unknown := partnerReferral(in, ids, p, key)
	if len(unknown) == 0 {
		return a.engine.PartnerRefer(ctx, req)
	}
	return core.Referral{}, a.withCoreRefusals(req, in, unknown)
}

// withCoreRefusals is the refusal of a referral naming agencies not in
// the directory (or a consent.given_at that is no date and time), with
// every other mistake in it that core finds, so the
// partner learns them all at once rather than one answer at a time.
// Core's checks (core.CheckPartnerReferral) read and write nothing. Its
// refusals of the agencies themselves are left out: the request names
// them, and unknown says what is wrong with them.
func (a *API) withCoreRefusals(req core.PartnerReferral, in CreateRequest, unknown []core.FieldError) error {
	fields := unknown
	var ve *core.ValidationError
	if err := a.engine.CheckPartnerReferral(req); errors.As(err, &ve) {
		for _, f := range ve.Fields {
			switch FieldName(f.Field) {
			case "to_agency":
				if in.ToAgency != "" {
					continue
				}
			case "consent.agencies":
				if len(in.Consent.Agencies) > 0 {
					continue
				}
			}
			fields = append(fields, f)
		}
	}
	return &core.ValidationError{Fields: fields}
}

func (a *API) createReferral(w http.ResponseWriter, r *http.Request, p core.Partner) {
	var in CreateRequest
	if err := decode(w, r, &in); err != nil {
		// Told of a member of the wrong type, a partner is told of the
		// request's other mistakes in the same answer.
		var tr typeRefusal
		if errors.As(err, &tr) {
			err = a.withTypeRefusals(r.Context(), tr, p)
		}
		a.fail(w, r, err)
		return
	}
	ref, err := a.Create(r.Context(), in, p, r.Header.Get(idemKeyHeader))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	fit, err := a.fit(r.Context(), ref)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	s, _, err := a.agencySlugs(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", ETag(ref))
	w.Header().Set("Location", referralsPath+ref.Reference)
	// A partner's new referral is the first in its chain: nothing to read.
	writeJSON(w, http.StatusCreated, createdJSON{toJSON(ref, s, core.ReferralLinks{CaseID: strings.TrimSpace(in.CaseID)}), fit})
}

// createdJSON is the answer to a new referral: the referral, and how the
// agency it went to fits it.
type createdJSON struct {
	referralJSON
	Fit *fitJSON `json:"fit,omitempty"`
}

func (a *API) writeReferral(w http.ResponseWriter, r *http.Request, ref core.Referral, status int) {
	links, err := a.engine.ReferralLink(r.Context(), ref)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeReferralLinks(w, r, ref, status, links)
}

func (a *API) writeReferralLinks(w http.ResponseWriter, r *http.Request, ref core.Referral, status int, links core.ReferralLinks) {
	s, _, err := a.agencySlugs(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", ETag(ref))
	writeJSON(w, status, toJSON(ref, s, links))
}

func (a *API) getReferral(w http.ResponseWriter, r *http.Request, p core.Partner) {
	ref, err := a.engine.VisibleReferral(r.Context(), pathReference(r), p.Actor())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if NotModified(r, ETag(ref)) {
		w.Header().Set("ETag", ETag(ref))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	a.writeReferral(w, r, ref, http.StatusOK)
}

type listOut struct {
	Data       []referralJSON `json:"data"`
	NextCursor string         `json:"next_cursor,omitempty"`
	// NextUpdatedSince, on the last page of a walk oldest first, is the
	// updated_since of the next walk that sees every change since this
	// one (core.FollowSettle).
	NextUpdatedSince string `json:"next_updated_since,omitempty"`
}

func (a *API) listReferrals(w http.ResponseWriter, r *http.Request, p core.Partner) {
	var f core.ReferralPage
	q, fields := queryProblems(r, "status", "agency", "updated_since", "cursor", "limit")
	for _, s := range strings.FieldsFunc(q.Get("status"), func(r rune) bool { return r == ',' }) {
		st := core.Status(s)
		if !validStatus(st) {
			fields = append(fields, core.FieldError{Field: "status", Message: fmt.Sprintf("%q is not a status; use one of %s", s, OrList(core.Statuses))})
		}
		f.Status = append(f.Status, st)
	}
	s, ids, err := a.agencySlugs(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ag := q.Get("agency"); ag != "" {
		if f.Agency = ids[ag]; f.Agency == 0 {
			fields = append(fields, core.FieldError{Field: "agency", Message: fmt.Sprintf("no agency %q in the directory", ag)})
		}
	}
	if since := q.Get("updated_since"); since != "" {
		t, err := time.Parse(time.RFC3339, since)
		if err != nil {
			fields = append(fields, core.FieldError{Field: "updated_since", Message: "updated_since must be a date and time like 2026-03-01T09:00:00Z" + core.PlusReadAsSpace(since)})
		}
		f.UpdatedSince = t
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			fields = append(fields, core.FieldError{Field: "limit", Message: "limit must be a whole number from 1 to 200"})
		}
		f.Limit = n
	}
	var ve *core.ValidationError
	if f.After, err = core.ParseCursor(q.Get("cursor")); errors.As(err, &ve) {
		fields = append(fields, ve.Fields...)
	} else if err != nil {
		a.fail(w, r, err)
		return
	}
	if len(fields) > 0 {
		a.fail(w, r, queryProblem(fields))
		return
	}
	rs, next, err := a.engine.ListVisibleReferrals(r.Context(), p.Actor(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	links, err := a.engine.ReferralLinks(r.Context(), rs)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := listOut{Data: make([]referralJSON, 0, len(rs)), NextCursor: next.String()}
	if next.ID == 0 && !next.Resume.IsZero() {
		out.NextUpdatedSince = next.Resume.Format(time.RFC3339Nano)
	}
	for _, ref := range rs {
		out.Data = append(out.Data, toJSON(ref, s, links[ref.ID]))
	}
	writeJSON(w, http.StatusOK, out)
}

// outcomeCodes are the outcomes the network offers at completion, by
// the codes the API takes: never "could-not-contact", which is an action
// of its own (core.Outcome.Completes).
func (a *API) outcomeCodes(ctx context.Context) ([]string, error) {
	n, err := a.engine.Network(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, o := range n.CompletionOutcomes() {
		ids = append(ids, string(o.Outcome))
	}
	return ids, nil
}

// outcomeInAPIWords says core's refusal of a completion's outcome as the
// API takes it: core words it for the staff web's choice ("Choose how
// the referral ended"), while a partner sent a code, and is told that it
// is none and which are; an outcome core refuses because it is an action
// of its own (core.OutcomeNotACompletion) says what to do instead on ref
// as it stands (core.CouldNotContactInstead), naming that action's
// operation. The other fields are refused as core says.
func (a *API) outcomeInAPIWords(ctx context.Context, ve *core.ValidationError, sent string, ref core.Referral) error {
	i := slices.IndexFunc(ve.Fields, func(f core.FieldError) bool { return f.Field == "outcome" })
	if i < 0 {
		return ve
	}
	ids, err := a.outcomeCodes(ctx)
	if err != nil {
		return err
	}
	fields := slices.Clone(ve.Fields)
	fields[i].Message = fmt.Sprintf("%q is not an outcome this network records; say how it ended: one of %s", sent, strings.Join(ids, ", "))
	if ve.Fields[i] == core.OutcomeNotACompletion {
		fail := fmt.Sprintf("POST /api/v1/referrals/%s/could-not-contact (no body)", ref.Reference)
		fields[i].Message = fmt.Sprintf("%q is not how a completion ends: %s", sent, core.CouldNotContactInstead(ref, fail, strings.Join(ids, ", ")))
	}
	return &core.ValidationError{Fields: fields}
}

// redirectTarget resolves the agency a redirect names by its slug. Only a
// redirect's schema has to_agency, so any other action that names one is
// refused by actionBody, rather than the agency being quietly ignored.
func (a *API) redirectTarget(ctx context.Context, slug string) (core.AgencyID, error) {
	slug = strings.TrimSpace(slug)
	if slug == "" {
		return 0, validationProblemOne("to_agency", "say which agency to send the referral to, by its slug; GET /api/v1/agencies lists them")
	}
	_, ids, err := a.agencySlugs(ctx, slug)
	if err != nil {
		return 0, err
	}
	id, ok := ids[slug]
	if !ok {
		return 0, validationProblemOne("to_agency", fmt.Sprintf("no agency %q in the directory; GET /api/v1/agencies lists them", slug))
	}
	return id, nil
}

// pathReference is the reference a path names. References are printed in
// capitals but read in any case, as the staff web reads them: a reference
// copied from a lower-cased casework note still finds its referral.
func pathReference(r *http.Request) string {
	return strings.ToUpper(r.PathValue("reference"))
}

func validStatus(s core.Status) bool {
	for _, x := range core.Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// actIn is an action's body: the fields of every action, of which each
// takes those its schema in the OpenAPI document lists (actionBody).
type actIn struct {
	// ToAgency is the agency a redirect sends the client on to, by slug.
	ToAgency    string  `json:"to_agency,omitempty"`
	Reason      string  `json:"reason,omitempty"`
	Feedback    string  `json:"feedback,omitempty"`
	Outcome     string  `json:"outcome,omitempty"`
	Note        string  `json:"note,omitempty"`
	Gain        *gainIO `json:"gain,omitempty"`
	AdviceType  string  `json:"advice_type,omitempty"`
	AdviceTopic string  `json:"advice_topic,omitempty"`
}

// gainIO is a completion's financial gain as the API carries it: whole
// pence, so sums stay exact (core.Gain; money, benefits and debt referrals
// only).
type gainIO struct {
	WeeklyIncome   int64 `json:"weekly_income_pence,omitempty"`
	OneOffIncome   int64 `json:"one_off_income_pence,omitempty"`
	DebtWrittenOff int64 `json:"debt_written_off_pence,omitempty"`
	DebtManaged    int64 `json:"debt_managed_pence,omitempty"`
}

// actionBody reads an action's body: a member its schema does not list
// is refused, every one named at once, rather than decoded into actIn
// and dropped (an outcome sent with an accept is not quietly lost). A
// member the action takes, named in another case ("Feedback"), is
// refused with them, saying the name meant (memberDetail), as the
// decoder would otherwise fill the field from it.
func (a *API) actionBody(w http.ResponseWriter, r *http.Request, in *actIn) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var members map[string]json.RawMessage
	if UnstorableText(body) == nil && json.Unmarshal(body, &members) == nil {
		// r.Pattern is the route's: the action is its path's last segment.
		allowed, action := a.bodies[r.Pattern].members, r.Pattern[strings.LastIndex(r.Pattern, "/")+1:]
		takes := "no fields"
		switch len(allowed) {
		case 0:
		case 1:
			takes = "only " + allowed[0]
		default:
			takes = "only " + strings.Join(allowed[:len(allowed)-1], ", ") + " and " + allowed[len(allowed)-1]
		}
		p := probValidation.problem(http.StatusUnprocessableEntity, "")
		var details []string
		for _, m := range slices.Sorted(maps.Keys(members)) {
			if slices.Contains(allowed, m) {
				continue
			}
			detail := fmt.Sprintf("%s is not accepted by %s: it takes %s; see /api/v1/openapi.json", m, action, takes)
			if i := slices.IndexFunc(allowed, func(f string) bool { return strings.EqualFold(f, m) }); i >= 0 {
				detail = memberDetail(MemberIssue{Path: []string{m}, Want: allowed[i]})
			}
			p.Errors = append(p.Errors, fieldIssue{Field: m, Pointer: jsonPointer([]string{m}), Detail: detail})
			details = append(details, detail)
		}
		if len(p.Errors) > 0 {
			p.Detail = strings.Join(details, "; ")
			return p
		}
	}
	return decodeBytes(body, in)
}

// act runs one action on a referral: If-Match, when sent, must carry the
// version the partner saw, or the answer is 412 saying who changed it.
func (a *API) act(action core.Action) Handler {
	return func(w http.ResponseWriter, r *http.Request, p core.Partner) {
		var in actIn
		if err := a.actionBody(w, r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		ifMatch := strings.Join(r.Header.Values("If-Match"), ", ")
		versions, err := IfMatch(ifMatch)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		ref, err := a.engine.VisibleReferral(r.Context(), pathReference(r), p.Actor())
		if err != nil {
			a.fail(w, r, err)
			return
		}
		version := Matching(versions, ref)
		if version == NoVersion {
			a.fail(w, r, unmatchable(ifMatch, ref))
			return
		}
		if action == core.ActionComplete && in.Outcome == "" {
			ids, err := a.outcomeCodes(r.Context())
			if err != nil {
				a.fail(w, r, err)
				return
			}
			a.fail(w, r, &core.ValidationError{Fields: []core.FieldError{{Field: "outcome", Message: "say how it ended: one of " + strings.Join(ids, ", ")}}})
			return
		}
		var to core.AgencyID
		if action == core.ActionRedirect {
			if to, err = a.redirectTarget(r.Context(), in.ToAgency); err != nil {
				a.fail(w, r, err)
				return
			}
		}
		var gain core.Gain
		if in.Gain != nil {
			gain = core.Gain(*in.Gain)
		}
		res, err := a.engine.Act(r.Context(), core.TransitionRequest{Referral: ref.ID, Action: action, Actor: p.Actor(),
			ExpectedVersion: version, ToAgency: to, Reason: core.Reason(in.Reason), Feedback: in.Feedback,
			Outcome: core.Outcome(in.Outcome), OutcomeNote: in.Note,
			Gain: gain, AdviceType: core.AdviceType(in.AdviceType), AdviceTopic: in.AdviceTopic})
		var ve *core.ValidationError
		if errors.As(err, &ve) && action == core.ActionComplete {
			err = a.outcomeInAPIWords(r.Context(), ve, in.Outcome, ref)
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		a.writeReferral(w, r, res.Referral, http.StatusOK)
	}
}
