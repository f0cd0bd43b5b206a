package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestActionFieldsAreNamedExactly: an action's fields are matched as the
// document names them, case included. A member another action takes is
// refused, even in another case (encoding/json would fill it); one the
// action takes, named in another case, is refused too, saying the name
// meant, rather than used (or dropped). A field no action takes is named
// in the same refusal as the ones another action takes. The right names
// still work.
func TestActionFieldsAreNamedExactly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, "read", "refer"))
	cab := h.token(t, h.partner(t, h.env.Net.CAB, "read", "act"))
	created := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("C-1"), "Idempotency-Key", "create")
	if created.status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	path := "/api/v1/referrals/" + created.json(t)["reference"].(string)

	for _, c := range []struct {
		action, body string
		status       int
		want         []string // in the answer
	}{
		{"accept", `{"OUTCOME": "help-given"}`, 422, []string{`"field":"OUTCOME"`, `"pointer":"#/OUTCOME"`, "OUTCOME is not accepted by accept: it takes no fields"}},
		{"accept", `{"nhs_number": "943 476 5919", "note": "private"}`, 422, []string{
			`"field":"nhs_number"`, `"field":"note"`, "note is not accepted by accept", "nhs_number is not accepted by accept"}},
		{"accept", `{"a/b~c": 1}`, 422, []string{`"pointer":"#/a~1b~0c"`}},
		{"reject", `{"Reason": "out-of-area", "feedback": "We cover Kirkton only"}`, 422, []string{
			`"field":"Reason"`, `"pointer":"#/Reason"`, "Reason is not a field of this request; did you mean reason?"}},
		{"cancel", `{"Feedback": "Found help elsewhere", "reason": "duplicate"}`, 422, []string{
			`"field":"reason"`, "reason is not accepted by cancel: it takes only feedback",
			`"field":"Feedback"`, "Feedback is not a field of this request; did you mean feedback?"}},
		{"reject", `{"reason": "out-of-area", "feedback": "We cover Kirkton only", "reason": "not-eligible"}`, 422, []string{
			`"field":"reason"`, `"pointer":"#/reason"`, "reason is given more than once; give each field once"}},
		{"cancel", `{"FEEDBACK": "Found help elsewhere"}`, 422, []string{
			`"field":"FEEDBACK"`, `"pointer":"#/FEEDBACK"`, "did you mean feedback? Field names are case-sensitive"}},
		{"cancel", `{"feedback": "Found help elsewhere"}`, 200, []string{`"status":"cancelled"`, `"feedback":"Found help elsewhere"`}},
	} {
		by := referrer // who may cancel
		if c.action == "accept" || c.action == "reject" {
			by = cab
		}
		r := h.do(t, "POST", path+"/"+c.action, by, c.body, "Idempotency-Key", c.action+c.body)
		for _, w := range c.want {
			if r.status != c.status || !strings.Contains(string(r.body), w) {
				t.Errorf("%s %s: %d %s, want %d with %s", c.action, c.body, r.status, r.body, c.status, w)
			}
		}
	}
}
