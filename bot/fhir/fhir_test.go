package fhir_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/bot/fhir"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// r4 validates resources against HL7's R4 JSON Schema, compiled once.
var r4 struct {
	once     sync.Once
	compiler *jsonschema.Compiler
	err      error
	schemas  sync.Map
	// compiling serialises the compiler, which is not safe for
	// concurrent use (the tests run in parallel).
	compiling sync.Mutex
}

const r4ID = "http://hl7.org/fhir/json-schema/4.0"

// validR4 fails the test unless body is a valid R4 resource of its
// resourceType (and, inside a Bundle, every entry's resource too, since
// the schema follows Bundle.entry.resource).
func validR4(t *testing.T, body []byte) map[string]any {
	t.Helper()
	r4.once.Do(func() {
		f, err := os.Open("testdata/fhir.schema.json")
		if err != nil {
			r4.err = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			r4.err = err
			return
		}
		// The vendored schema was generated before R4's 4.0.1 technical
		// correction added "4.0.1" to the FHIRVersion codes; add it, and
		// nothing else, so a server that says 4.0.1 validates.
		addVersion(doc)
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft6)
		if err := c.AddResource(r4ID, doc); err != nil {
			r4.err = err
			return
		}
		r4.compiler = c
	})
	if r4.err != nil {
		t.Fatalf("load the R4 schema: %v", r4.err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, body)
	}
	typ, _ := m["resourceType"].(string)
	if typ == "" {
		t.Fatalf("no resourceType: %s", body)
	}
	s, ok := r4.schemas.Load(typ)
	if !ok {
		r4.compiling.Lock()
		sch, err := r4.compiler.Compile(r4ID + "#/definitions/" + typ)
		r4.compiling.Unlock()
		if err != nil {
			t.Fatalf("compile R4 %s: %v", typ, err)
		}
		s, _ = r4.schemas.LoadOrStore(typ, sch)
	}
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err := s.(*jsonschema.Schema).Validate(inst); err != nil {
		t.Fatalf("not valid R4 %s: %v\n%s", typ, err, body)
	}
	return m
}

func addVersion(v any) {
	switch x := v.(type) {
	case map[string]any:
		if e, ok := x["enum"].([]any); ok && len(e) > 0 && e[len(e)-1] == "4.0.0" {
			x["enum"] = append(e, "4.0.1")
		}
		for _, c := range x {
			addVersion(c)
		}
	case []any:
		for _, c := range x {
			addVersion(c)
		}
	}
}

type harness struct {
	env *coretest.Env
	srv *httptest.Server
}

// referrals counts every referral in the test's database, so a test can
// tell that a refused request wrote none.
func (h *harness) referrals(t *testing.T) int {
	t.Helper()
	var n int
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM referrals`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	env := coretest.NewEnv(t)
	rdb, prefix := coretest.NewRedis(t)
	a, err := api.New(api.Options{Engine: env.Engine, Redis: rdb, Log: slog.New(slog.DiscardHandler),
		TokenSecret: api.TokenSecret("test-session-secret"), KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux)
	fhir.New(env.Engine, a, slog.New(slog.DiscardHandler), "https://onward.example").Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &harness{env: env, srv: srv}
}

func (h *harness) token(t *testing.T, agency core.AgencyID, scopes ...core.PartnerScope) string {
	t.Helper()
	c, err := h.env.Engine.AddPartner(context.Background(), core.NewPartner{Name: "NHS Kingdom", AgencyID: agency, Scopes: scopes}, h.env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"system/*.read"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.Partner.ClientID, c.Secret)
	if len(scopes) > 1 {
		req, _ = http.NewRequest("POST", h.srv.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.Partner.ClientID, c.Secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

// bundleReferral has Welfare Rights' system send referralBundle to
// Kirkton CAB, and returns both systems' tokens (the referrer's may refer,
// CAB's act) and the Task's path.
func (h *harness) bundleReferral(t *testing.T) (referrer, cab, taskURL string) {
	t.Helper()
	referrer = h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	cab = h.token(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct)
	status, hdr, body := h.do(t, "POST", "/fhir", referrer, referralBundle)
	if status != 200 {
		t.Fatalf("transaction: %d %s", status, body)
	}
	return referrer, cab, strings.TrimPrefix(hdr.Get("Location"), "https://onward.example")
}

func (h *harness) do(t *testing.T, method, path, token, body string, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", fhir.ContentType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// ReferralBundle is a transaction Bundle referring Morag Baird from Fife
// Council Welfare Rights to Kirkton Citizens Advice.
const referralBundle = `{
  "resourceType": "Bundle", "type": "transaction",
  "identifier": {"system": "urn:nhs-kingdom:referral", "value": "NHSF-77"},
  "entry": [
    {"fullUrl": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000001", "request": {"method": "POST", "url": "Task"},
     "resource": {"resourceType": "Task", "status": "requested", "intent": "order",
       "identifier": [{"system": "urn:onward:partner-case-id", "value": "NHSF-77"}],
       "code": {"coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]},
       "focus": {"reference": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000002"},
       "for": {"reference": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000003"},
       "owner": {"reference": "Organization/kirkton-cab"}}},
    {"fullUrl": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000002", "request": {"method": "POST", "url": "ServiceRequest"},
     "resource": {"resourceType": "ServiceRequest", "status": "active", "intent": "order",
       "category": [{"coding": [{"system": "urn:onward:need", "code": "debt"}]}],
       "subject": {"reference": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000003"},
       "note": [{"text": "Rent arrears letter"}]}},
    {"fullUrl": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000003", "request": {"method": "POST", "url": "Patient"},
     "resource": {"resourceType": "Patient", "name": [{"given": ["Morag"], "family": "Baird"}],
       "telecom": [{"system": "phone", "value": "07700 900123"}], "address": [{"postalCode": "KY1 1AB"}]}},
    {"fullUrl": "urn:uuid:6f1c2d0e-0000-4000-8000-000000000004", "request": {"method": "POST", "url": "Consent"},
     "resource": {"resourceType": "Consent", "status": "active",
       "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
       "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
       "policy": [{"uri": "urn:onward:consent-wording:v1"}],
       "verification": [{"verified": true, "verifiedWith": {"display": "Isla Moffat, welfare rights officer"}}],
       "provision": {"type": "permit", "actor": [{"role": {"coding": [{"code": "IRCP"}]}, "reference": {"reference": "Organization/kirkton-cab"}}]}}}
  ]
}`

func TestFHIRReadsSearchesAndCreatesValidR4(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	cab := h.token(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct)
	housing := h.token(t, h.env.Net.Housing, core.ScopeRead)

	status, _, body := h.do(t, "GET", "/fhir/metadata", "", "")
	if status != 200 || validR4(t, body)["fhirVersion"] != "4.0.1" {
		t.Fatalf("metadata: %d %s", status, body)
	}

	status, hdr, body := h.do(t, "POST", "/fhir", referrer, referralBundle)
	if status != 200 {
		t.Fatalf("transaction: %d %s", status, body)
	}
	resp := validR4(t, body)
	if resp["type"] != "transaction-response" || len(resp["entry"].([]any)) != 4 {
		t.Fatalf("transaction response %s", body)
	}
	// Every location the transaction answers is one the referrer can read.
	for _, e := range resp["entry"].([]any) {
		loc := e.(map[string]any)["response"].(map[string]any)["location"].(string)
		if status, _, body := h.do(t, "GET", "/fhir/"+loc, referrer, ""); status != 200 {
			t.Errorf("the transaction's location %s: %d %s", loc, status, body)
		}
	}
	taskURL := strings.TrimPrefix(hdr.Get("Location"), "https://onward.example")
	ref := strings.TrimPrefix(taskURL, "/fhir/Task/")
	// A retry of the same Bundle refers no one twice.
	if status, _, again := h.do(t, "POST", "/fhir", referrer, referralBundle); status != 200 || !bytes.Equal(again, body) {
		t.Fatalf("retry: %d %s", status, again)
	}

	status, _, body = h.do(t, "GET", taskURL, cab, "")
	task := validR4(t, body)
	if status != 200 || task["status"] != "requested" || task["owner"].(map[string]any)["reference"] != "Organization/kirkton-cab" {
		t.Fatalf("task: %d %s", status, body)
	}
	patientRef := task["for"].(map[string]any)["reference"].(string)

	for _, path := range []string{
		"/fhir/ServiceRequest/" + ref,
		"/fhir/Task?owner=Organization/kirkton-cab&status=requested&_include=Task:focus",
		"/fhir/Task?_id=" + ref + "&_lastUpdated=ge2020-01-01",
		"/fhir/Task?patient=" + patientRef + "&requester=Organization/kc-welfare-rights",
		"/fhir/ServiceRequest?patient=" + patientRef + "&status=active&category=debt",
		"/fhir/" + patientRef,
		"/fhir/Organization/kirkton-cab", "/fhir/Organization", "/fhir/HealthcareService",
	} {
		status, _, body := h.do(t, "GET", path, cab, "")
		if status != 200 {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		m := validR4(t, body)
		if m["resourceType"] == "Bundle" && len(m["entry"].([]any)) == 0 {
			t.Fatalf("%s found nothing", path)
		}
		if strings.Contains(path, "_include") && len(m["entry"].([]any)) != 2 {
			t.Fatalf("_include=Task:focus: %s", body)
		}
		// A Task found by search carries the partner's case id, as a
		// Task read does.
		if strings.HasPrefix(path, "/fhir/Task?") {
			for _, e := range m["entry"].([]any) {
				res := e.(map[string]any)["resource"].(map[string]any)
				if res["resourceType"] == "Task" && !strings.Contains(fmt.Sprint(res["identifier"]), "NHSF-77") {
					t.Fatalf("%s: Task without the partner's case id: %v", path, res["identifier"])
				}
			}
		}
	}
	consentRef := ""
	status, _, body = h.do(t, "GET", "/fhir/ServiceRequest/"+ref, cab, "")
	sr := validR4(t, body)
	for _, s := range sr["supportingInfo"].([]any) {
		consentRef = s.(map[string]any)["reference"].(string)
	}
	// SDOHCC-ServiceRequest, which it claims, binds code (required) to
	// US Core Procedure Codes: SNOMED CT's Patient referral, the words
	// beside it.
	code, _ := json.Marshal(sr["code"])
	if !strings.Contains(fmt.Sprint(sr["meta"]), "SDOHCC-ServiceRequest") ||
		!strings.Contains(string(code), `{"code":"3457005","display":"Patient referral","system":"http://snomed.info/sct"}`) ||
		!strings.Contains(string(code), `"text":"Help with `) {
		t.Errorf("ServiceRequest.code %s (meta %v): want SNOMED CT 3457005 Patient referral and the needs in words", code, sr["meta"])
	}
	status, _, body = h.do(t, "GET", "/fhir/"+consentRef, cab, "")
	if status != 200 || validR4(t, body)["status"] != "active" {
		t.Fatalf("consent: %d %s", status, body)
	}
	// Consent is searched by id or by patient, with the result
	// parameters a FHIR client adds; a partner that may not see the
	// referral finds nothing, and a search naming neither is refused.
	consentID := strings.TrimPrefix(consentRef, "Consent/")
	for path, want := range map[string]int{
		"/fhir/Consent?patient=" + patientRef + "&_format=json":                 1,
		"/fhir/Consent?_id=" + consentID + "&_count=1":                          1,
		"/fhir/Consent?_id=" + consentID + ",consent-999&patient=" + patientRef: 1,
		"/fhir/Consent?_id=consent-999&patient=" + patientRef:                   0,
	} {
		status, _, body := h.do(t, "GET", path, cab, "")
		if status != 200 {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		entries := validR4(t, body)["entry"].([]any)
		if len(entries) != want {
			t.Fatalf("%s found %d, want %d: %s", path, len(entries), want, body)
		}
		if want == 1 && entries[0].(map[string]any)["resource"].(map[string]any)["id"] != consentID {
			t.Fatalf("%s found %s, want %s", path, body, consentID)
		}
	}
	// Housing Options was never given this Patient id (each system sees
	// its own, patientid.go), so its search is refused and finds nothing.
	if status, _, body := h.do(t, "GET", "/fhir/Consent?patient="+patientRef, housing, ""); status != 400 || strings.Contains(string(body), consentID) {
		t.Fatalf("Housing Options searched the client's consents: %d %s", status, body)
	}
	for path, param := range map[string]string{"/fhir/Consent": "patient", "/fhir/Consent?status=active": "status",
		"/fhir/Consent?patient=Patient/nobody": "patient", "/fhir/Consent?_id=" + consentID + "&_count=0": "_count"} {
		if status, _, body := h.do(t, "GET", path, cab, ""); status != 400 || validR4(t, body)["resourceType"] != "OperationOutcome" || !strings.Contains(string(body), param) {
			t.Fatalf("%s: %d %s, want 400 naming %s", path, status, body, param)
		}
	}
	status, _, body = h.do(t, "GET", "/fhir/HealthcareService/service-1", cab, "")
	if status != 200 {
		t.Fatalf("healthcare service: %d %s", status, body)
	}
	validR4(t, body)

	// The referrer sees the Patient while the referral is open, as its
	// staff would (core's one rule); Housing Options, on neither side,
	// sees neither the Task nor the Patient.
	_, _, body = h.do(t, "GET", taskURL, referrer, "")
	referrersPatient := validR4(t, body)["for"].(map[string]any)["reference"].(string)
	if status, _, body := h.do(t, "GET", "/fhir/"+referrersPatient, referrer, ""); status != 200 {
		t.Fatalf("the referrer's system could not read the patient of its open referral: %d %s", status, body)
	}
	if status, _, body := h.do(t, "GET", "/fhir/"+patientRef, housing, ""); status != 404 || validR4(t, body)["resourceType"] != "OperationOutcome" {
		t.Fatalf("another agency read the patient: %d %s", status, body)
	}
	if status, _, body := h.do(t, "GET", taskURL, housing, ""); status != 404 {
		t.Fatalf("another agency read the task: %d %s", status, body)
	}

	// The receiving side accepts by updating Task.status; a stale
	// If-Match is refused saying who changed it.
	task["status"] = "accepted"
	raw, _ := json.Marshal(task)
	status, hdr, body = h.do(t, "PUT", taskURL, cab, string(raw), "If-Match", `W/"1"`)
	if status != 200 || validR4(t, body)["status"] != "accepted" || hdr.Get("ETag") != `W/"2"` {
		t.Fatalf("accept by update: %d %s", status, body)
	}
	task["status"] = "in-progress"
	raw, _ = json.Marshal(task)
	if status, _, body := h.do(t, "PUT", taskURL, cab, string(raw), "If-Match", `W/"1"`); status != 412 || validR4(t, body)["resourceType"] != "OperationOutcome" {
		t.Fatalf("stale If-Match: %d %s", status, body)
	}

	// Completing by update carries the outcome, advice type and topic and
	// the financial gain in Task.output; a negative gain is refused.
	if status, _, body := h.do(t, "PUT", taskURL, cab, string(raw)); status != 200 {
		t.Fatalf("in progress by update: %d %s", status, body)
	}
	output := func(weekly string) []any {
		return []any{
			map[string]any{"type": map[string]any{"text": "Outcome"}, "valueCodeableConcept": map[string]any{"coding": []any{map[string]any{"system": fhir.SystemOutcome, "code": "help-given"}}}},
			map[string]any{"type": map[string]any{"text": "Advice type"}, "valueCodeableConcept": map[string]any{"coding": []any{map[string]any{"system": fhir.SystemAdviceType, "code": "type-2"}}}},
			map[string]any{"type": map[string]any{"text": "Advice topic"}, "valueCodeableConcept": map[string]any{"coding": []any{map[string]any{"system": fhir.SystemAdviceTopic, "code": "benefits"}}}},
			map[string]any{"type": map[string]any{"coding": []any{map[string]any{"system": fhir.SystemGain, "code": "gain_weekly_income"}}}, "valueMoney": map[string]any{"value": json.Number(weekly), "currency": "GBP"}},
		}
	}
	task["status"], task["output"] = "completed", output("-3.50")
	raw, _ = json.Marshal(task)
	if status, _, body := h.do(t, "PUT", taskURL, cab, string(raw)); status != 422 || !strings.Contains(string(body), "Weekly income gained cannot be negative") {
		t.Fatalf("negative gain by update: %d %s", status, body)
	}
	task["output"] = output("42.50")
	raw, _ = json.Marshal(task)
	status, _, body = h.do(t, "PUT", taskURL, cab, string(raw))
	if status != 200 {
		t.Fatalf("complete by update: %d %s", status, body)
	}
	done := validR4(t, body)
	js, _ := json.Marshal(done["output"])
	for _, want := range []string{`"code":"type-2"`, `"code":"benefits"`, `"valueMoney":{"currency":"GBP","value":42.5}`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("completed Task.output lacks %s: %s", want, js)
		}
	}
}

func TestFHIRRefusesInvalidInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	count := func() int { return h.referrals(t) }
	cases := []struct {
		name, body string
		status     int
	}{
		{"unknown element", strings.Replace(referralBundle, `"intent": "order",`, `"intent": "order", "colour": "blue",`, 1), 400},
		{"wrong type", strings.Replace(referralBundle, `"status": "requested"`, `"status": 7`, 1), 400},
		{"not a transaction", strings.Replace(referralBundle, `"type": "transaction"`, `"type": "collection"`, 1), 400},
		{"malformed", `{"resourceType": "Bundle",`, 400},
		{"NUL in a string", strings.Replace(referralBundle, `"intent": "order",`, `"intent": "order", "note": [{"text": "a\u0000b"}],`, 1), 400},
		{"not UTF-8", strings.Replace(referralBundle, `"Morag"`, "\"Mor\xffag\"", 1), 400},
		{"half a character", strings.Replace(referralBundle, `"Morag"`, `"Mo\ud800rag"`, 1), 400},
		{"agency outside consent", strings.Replace(referralBundle, `"owner": {"reference": "Organization/kirkton-cab"}`, `"owner": {"reference": "Organization/housing-options"}`, 1), 422},
		{"no need", strings.Replace(referralBundle, `"code": "debt"`, `"code": "astrology"`, 1), 422},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := count()
			status, _, body := h.do(t, "POST", "/fhir", referrer, strings.Replace(c.body, "NHSF-77", "NHSF-"+c.name, 1))
			if status != c.status || validR4(t, body)["resourceType"] != "OperationOutcome" {
				t.Fatalf("%d %s, want %d and an OperationOutcome", status, body, c.status)
			}
			if count() != before {
				t.Fatal("a refused Bundle wrote a referral")
			}
		})
	}
	if status, _, body := h.do(t, "GET", "/fhir/Task", "expired-or-forged", ""); status != 401 || validR4(t, body)["resourceType"] != "OperationOutcome" {
		t.Fatalf("bad token: %d %s", status, body)
	}
}

// TestFHIRUpdateTaskChecksIfMatchFirst: PUT /fhir/Task/{id} checks
// If-Match before anything else: a version the Task was never at (0) or
// one it has moved on from is refused with 412 and changes nothing, even
// when the Task already has the status asked for. A body that is not
// UTF-8 is refused as it is.
func TestFHIRUpdateTaskChecksIfMatchFirst(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, cab, taskURL := h.bundleReferral(t)
	_, _, body := h.do(t, "GET", taskURL, cab, "")
	task := validR4(t, body)
	put := func(status string, headers ...string) (int, http.Header, []byte) {
		t.Helper()
		task["status"] = status
		raw, _ := json.Marshal(task)
		return h.do(t, "PUT", taskURL, cab, string(raw), headers...)
	}
	if status, hdr, body := put("accepted", "If-Match", `W/"1"`); status != 200 || hdr.Get("ETag") != `W/"2"` {
		t.Fatalf("accept: %d %s", status, body)
	}
	cases := []struct {
		name, status, ifMatch string
		want                  int
	}{
		{"stale, status it has", "accepted", `W/"1"`, 412},
		{"version 0, status it has", "accepted", `W/"0"`, 412},
		{"version 0", "in-progress", `W/"0"`, 412},
		{"version 00", "in-progress", `"00"`, 412},
		{"stale", "in-progress", `W/"1"`, 412},
		{"not an entity tag", "in-progress", `2`, 400},
		{"current, status it has", "accepted", `W/"2"`, 200},
		{"any version, status it has", "accepted", `*`, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, hdr, body := put(c.status, "If-Match", c.ifMatch)
			if status != c.want || validR4(t, body)["resourceType"] == "Task" && hdr.Get("ETag") != `W/"2"` {
				t.Fatalf("If-Match %s, status %s: %d %s, want %d", c.ifMatch, c.status, status, body, c.want)
			}
			if status != 200 && validR4(t, body)["resourceType"] != "OperationOutcome" {
				t.Fatalf("refusal is not an OperationOutcome: %s", body)
			}
			if _, _, now := h.do(t, "GET", taskURL, cab, ""); validR4(t, now)["status"] != "accepted" {
				t.Fatalf("the Task moved to %v", validR4(t, now)["status"])
			}
		})
	}
	task["status"] = "in-progress"
	raw, _ := json.Marshal(task)
	notUTF8 := strings.Replace(string(raw), `"status":"in-progress"`, "\"status\":\"in-progress\",\"note\":[{\"text\":\"Mor\xffag\"}]", 1)
	if status, _, body := h.do(t, "PUT", taskURL, cab, notUTF8); status != 400 || !strings.Contains(string(body), "UTF-8") {
		t.Fatalf("not UTF-8: %d %s, want 400 saying so", status, body)
	}
	if _, _, now := h.do(t, "GET", taskURL, cab, ""); validR4(t, now)["status"] != "accepted" {
		t.Fatalf("a body that is not UTF-8 moved the Task to %v", validR4(t, now)["status"])
	}
}

// TestFHIRSearchFiltersBeforePaging: requester, ServiceRequest status and
// category narrow the search itself, so a page of _count entries holds
// that many matches, not a page of every referral with the others taken
// out (which left the first pages empty while the matches were further
// on).
func TestFHIRSearchFiltersBeforePaging(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	housing := h.token(t, h.env.Net.Housing, core.ScopeRead, core.ScopeRefer)
	welfare := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	cab := h.token(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct)

	// Housing Options refers first, for housing; then Welfare Rights,
	// for debt. Pages run oldest change first, so Housing's is first.
	housingBundle := strings.Replace(referralBundle, `"code": "debt"`, `"code": "housing"`, 1)
	if status, _, body := h.do(t, "POST", "/fhir", housing, housingBundle); status != 200 {
		t.Fatalf("housing's transaction: %d %s", status, body)
	}
	if status, _, body := h.do(t, "POST", "/fhir", welfare, referralBundle); status != 200 {
		t.Fatalf("welfare's transaction: %d %s", status, body)
	}

	search := func(path string) []map[string]any {
		t.Helper()
		status, _, body := h.do(t, "GET", path, cab, "")
		if status != 200 {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		var out []map[string]any
		for _, e := range validR4(t, body)["entry"].([]any) {
			out = append(out, e.(map[string]any)["resource"].(map[string]any))
		}
		return out
	}
	reference := func(r map[string]any, field string) string {
		v, _ := r[field].(map[string]any)
		s, _ := v["reference"].(string)
		return s
	}
	category := func(r map[string]any) string {
		cats, _ := r["category"].([]any)
		if len(cats) == 0 {
			return ""
		}
		coding := cats[0].(map[string]any)["coding"].([]any)
		return coding[0].(map[string]any)["code"].(string)
	}

	got := search("/fhir/Task?requester=Organization/kc-welfare-rights&_count=1")
	if len(got) != 1 || reference(got[0], "requester") != "Organization/kc-welfare-rights" {
		t.Fatalf("Task?requester=…&_count=1 gave %v, want Welfare Rights' referral", got)
	}
	got = search("/fhir/ServiceRequest?category=debt&_count=1")
	if len(got) != 1 || category(got[0]) != "debt" {
		t.Fatalf("ServiceRequest?category=debt&_count=1 gave %v, want the debt referral", got)
	}
	got = search("/fhir/ServiceRequest?category=urn:onward:need|housing&status=active&_count=1")
	if len(got) != 1 || category(got[0]) != "housing" {
		t.Fatalf("ServiceRequest?category=…|housing&status=active gave %v, want the housing referral", got)
	}
	if got = search("/fhir/ServiceRequest?status=revoked"); len(got) != 0 {
		t.Fatalf("ServiceRequest?status=revoked found %d, want none", len(got))
	}
	if got = search("/fhir/ServiceRequest?status=active,completed"); len(got) != 2 {
		t.Fatalf("ServiceRequest?status=active,completed found %d, want both", len(got))
	}
	got = search("/fhir/ServiceRequest?requester=Organization/kc-welfare-rights&_count=1")
	if len(got) != 1 || reference(got[0], "requester") != "Organization/kc-welfare-rights" {
		t.Fatalf("ServiceRequest?requester=…&_count=1 gave %v, want Welfare Rights' referral", got)
	}

	// A parameter the resource does not have is refused, not ignored; the
	// CapabilityStatement lists exactly what each accepts.
	for path, param := range map[string]string{
		"/fhir/Task?category=debt":                      "category",
		"/fhir/ServiceRequest?focus=ServiceRequest/1":   "focus",
		"/fhir/ServiceRequest?_include=Task:focus":      "_include",
		"/fhir/Organization?address=KY1":                "address",
		"/fhir/HealthcareService?service-category=debt": "service-category",
		"/fhir/Task?_sort=-_id":                         "_sort",
	} {
		status, _, body := h.do(t, "GET", path, cab, "")
		if status != 400 || validR4(t, body)["resourceType"] != "OperationOutcome" || !strings.Contains(string(body), param) {
			t.Errorf("%s: %d %s, want 400 naming %s", path, status, body, param)
		}
	}
	// Organization and HealthcareService search the directory by id,
	// name (a word of it starting with the value) and organization.
	ids := func(path string) []string {
		t.Helper()
		var out []string
		for _, r := range search(path) {
			out = append(out, r["id"].(string))
		}
		slices.Sort(out)
		return out
	}
	// pagedIDs follows a search's next links from path, pages of at most
	// per entries, and returns the ids in the order the pages gave them.
	pagedIDs := func(path string, per int) []string {
		t.Helper()
		var out []string
		for pages := 0; path != ""; pages++ {
			if pages > 100 {
				t.Fatalf("more than 100 pages, at %s", path)
			}
			status, _, body := h.do(t, "GET", path, cab, "")
			if status != 200 {
				t.Fatalf("%s: %d %s", path, status, body)
			}
			b := validR4(t, body)
			entries := b["entry"].([]any)
			if len(entries) > per {
				t.Fatalf("%s gave %d entries, want at most %d", path, len(entries), per)
			}
			for _, e := range entries {
				out = append(out, e.(map[string]any)["resource"].(map[string]any)["id"].(string))
			}
			path = ""
			for _, l := range b["link"].([]any) {
				if l := l.(map[string]any); l["relation"] == "next" {
					path = strings.TrimPrefix(l["url"].(string), "https://onward.example")
				}
			}
		}
		return out
	}
	for path, want := range map[string][]string{
		"/fhir/Organization?name=kirk":                                               {"kirkton-cab"},
		"/fhir/Organization?name=Kingdom%20Food":                                     {"kingdom-food-bank"},
		"/fhir/Organization?_id=housing-options,kirkton-cab&_format=json":            {"housing-options", "kirkton-cab"},
		"/fhir/Organization?name=nobody":                                             nil,
		"/fhir/HealthcareService?organization=Organization/kc-welfare-rights":        {"service-2"},
		"/fhir/HealthcareService?name=housing":                                       {"service-3"},
		"/fhir/HealthcareService?organization=kirkton-cab,housing-options&name=debt": {"service-1"},
	} {
		if got := ids(path); !slices.Equal(got, want) {
			t.Errorf("%s found %v, want %v", path, got, want)
		}
	}
	// The directory searches page with _count, following the next link.
	all := ids("/fhir/Organization")
	paged := pagedIDs("/fhir/Organization?_count=2", 2)
	slices.Sort(paged)
	if len(all) < 3 || !slices.Equal(paged, all) {
		t.Errorf("Organization pages of 2 gave %v, want every organization %v", paged, all)
	}
	if status, _, body := h.do(t, "GET", "/fhir/HealthcareService?_cursor=x", cab, ""); status != 400 || !strings.Contains(string(body), "_cursor") {
		t.Errorf("a cursor Onward never gave: %d %s", status, body)
	}

	// _sort=_lastUpdated names the order the referral searches run in:
	// taken, and the same results as without it.
	for _, path := range []string{"/fhir/Task?requester=Organization/kc-welfare-rights", "/fhir/ServiceRequest"} {
		var want, got []string
		for _, r := range search(path) {
			want = append(want, r["id"].(string))
		}
		for _, r := range search(path + map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "_sort=_lastUpdated") {
			got = append(got, r["id"].(string))
		}
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s with _sort=_lastUpdated found %v, without it %v", path, got, want)
		}
	}
	// _sort=-_lastUpdated runs the same search newest change first, a
	// page at a time, each next link keeping the order.
	var oldestFirst []string
	for _, r := range search("/fhir/ServiceRequest") {
		oldestFirst = append(oldestFirst, r["id"].(string))
	}
	newestFirst := pagedIDs("/fhir/ServiceRequest?_sort=-_lastUpdated&_count=1", 1)
	slices.Reverse(newestFirst)
	if len(oldestFirst) < 2 || !slices.Equal(newestFirst, oldestFirst) {
		t.Errorf("ServiceRequest?_sort=-_lastUpdated pages of 1, reversed, gave %v; oldest first is %v", newestFirst, oldestFirst)
	}
	for _, path := range []string{"/fhir/ServiceRequest?_sort=status", "/fhir/Task?_sort=_lastUpdated&_sort=_id", "/fhir/Organization?_sort=_lastUpdated", "/fhir/Organization?_sort=-_lastUpdated"} {
		if status, _, body := h.do(t, "GET", path, cab, ""); status != 400 || !strings.Contains(string(body), "_sort") {
			t.Errorf("%s: %d %s, want 400 naming _sort", path, status, body)
		}
	}

	// A client that asks for lenient handling has what Onward does not
	// support ignored, and the self link shows the search that was run.
	status, _, body := h.do(t, "GET", "/fhir/Task?_sort=status&requester=Organization/kc-welfare-rights", cab, "",
		"Prefer", "return=representation, handling=lenient")
	if status != 200 {
		t.Fatalf("lenient search: %d %s", status, body)
	}
	bundle := validR4(t, body)
	self := bundle["link"].([]any)[0].(map[string]any)["url"].(string)
	if strings.Contains(self, "_sort") || !strings.Contains(self, "requester=") || len(bundle["entry"].([]any)) != 1 {
		t.Errorf("lenient search: self link %s, %d entries; want requester kept, _sort dropped, one entry", self, len(bundle["entry"].([]any)))
	}

	_, _, body = h.do(t, "GET", "/fhir/metadata", "", "")
	listed := map[string][]string{}
	for _, res := range validR4(t, body)["rest"].([]any)[0].(map[string]any)["resource"].([]any) {
		res := res.(map[string]any)
		params, _ := res["searchParam"].([]any)
		for _, p := range params {
			listed[res["type"].(string)] = append(listed[res["type"].(string)], p.(map[string]any)["name"].(string))
		}
	}
	for typ, want := range map[string][]string{
		"Task":              {"_id", "_lastUpdated", "owner", "requester", "patient", "subject", "status", "focus", "identifier", "code", "intent"},
		"ServiceRequest":    {"_id", "_lastUpdated", "requester", "patient", "subject", "status", "category", "identifier", "intent"},
		"Consent":           {"_id", "patient"},
		"Organization":      {"_id", "name"},
		"HealthcareService": {"_id", "organization", "name"},
	} {
		if !slices.Equal(listed[typ], want) {
			t.Errorf("metadata lists %s search parameters %v, want %v", typ, listed[typ], want)
		}
	}
}

// TestFHIRFindsEveryConsentOfAClientReferredManyTimes: a client's
// consents, their record and a Consent read are found across every page
// of the client's referrals, not only the first (here a page is one
// referral, so the client's three referrals take three pages).
func TestFHIRFindsEveryConsentOfAClientReferredManyTimes(t *testing.T) {
	// Not in parallel: it changes the package's page size,
	// which the package's other tests read.
	h := newHarness(t)
	defer fhir.SetClientReferralsPage(1)()
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	cab := h.token(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct)
	var consents, patients []string
	for _, caseID := range []string{"NHSF-77", "NHSF-78", "NHSF-79"} {
		bundle := strings.ReplaceAll(referralBundle, "NHSF-77", caseID)
		status, hdr, body := h.do(t, "POST", "/fhir", referrer, bundle)
		if status != 200 {
			t.Fatalf("transaction %s: %d %s", caseID, status, body)
		}
		ref := strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/Task/")
		_, _, body = h.do(t, "GET", "/fhir/ServiceRequest/"+ref, cab, "")
		sr := validR4(t, body)
		for _, s := range sr["supportingInfo"].([]any) {
			consents = append(consents, strings.TrimPrefix(s.(map[string]any)["reference"].(string), "Consent/"))
		}
		patients = append(patients, sr["subject"].(map[string]any)["reference"].(string))
	}
	if len(consents) != 3 || patients[0] != patients[1] || patients[1] != patients[2] {
		t.Fatalf("want three referrals of one client, each with its consent: consents %v, patients %v", consents, patients)
	}
	for _, id := range consents {
		if status, _, body := h.do(t, "GET", "/fhir/Consent/"+id, cab, ""); status != 200 {
			t.Errorf("Consent/%s: %d %s", id, status, body)
		}
	}
	var found []string
	_, _, body := h.do(t, "GET", "/fhir/Consent?patient="+patients[0], cab, "")
	for _, e := range validR4(t, body)["entry"].([]any) {
		found = append(found, e.(map[string]any)["resource"].(map[string]any)["id"].(string))
	}
	want := slices.Compact(slices.Sorted(slices.Values(consents)))
	if slices.Sort(found); !slices.Equal(found, want) {
		t.Errorf("Consent?patient found %v, want %v", found, want)
	}
	if status, _, body := h.do(t, "GET", "/fhir/"+patients[0], cab, ""); status != 200 {
		t.Errorf("%s: %d %s", patients[0], status, body)
	}
}

// TestFHIRMethods: an interaction Onward does not support on a resource
// it serves is a 405 OperationOutcome with Allow naming what it does
// support (FHIR's RESTful API answers an unsupported interaction so); a
// resource type it does not serve stays a 404.
func TestFHIRMethods(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer, core.ScopeAct)
	cases := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"DELETE", "/fhir/ServiceRequest", 405, "GET, HEAD"},
		{"DELETE", "/fhir/Task/ONW-ABCDEFG", 405, "GET, HEAD, PUT"},
		{"POST", "/fhir/Task", 405, "GET, HEAD"},
		{"PUT", "/fhir/metadata", 405, "GET, HEAD"},
		{"GET", "/fhir", 405, "POST"},
		{"GET", "/fhir/Observation", 404, ""},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			status, header, body := h.do(t, c.method, c.path, tok, "")
			if status != c.status || validR4(t, body)["resourceType"] != "OperationOutcome" {
				t.Fatalf("%d %s, want %d and an OperationOutcome", status, body, c.status)
			}
			if got := header.Get("Allow"); got != c.allow {
				t.Fatalf("Allow %q, want %q", got, c.allow)
			}
		})
	}
}

// TestFHIRRefusalsNameTheElement: a referral Bundle core refuses gets an
// OperationOutcome whose expression is the FHIRPath of the element to
// fix, in the resource the partner sent, and whose diagnostics name the
// field once (core's partner consent named "consent.consent.witnessed_by").
func TestFHIRRefusalsNameTheElement(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	for _, c := range []struct {
		name, from, to, expression, diagnostics string
	}{
		{"no witness", `"verification": [{"verified": true, "verifiedWith": {"display": "Isla Moffat, welfare rights officer"}}],`, `"verification": [{"verified": true}],`,
			"Consent.verification.verifiedWith", "consent.witnessed_by is a required field"},
		{"a witness of spaces", `"verifiedWith": {"display": "Isla Moffat, welfare rights officer"}`, `"verifiedWith": {"display": "  "}`,
			"Consent.verification.verifiedWith", "consent.witnessed_by is a required field"},
		{"a name of spaces", `"name": [{"given": ["Morag"], "family": "Baird"}]`, `"name": [{"text": "   "}]`, "Patient.name", "client.name is a required field"},
		{"a postcode that is not one", `"postalCode": "KY1 1AB"`, `"postalCode": "KY1 1"`, "Patient.address.postalCode", "client.postcode: "},
		{"no way to get in touch", `"telecom": [{"system": "phone", "value": "07700 900123"}], `, ``, "Patient.telecom", "client.phone: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			bundle := strings.Replace(strings.Replace(referralBundle, c.from, c.to, 1), "NHSF-77", "NHSF-"+c.name, 1)
			if bundle == referralBundle {
				t.Fatal("the case changed nothing in the Bundle")
			}
			status, _, body := h.do(t, "POST", "/fhir", referrer, bundle)
			oo := validR4(t, body)
			if status != http.StatusUnprocessableEntity || oo["resourceType"] != "OperationOutcome" {
				t.Fatalf("%d %s, want 422 and an OperationOutcome", status, body)
			}
			found := false
			for _, is := range oo["issue"].([]any) {
				issue := is.(map[string]any)
				exprs, _ := issue["expression"].([]any)
				diag, _ := issue["diagnostics"].(string)
				if len(exprs) == 1 && exprs[0] == c.expression && strings.HasPrefix(diag, c.diagnostics) {
					found = true
				}
			}
			if !found {
				t.Fatalf("issues %s, want one with expression %q and diagnostics starting %q", body, c.expression, c.diagnostics)
			}
		})
	}
}

// TestFHIRTransactionKeyReusedWithAnotherBundle: a Bundle sent again with
// the same Bundle.identifier (or Idempotency-Key) but other content is
// not the same request, and is not answered with the first referral: it
// is a 409 OperationOutcome (code conflict), as the JSON API answers the
// same key with another body, and writes nothing. The same Bundle again
// still gets the first answer.
func TestFHIRTransactionKeyReusedWithAnotherBundle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	count := func() int { return h.referrals(t) }
	housing := strings.Replace(referralBundle, `"code": "debt"`, `"code": "housing"`, 1)
	// Its own case id: a case has one referral open at once.
	noIdentifier := strings.ReplaceAll(strings.Replace(referralBundle, `"identifier": {"system": "urn:nhs-kingdom:referral", "value": "NHSF-77"},`, ``, 1),
		"NHSF-77", "NHSF-77-key")
	for _, c := range []struct {
		name          string
		first, second string
		headers       []string
	}{
		{"Bundle.identifier", referralBundle, housing, nil},
		{"Idempotency-Key", noIdentifier, strings.Replace(noIdentifier, `"code": "debt"`, `"code": "housing"`, 1), []string{"Idempotency-Key", "nhs-77-try"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, first := h.do(t, "POST", "/fhir", referrer, c.first, c.headers...)
			if status != 200 {
				t.Fatalf("first: %d %s", status, first)
			}
			before := count()
			status, _, body := h.do(t, "POST", "/fhir", referrer, c.second, c.headers...)
			oo := validR4(t, body)
			issue, _ := oo["issue"].([]any)
			if status != http.StatusConflict || oo["resourceType"] != "OperationOutcome" || len(issue) != 1 ||
				issue[0].(map[string]any)["code"] != "conflict" {
				t.Fatalf("the same key with another Bundle: %d %s, want 409 and an OperationOutcome with code conflict", status, body)
			}
			if count() != before {
				t.Fatal("the refused Bundle wrote a referral")
			}
			if status, hdr, again := h.do(t, "POST", "/fhir", referrer, c.first, c.headers...); status != 200 || !bytes.Equal(again, first) || hdr.Get("Location") == "" {
				t.Fatalf("the first Bundle again: %d %s, want its first answer", status, again)
			}
		})
	}
	// A refused Bundle made nothing: corrected, it is taken under the
	// same identifier, the partner's own id for the referral.
	refused := strings.Replace(strings.ReplaceAll(referralBundle, "NHSF-77", "NHSF-78"), `"code": "debt"`, `"code": "astrology"`, 1)
	if status, _, body := h.do(t, "POST", "/fhir", referrer, refused); status != 422 {
		t.Fatalf("a Bundle with no need Onward knows: %d %s, want 422", status, body)
	}
	if status, _, body := h.do(t, "POST", "/fhir", referrer, strings.Replace(refused, "astrology", "housing", 1)); status != 200 {
		t.Fatalf("the corrected Bundle under the same identifier: %d %s, want 200", status, body)
	}
}

// TestFHIRUpdateTaskDoesWhatItSays: a PUT of a Task is answered 200 only
// when the Task ends as the body says. Elements the receiving side cannot
// change (owner, for, focus, requester, intent, identifier, code,
// authoredOn) that differ from the Task's are refused with 422 naming the
// element, even when the status is the one the Task has; an on-hold Task
// goes back to the status it was held from (requested or accepted), and a
// PUT asking for another status is refused saying how, not answered 200
// with a status it did not ask for.
func TestFHIRUpdateTaskDoesWhatItSays(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, cab, taskURL := h.bundleReferral(t)
	read := func() map[string]any {
		t.Helper()
		_, _, body := h.do(t, "GET", taskURL, cab, "")
		return validR4(t, body)
	}
	put := func(task map[string]any) (int, map[string]any) {
		t.Helper()
		raw, _ := json.Marshal(task)
		status, _, body := h.do(t, "PUT", taskURL, cab, string(raw))
		return status, validR4(t, body)
	}
	expressions := func(oo map[string]any) []string {
		var out []string
		for _, is := range oo["issue"].([]any) {
			for _, e := range is.(map[string]any)["expression"].([]any) {
				out = append(out, e.(string))
			}
		}
		return out
	}
	stored := read()
	version := stored["meta"].(map[string]any)["versionId"]
	for _, c := range []struct {
		element string
		value   any
	}{
		{"owner", map[string]any{"reference": "Organization/housing-options"}},
		{"for", map[string]any{"reference": "Patient/client-999"}},
		{"focus", map[string]any{"reference": "ServiceRequest/ONW-2345678"}},
		{"requester", map[string]any{"reference": "Organization/kirkton-cab"}},
		{"intent", "plan"},
		{"identifier", []any{map[string]any{"system": fhir.SystemCaseID, "value": "ANOTHER-CASE"}}},
		{"code", map[string]any{"coding": []any{map[string]any{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "abort"}}}},
		{"authoredOn", "2020-01-01T00:00:00Z"},
	} {
		for _, status := range []string{"requested", "accepted"} {
			t.Run(c.element+" "+status, func(t *testing.T) {
				task := read()
				task[c.element], task["status"] = c.value, status
				got, oo := put(task)
				if got != http.StatusUnprocessableEntity || oo["resourceType"] != "OperationOutcome" || !slices.Equal(expressions(oo), []string{"Task." + c.element}) {
					t.Fatalf("Task.%s changed, status %s: %d %v, want 422 naming Task.%s", c.element, status, got, oo, c.element)
				}
				if now := read(); now["status"] != "requested" || now["meta"].(map[string]any)["versionId"] != version {
					t.Fatalf("the refused PUT changed the Task: %v", now)
				}
			})
		}
	}
	// What the Task already says, written another way, is no change: a
	// reference with a display, an absolute one, or an element left out.
	task := read()
	task["owner"] = map[string]any{"reference": "https://onward.example/fhir/Organization/kirkton-cab", "display": "Kirkton CAB"}
	delete(task, "for")
	delete(task, "identifier")
	if got, res := put(task); got != 200 || res["status"] != "requested" {
		t.Fatalf("the Task as it is: %d %v", got, res)
	}

	// On hold from requested: "accepted" does not take it off hold into
	// requested under a 200; "requested" does.
	task = read()
	task["status"] = "on-hold"
	if got, res := put(task); got != 200 || res["status"] != "on-hold" {
		t.Fatalf("hold: %d %v", got, res)
	}
	task["status"] = "accepted"
	got, oo := put(task)
	if got != http.StatusConflict || oo["resourceType"] != "OperationOutcome" || !strings.Contains(fmt.Sprint(oo), `requested`) {
		t.Fatalf("accept an on-hold Task held from requested: %d %v, want 409 saying to put it back to requested first", got, oo)
	}
	if now := read(); now["status"] != "on-hold" {
		t.Fatalf("the refused PUT moved the Task to %v", now["status"])
	}
	task["status"] = "requested"
	if got, res := put(task); got != 200 || res["status"] != "requested" {
		t.Fatalf("off hold: %d %v, want 200 and requested", got, res)
	}
	// On hold from accepted: back to accepted, and only so.
	for _, step := range []struct {
		status string
		want   int
	}{{"accepted", 200}, {"on-hold", 200}, {"in-progress", 409}, {"requested", 409}, {"accepted", 200}, {"in-progress", 200}} {
		task["status"] = step.status
		got, res := put(task)
		if got != step.want || got == 200 && res["status"] != step.status {
			t.Fatalf("PUT %s: %d %v, want %d", step.status, got, res, step.want)
		}
	}
}

// TestFHIROutcomesNameWhatIsWrong: each issue of an OperationOutcome
// names, as FHIRPath in the resource the partner sent, the element that
// is wrong, and says only what is wrong with it: a need Onward does not
// know is ServiceRequest.category (core names it needs[0]); an element
// Onward does not take inside Task.output is Task.output.valueString, not
// Task.valueString; a Patient PUT as a Task is wrong in its resourceType;
// a Task with a status R4 does not have but an intent is told about its
// status alone, and one without an intent about that alone.
func TestFHIROutcomesNameWhatIsWrong(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer, cab, taskURL := h.bundleReferral(t)
	_, _, body := h.do(t, "GET", taskURL, cab, "")
	task := validR4(t, body)
	taskWith := func(change func(map[string]any)) string {
		m := map[string]any{}
		for k, v := range task {
			m[k] = v
		}
		change(m)
		raw, _ := json.Marshal(m)
		return string(raw)
	}
	bundle := func(id, from, to string) string {
		return strings.Replace(strings.Replace(referralBundle, from, to, 1), "NHSF-77", id, 1)
	}
	type issue struct{ expression, says, notSays string }
	for _, c := range []struct {
		name, method, body string
		status             int
		want               []issue
	}{
		{"a need Onward does not know", "POST", bundle("NHSF-n", `"code": "debt"`, `"code": "astrology"`), 422,
			[]issue{{"ServiceRequest.category", "must be one of", ""}}},
		{"an unknown element inside Task.output", "PUT", taskWith(func(m map[string]any) {
			m["status"] = "accepted"
			m["output"] = []any{map[string]any{"type": map[string]any{"text": "Outcome"}, "valueCodeableConcept": map[string]any{}, "valueString": "done"}}
		}), 400, []issue{{"Task.output.valueString", "Task.output.valueString is not an element", ""}}},
		{"an unknown element inside the Bundle's Patient", "POST", bundle("NHSF-p", `"name": [{"given": ["Morag"]`, `"name": [{"nickname": "Mo", "given": ["Morag"]`), 400,
			[]issue{{"Patient.name.nickname", "Patient.name.nickname is not an element", ""}}},
		{"an element named in another case", "PUT", taskWith(func(m map[string]any) {
			m["Status"] = m["status"]
			delete(m, "status")
		}), 400, []issue{{"Task.Status", "did you mean Task.status?", ""}}},
		{"an element inside the Bundle's Patient named in another case", "POST", bundle("NHSF-c", `"name": [{"given": ["Morag"]`, `"name": [{"Given": ["Morag"]`), 400,
			[]issue{{"Patient.name.Given", "did you mean Patient.name.given?", ""}}},
		{"an element given twice inside the Bundle's Patient", "POST", bundle("NHSF-d", `"name": [{"given": ["Morag"]`, `"name": [{"given": ["Morag"], "given": ["Mhairi"]`), 400,
			[]issue{{"Patient.name.given", "Patient.name.given is given more than once", ""}}},
		{"a Patient put as a Task", "PUT", `{"resourceType": "Patient", "id": "` + task["id"].(string) + `", "name": [{"text": "Morag Baird"}]}`, 400,
			[]issue{{"Task.resourceType", `it is "Patient"`, ""}}},
		{"a status R4 does not have", "PUT", taskWith(func(m map[string]any) { m["status"] = "done" }), 400,
			[]issue{{"Task.status", "R4's task statuses", "intent"}}},
		{"no intent", "PUT", taskWith(func(m map[string]any) { delete(m, "intent") }), 400,
			[]issue{{"Task.intent", "Task.intent is required", "status"}}},
		{"neither", "PUT", taskWith(func(m map[string]any) { m["status"] = "done"; delete(m, "intent") }), 400,
			[]issue{{"Task.status", "R4's task statuses", "intent"}, {"Task.intent", "Task.intent is required", "status"}}},
		{"a new referral's Task with another status", "POST", bundle("NHSF-s", `"status": "requested", "intent": "order"`, `"status": "draft", "intent": "order"`), 422,
			[]issue{{"Task.status", "status requested", "intent"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, tok := taskURL, cab
			if c.method == "POST" {
				path, tok = "/fhir", referrer
			}
			status, _, body := h.do(t, c.method, path, tok, c.body)
			oo := validR4(t, body)
			issues, _ := oo["issue"].([]any)
			if status != c.status || oo["resourceType"] != "OperationOutcome" || len(issues) != len(c.want) {
				t.Fatalf("%d %s, want %d and an OperationOutcome of %d issues", status, body, c.status, len(c.want))
			}
			for i, w := range c.want {
				is := issues[i].(map[string]any)
				exprs, _ := is["expression"].([]any)
				diag, _ := is["diagnostics"].(string)
				if len(exprs) != 1 || exprs[0] != w.expression || !strings.Contains(diag, w.says) || w.notSays != "" && strings.Contains(diag, w.notSays) {
					t.Errorf("issue %d: %v, want expression %s saying %q (and not %q)", i, is, w.expression, w.says, w.notSays)
				}
			}
		})
	}
}
