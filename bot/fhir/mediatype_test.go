package fhir_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestFHIRWritesTakeOnlyJSON: PUT /fhir/Task/{id} and POST /fhir read a
// body only when it is sent as FHIR JSON (application/fhir+json or
// application/json, charset utf-8 if any): a text/plain or form body, or
// one with no Content-Type, is a 415 OperationOutcome naming
// Content-Type, and changes and keeps nothing (the same Bundle sent
// properly afterwards makes the referral).
func TestFHIRWritesTakeOnlyJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer, cab, taskURL := h.bundleReferral(t)
	_, _, body := h.do(t, "GET", taskURL, cab, "")
	task := validR4(t, body)
	task["status"] = "accepted"
	accept, _ := json.Marshal(task)
	count := func() int { return h.referrals(t) }
	bundle := strings.ReplaceAll(referralBundle, "NHSF-77", "NHSF-media")
	for _, c := range []struct {
		method, contentType string
		status              int
	}{
		{"PUT", "text/plain", 415},
		{"PUT", "application/x-www-form-urlencoded", 415},
		{"PUT", "", 415},
		{"PUT", "application/fhir+json; charset=latin1", 415},
		{"PUT", "application/fhir+xml", 415},
		{"POST", "text/plain", 415},
		{"POST", "application/x-www-form-urlencoded", 415},
		{"POST", "", 415},
		{"POST", "application/json; charset=iso-8859-1", 415},
		{"POST", "application/fhir+json; fhirVersion=3.0", 415},
		{"POST", "application/json; charset=UTF-8", 200},
		{"PUT", "application/fhir+json; fhirVersion=4.0; charset=utf-8", 200},
	} {
		t.Run(c.method+" "+c.contentType, func(t *testing.T) {
			before := count()
			path, token, body := "/fhir", referrer, bundle
			if c.method == "PUT" {
				path, token, body = taskURL, cab, string(accept)
			}
			status, _, got := h.do(t, c.method, path, token, body, "Content-Type", c.contentType)
			if status != c.status {
				t.Fatalf("%d %s, want %d", status, got, c.status)
			}
			if status == 200 {
				return
			}
			if oo := validR4(t, got); oo["resourceType"] != "OperationOutcome" || !hasIssue(oo, "Content-Type", "application/fhir+json") {
				t.Fatalf("%s, want an OperationOutcome naming Content-Type", got)
			}
			if count() != before {
				t.Fatal("a refused Bundle wrote a referral")
			}
			if _, _, now := h.do(t, "GET", taskURL, cab, ""); validR4(t, now)["status"] != "requested" {
				t.Fatalf("a refused PUT moved the Task to %v", validR4(t, now)["status"])
			}
		})
	}
}

// TestFHIRAnswersOnlyInJSON: Onward gives FHIR in JSON alone, so a
// request for another format (_format, which overrides Accept, or an
// Accept with no JSON type and no wildcard) is a 406 OperationOutcome,
// never a 200 in JSON; the JSON forms and wildcards are served.
func TestFHIRAnswersOnlyInJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, cab, taskURL := h.bundleReferral(t)
	for _, c := range []struct {
		path, accept string
		status       int
		says         string // what a 406's diagnostics must name
	}{
		{"/fhir/Task?_format=xml", "", 406, ""},
		{"/fhir/Task?_format=text/html", "", 406, ""},
		{"/fhir/Task?_format=application/fhir%2Bxml", "", 406, ""},
		{"/fhir/Task?_format=json&_format=xml", "", 406, ""},
		{taskURL, "application/fhir+xml", 406, "names no JSON type"},
		{taskURL, "text/html, application/xml;q=0.9", 406, ""},
		{taskURL, "application/json;q=0", 406, ""},
		{"/fhir/metadata?_format=xml", "", 406, ""},
		{"/fhir/Task?_format=json", "", 200, ""},
		{"/fhir/Task?_format=application/fhir%2Bjson", "", 200, ""},
		{"/fhir/Task?_format=application/json", "", 200, ""},
		{"/fhir/Task?_format=application/fhir+json", "", 200, ""},
		{"/fhir/Task?_format=application/fhir+xml", "", 406, ""},
		{"/fhir/Task?_format=json", "application/fhir+xml", 200, ""},
		{taskURL, "application/fhir+json", 200, ""},
		{taskURL, "application/json", 200, ""},
		{taskURL, "text/html, application/fhir+json;q=0.8", 200, ""},
		{taskURL, "application/fhir+xml;q=1, */*;q=0.1", 200, ""},
		{taskURL, "", 200, ""},
		{"/fhir/metadata", "application/fhir+json; fhirVersion=4.0", 200, ""},
		{"/fhir/metadata", "application/fhir+json; fhirVersion=5.0", 406, `asks for FHIR version \"5.0\"`},
		{taskURL, "application/fhir+json; fhirVersion=3.0", 406, `asks for FHIR version \"3.0\"`},
	} {
		t.Run(c.path+" "+c.accept, func(t *testing.T) {
			status, hdr, body := h.do(t, "GET", c.path, cab, "", "Accept", c.accept)
			res := validR4(t, body)
			if status != c.status || hdr.Get("Content-Type") != "application/fhir+json" {
				t.Fatalf("%d %s %s, want %d", status, hdr.Get("Content-Type"), body, c.status)
			}
			if status == 406 && res["resourceType"] != "OperationOutcome" {
				t.Fatalf("%s, want an OperationOutcome", body)
			}
			if c.says != "" && !strings.Contains(string(body), c.says) {
				t.Errorf("%s, want it to say %s", body, c.says)
			}
		})
	}
}
