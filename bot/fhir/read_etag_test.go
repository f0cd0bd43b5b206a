package fhir_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestFHIRServiceRequestReadHasAnETag: a read carries its version as a
// weak ETag (FHIR's http.html), W/"<meta.versionId>": a ServiceRequest
// read had meta.versionId and no ETag, which a Task read had.
func TestFHIRServiceRequestReadHasAnETag(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// TestFHIRReadsSayWhenAndVreadTheCurrentVersion: a Task or ServiceRequest
// read answers Last-Modified, its meta.lastUpdated, beside its ETag. A
// vread (_history/{vid}) of the current version answers as the read
// does; of any other version, a 404 OperationOutcome saying only the
// current version is kept. A system that may not see the referral gets
// the read's 404 for any version. The CapabilityStatement lists vread.
func TestFHIRReadsSayWhenAndVreadTheCurrentVersion(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, cab, taskURL := h.bundleReferral(t)
	housing := h.token(t, h.env.Net.Housing, core.ScopeRead)
	ref := strings.TrimPrefix(taskURL, "/fhir/Task/")
	for _, typ := range []string{"Task", "ServiceRequest"} {
		path := "/fhir/" + typ + "/" + ref
		status, hdr, body := h.do(t, "GET", path, cab, "")
		m := validR4(t, body)["meta"].(map[string]any)
		updated, err := time.Parse(time.RFC3339Nano, m["lastUpdated"].(string))
		if status != 200 || err != nil {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
		if got := hdr.Get("Last-Modified"); got != updated.UTC().Format(http.TimeFormat) {
			t.Errorf("GET %s: Last-Modified %q, want meta.lastUpdated %s", path, got, m["lastUpdated"])
		}
		version := m["versionId"].(string)
		vstatus, vhdr, vbody := h.do(t, "GET", path+"/_history/"+version, cab, "")
		if vstatus != 200 || !bytes.Equal(vbody, body) || vhdr.Get("ETag") != hdr.Get("ETag") || vhdr.Get("Last-Modified") != hdr.Get("Last-Modified") {
			t.Errorf("vread of the current version %s: %d %s, want the read's answer", version, vstatus, vbody)
		}
		for _, vid := range []string{"0", "2", "v1", "1.0"} {
			status, _, body := h.do(t, "GET", path+"/_history/"+vid, cab, "")
			if oo := validR4(t, body); status != 404 || oo["resourceType"] != "OperationOutcome" || !strings.Contains(string(body), "only the current version") {
				t.Errorf("vread of version %s: %d %s, want a 404 OperationOutcome saying only the current version is kept", vid, status, body)
			}
		}
		_, _, unseen := h.do(t, "GET", path, housing, "")
		if status, _, body := h.do(t, "GET", path+"/_history/"+version, housing, ""); status != 404 || !bytes.Equal(body, unseen) {
			t.Errorf("vread by a system that may not see it: %d %s, want the read's 404 %s", status, body, unseen)
		}
	}
	_, _, body := h.do(t, "GET", "/fhir/metadata", "", "")
	for _, res := range validR4(t, body)["rest"].([]any)[0].(map[string]any)["resource"].([]any) {
		res := res.(map[string]any)
		if res["type"] != "Task" && res["type"] != "ServiceRequest" {
			continue
		}
		if !strings.Contains(fmt.Sprint(res["interaction"]), "vread") || res["readHistory"] != false {
			t.Errorf("metadata's %s: interactions %v, readHistory %v; want vread, and readHistory false", res["type"], res["interaction"], res["readHistory"])
		}
	}
}

// TestFHIRReadIfNoneMatch: a Task or ServiceRequest read whose
// If-None-Match names the current version (W/"n" as read gave it, the
// same tag without W/, one of a list, or *) answers 304 Not Modified with
// the ETag and no body; one naming another version answers the resource.
func TestFHIRReadIfNoneMatch(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, cab, taskURL := h.bundleReferral(t)
	for _, path := range []string{taskURL, "/fhir/ServiceRequest/" + taskURL[len("/fhir/Task/"):]} {
		_, hdr, _ := h.do(t, "GET", path, cab, "")
		etag := hdr.Get("ETag")
		for _, c := range []struct {
			ifNoneMatch string
			want        int
		}{
			{etag, http.StatusNotModified},
			{strings.TrimPrefix(etag, "W/"), http.StatusNotModified},
			{`W/"99", ` + etag, http.StatusNotModified},
			{"*", http.StatusNotModified},
			{`W/"99"`, http.StatusOK},
			{`W/"0"`, http.StatusOK},
		} {
			status, got, body := h.do(t, "GET", path, cab, "", "If-None-Match", c.ifNoneMatch)
			if status != c.want || got.Get("ETag") != etag {
				t.Errorf("GET %s If-None-Match %s: %d, ETag %q; want %d with ETag %s", path, c.ifNoneMatch, status, got.Get("ETag"), c.want, etag)
			}
			if c.want == http.StatusNotModified && len(body) != 0 {
				t.Errorf("GET %s If-None-Match %s: a 304 with a body: %s", path, c.ifNoneMatch, body)
			}
			if c.want == http.StatusOK && validR4(t, body)["meta"] == nil {
				t.Errorf("GET %s If-None-Match %s: %s, want the resource", path, c.ifNoneMatch, body)
			}
		}
	}
}
