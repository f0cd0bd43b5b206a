package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestActionFieldsAsTheDecoderReadsThem: an action's fields are matched
// ignoring case, as encoding/json fills them, so a member the decoder
// would put in a field another action takes is refused too, and one in a
// field the action takes is used, not dropped. A field no action takes is
// named in the same refusal as the ones another action takes.
func TestActionFieldsAsTheDecoderReadsThem(t *testing.T) {
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
		{"cancel", `{"Feedback": "Found help elsewhere", "reason": "duplicate"}`, 422, []string{
			`"field":"reason"`, "reason is not accepted by cancel: it takes only feedback"}},
		{"cancel", `{"Feedback": "Found help elsewhere"}`, 200, []string{`"status":"cancelled"`, `"feedback":"Found help elsewhere"`}},
	} {
		by := referrer // who may cancel
		if c.action == "accept" {
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
