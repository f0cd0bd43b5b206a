package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestRefusalsSayWhatIsWrong (review R2 F8): refusals say what is wrong
// in the API's own terms. Another system's webhook subscription is "no
// subscription" (not a referral or agency); text Onward cannot store is
// named at its field and pointer; an outcome that is none says so and
// lists the codes, with the other fields refused beside it; a body of
// null is not an object, as [] is not.
func TestRefusalsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.env.Engine.UseWebhookReceivers(core.LocalReceivers)
	welfare := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	cab := h.token(t, h.partner(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct))
	sub := h.do(t, "POST", "/api/v1/webhooks", welfare, map[string]any{"url": "http://127.0.0.1:9103/events"}, "Idempotency-Key", "w1")
	if sub.status != 201 {
		t.Fatalf("subscribe: %d %s", sub.status, sub.body)
	}
	id := sub.json(t)["id"]
	created := h.do(t, "POST", "/api/v1/referrals", welfare, newReferral("W"), "Idempotency-Key", "w2")
	ref, _ := created.json(t)["reference"].(string)
	h.do(t, "POST", "/api/v1/referrals/"+ref+"/accept", cab, nil, "Idempotency-Key", "w3")
	with := func(change func(m map[string]any)) map[string]any {
		m := newReferral("X")
		change(m)
		return m
	}
	type issue struct{ Field, Pointer, Detail string }
	for _, c := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		detail                    string  // the problem's detail holds
		issues                    []issue // and its errors, in order, hold
	}{
		{"another system's subscription", "DELETE", fmt.Sprintf("/api/v1/webhooks/%v", id), cab, nil, 404,
			"no webhook subscription with that id that this system may see", nil},
		{"resume another system's subscription", "POST", fmt.Sprintf("/api/v1/webhooks/%v/resume", id), cab, nil, 404,
			"no webhook subscription with that id", nil},
		{"NUL in case_id", "POST", "/api/v1/referrals", welfare, with(func(m map[string]any) { m["case_id"] = "CASE\x00-1" }), 400,
			`case_id holds a NUL character`, []issue{{"case_id", "#/case_id", "case_id holds a NUL character"}}},
		{"half a character in a need", "POST", "/api/v1/referrals", welfare, `{"needs": ["debt", "de\udc00bt"], "to_agency": "kirkton-cab"}`, 400,
			"needs[1] holds half of a character", []issue{{"needs[1]", "#/needs/1", "needs[1] holds half"}}},
		{"NUL in a member's name", "POST", "/api/v1/referrals", welfare, `{"client": {"na\u0000me": "A"}}`, 400,
			"client.na", []issue{{"client.na\x00me", "#/client/na%00me", "holds a NUL character"}}},
		{"an outcome that is none", "POST", "/api/v1/referrals/" + ref + "/complete", cab, map[string]any{"outcome": "nope", "advice_type": "type-9"}, 422,
			`"nope" is not an outcome`, []issue{{"outcome", "#/outcome", `"nope" is not an outcome this network records; say how it ended: one of help-given,`},
				{"advice_type", "#/advice_type", "type of advice"}}},
		{"a null body", "POST", "/api/v1/referrals", welfare, `null`, 422,
			"the body must be a JSON object, not null", []issue{{"", "#", "not null"}}},
		{"a null action body", "POST", "/api/v1/referrals/" + ref + "/contacted", cab, ` null `, 422,
			"the body must be a JSON object, not null", nil},
	} {
		r := h.do(t, c.method, c.path, c.token, c.body, "Idempotency-Key", "k-"+c.name)
		var p struct {
			Detail string
			Errors []issue
		}
		if err := json.Unmarshal(r.body, &p); err != nil || r.status != c.status || !strings.Contains(p.Detail, c.detail) {
			t.Errorf("%s: %d %s, want %d saying %q", c.name, r.status, r.body, c.status, c.detail)
			continue
		}
		if c.issues == nil {
			continue
		}
		ok := len(p.Errors) == len(c.issues)
		for i := 0; ok && i < len(c.issues); i++ {
			g, w := p.Errors[i], c.issues[i]
			ok = g.Field == w.Field && g.Pointer == w.Pointer && strings.Contains(g.Detail, w.Detail)
		}
		if !ok {
			t.Errorf("%s: errors %+v, want %+v", c.name, p.Errors, c.issues)
		}
	}
}
