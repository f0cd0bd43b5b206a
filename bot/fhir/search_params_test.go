package fhir_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// searchReferrals has Welfare Rights refer four clients to Kirkton CAB,
// each last changed at the time given, and returns the Task ids in that
// order and a function that follows a search's pages, as Kirkton CAB's
// system, and returns the ids it found.
func searchReferrals(t *testing.T, h *harness, changed ...string) (ids []string, search func(path string) []string) {
	t.Helper()
	ids, _, cab := referSearchable(t, h, changed...)
	return ids, searcher(t, h, cab)
}

// referSearchable has Welfare Rights' system refer a client to Kirkton
// CAB for each time given, with case ids NHSF-A, NHSF-B, and so on, each
// referral last changed at its time, and returns the Task ids in that
// order and the tokens of the referring system and of Kirkton CAB's.
func referSearchable(t *testing.T, h *harness, changed ...string) (ids []string, welfare, cab string) {
	t.Helper()
	welfare = h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	cab = h.token(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct)
	for i, at := range changed {
		bundle := strings.ReplaceAll(referralBundle, "NHSF-77", "NHSF-"+string(rune('A'+i)))
		status, hdr, body := h.do(t, "POST", "/fhir", welfare, bundle)
		if status != 200 {
			t.Fatalf("transaction %d: %d %s", i, status, body)
		}
		id := strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/Task/")
		when, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.env.Pool.Exec(context.Background(), `UPDATE referrals SET status_at = $1 WHERE reference = $2`, when, id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids, welfare, cab
}

// searcher returns a function that follows a search's pages as the
// system with this token and returns the ids it found.
func searcher(t *testing.T, h *harness, token string) func(path string) []string {
	return func(path string) []string {
		t.Helper()
		var found []string
		for pages := 0; path != ""; pages++ {
			if pages == 10 {
				t.Fatalf("%s: more than 10 pages", path)
			}
			status, _, body := h.do(t, "GET", path, token, "")
			if status != 200 {
				t.Fatalf("%s: %d %s", path, status, body)
			}
			b := validR4(t, body)
			for _, e := range b["entry"].([]any) {
				found = append(found, e.(map[string]any)["resource"].(map[string]any)["id"].(string))
			}
			path = ""
			for _, l := range b["link"].([]any) {
				if l := l.(map[string]any); l["relation"] == "next" {
					path = strings.TrimPrefix(l["url"].(string), "https://onward.example")
				}
			}
		}
		return found
	}
}

// TestFHIRLastUpdatedIsTheRangeOfItsPrecision: a _lastUpdated value
// stands for the range its precision implies, as FHIR's search compares
// dates. No prefix is eq (within that range; it was taken as ge), gt is
// after the whole range (gt with a day once included that day), ge from
// its start, lt before it and le to its end; given twice, both hold. A
// prefix Onward does not take is a 400 naming _lastUpdated.
func TestFHIRLastUpdatedIsTheRangeOfItsPrecision(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ids, search := searchReferrals(t, h,
		"2026-02-28T23:59:59.5Z", "2026-03-01T00:00:00Z", "2026-03-01T18:30:00Z", "2026-03-02T00:00:00Z")
	a, b, c, d := ids[0], ids[1], ids[2], ids[3]
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"_lastUpdated=2026-03-01", []string{b, c}},
		{"_lastUpdated=eq2026-03-01", []string{b, c}},
		{"_lastUpdated=gt2026-03-01", []string{d}},
		{"_lastUpdated=ge2026-03-01", []string{b, c, d}},
		{"_lastUpdated=lt2026-03-01", []string{a}},
		{"_lastUpdated=le2026-03-01", []string{a, b, c}},
		{"_lastUpdated=2026-03", []string{b, c, d}},
		{"_lastUpdated=2026", []string{a, b, c, d}},
		{"_lastUpdated=2026-02-28T23:59:59Z", []string{a}},
		{"_lastUpdated=gt2026-02-28T23:59:59Z", []string{b, c, d}},
		{"_lastUpdated=2026-02-28T23:59:59.5Z", []string{a}},
		{"_lastUpdated=ge2026-03-01&_lastUpdated=lt2026-03-02", []string{b, c}},
		{"_lastUpdated=2026-03-01&_count=1", []string{b, c}},
		{"_lastUpdated=le2026-03-01&_sort=-_lastUpdated", []string{c, b, a}},
		{"_lastUpdated=lt2026-03-02&_sort=-_lastUpdated&_count=1", []string{c, b, a}},
		{"_lastUpdated=2026-03-01&_sort=-_lastUpdated&_count=1", []string{c, b}},
	} {
		for _, resource := range []string{"Task", "ServiceRequest"} {
			path := "/fhir/" + resource + "?" + tc.query
			if got := search(path); !slices.Equal(got, tc.want) {
				t.Errorf("%s found %v, want %v (of %v)", path, got, tc.want, ids)
			}
		}
	}
	_, cab, _ := h.bundleReferral(t)
	for _, v := range []string{"ne2026-03-01", "sa2026-03-01", "ap2026", "eq", "2026-3-1"} {
		path := "/fhir/Task?_lastUpdated=" + v
		status, _, body := h.do(t, "GET", path, cab, "")
		if res := validR4(t, body); status != 400 || res["resourceType"] != "OperationOutcome" || !hasIssue(res, "_lastUpdated", "_lastUpdated") {
			t.Errorf("%s: %d %s, want a 400 OperationOutcome at _lastUpdated", path, status, body)
		}
	}
}

// TestFHIRSearchParametersAllHold: different search parameters are ANDed,
// as FHIR's search has it; a parameter's values, comma-separated, are
// alternatives. _id and focus naming different referrals find nothing
// (both were once found).
func TestFHIRSearchParametersAllHold(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ids, search := searchReferrals(t, h, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z")
	a, b := ids[0], ids[1]
	for query, want := range map[string][]string{
		"_id=" + a + "&focus=ServiceRequest/" + b:                         nil,
		"_id=" + a + "&focus=ServiceRequest/" + a:                         {a},
		"_id=" + a + "," + b + "&focus=ServiceRequest/" + b:               {b},
		"focus=ServiceRequest/" + a + ",ServiceRequest/" + b:              {a, b},
		"_id=" + a + "," + b + "&focus=" + b + "&_lastUpdated=2026-03-01": {b},
		"_id=" + a + "&_lastUpdated=2026-03-02":                           nil,
	} {
		path := "/fhir/Task?" + query
		if got := search(path); !slices.Equal(got, want) {
			t.Errorf("%s found %v, want %v", path, got, want)
		}
	}
}

// TestFHIRSearchByIdentifierCodeAndIntent: the token searches a partner
// sends to find its referrals are taken as FHIR R4 defines them, on Task
// and ServiceRequest alike. identifier finds a referral by the
// identifiers its resources carry (Onward's reference, and the case id of
// the system searching, which only it gave), with its system or without; code (Task's is always fulfill) and
// intent (always order) filter nothing out when they name that code and
// find nothing when they name another, rather than being refused. A
// referral a redirect made keeps the case id, so a search by it finds
// both. An identifier's system with no value (system|) finds every
// referral with an identifier in that system (with the case id's, those a
// partner gave a case id), and a value with no system (|value) none, as
// every identifier Onward gives has a system; | alone is a 400 naming
// identifier.
func TestFHIRSearchByIdentifierCodeAndIntent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ids, welfare, cab := referSearchable(t, h, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z")
	search := searcher(t, h, welfare)
	a, b := ids[0], ids[1] // case ids NHSF-A and NHSF-B
	both := []string{a, b}
	// A referral with no case id, changed last.
	status, hdr, body := h.do(t, "POST", "/fhir", welfare,
		strings.Replace(strings.ReplaceAll(referralBundle, "NHSF-77", "NHSF-C"), `"identifier": [{"system": "urn:onward:partner-case-id", "value": "NHSF-C"}],`, "", 1))
	if status != 200 {
		t.Fatalf("a referral with no case id: %d %s", status, body)
	}
	c := strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/Task/")
	all := []string{a, b, c}
	for _, tc := range []struct {
		query string
		want  []string
		task  bool // a Task search only
	}{
		{"identifier=urn:onward:partner-case-id|NHSF-A", []string{a}, false},
		{"identifier=NHSF-B", []string{b}, false},
		{"identifier=urn:onward:referral-reference|" + a, []string{a}, false},
		{"identifier=" + b, []string{b}, false},
		{"identifier=NHSF-A,urn:onward:partner-case-id|NHSF-B", both, false},
		{"identifier=NHSF-A&identifier=NHSF-B", nil, false},
		{"identifier=NHSF-A&_id=" + b, nil, false},
		{"identifier=urn:nhs-kingdom:referral|NHSF-A", nil, false},
		{"identifier=|NHSF-A", nil, false},
		{"identifier=|" + a, nil, false},
		{"identifier=NHSF-Z", nil, false},
		{"identifier=urn:onward:partner-case-id|", both, false},
		{"identifier=urn:onward:referral-reference|", all, false},
		{"identifier=urn:nhs-kingdom:referral|", nil, false},
		{"identifier=urn:nhs-kingdom:referral|,NHSF-B", []string{b}, false},
		{"identifier=urn:onward:partner-case-id|,urn:onward:referral-reference|" + c, all, false},
		{"identifier=urn:onward:partner-case-id|&_id=" + c, nil, false},
		{"identifier=urn:onward:referral-reference|&identifier=NHSF-A", []string{a}, false},
		{"intent=order", all, false},
		{"intent=http://hl7.org/fhir/request-intent|order", all, false},
		{"intent=|order", all, false},
		{"intent=plan", nil, false},
		{"intent=plan,order&identifier=NHSF-A", []string{a}, false},
		{"code=fulfill", all, true},
		{"code=http://hl7.org/fhir/CodeSystem/task-code|fulfill", all, true},
		{"code=|fulfill", nil, true},
		{"code=approve", nil, true},
		{"code=urn:other|fulfill", nil, true},
		{"code=fulfill&intent=order&identifier=NHSF-B&status=requested", []string{b}, true},
		{"code=http://hl7.org/fhir/CodeSystem/task-code|", all, true},
		{"intent=http://hl7.org/fhir/request-intent|", all, false},
		{"intent=urn:other|", nil, false},
	} {
		for _, resource := range []string{"Task", "ServiceRequest"} {
			if tc.task && resource != "Task" {
				continue
			}
			path := "/fhir/" + resource + "?" + tc.query
			if got := search(path); !slices.Equal(got, tc.want) {
				t.Errorf("%s found %v, want %v (of %v)", path, got, tc.want, ids)
			}
		}
	}
	// Kirkton CAB's system, which received them, finds them by Onward's
	// reference; a case id it did not give is not one of its cases.
	bySystem := searcher(t, h, cab)
	for query, want := range map[string][]string{
		"identifier=urn:onward:referral-reference|" + a: {a},
		"identifier=" + b: {b},
		"identifier=urn:onward:partner-case-id|NHSF-A": nil,
		"identifier=NHSF-B":                            nil,
		"identifier=urn:onward:partner-case-id|":       nil,
	} {
		for _, resource := range []string{"Task", "ServiceRequest"} {
			path := "/fhir/" + resource + "?" + query
			if got := bySystem(path); !slices.Equal(got, want) {
				t.Errorf("%s by the receiving system found %v, want %v", path, got, want)
			}
		}
	}
	// ServiceRequest has no code search Onward takes: refused, as any
	// unsupported parameter is under strict handling.
	// The self link is a URI: the query's | encoded, as sent raw.
	status, _, body = h.do(t, "GET", "/fhir/Task?identifier=urn:onward:partner-case-id|NHSF-A", cab, "")
	if status != 200 {
		t.Fatalf("identifier search: %d %s", status, body)
	}
	self := validR4(t, body)["link"].([]any)[0].(map[string]any)["url"].(string)
	if strings.Contains(self, "|") || !strings.Contains(self, "identifier=urn%3Aonward%3Apartner-case-id%7CNHSF-A") {
		t.Errorf("self link %s: want the query encoded", self)
	}
	for _, path := range []string{"/fhir/ServiceRequest?code=fulfill", "/fhir/Task?identifier=|", "/fhir/Task?identifier=NHSF-A,|"} {
		status, _, body := h.do(t, "GET", path, cab, "", "Prefer", "handling=strict")
		want := "code"
		if strings.Contains(path, "identifier") {
			want = "identifier"
		}
		if res := validR4(t, body); status != 400 || !hasIssue(res, want, want) {
			t.Errorf("%s: %d %s, want a 400 OperationOutcome at %s", path, status, body, want)
		}
	}

	// Kirkton CAB redirects a referral with the network's consent: the
	// referral it makes is found by the case id too, by the system that
	// made the first.
	status, _, body = h.do(t, "POST", "/api/v1/referrals", welfare, `{"case_id": "NHSF-R",
		"client": {"name": "Morag Baird", "phone": "07700 900123", "postcode": "KY1 1AB"},
		"needs": ["debt", "housing"], "to_agency": "kirkton-cab",
		"consent": {"wording_version": "v1", "scope": "network", "witnessed_by": "Isla Moffat"}}`, "Content-Type", "application/json", "Idempotency-Key", "search-r")
	var first struct{ Reference string }
	if err := json.Unmarshal(body, &first); status != 201 || err != nil {
		t.Fatalf("create: %d %s", status, body)
	}
	status, _, body = h.do(t, "POST", "/api/v1/referrals/"+first.Reference+"/redirect", cab,
		`{"to_agency": "housing-options", "feedback": "A tenancy question"}`, "Content-Type", "application/json", "Idempotency-Key", "search-redirect")
	var was struct {
		ReferredOnAs string `json:"referred_on_as"`
	}
	if err := json.Unmarshal(body, &was); status != 200 || err != nil || was.ReferredOnAs == "" {
		t.Fatalf("redirect: %d %s", status, body)
	}
	for _, resource := range []string{"Task", "ServiceRequest"} {
		status, _, body := h.do(t, "GET", "/fhir/"+resource+"?identifier=urn:onward:partner-case-id|NHSF-R", welfare, "")
		var found []string
		for _, e := range validR4(t, body)["entry"].([]any) {
			found = append(found, e.(map[string]any)["resource"].(map[string]any)["id"].(string))
		}
		if want := []string{first.Reference, was.ReferredOnAs}; status != 200 || !slices.Equal(found, want) {
			t.Errorf("%s by the case id after a redirect: %d %v, want %v", resource, status, found, want)
		}
	}
}

// TestFHIRCaseIDSearchIsTheCallersOwn: a case id is unique to the system
// that gave it, not across systems. Two systems of Welfare Rights refer
// two clients with the same case id, and each may see both referrals (its
// agency sent both); a search by that case id, with its system or
// without, or for any case id, finds only the system's own referral, the
// Bundle's total is 1, and a page of one has no next page. (The other's
// case id was once matched in SQL and kept by the visibility filter.)
func TestFHIRCaseIDSearchIsTheCallersOwn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	first := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	second := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	own := map[string]string{}
	for _, token := range []string{first, second} {
		status, hdr, body := h.do(t, "POST", "/fhir", token, referralBundle)
		if status != 200 {
			t.Fatalf("transaction: %d %s", status, body)
		}
		own[token] = strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/Task/")
	}
	if own[first] == own[second] {
		t.Fatalf("both systems' bundles made one referral, %s", own[first])
	}
	for _, token := range []string{first, second} {
		// Each may see the other's referral: the filter alone would not
		// have dropped it.
		if status, _, body := h.do(t, "GET", "/fhir/Task/"+own[first], token, ""); status != 200 {
			t.Fatalf("the other system's referral is not visible: %d %s", status, body)
		}
		for _, query := range []string{
			"identifier=urn:onward:partner-case-id|NHSF-77",
			"identifier=NHSF-77",
			"identifier=urn:onward:partner-case-id|",
			"identifier=NHSF-77&_count=1",
		} {
			for _, resource := range []string{"Task", "ServiceRequest"} {
				path := "/fhir/" + resource + "?" + query
				status, _, body := h.do(t, "GET", path, token, "")
				if status != 200 {
					t.Fatalf("%s: %d %s", path, status, body)
				}
				b := validR4(t, body)
				var found []string
				for _, e := range b["entry"].([]any) {
					found = append(found, e.(map[string]any)["resource"].(map[string]any)["id"].(string))
				}
				next := false
				for _, l := range b["link"].([]any) {
					next = next || l.(map[string]any)["relation"] == "next"
				}
				if want := []string{own[token]}; !slices.Equal(found, want) || b["total"] != float64(1) || next {
					t.Errorf("%s found %v, total %v, a next page %v; want %v, total 1, no next page", path, found, b["total"], next, want)
				}
			}
		}
	}
}
