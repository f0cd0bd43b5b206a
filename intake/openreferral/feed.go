package openreferral

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// Export writes the whole directory as Open Referral UK JSON: an array of
// full services, each with its organization and locations, in a stable
// order, so that importing it back changes nothing and exporting again
// gives the same bytes.
func (a *API) Export(ctx context.Context, w io.Writer) error {
	ss, err := a.engine.PublishedDirectoryServices(ctx)
	if err != nil {
		return err
	}
	slices.SortFunc(ss, func(x, y core.DirectoryService) int { return strings.Compare(x.UUID, y.UUID) })
	terms, err := a.engine.NeedTerms(ctx)
	if err != nil {
		return err
	}
	out := make([]Service, len(ss))
	for i, s := range ss {
		out[i] = serviceFull(s, a.langs, terms)
		out[i].LastModified = "" // when it last changed here is not part of the record
		o := organization(s.Organization)
		if s.Organization.Phone != "" {
			o.Phones = []Phone{{ID: core.DerivedUUID(o.ID, "phone", "0"), Number: s.Organization.Phone}}
		}
		out[i].Organization = &o
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("export directory: %w", err)
	}
	return nil
}

// FeedError lists every problem found in a feed, each with where it is.
type FeedError struct{ Problems []string }

func (e *FeedError) Error() string {
	return fmt.Sprintf("the feed has %d problem(s), so nothing was imported:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// ReadFeed reads a feed file: an array of full services, a page of them
// ({"contents": [...]}), an organization with its services, a service at
// a location, or one service. Every record is checked; problems come back
// together in a FeedError, naming where each is. Warnings name what was
// read leniently (coordinates that are not on the map).
func (a *API) ReadFeed(ctx context.Context, data []byte) (services []core.DirectoryService, warnings []string, err error) {
	data = bytes.TrimSpace(data)
	var raw []json.RawMessage
	switch {
	case len(data) == 0:
		return nil, nil, &FeedError{Problems: []string{"the feed is empty"}}
	case data[0] == '[':
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, nil, &FeedError{Problems: []string{"the feed is not JSON: " + err.Error()}}
		}
	case data[0] == '{':
		var one struct {
			Contents []json.RawMessage `json:"contents"`
			Services []json.RawMessage `json:"services"`
		}
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, nil, &FeedError{Problems: []string{"the feed is not JSON: " + err.Error()}}
		}
		switch {
		case one.Contents != nil: // a page of services, or of services at locations
			for _, c := range one.Contents {
				raw = append(raw, serviceOf(c))
			}
		case one.Services != nil: // an organization with its services
			org := map[string]json.RawMessage{}
			_ = json.Unmarshal(data, &org)
			delete(org, "services")
			for _, s := range one.Services {
				raw = append(raw, withField(s, "organization", org))
			}
		default: // one service, or a service at a location
			raw = []json.RawMessage{serviceOf(data)}
		}
	default:
		return nil, nil, &FeedError{Problems: []string{"the feed is not JSON: it should start with [ or {"}}
	}
	terms, err := a.engine.NeedTerms(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []core.DirectoryService
	var problems []string
	seen := map[string]string{}
	for i, r := range raw {
		where := fmt.Sprintf("services[%d]", i)
		var s Service
		if err := json.Unmarshal(r, &s); err != nil {
			problems = append(problems, where+": "+err.Error())
			continue
		}
		if s.ID != "" {
			where = fmt.Sprintf("services[%d] (%s)", i, s.ID)
		}
		ds, ps, ws := a.fromHSDS(s, terms)
		for _, w := range ws {
			warnings = append(warnings, where+w)
		}
		for _, p := range ps {
			problems = append(problems, where+p)
		}
		if prev, dup := seen[ds.UUID]; dup && ds.UUID != "" {
			problems = append(problems, where+": id is also the id of "+prev)
		}
		seen[ds.UUID] = where
		out = append(out, ds)
	}
	if len(problems) > 0 {
		return nil, nil, &FeedError{Problems: problems}
	}
	if len(out) == 0 {
		return nil, nil, &FeedError{Problems: []string{"the feed has no services"}}
	}
	return out, warnings, nil
}

// serviceOf turns a service_at_location ({id, location, service}) into
// its service with that one link; anything else is returned as it is.
func serviceOf(rec json.RawMessage) json.RawMessage {
	var sal struct {
		ID       json.RawMessage `json:"id"`
		Service  json.RawMessage `json:"service"`
		Location json.RawMessage `json:"location"`
	}
	if json.Unmarshal(rec, &sal) != nil || sal.Service == nil || sal.Location == nil {
		return rec
	}
	link := map[string]json.RawMessage{"id": sal.ID, "location": sal.Location}
	return withField(sal.Service, "service_at_locations", []any{link})
}

// withField returns a JSON object with one more field.
func withField(obj json.RawMessage, name string, v any) json.RawMessage {
	m := map[string]json.RawMessage{}
	if json.Unmarshal(obj, &m) != nil {
		return obj
	}
	b, err := json.Marshal(v)
	if err != nil {
		return obj
	}
	m[name] = b
	out, err := json.Marshal(m)
	if err != nil {
		return obj
	}
	return out
}

var statuses = []string{"active", "inactive", "defunct", "temporarily closed"}

// fromHSDS turns a full service into core's record; problems start with
// the field they are in (".organization.name: …").
func (a *API) fromHSDS(s Service, terms []core.NeedTerm) (core.DirectoryService, []string, []string) {
	var ps, ws []string
	bad := func(field, msg string) { ps = append(ps, "."+field+": "+msg) }
	id := func(field, v string) string {
		if !core.ValidUUID(v) {
			bad(field, fmt.Sprintf("%q is not a UUID", v))
		}
		return strings.ToLower(v)
	}
	ds := core.DirectoryService{UUID: id("id", s.ID), Name: strings.TrimSpace(s.Name), Description: s.Description, URL: s.URL,
		Email: s.Email, Eligibility: s.EligibilityDescription, Active: s.Status == "active"}
	if ds.Name == "" {
		bad("name", "a service needs a name")
	}
	if !slices.Contains(statuses, s.Status) {
		bad("status", fmt.Sprintf("%q is not one of active, inactive, defunct, temporarily closed", s.Status))
	}
	ageOf := func(field string, f *float64) *int {
		if f == nil {
			return nil
		}
		if *f < 0 || *f > 150 || *f != math.Trunc(*f) {
			bad(field, fmt.Sprintf("%v is not an age in whole years", *f))
			return nil
		}
		n := int(*f)
		return &n
	}
	ds.MinimumAge, ds.MaximumAge = ageOf("minimum_age", s.MinimumAge), ageOf("maximum_age", s.MaximumAge)
	if o := s.Organization; o == nil {
		bad("organization", "a full service record needs its organization")
	} else {
		ds.Organization = core.DirectoryOrganization{UUID: id("organization.id", o.ID), Name: strings.TrimSpace(o.Name),
			Description: o.Description, Email: o.Email, Website: o.Website}
		if ds.Organization.Name == "" {
			bad("organization.name", "an organization needs a name")
		}
		if len(o.Phones) > 0 {
			ds.Organization.Phone = o.Phones[0].Number
		}
	}
	if len(s.Phones) > 0 && ds.Organization.Phone == "" {
		ds.Organization.Phone = s.Phones[0].Number
	}
	// A list the record leaves out is kept as it is here (a page of
	// summaries carries no schedules); one it gives, even empty, replaces.
	if s.Schedules != nil {
		ds.Schedules = []core.Schedule{}
	}
	if s.ServiceAreas != nil {
		ds.PostcodeDistricts, ds.CouncilAreas = []string{}, []string{}
	}
	if s.Languages != nil {
		ds.Languages = []string{}
	}
	if s.Attributes != nil {
		ds.Needs, ds.ExternalTerms = []core.Need{}, []core.ExternalTerm{}
	}
	if s.ServiceAtLocations != nil {
		ds.Locations = []core.DirectoryLocation{}
	}
	if s.CostOptions != nil {
		ds.CostOptions = []core.CostOption{}
	}
	for i, sc := range s.Schedules {
		field := fmt.Sprintf("schedules[%d]", i)
		if sc.ByDay == "" {
			if sc.Description != "" {
				ds.Schedules = append(ds.Schedules, core.Schedule{Description: sc.Description})
			}
			continue
		}
		var days []string
		for _, d := range strings.Split(sc.ByDay, ",") {
			code, err := core.ParseDay(d)
			if err != nil {
				bad(field+".byday", err.Error())
			}
			days = append(days, code)
		}
		opens, err1 := timeParam(sc.OpensAt, "opens_at")
		closes, err2 := timeParam(sc.ClosesAt, "closes_at")
		if err1 != nil || err2 != nil || opens == "" || closes == "" || closes <= opens {
			bad(field, fmt.Sprintf("opens_at %q and closes_at %q must be times of day, opening before closing", sc.OpensAt, sc.ClosesAt))
		}
		ds.Schedules = append(ds.Schedules, core.Schedule{ByDay: strings.Join(days, ","), OpensAt: opens, ClosesAt: closes})
		if sc.Description != "" {
			ds.Schedules = append(ds.Schedules, core.Schedule{Description: sc.Description})
		}
	}
	for _, sa := range s.ServiceAreas {
		name := strings.TrimSpace(sa.Name)
		if name == "" {
			name = strings.TrimSpace(sa.ServiceArea)
		}
		if name == "" {
			continue
		}
		if d, err := core.ParseDistrict(name); err == nil && (sa.ExtentType == "postcode_district" || d == strings.ToUpper(name)) {
			ds.PostcodeDistricts = append(ds.PostcodeDistricts, d)
		} else {
			ds.CouncilAreas = append(ds.CouncilAreas, name)
		}
	}
	for i, l := range s.Languages {
		code := strings.ToLower(strings.TrimSpace(l.Code))
		if code == "" {
			for c, n := range a.langs {
				if strings.EqualFold(n, l.Name) {
					code = c
				}
			}
		}
		if code == "" {
			continue // the profile's language records may carry only an id
		}
		if len(code) > 3 {
			bad(fmt.Sprintf("languages[%d].code", i), fmt.Sprintf("%q is not a language code like en", code))
			continue
		}
		ds.Languages = append(ds.Languages, code)
	}
	for _, c := range s.CostOptions {
		ds.CostOptions = append(ds.CostOptions, core.CostOption{Option: c.Option, Amount: c.Amount, AmountDescription: c.AmountDescription})
	}
	for i, at := range s.Attributes {
		t := at.TaxonomyTerm
		if t == nil {
			if n, ok := core.NeedForTerm(at.TaxonomyTermID); ok {
				ds.Needs = appendNeed(ds.Needs, n)
			}
			continue
		}
		if n, ok := core.NeedForTerm(t.ID); ok {
			ds.Needs = appendNeed(ds.Needs, n)
			continue
		}
		if i := slices.IndexFunc(terms, func(m core.NeedTerm) bool { return m.TermID() == strings.ToLower(t.ID) }); i >= 0 {
			// A term our own feed publishes for a need: the need, as
			// exported (so export then import changes nothing).
			ds.Needs = appendNeed(ds.Needs, terms[i].Need)
			continue
		}
		if !core.ValidUUID(t.ID) {
			bad(fmt.Sprintf("attributes[%d].taxonomy_term.id", i), fmt.Sprintf("%q is not a UUID", t.ID))
			continue
		}
		ds.ExternalTerms = append(ds.ExternalTerms, core.ExternalTerm{ID: strings.ToLower(t.ID), Name: t.Name, Description: t.Description,
			Taxonomy: t.Taxonomy, TaxonomyID: strings.ToLower(t.TaxonomyID), TermURI: t.TermURI, Term: t.Term})
		for _, m := range terms {
			if (m.Term == t.ID || m.Term == t.Term) && (m.Taxonomy == "" || m.Taxonomy == t.Taxonomy || m.Taxonomy == t.TaxonomyID) {
				ds.Needs = appendNeed(ds.Needs, m.Need)
			}
		}
	}
	for i, sal := range s.ServiceAtLocations {
		field := fmt.Sprintf("service_at_locations[%d]", i)
		link := id(field+".id", sal.ID)
		if sal.Location == nil {
			bad(field+".location", "a service_at_location needs its location")
			continue
		}
		l := core.DirectoryLocation{UUID: id(field+".location.id", sal.Location.ID), LinkUUID: link, Name: sal.Location.Name,
			Description: sal.Location.Description, Latitude: sal.Location.Latitude, Longitude: sal.Location.Longitude}
		if lat, lon := l.Latitude, l.Longitude; lat != nil && (*lat < -90 || *lat > 90) || lon != nil && (*lon < -180 || *lon > 180) ||
			(lat == nil) != (lon == nil) {
			// Not a place on the map (the profile's own example has
			// latitude 100): kept without coordinates, and said so.
			ws = append(ws, "."+field+".location: "+"latitude and longitude are not a place on the map; the location is kept without them")
			l.Latitude, l.Longitude = nil, nil
		}
		if len(sal.Location.Addresses) > 0 {
			ad := sal.Location.Addresses[0]
			l.Address1, l.City, l.StateProvince, l.Country = ad.Address1, ad.City, ad.StateProvince, ad.Country
			l.PostalCode = ad.PostalCode
			if l.Country == "" {
				l.Country = "GB"
			}
			if pc, err := core.ParsePostcode(ad.PostalCode); err == nil {
				l.PostalCode = string(pc)
			}
		}
		if l.Country == "" {
			l.Country = "GB"
		}
		ds.Locations = append(ds.Locations, l)
	}
	return ds, ps, ws
}

func appendNeed(ns []core.Need, n core.Need) []core.Need {
	if slices.Contains(ns, n) {
		return ns
	}
	return append(ns, n)
}

// FetchFeed reads a feed from a URL: a file of full services, or an Open
// Referral API (its /services pages, then each full service). It gives up
// after timeout, and answers that are not a feed fail with what was wrong.
func FetchFeed(ctx context.Context, client *http.Client, feedURL string, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	get := func(u string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, fmt.Errorf("feed URL %s: %w", u, err)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("the feed at %s did not answer within %s", u, timeout)
			}
			return nil, fmt.Errorf("read the feed at %s: %w", u, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
		if err != nil {
			return nil, fmt.Errorf("read the feed at %s: %w", u, err)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("the feed at %s answered %s", u, resp.Status)
		}
		if !json.Valid(b) {
			return nil, fmt.Errorf("the feed at %s did not answer JSON", u)
		}
		return b, nil
	}
	b, err := get(feedURL)
	if err != nil {
		return nil, err
	}
	var root Root
	if json.Unmarshal(b, &root) != nil || !strings.HasPrefix(root.Version, "HSDS") {
		return b, nil // a file of services
	}
	// An API: walk /services, then fetch each full service.
	base := strings.TrimRight(feedURL, "/")
	var all []json.RawMessage
	for page := 1; ; page++ {
		pb, err := get(fmt.Sprintf("%s/services?page=%d&per_page=%d", base, page, MaxPerPage))
		if err != nil {
			return nil, err
		}
		var p struct {
			Contents   []struct{ ID string } `json:"contents"`
			TotalPages int                   `json:"total_pages"`
		}
		if err := json.Unmarshal(pb, &p); err != nil {
			return nil, fmt.Errorf("the feed's services page %d is not a page of services: %w", page, err)
		}
		for _, c := range p.Contents {
			sb, err := get(base + "/services/" + url.PathEscape(c.ID))
			if err != nil {
				return nil, err
			}
			all = append(all, sb)
		}
		if page >= p.TotalPages || len(p.Contents) == 0 {
			break
		}
	}
	return json.Marshal(all)
}
