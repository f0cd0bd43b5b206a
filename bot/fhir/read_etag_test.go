package fhir_test

import (
	"net/http"
	"testing"
)

// TestFHIRServiceRequestReadHasAnETag: a read carries its version as a
// weak ETag (FHIR's http.html), W/"<meta.versionId>": a ServiceRequest
// read had meta.versionId and no ETag, which a Task read had.
func TestFHIRServiceRequestReadHasAnETag(t *testing.T) {
	h := newHarness(t)
	_, cab, taskURL := h.bundleReferral(t)
	for _, path := range []string{taskURL, "/fhir/ServiceRequest/" + taskURL[len("/fhir/Task/"):]} {
		status, hdr, body := h.do(t, "GET", path, cab, "")
		res := validR4(t, body)
		version, _ := res["meta"].(map[string]any)["versionId"].(string)
		if status != 200 || version == "" || hdr.Get("ETag") != `W/"`+version+`"` {
			t.Errorf("GET %s: %d, ETag %q, meta.versionId %q; want the ETag W/\"<versionId>\"", path, status, hdr.Get("ETag"), version)
		}
	}
}

// TestFHIRBodyNotAnObjectIsTheResource: a body that is no JSON object
// ([] for a Bundle or a Task) is refused at the resource itself, a valid
// FHIRPath ("Bundle"), not at "Bundle.", which names no element.
func TestFHIRBodyNotAnObjectIsTheResource(t *testing.T) {
	h := newHarness(t)
	referrer, cab, taskURL := h.bundleReferral(t)
	for _, c := range []struct {
		method, path, token, body, expression string
	}{
		{"POST", "/fhir", referrer, `[]`, "Bundle"},
		{"POST", "/fhir", referrer, `5`, "Bundle"},
		{"POST", "/fhir", referrer, `"Bundle"`, "Bundle"},
		{"PUT", taskURL, cab, `[]`, "Task"},
	} {
		status, _, body := h.do(t, c.method, c.path, c.token, c.body, "If-Match", `W/"1"`)
		oo := validR4(t, body)
		if status != http.StatusBadRequest || oo["resourceType"] != "OperationOutcome" || !hasIssue(oo, c.expression, "must be a JSON object") {
			t.Errorf("%s %s %s: %d %s, want a 400 OperationOutcome at %s saying it must be a JSON object", c.method, c.path, c.body, status, body, c.expression)
		}
	}
}
