package openreferral

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// names returns the service names of a /services or /service_at_locations
// page, in order, after checking the page against the schemas.
func (f *feed) names(path string) []string {
	f.t.Helper()
	var p struct {
		Contents []struct {
			Name    string `json:"name"`
			Service struct {
				Name string `json:"name"`
			} `json:"service"`
		} `json:"contents"`
	}
	b := f.getJSON(path, &p)
	u, _ := url.Parse(path)
	validate(f.t, strings.TrimPrefix(u.Path, "/openreferral/"), b)
	var out []string
	for _, c := range p.Contents {
		out = append(out, c.Name+c.Service.Name)
	}
	return out
}

func TestServiceFilters(t *testing.T) {
	f := newFeed(t, Config{})
	ctx := context.Background()
	// The food bank opens three mornings a week; the CAB's hours are words
	// that are not a regular time.
	setHours := func(agency core.AgencyID, hours string) {
		ss, err := f.env.Engine.Services(ctx, agency)
		if err != nil || len(ss) != 1 {
			t.Fatal(ss, err)
		}
		s := ss[0]
		err = f.env.Engine.UpdateService(ctx, s.ID, core.NewService{AgencyID: agency, Name: s.Name, Description: s.Description,
			Needs: s.Needs, PostcodeDistricts: s.PostcodeDistricts, CouncilAreas: s.CouncilAreas, Languages: s.Languages,
			OpeningHours: hours}, core.SystemActor)
		if err != nil {
			t.Fatal(err)
		}
	}
	setHours(f.env.Net.FoodBank, "Monday, Wednesday and Friday 10am to 1pm")
	setHours(f.env.Net.CAB, "By appointment")

	debt := core.NeedTermID(core.NeedDebt)
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"Debt and money advice", "Emergency food parcels", "Housing options", "Welfare rights"}},
		{"search=welfare", []string{"Welfare rights"}},
		{"search=parcels", []string{"Emergency food parcels"}},
		{"search=Kirkton", []string{"Debt and money advice"}}, // the agency's name
		{"taxonomy_term_id=" + debt, []string{"Debt and money advice", "Welfare rights"}},
		{"taxonomy_term_id=" + debt + "&search=welfare", []string{"Welfare rights"}},
		{"taxonomy_id=" + core.NeedsTaxonomyID(), []string{"Debt and money advice", "Emergency food parcels", "Housing options", "Welfare rights"}},
		{"taxonomy_id=0b7d6c56-0000-4f53-9c51-6a0b2a4e5d10", nil},
		{"day=WE", []string{"Emergency food parcels"}},
		{"day=TU", nil},
		{"day=monday&start_time=09:30&end_time=13:00", []string{"Emergency food parcels"}},
		{"day=MO&start_time=10:30", nil},
		{"minimum_age=18", nil},
		{"colour=blue&per_page=3", []string{"Debt and money advice", "Emergency food parcels", "Housing options"}},
		{"per_page=3&page=2", []string{"Welfare rights"}},
	}
	for _, c := range cases {
		if got := f.names("/openreferral/services?" + c.query); !slices.Equal(got, c.want) {
			t.Errorf("services?%s = %q, want %q", c.query, got, c.want)
		}
	}
	// Ages, when services have them.
	if _, err := f.env.Pool.Exec(ctx, `UPDATE services SET minimum_age = 16, maximum_age = 25 WHERE name = 'Housing options'`); err != nil {
		t.Fatal(err)
	}
	f.api.changedAt = f.api.changedAt.Add(-time2s)
	for q, want := range map[string][]string{"minimum_age=16": {"Housing options"}, "maximum_age=25": {"Housing options"}, "maximum_age=24": nil} {
		if got := f.names("/openreferral/services?" + q); !slices.Equal(got, want) {
			t.Errorf("services?%s = %q, want %q", q, got, want)
		}
	}

	// A full service: structured schedules, terms, areas, its location.
	var list struct{ Contents []Service }
	f.getJSON("/openreferral/services?search=parcels", &list)
	var s Service
	b := f.getJSON("/openreferral/services/"+list.Contents[0].ID, &s)
	validate(t, "services/{id}", b)
	if len(s.Schedules) != 1 || s.Schedules[0].ByDay != "MO,WE,FR" || s.Schedules[0].OpensAt != "10:00" || s.Schedules[0].Freq != "WEEKLY" {
		t.Errorf("schedules = %+v", s.Schedules)
	}
	if len(s.ServiceAtLocations) != 1 || s.ServiceAtLocations[0].Location.Addresses[0].PostalCode != "KY5 8XX" ||
		s.ServiceAtLocations[0].Location.Addresses[0].City != "Loch Road, Lochgelly" && s.ServiceAtLocations[0].Location.Addresses[0].City != "Lochgelly" {
		t.Errorf("locations = %+v", s.ServiceAtLocations)
	}
	if len(s.Attributes) != 1 || s.Attributes[0].TaxonomyTerm.ID != core.NeedTermID(core.NeedFood) || s.Phones[0].Number != "01592 000000" {
		t.Errorf("attributes %+v phones %+v", s.Attributes, s.Phones)
	}
	// The same ids on every call.
	var again Service
	f.getJSON("/openreferral/services/"+s.ID, &again)
	if again.Schedules[0].ID != s.Schedules[0].ID || again.ServiceAtLocations[0].ID != s.ServiceAtLocations[0].ID {
		t.Error("ids changed between calls")
	}
}

const time2s = 2_000_000_000

func TestBadParameters(t *testing.T) {
	f := newFeed(t, Config{})
	cases := []struct{ path, param string }{
		{"/openreferral/services?page=-1", "page"},
		{"/openreferral/services?page=abc", "page"},
		{"/openreferral/services?per_page=100000", "per_page"},
		{"/openreferral/services?per_page=0", "per_page"},
		{"/openreferral/service_at_locations?postcode=KY1+1AB&proximity=abc", "proximity"},
		{"/openreferral/service_at_locations?postcode=KY1+1AB&proximity=-5", "proximity"},
		{"/openreferral/service_at_locations?proximity=1000", "proximity"},
		{"/openreferral/service_at_locations?postcode=not+a+place", "postcode"},
		{"/openreferral/services?minimum_age=old", "minimum_age"},
		{"/openreferral/services?start_time=9ish", "start_time"},
		{"/openreferral/services?day=someday", "day"},
		{"/openreferral/organizations?page=0", "page"},
		// Pairs Go's url.ParseQuery drops, which would be answered as if
		// they were not there.
		{"/openreferral/services?per_page=1&page=2;", "page"},
		{"/openreferral/service_at_locations?postcode=KY1%2", "postcode"},
		{"/openreferral/taxonomies?per_page=%zz", "per_page"},
	}
	for _, c := range cases {
		status, h, b := f.get(c.path)
		var e errorBody
		if status != http.StatusBadRequest || json.Unmarshal(b, &e) != nil || e.Parameter != c.param || !strings.Contains(e.Error, c.param) ||
			h.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s = %d %s, want a 400 naming %s", c.path, status, b, c.param)
		}
	}
	for _, p := range []string{"/openreferral/services/not-a-uuid", "/openreferral/services/3f7b145d-84af-42d7-8fae-eaca714b02b2",
		"/openreferral/taxonomy_terms/3f7b145d-84af-42d7-8fae-eaca714b02b2", "/openreferral/nothing"} {
		if status, _, b := f.get(p); status != http.StatusNotFound || !strings.Contains(string(b), `"error"`) {
			t.Errorf("GET %s = %d %s, want a 404", p, status, b)
		}
	}
}

// TestPagePastTheEnd: a page past the last is an empty page with the
// list's totals, however far past: a page number whose offset passes
// what an int holds once panicked (taxonomies), failed on a negative
// OFFSET (services) or wrapped round to the first page's rows.
func TestPagePastTheEnd(t *testing.T) {
	f := newFeed(t, Config{})
	for _, list := range []string{"services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"} {
		var first Page[json.RawMessage]
		f.getJSON("/openreferral/"+list+"?per_page=64", &first)
		if first.TotalItems == 0 {
			t.Fatalf("%s: no items to page past", list)
		}
		for _, page := range []string{"9", "288230376151711745", "432345564227567617", "9223372036854775807"} {
			path := "/openreferral/" + list + "?per_page=64&page=" + page
			status, _, b := f.get(path)
			var got Page[json.RawMessage]
			if status != http.StatusOK || json.Unmarshal(b, &got) != nil {
				t.Errorf("GET %s = %d %s, want an empty page", path, status, b)
				continue
			}
			validate(t, list, b)
			if len(got.Contents) != 0 || !got.Empty || !got.LastPage || strconv.Itoa(got.PageNumber) != page ||
				got.TotalItems != first.TotalItems || got.TotalPages != first.TotalPages {
				t.Errorf("GET %s = %s, want page %s empty of %d items", path, b, page, first.TotalItems)
			}
		}
	}
}

func TestConditionalAnswers(t *testing.T) {
	f := newFeed(t, Config{})
	status, h, _ := f.get("/openreferral/services")
	etag, modified := h.Get("ETag"), h.Get("Last-Modified")
	if status != 200 || etag == "" || modified == "" {
		t.Fatalf("status %d, ETag %q, Last-Modified %q", status, etag, modified)
	}
	if status, _, b := f.get("/openreferral/services", "If-None-Match", etag); status != http.StatusNotModified || len(b) != 0 {
		t.Errorf("If-None-Match: %d %s", status, b)
	}
	if status, _, _ := f.get("/openreferral/services", "If-Modified-Since", modified); status != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", status)
	}
	if status, h2, _ := f.get("/openreferral/services?page=1"); status != 200 || h2.Get("ETag") == etag {
		t.Errorf("another query shares the ETag: %d", status)
	}
	// A change to the directory changes the ETag.
	f.env.Clock.Advance(3_600_000_000_000)
	ss, _ := f.env.Engine.Services(context.Background(), f.env.Net.CAB)
	s := ss[0]
	if err := f.env.Engine.UpdateService(context.Background(), s.ID, core.NewService{AgencyID: s.AgencyID, Name: s.Name + " service",
		Needs: s.Needs, PostcodeDistricts: s.PostcodeDistricts, Languages: s.Languages}, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	f.api.changedAt = f.api.changedAt.Add(-time2s)
	if status, _, _ := f.get("/openreferral/services", "If-None-Match", etag); status != http.StatusOK {
		t.Errorf("after a change: %d, want 200", status)
	}
}

func TestRateLimit(t *testing.T) {
	rdb, prefix := coretest.NewRedis(t)
	f := newFeed(t, Config{Redis: rdb, KeyPrefix: prefix, RatePerMinute: 3})
	for i := range 3 {
		if status, _, _ := f.get("/openreferral/taxonomies"); status != 200 {
			t.Fatalf("request %d: %d", i, status)
		}
	}
	status, h, b := f.get("/openreferral/taxonomies")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(string(b), "too many requests") {
		t.Errorf("fourth request: %d %s", status, b)
	}
}

func TestProximity(t *testing.T) {
	f := newFeed(t, Config{})
	// Without a postcode file: the district decides, no distances.
	if got := f.names("/openreferral/service_at_locations?postcode=KY1+1AB&proximity=2000"); !slices.Equal(got,
		[]string{"Debt and money advice", "Emergency food parcels", "Housing options", "Welfare rights"}) {
		t.Errorf("district match without postcodes = %q", got)
	}
	f.addPostcodes(testPostcodes)
	f.api.changedAt = f.api.changedAt.Add(-time2s)
	type sal struct {
		Contents []struct {
			Distance *float64
			Service  struct{ Name string }
		}
	}
	var p sal
	b := f.getJSON("/openreferral/service_at_locations?postcode=ky11ab", &p)
	validate(t, "service_at_locations", b)
	// Nearest first: the CAB is 250 m away; Welfare (KY6) about 10 km; the
	// food bank (KY5) about 9.5 km; Housing has no address (last).
	var got []string
	for _, c := range p.Contents {
		got = append(got, c.Service.Name)
	}
	if !slices.Equal(got, []string{"Debt and money advice", "Emergency food parcels", "Welfare rights", "Housing options"}) {
		t.Fatalf("nearest first = %q", got)
	}
	if d := p.Contents[0].Distance; d == nil || *d < 200 || *d > 300 || p.Contents[3].Distance != nil {
		t.Errorf("distances = %v, %v", p.Contents[0].Distance, p.Contents[3].Distance)
	}
	if got := f.names("/openreferral/service_at_locations?postcode=KY1+1AB&proximity=1000"); !slices.Equal(got, []string{"Debt and money advice"}) {
		t.Errorf("within 1 km = %q", got)
	}
	if got := f.names("/openreferral/service_at_locations?postcode=KY1+1AB&proximity=1000&search=food"); got != nil {
		t.Errorf("within 1 km and food = %q", got)
	}
	// A district alone is measured from its middle.
	if got := f.names("/openreferral/service_at_locations?postcode=KY1&proximity=3000"); !slices.Equal(got, []string{"Debt and money advice"}) {
		t.Errorf("within 3 km of KY1 = %q", got)
	}
}

// TestMethods: the feed is read only. Another method on one of its
// endpoints is a 405 naming the methods it answers, in the feed's JSON
// and readable cross-origin; OPTIONS is the CORS preflight anywhere under
// the feed; an address that is not an endpoint stays a 404.
func TestMethods(t *testing.T) {
	f := newFeed(t, Config{})
	do := f.request
	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/openreferral/services"},
		{http.MethodDelete, "/openreferral/services/3f7b145d-84af-42d7-8fae-eaca714b02b2"},
		{http.MethodPut, "/openreferral/taxonomy_terms"},
		{http.MethodPatch, "/openreferral/"},
		{http.MethodPost, "/openreferral/openapi.json"},
	} {
		status, h, b := do(c.method, c.path)
		var e errorBody
		if status != http.StatusMethodNotAllowed || json.Unmarshal(b, &e) != nil || !strings.Contains(e.Error, "GET") {
			t.Errorf("%s %s = %d %s, want a 405 naming GET", c.method, c.path, status, b)
		}
		if h.Get("Allow") != "GET, HEAD, OPTIONS" || h.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s %s: Allow %q, Access-Control-Allow-Origin %q", c.method, c.path, h.Get("Allow"), h.Get("Access-Control-Allow-Origin"))
		}
	}
	for _, p := range []string{"/openreferral/services", "/openreferral/services/3f7b145d-84af-42d7-8fae-eaca714b02b2", "/openreferral/nothing"} {
		if status, h, _ := do(http.MethodOptions, p); status != http.StatusNoContent || h.Get("Access-Control-Allow-Methods") != "GET, OPTIONS" {
			t.Errorf("OPTIONS %s = %d (methods %q), want the 204 preflight", p, status, h.Get("Access-Control-Allow-Methods"))
		}
	}
	if status, _, b := do(http.MethodPost, "/openreferral/nothing"); status != http.StatusNotFound || !strings.Contains(string(b), `"error"`) {
		t.Errorf("POST /openreferral/nothing = %d %s, want a 404", status, b)
	}
	for _, p := range []string{"/openreferral/services", "/openreferral/", "/openreferral/openapi.json"} {
		if status, _, b := do(http.MethodGet, p); status != http.StatusOK {
			t.Errorf("GET %s = %d %s, want 200", p, status, b)
		}
	}
	if status, _, _ := do(http.MethodHead, "/openreferral/services"); status != http.StatusOK {
		t.Errorf("HEAD /openreferral/services = %d, want 200", status)
	}
}
