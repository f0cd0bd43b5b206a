package fhir

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// bundle is a searchset Bundle.
func (s *Server) bundle(r *http.Request, matches, includes []Resource, next string) Resource {
	entries := []any{}
	add := func(res Resource, mode string) {
		entries = append(entries, map[string]any{"fullUrl": s.base + "/" + res["resourceType"].(string) + "/" + res["id"].(string),
			"resource": res, "search": map[string]any{"mode": mode}})
	}
	for _, m := range matches {
		add(m, "match")
	}
	for _, i := range includes {
		add(i, "include")
	}
	// The query as the server read it, encoded afresh: a raw | or space
	// as sent is no part of a URI (RFC 3986).
	self := s.base + strings.TrimPrefix(r.URL.Path, "/fhir")
	if q := r.URL.Query(); len(q) > 0 {
		self += "?" + q.Encode()
	}
	links := []any{map[string]any{"relation": "self", "url": self}}
	if next != "" {
		q := r.URL.Query()
		q.Set("_cursor", next)
		links = append(links, map[string]any{"relation": "next", "url": s.base + strings.TrimPrefix(r.URL.Path, "/fhir") + "?" + q.Encode()})
	}
	b := Resource{"resourceType": "Bundle", "type": "searchset", "link": links, "entry": entries}
	if next == "" && r.URL.Query().Get("_cursor") == "" {
		b["total"] = len(matches)
	}
	return b
}

// visibleReferral reads the referral with this id if the partner may see
// it, with the agencies' slugs its resources name; on failure it has
// answered and ok is false.
func (s *Server) visibleReferral(w http.ResponseWriter, r *http.Request, p core.Partner, id string) (ref core.Referral, slugs map[core.AgencyID]string, ok bool) {
	ref, err := s.engine.VisibleReferral(r.Context(), id, p.Actor())
	if err != nil {
		s.fail(w, r, err)
		return core.Referral{}, nil, false
	}
	if slugs, _, err = s.slugs(r.Context()); err != nil {
		s.fail(w, r, err)
		return core.Referral{}, nil, false
	}
	return ref, slugs, true
}

// readTask answers a Task read, and a vread of its current version.
func (s *Server) readTask(w http.ResponseWriter, r *http.Request, p core.Partner) {
	ref, slugs, ok := s.currentVersion(w, r, p, "Task")
	if !ok {
		return
	}
	if notModified(w, r, ref) {
		return
	}
	links, err := s.engine.ReferralLink(r.Context(), ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	versionHeaders(w, ref)
	write(w, http.StatusOK, Task(ref, slugs, links, s.patientID(p, ref.ClientID)))
}

// refValue reads a reference search parameter: "Type/id" or a bare id.
func refValue(v, typ string) string {
	if i := strings.LastIndex(v, typ+"/"); i >= 0 {
		return v[i+len(typ)+1:]
	}
	return v
}

// searchParam is a search parameter of a resource type: the
// CapabilityStatement lists it, and a search with any other is refused.
type searchParam struct{ name, typ string }

// The search parameters of Task and ServiceRequest. Both search
// referrals; status means each resource's own status, and the searches
// handle it and category themselves.
var (
	taskSearch = []searchParam{{"_id", "token"}, {"_lastUpdated", "date"}, {"owner", "reference"},
		{"requester", "reference"}, {"patient", "reference"}, {"subject", "reference"}, {"status", "token"},
		{"focus", "reference"}, {"identifier", "token"}, {taskCode.name, "token"}, {requestIntent.name, "token"}}
	serviceRequestSearch = []searchParam{{"_id", "token"}, {"_lastUpdated", "date"}, {"requester", "reference"},
		{"patient", "reference"}, {"subject", "reference"}, {"status", "token"}, {"category", "token"},
		{"identifier", "token"}, {requestIntent.name, "token"}}
)

// The codes every Task and every ServiceRequest hold (fixedToken).
var (
	taskFixed           = []fixedToken{taskCode, requestIntent}
	serviceRequestFixed = []fixedToken{requestIntent}
)

// searchControls are the result parameters every search takes.
var searchControls = []string{"_count", "_cursor", "_format"}

// referralOrders are the _sort values the referral searches (Task,
// ServiceRequest) take: by last change, oldest first (the order their
// pages run in without a _sort) or newest first. Any other order is
// refused, or ignored under lenient handling.
var referralOrders = []string{"_lastUpdated", newestFirst}

// newestFirst is the _sort that lists the newest change first.
const newestFirst = "-_lastUpdated"

// referralControls are the result parameters of the referral searches.
var referralControls = append(slices.Clip(searchControls), "_sort")

// searchQuery is a search's parameters, each one params or controls
// name. Any other is refused with 400 naming it, unless the client asked
// for lenient handling (Prefer: handling=lenient, FHIR's search rules),
// when it is ignored and left out of the Bundle's self link, which then
// shows the search that was run.
func searchQuery(r *http.Request, params []searchParam, controls ...string) (url.Values, error) {
	// A pair Go cannot decode is dropped from r.URL.Query(): the search
	// would run as if it were not there, even under lenient handling,
	// which ignores parameters the server does not support, not values
	// it cannot read.
	if bad := core.UnreadableQuery(r.URL.RawQuery); len(bad) > 0 {
		return nil, &invalid{text: fmt.Sprintf("search parameter %q %s", bad[0].Field, bad[0].Message), expression: bad[0].Field}
	}
	q := r.URL.Query()
	dropped := false
	for k := range q {
		if k == "_sort" && slices.Contains(controls, k) {
			if v := q[k]; len(v) == 1 && slices.Contains(referralOrders, v[0]) {
				continue
			}
			if !lenient(r) {
				return nil, &invalid{text: fmt.Sprintf("_sort takes one of %s: referrals by last change, oldest or newest first", strings.Join(referralOrders, ", ")), expression: k}
			}
			delete(q, k)
			dropped = true
			continue
		}
		if slices.Contains(controls, k) || slices.ContainsFunc(params, func(p searchParam) bool { return p.name == k }) {
			continue
		}
		if !lenient(r) {
			return nil, &invalid{text: fmt.Sprintf("search parameter %q is not supported; see /fhir/metadata", k), expression: k}
		}
		delete(q, k)
		dropped = true
	}
	if dropped {
		r.URL.RawQuery = q.Encode()
	}
	return q, nil
}

// lenient reports whether the request asks for lenient handling of
// search parameters the server does not support (RFC 7240's Prefer).
func lenient(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for pref := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(pref), "handling=lenient") {
				return true
			}
		}
	}
	return false
}

// countParam reads _count: 0 when the search has none.
func countParam(q url.Values) (int, error) {
	v := q.Get("_count")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 200 {
		return 0, &invalid{text: "_count must be from 1 to 200", expression: "_count"}
	}
	return n, nil
}

// listPage is one page of the results of a search Onward reads whole
// (the directory, a patient's consents: short lists in a stable order):
// _count is the page size (the whole list when absent) and _cursor,
// given out in the next link, where the page starts.
func listPage(q url.Values, all []Resource) (page []Resource, next string, err error) {
	from := 0
	if v := q.Get("_cursor"); v != "" {
		if from, err = strconv.Atoi(v); err != nil || from < 0 || from > len(all) {
			return nil, "", &invalid{text: "the _cursor is not one Onward gave out", expression: "_cursor"}
		}
	}
	n, err := countParam(q)
	if err != nil {
		return nil, "", err
	}
	to := len(all)
	if n > 0 {
		to = min(from+n, len(all))
	}
	if to < len(all) {
		next = strconv.Itoa(to)
	}
	return all[from:to], next, nil
}

// referralSearch is a search of referrals: the core's page, and what that
// page cannot say: nothing says the search can find no referral (_id and
// focus naming different ones), where the core would read an empty list
// of ids as any referral.
type referralSearch struct {
	core.ReferralPage
	nothing bool
}

// only narrows the references a search is to find (nil: any) to those
// also in these; when none is left, the search finds nothing.
func (f *referralSearch) only(ids, these []string) []string {
	if ids == nil {
		ids = these
	} else {
		ids = slices.DeleteFunc(ids, func(id string) bool { return !slices.Contains(these, id) })
	}
	if len(ids) == 0 {
		f.nothing = true
	}
	return ids
}

// page reads the search parameters of a search of referrals, which
// searchQuery has checked; fixed are the codes every resource searched
// holds. Different parameters must all hold (FHIR ANDs them, and so a
// parameter given twice); the values of one, comma-separated, are
// alternatives.
func (s *Server) page(ctx context.Context, p core.Partner, q url.Values, bySlug map[string]core.Agency, fixed []fixedToken) (referralSearch, error) {
	var f referralSearch
	var ids []string
	if v := q.Get("_id"); v != "" {
		ids = strings.Split(v, ",")
	}
	f.Newest = q.Get("_sort") == newestFirst
	if v := q.Get("focus"); v != "" {
		var focus []string
		for _, r := range strings.Split(v, ",") {
			focus = append(focus, refValue(r, "ServiceRequest"))
		}
		ids = f.only(ids, focus)
	}
	for _, v := range q["identifier"] {
		if v == "" {
			continue
		}
		refs, all, err := s.identifierRefs(ctx, p, v)
		if err != nil {
			return f, err
		}
		if !all {
			ids = f.only(ids, refs)
		}
	}
	f.ID = ids
	for _, t := range fixed {
		for _, v := range q[t.name] {
			if v != "" && !t.matches(v) {
				f.nothing = true
			}
		}
	}
	// _lastUpdated given twice is a range (ge2026-03-01&_lastUpdated=lt2026-04-01).
	for _, v := range q["_lastUpdated"] {
		if v == "" {
			continue
		}
		from, before, err := lastUpdated(v)
		if err != nil {
			return f, err
		}
		if from.After(f.UpdatedSince) {
			f.UpdatedSince = from
		}
		if !before.IsZero() && (f.UpdatedBefore.IsZero() || before.Before(f.UpdatedBefore)) {
			f.UpdatedBefore = before
		}
	}
	if v := q.Get("requester"); v != "" {
		a, ok := bySlug[refValue(v, "Organization")]
		if !ok {
			return f, &invalid{text: "requester must be Organization/<agency>", expression: "requester"}
		}
		f.FromAgency = a.ID
	}
	if v := q.Get("owner"); v != "" {
		a, ok := bySlug[refValue(v, "Organization")]
		if !ok {
			return f, &invalid{text: "owner must be Organization/<agency>", expression: "owner"}
		}
		f.Agency = a.ID
	}
	for _, key := range []string{"patient", "subject"} {
		if v := q.Get(key); v != "" {
			// Only an id this system was given reads back (patientIDs),
			// without looking anything up, so refusing another tells
			// nothing of any client.
			id, ok := s.patientRef(p, v)
			if !ok {
				return f, &invalid{text: key + " must be Patient/<id>, the id of a Patient this system was given (Task.for, ServiceRequest.subject)", expression: key}
			}
			f.Patient = id
		}
	}
	n, err := countParam(q)
	if err != nil {
		return f, err
	}
	f.Limit = n
	c, err := core.ParseCursor(q.Get("_cursor"))
	if err != nil {
		return f, &invalid{text: "the _cursor is not one Onward gave out", expression: "_cursor"}
	}
	f.After = c
	return f, nil
}

// lastUpdated reads _lastUpdated: a FHIR date or dateTime after an
// optional prefix. The value stands for the range its precision implies
// (2026-03-01 is that whole day, UTC), as FHIR's search compares dates:
// eq, or no prefix, is within the range; gt after it; ge from its start;
// lt before its start; le up to its end. from is inclusive and before
// exclusive, each zero when open.
func lastUpdated(v string) (from, before time.Time, err error) {
	prefix, value := "eq", v
	if len(v) >= 2 && isLetter(v[0]) && isLetter(v[1]) {
		prefix, value = v[:2], v[2:]
	}
	start, end, err := parseDate(value)
	if err != nil {
		return from, before, &invalid{text: "_lastUpdated must be a FHIR date or dateTime, like ge2026-03-01" + core.PlusReadAsSpace(value), expression: "_lastUpdated"}
	}
	switch prefix {
	case "eq":
		return start, end, nil
	case "gt":
		return end, before, nil
	case "ge":
		return start, before, nil
	case "lt":
		return from, start, nil
	case "le":
		return from, end, nil
	}
	return from, before, &invalid{text: fmt.Sprintf("_lastUpdated takes the prefixes eq (or none), gt, ge, lt and le, not %q", prefix), expression: "_lastUpdated"}
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// parseDate reads a FHIR date or dateTime as the range of instants its
// precision implies: a year, a month, a day, a second, or the last digit
// of a fraction of a second; start inclusive, end exclusive.
func parseDate(v string) (start, end time.Time, err error) {
	for _, d := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01-02T15:04:05", func(t time.Time) time.Time { return t.Add(time.Second) }},
		{time.RFC3339, func(t time.Time) time.Time { return t.Add(fractionStep(v)) }},
	} {
		if t, err := time.Parse(d.layout, v); err == nil {
			return t, d.next(t), nil
		}
	}
	return start, end, fmt.Errorf("not a date: %q", v)
}

// fractionStep is the precision of a dateTime's seconds: a second, or
// the unit of the last digit of its fraction.
func fractionStep(v string) time.Duration {
	step := time.Second
	if i := strings.IndexByte(v, '.'); i >= 0 {
		for _, c := range v[i+1:] {
			if c < '0' || c > '9' || step == time.Nanosecond {
				break
			}
			step /= 10
		}
	}
	return step
}

// referrals runs a search of referrals for the partner.
func (s *Server) referrals(ctx context.Context, p core.Partner, f referralSearch) ([]core.Referral, core.Cursor, error) {
	if f.nothing {
		return nil, core.Cursor{}, nil
	}
	return s.engine.ListVisibleReferrals(ctx, p.Actor(), f.ReferralPage)
}

func (s *Server) searchTask(w http.ResponseWriter, r *http.Request, p core.Partner) {
	q, err := searchQuery(r, taskSearch, append(slices.Clip(referralControls), "_include")...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slugs, bySlug, err := s.slugs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.page(r.Context(), p, q, bySlug, taskFixed)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v := q.Get("status"); v != "" {
		codes, err := statusParam(v, "Task", taskStatusCodes)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, st := range codes {
			f.Status = append(f.Status, core.Status(st))
		}
	}
	if v := q.Get("_include"); v != "" && v != "Task:focus" {
		s.fail(w, r, &invalid{text: "only _include=Task:focus is supported", expression: "_include"})
		return
	}
	rs, next, err := s.referrals(r.Context(), p, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	links, err := s.engine.ReferralLinks(r.Context(), rs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var matches, includes []Resource
	for _, ref := range rs {
		matches = append(matches, Task(ref, slugs, links[ref.ID], s.patientID(p, ref.ClientID)))
		if q.Get("_include") == "Task:focus" {
			includes = append(includes, ServiceRequest(ref, slugs, links[ref.ID], s.patientID(p, ref.ClientID)))
		}
	}
	write(w, http.StatusOK, s.bundle(r, matches, includes, next.String()))
}

// readServiceRequest answers a ServiceRequest read, and a vread of its
// current version; its version is the Task's.
func (s *Server) readServiceRequest(w http.ResponseWriter, r *http.Request, p core.Partner) {
	ref, slugs, ok := s.currentVersion(w, r, p, "ServiceRequest")
	if !ok {
		return
	}
	if notModified(w, r, ref) {
		return
	}
	links, err := s.engine.ReferralLink(r.Context(), ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	versionHeaders(w, ref)
	write(w, http.StatusOK, ServiceRequest(ref, slugs, links, s.patientID(p, ref.ClientID)))
}

func (s *Server) searchServiceRequest(w http.ResponseWriter, r *http.Request, p core.Partner) {
	q, err := searchQuery(r, serviceRequestSearch, referralControls...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slugs, bySlug, err := s.slugs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.page(r.Context(), p, q, bySlug, serviceRequestFixed)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// ServiceRequest's status is a coarser view of Onward's (see
	// serviceRequestStatus): the search asks for every status that shows
	// as one of those wanted. A status no referral can have finds none.
	if v := q.Get("status"); v != "" {
		codes, err := statusParam(v, "ServiceRequest", requestStatusCodes)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		want := map[string]bool{}
		for _, st := range codes {
			want[st] = true
		}
		for _, st := range core.Statuses {
			if want[serviceRequestStatus(st)] {
				f.Status = append(f.Status, st)
			}
		}
		if len(f.Status) == 0 {
			write(w, http.StatusOK, s.bundle(r, nil, nil, ""))
			return
		}
	}
	// category is a token, [system|]code, or several separated by commas.
	if v := q.Get("category"); v != "" {
		for _, tok := range strings.Split(v, ",") {
			if i := strings.LastIndex(tok, "|"); i >= 0 {
				tok = tok[i+1:]
			}
			f.Needs = append(f.Needs, core.Need(tok))
		}
	}
	rs, next, err := s.referrals(r.Context(), p, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	links, err := s.engine.ReferralLinks(r.Context(), rs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	matches := make([]Resource, 0, len(rs))
	for _, ref := range rs {
		matches = append(matches, ServiceRequest(ref, slugs, links[ref.ID], s.patientID(p, ref.ClientID)))
	}
	write(w, http.StatusOK, s.bundle(r, matches, nil, next.String()))
}

// consentFor reads a consent the partner may see: the consent of a
// referral it may see (core.Engine.VisibleConsent). Another's is not
// found, as one that does not exist is, and the attempt is audited.
func (s *Server) consentFor(r *http.Request, p core.Partner, id string) (core.Consent, error) {
	n, ok := parseID("consent-", id)
	if !ok {
		return core.Consent{}, core.ErrNotFound
	}
	return s.engine.VisibleConsent(r.Context(), core.ConsentID(n), p.Actor(), "fhir")
}

func (s *Server) readConsent(w http.ResponseWriter, r *http.Request, p core.Partner) {
	c, err := s.consentFor(r, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slugs, _, err := s.slugs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	particulars, err := s.engine.ConsentParticulars(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, Consent(c, particulars, slugs, s.patientID(p, c.ClientID)))
}

// consentSearch are Consent's search parameters.
var consentSearch = []searchParam{{"_id", "token"}, {"patient", "reference"}}

// searchConsent finds the consents of referrals the partner may see, by
// id, by patient, or both. A search with neither is refused rather than
// answered with every consent the partner may see.
func (s *Server) searchConsent(w http.ResponseWriter, r *http.Request, p core.Partner) {
	q, err := searchQuery(r, consentSearch, searchControls...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var ids []string
	if v := q.Get("_id"); v != "" {
		ids = strings.Split(v, ",")
	}
	var found []core.Consent
	switch v := q.Get("patient"); {
	case v != "":
		n, ok := s.patientRef(p, v)
		if !ok {
			s.fail(w, r, &invalid{text: "patient must be Patient/<id>, the id of a Patient this system was given (Task.for, ServiceRequest.subject)", expression: "patient"})
			return
		}
		visible, err := s.patientConsents(r, p, n)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, id := range visible {
			if ids != nil && !slices.Contains(ids, ConsentID(id)) {
				continue
			}
			c, err := s.engine.Consent(r.Context(), id)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			found = append(found, c)
		}
	case ids == nil:
		s.fail(w, r, &invalid{text: "search Consent by _id or patient", expression: "Consent"})
		return
	default:
		for _, id := range ids {
			c, err := s.consentFor(r, p, id)
			switch {
			case err == nil:
				found = append(found, c)
			case !errors.Is(err, core.ErrNotFound):
				s.fail(w, r, err)
				return
			}
		}
	}
	slugs, _, err := s.slugs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	matches := make([]Resource, 0, len(found))
	for _, c := range found {
		particulars, err := s.engine.ConsentParticulars(r.Context(), c)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		matches = append(matches, Consent(c, particulars, slugs, s.patientID(p, c.ClientID)))
	}
	s.writeListPage(w, r, q, matches)
}

// patientConsents are the consents behind the client's referrals that
// the partner may see, the most recently changed referral's first, each
// once.
func (s *Server) patientConsents(r *http.Request, p core.Partner, client core.ClientID) ([]core.ConsentID, error) {
	rs, err := s.clientReferrals(r, p, client)
	if err != nil {
		return nil, err
	}
	var ids []core.ConsentID
	for i := len(rs) - 1; i >= 0; i-- {
		if id := rs[i].ConsentID; id != 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// clientReferralsPage is how many referrals clientReferrals reads at a
// time: core's largest page.
var clientReferralsPage = 200

// clientReferrals are all of a client's referrals the partner may see,
// oldest change first, read a page at a time to the end: a client
// referred many times still has every consent and disclosure found.
func (s *Server) clientReferrals(r *http.Request, p core.Partner, client core.ClientID) ([]core.Referral, error) {
	var all []core.Referral
	f := core.ReferralPage{Patient: client, Limit: clientReferralsPage}
	for {
		rs, next, err := s.engine.ListVisibleReferrals(r.Context(), p.Actor(), f)
		if err != nil {
			return nil, err
		}
		all = append(all, rs...)
		if next.ID == 0 { // a page may be empty yet not the last (see ListVisibleReferrals)
			return all, nil
		}
		f.After = next
	}
}

// readPatient discloses a client's details only through core's one rule
// (core.Actor.MayDisclose), the partner standing in for its agency's
// staff: while a referral of theirs that the partner's agency holds is
// open and their consent covers it, or the agency referred them (and for
// the network's days after it closed). Each disclosure is audited.
func (s *Server) readPatient(w http.ResponseWriter, r *http.Request, p core.Partner) {
	// Only an id this system was given names a client: another system's
	// id for them, or an old client-<n>, is not found. Another system's,
	// or one for a client none of whose referrals this system may see, is
	// an attempt to reach someone else's client, audited as the refused
	// read of a referral is.
	owner, n, ok := s.patients.owner(r.PathValue("id"))
	if !ok {
		s.fail(w, r, core.ErrNotFound)
		return
	}
	var rs []core.Referral
	var err error
	if owner == p.ID {
		if rs, err = s.clientReferrals(r, p, n); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if len(rs) == 0 {
		s.engine.RecordClientAccessDenied(r.Context(), n, p.Actor(), "view-details", "fhir")
		s.fail(w, r, core.ErrNotFound)
		return
	}
	var lastErr error
	for i := len(rs) - 1; i >= 0; i-- {
		c, _, err := s.engine.DiscloseClient(r.Context(), rs[i].ID, p.Actor(), "fhir")
		if err == nil {
			write(w, http.StatusOK, Patient(c, r.PathValue("id")))
			return
		}
		lastErr = err
	}
	s.fail(w, r, lastErr)
}

func (s *Server) readOrganization(w http.ResponseWriter, r *http.Request, p core.Partner) {
	a, err := s.engine.AgencyBySlug(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, Organization(a))
}

// The search parameters of Organization and HealthcareService: the
// directory is small, so they filter it here. name is FHIR's string
// search: the name, or a word of it, starts with the value, ignoring case.
var (
	organizationSearch      = []searchParam{{"_id", "token"}, {"name", "string"}}
	healthcareServiceSearch = []searchParam{{"_id", "token"}, {"organization", "reference"}, {"name", "string"}}
)

// nameMatches is FHIR string search's default match, by word.
func nameMatches(name, want string) bool {
	want = strings.ToLower(strings.TrimSpace(want))
	for _, w := range strings.Fields(strings.ToLower(name)) {
		if strings.HasPrefix(w, want) {
			return true
		}
	}
	return strings.HasPrefix(strings.ToLower(name), want)
}

// anyOf reports whether v is one of the comma-separated values of a
// search parameter, each read as a reference to typ when typ is given,
// or the parameter is absent.
func anyOf(param, typ, v string) bool {
	if param == "" {
		return true
	}
	for x := range strings.SplitSeq(param, ",") {
		if typ != "" {
			x = refValue(x, typ)
		}
		if x == v {
			return true
		}
	}
	return false
}

// writeListPage answers a search Onward reads whole with a page of its
// results (listPage).
func (s *Server) writeListPage(w http.ResponseWriter, r *http.Request, q url.Values, all []Resource) {
	page, next, err := listPage(q, all)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, s.bundle(r, page, nil, next))
}

func (s *Server) searchOrganization(w http.ResponseWriter, r *http.Request, p core.Partner) {
	q, err := searchQuery(r, organizationSearch, searchControls...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	as, err := s.engine.Agencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []Resource{}
	for _, a := range as {
		if anyOf(q.Get("_id"), "", a.Slug) && (q.Get("name") == "" || nameMatches(a.Name, q.Get("name"))) {
			out = append(out, Organization(a))
		}
	}
	s.writeListPage(w, r, q, out)
}

func (s *Server) readHealthcareService(w http.ResponseWriter, r *http.Request, p core.Partner) {
	n, ok := parseID("service-", r.PathValue("id"))
	if !ok {
		s.fail(w, r, core.ErrNotFound)
		return
	}
	svc, err := s.engine.Service(r.Context(), core.ServiceID(n))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slugs, _, err := s.slugs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, HealthcareService(svc, slugs[svc.AgencyID]))
}

func (s *Server) searchHealthcareService(w http.ResponseWriter, r *http.Request, p core.Partner) {
	q, err := searchQuery(r, healthcareServiceSearch, searchControls...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ss, err := s.engine.Services(r.Context(), 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slugs, _, err := s.slugs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []Resource{}
	for _, svc := range ss {
		slug := slugs[svc.AgencyID]
		if anyOf(q.Get("_id"), "", ServiceID(svc.ID)) && anyOf(q.Get("organization"), "Organization", slug) &&
			(q.Get("name") == "" || nameMatches(svc.Name, q.Get("name"))) {
			out = append(out, HealthcareService(svc, slug))
		}
	}
	s.writeListPage(w, r, q, out)
}
