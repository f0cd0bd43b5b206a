package fhir_test

import (
	"strings"
	"testing"
)

// TestFHIRSearchStatusMustBeAStatus (review R2 F7): a status search
// value that is no status of the resource searched is a 400
// OperationOutcome naming status and listing the codes, as every other
// bad search value is, not an empty searchset that reads as "no
// referrals". A status FHIR defines that no referral has ("draft") finds
// nothing, and a code with its system finds as the code does.
func TestFHIRSearchStatusMustBeAStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, cab, _ := h.bundleReferral(t)
	for _, c := range []struct {
		path   string
		status int
		found  int
		says   string
	}{
		{"/fhir/Task?status=bogus", 400, 0, `status "bogus" is not a Task status; use one of draft, requested,`},
		{"/fhir/Task?status=requested,acepted", 400, 0, `status "acepted" is not a Task status`},
		{"/fhir/ServiceRequest?status=requested", 400, 0, `status "requested" is not a ServiceRequest status; use one of draft, active,`},
		{"/fhir/Task?status=draft", 200, 0, ""},
		{"/fhir/Task?status=requested", 200, 1, ""},
		{"/fhir/Task?status=http://hl7.org/fhir/task-status|requested", 200, 1, ""},
		{"/fhir/ServiceRequest?status=active", 200, 1, ""},
	} {
		status, _, body := h.do(t, "GET", c.path, cab, "")
		res := validR4(t, body)
		if status != c.status {
			t.Errorf("%s: %d %s, want %d", c.path, status, body, c.status)
			continue
		}
		if c.status == 400 {
			if res["resourceType"] != "OperationOutcome" || !hasIssue(res, "status", c.says) {
				t.Errorf("%s: %s, want an OperationOutcome at status saying %q", c.path, body, c.says)
			}
			continue
		}
		if entries, _ := res["entry"].([]any); len(entries) != c.found {
			t.Errorf("%s: %d found, want %d: %s", c.path, len(entries), c.found, body)
		}
	}
	if status, _, body := h.do(t, "GET", "/fhir/Task?status=bogus", cab, "", "Prefer", "handling=lenient"); status != 400 ||
		!strings.Contains(string(body), "bogus") {
		t.Errorf("lenient handling ignores unsupported parameters, not bad values: %d %s", status, body)
	}
}

// TestFHIRSearchRefusesAParameterItCannotRead: a pair Go's query parser
// drops (a ";" in it, a "%" without two hex digits) is a 400 naming it,
// even under lenient handling, not a search run as if it were not there
// (every Task the system may see).
func TestFHIRSearchRefusesAParameterItCannotRead(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, cab, _ := h.bundleReferral(t)
	for _, path := range []string{"/fhir/Task?status=completed;", "/fhir/ServiceRequest?status=completed%2", "/fhir/Task?_id=ONW-X;&status=requested"} {
		for _, prefer := range []string{"", "handling=lenient"} {
			status, _, body := h.do(t, "GET", path, cab, "", "Prefer", prefer)
			res := validR4(t, body)
			if status != 400 || res["resourceType"] != "OperationOutcome" || !strings.Contains(string(body), "cannot be read") {
				t.Errorf("%s (Prefer %q): %d %s, want a 400 OperationOutcome saying the parameter cannot be read", path, prefer, status, body)
			}
		}
	}
}

// TestFHIRLastUpdatedSaysAPlusArrivedAsASpace: a _lastUpdated whose time
// zone's + was sent unencoded arrives as a space; the refusal says so,
// not only that it is no dateTime.
func TestFHIRLastUpdatedSaysAPlusArrivedAsASpace(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, cab, _ := h.bundleReferral(t)
	status, _, body := h.do(t, "GET", "/fhir/Task?_lastUpdated=ge2026-03-01T09:00:00+01:00", cab, "")
	if res := validR4(t, body); status != 400 || !hasIssue(res, "_lastUpdated", "send a time zone's + as %2B") {
		t.Errorf("%d %s, want a 400 at _lastUpdated saying a + arrives as a space", status, body)
	}
	if status, _, body := h.do(t, "GET", "/fhir/Task?_lastUpdated=ge2026-03-01T09:00:00%2B01:00", cab, ""); status != 200 {
		t.Errorf("the + encoded: %d %s", status, body)
	}
}
