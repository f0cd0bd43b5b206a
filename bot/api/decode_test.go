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
		{"unknown member in another case", with(func(m map[string]any) {
			m["Client"] = m["client"]
			delete(m, "client")
			m["Client"].(map[string]any)["Extra"] = 1
		}),
			[]issue{{"Client.Extra", "#/Client/Extra", "Client.Extra is not a field"}}},
		{"an array for the body", `[{"case_id": "C-1"}]`,
			[]issue{{"", "#", "the body must be a JSON object, not an array"}}},
		{"a string for the body", `"refer"`,
			[]issue{{"", "#", "the body must be a JSON object, not a string"}}},
		{"a nested field of the wrong type", with(func(m map[string]any) { m["client"].(map[string]any)["name"] = 7 }),
			[]issue{{"client.name", "#/client/name", "client.name must be a string"}}},
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
