package api_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestRefusedFieldsAreWhereTheyAre: each refused field is named at its
// own JSON pointer (RFC 6901): an unknown member inside "client" or
// "consent" at #/client/… and #/consent/…, not at the root; a body that
// is not an object at the root itself, saying so. And every problem of a
// referral is reported at once: an agency not in the directory does not
// hide the fields core refuses.
func TestRefusedFieldsAreWhereTheyAre(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	with := func(change func(m map[string]any)) string {
		m := newReferral("C-ptr")
		change(m)
		raw, _ := json.Marshal(m)
		return string(raw)
	}
	type issue struct{ field, pointer, says string }
	for i, c := range []struct {
		name, body string
		want       []issue
	}{
		{"unknown member of client", with(func(m map[string]any) { m["client"].(map[string]any)["nhs_number"] = "943 476 5919" }),
			[]issue{{"client.nhs_number", "#/client/nhs_number", "client.nhs_number is not a field"}}},
		{"unknown member of consent", with(func(m map[string]any) { m["consent"].(map[string]any)["signed"] = true }),
			[]issue{{"consent.signed", "#/consent/signed", "consent.signed is not a field"}}},
		{"unknown member at the root", with(func(m map[string]any) { m["colour"] = "blue" }),
			[]issue{{"colour", "#/colour", "colour is not a field"}}},
		{"a member in another case, holding an unknown one", with(func(m map[string]any) {
			m["Client"] = m["client"]
			delete(m, "client")
			m["Client"].(map[string]any)["Extra"] = 1
		}),
			[]issue{{"Client", "#/Client", "Client is not a field of this request; did you mean client?"}}},
		{"an array for the body", `[{"case_id": "C-1"}]`,
			[]issue{{"", "#", "the body must be a JSON object, not an array"}}},
		{"a string for the body", `"refer"`,
			[]issue{{"", "#", "the body must be a JSON object, not a string"}}},
		{"a nested field of the wrong type", with(func(m map[string]any) { m["client"].(map[string]any)["name"] = 7 }),
			[]issue{{"client.name", "#/client/name", "client.name must be a string"}}},
		{"every field of the wrong type at once", with(func(m map[string]any) {
			m["client"].(map[string]any)["name"] = 123
			m["needs"] = []any{1, "debt"}
			m["consent"].(map[string]any)["agencies"] = "kirkton-cab"
		}), []issue{{"client.name", "#/client/name", "client.name must be a string, not the number 123"},
			{"consent.agencies", "#/consent/agencies", "consent.agencies must be an array, not a string"},
			{"needs[0]", "#/needs/0", "needs[0] must be a string, not the number 1"}}},
		{"an unknown agency and other mistakes", with(func(m map[string]any) {
			m["to_agency"] = "nowhere"
			m["needs"] = []string{}
			m["client"].(map[string]any)["postcode"] = "KY1 1"
			delete(m["consent"].(map[string]any), "witnessed_by")
		}), []issue{{"to_agency", "#/to_agency", `no agency "nowhere"`}, {"needs", "#/needs", ""},
			{"client.postcode", "#/client/postcode", ""}, {"consent.witnessed_by", "#/consent/witnessed_by", ""}}},
		{"unknown agencies in the consent too", with(func(m map[string]any) {
			m["to_agency"] = "nowhere"
			m["consent"].(map[string]any)["agencies"] = []string{"kirkton-cab", "elsewhere"}
			m["client"].(map[string]any)["phone"] = ""
		}), []issue{{"to_agency", "#/to_agency", `no agency "nowhere"`}, {"consent.agencies[1]", "#/consent/agencies/1", `no agency "elsewhere"`},
			{"client.phone", "#/client/phone", "phone number or an email"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := countReferrals(t, h)
			r := h.do(t, "POST", "/api/v1/referrals", referrer, c.body, "Idempotency-Key", "ptr-"+strconv.Itoa(i))
			if r.status != 422 {
				t.Fatalf("%d %s, want 422", r.status, r.body)
			}
			var p struct {
				Errors []struct{ Field, Pointer, Detail string } `json:"errors"`
			}
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				found := false
				for _, e := range p.Errors {
					found = found || e.Field == w.field && e.Pointer == w.pointer && strings.Contains(e.Detail, w.says) && !strings.HasPrefix(e.Detail, " ")
				}
				if !found {
					t.Errorf("no error %+v among %s", w, r.body)
				}
			}
			if len(p.Errors) != len(c.want) {
				t.Errorf("%d errors, want %d: %s", len(p.Errors), len(c.want), r.body)
			}
			if countReferrals(t, h) != before {
				t.Fatal("a refused referral was written")
			}
		})
	}
}

// TestMemberNamesAreCaseSensitive: a member named as a field but in
// another case, which encoding/json would quietly take, is refused as an
// unknown one is, at its own pointer (nested too), naming the field
// meant; before a wrong type elsewhere. The same body with the document's
// names is taken.
func TestMemberNamesAreCaseSensitive(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	rename := func(m map[string]any, from, to string) {
		m[to] = m[from]
		delete(m, from)
	}
	for i, c := range []struct {
		name    string
		change  func(m map[string]any)
		status  int
		field   string
		pointer string
		says    string
	}{
		{"the document's names", func(map[string]any) {}, 201, "", "", ""},
		{"a top-level member", func(m map[string]any) { rename(m, "case_id", "Case_ID") },
			422, "Case_ID", "#/Case_ID", "Case_ID is not a field of this request; did you mean case_id? Field names are case-sensitive; see /api/v1/openapi.json"},
		{"a top-level member in capitals", func(m map[string]any) { rename(m, "to_agency", "TO_AGENCY") },
			422, "TO_AGENCY", "#/TO_AGENCY", "did you mean to_agency?"},
		{"a member of client", func(m map[string]any) { rename(m["client"].(map[string]any), "postcode", "Postcode") },
			422, "client.Postcode", "#/client/Postcode", "client.Postcode is not a field of this request; did you mean client.postcode?"},
		{"a member of consent", func(m map[string]any) { rename(m["consent"].(map[string]any), "witnessed_by", "Witnessed_By") },
			422, "consent.Witnessed_By", "#/consent/Witnessed_By", "did you mean consent.witnessed_by?"},
		{"before a wrong type", func(m map[string]any) {
			m["client"].(map[string]any)["name"] = 7
			rename(m, "needs", "Needs")
		}, 422, "Needs", "#/Needs", "did you mean needs?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newReferral("C-case-" + strconv.Itoa(i))
			c.change(m)
			r := h.do(t, "POST", "/api/v1/referrals", referrer, m, "Idempotency-Key", "case-"+strconv.Itoa(i))
			if r.status != c.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, c.status)
			}
			if c.status != 422 {
				return
			}
			var p struct {
				Detail string                                    `json:"detail"`
				Errors []struct{ Field, Pointer, Detail string } `json:"errors"`
			}
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Pointer != c.pointer ||
				!strings.Contains(p.Errors[0].Detail, c.says) || !strings.Contains(p.Detail, c.says) {
				t.Fatalf("%s: want one error on %s at %s saying %q", r.body, c.field, c.pointer, c.says)
			}
		})
	}
	// Every body goes through the one decoder: a webhook's too.
	r := h.do(t, "POST", "/api/v1/webhooks", referrer, `{"URL": "https://casework.example/hooks"}`, "Idempotency-Key", "hook-URL")
	if r.status != 422 || !strings.Contains(string(r.body), `"pointer":"#/URL"`) || !strings.Contains(string(r.body), "did you mean url?") {
		t.Fatalf("webhook with URL: %d %s", r.status, r.body)
	}
}
