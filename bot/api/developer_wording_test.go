package api_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestNewReferralRefusalsSpeakToADeveloper: every way a new referral's
// fields can be refused is said in a developer's words: the field as the
// request names it, lists as "a, b or c" (not Go's [a b c]), and none of
// the web form's "you" or "your", in the problem's errors and its detail.
func TestNewReferralRefusalsSpeakToADeveloper(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	welfare := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	client := func(k string, v any) func(m map[string]any) {
		return func(m map[string]any) { m["client"].(map[string]any)[k] = v }
	}
	consent := func(k string, v any) func(m map[string]any) {
		return func(m map[string]any) { m["consent"].(map[string]any)[k] = v }
	}
	formWords := regexp.MustCompile(`(?i)\byou\b|\byour\b|\[[^\]]* [^\]]*\]`)
	for _, c := range []struct {
		change func(m map[string]any)
		field  string
		detail string
	}{
		{client("name", ""), "client.name", "client.name is a required field"},
		{client("name", "Morag\x01"), "client.name", "client.name must not contain control characters"},
		{client("name", strings.Repeat("M", 201)), "client.name", "client.name must be a maximum of 200 characters in length"},
		{client("phone", "12"), "client.phone", "client.phone: enter a phone number, like 07700 900123"},
		{client("email", "morag"), "client.email", "client.email must be a valid email address"},
		{client("postcode", "zz"), "client.postcode", "client.postcode: enter a full UK postcode, like KY1 1AB"},
		{func(m map[string]any) { client("postcode", "")(m); client("district", "zz")(m) }, "client.district", "client.district: enter the first part of a UK postcode, like KY1"},
		{client("town", strings.Repeat("K", 101)), "client.town", "client.town must be a maximum of 100 characters in length"},
		{client("notes", strings.Repeat("n", 4001)), "client.notes", "client.notes must be a maximum of 4,000 characters in length"},
		{client("preferred_contact", "fax"), "client.preferred_contact", "client.preferred_contact must be one of text, call or email"},
		{client("contact_time", "noon"), "client.contact_time", "client.contact_time: give one of morning, afternoon, evening or any, or leave it out"},
		{client("language", "qq"), "client.language", "client.language: give the code of a language Onward writes to clients in, one of en, pl, uk, ar, ur or gd, or leave it out"},
		{client("interpreter_language", "!!"), "client.interpreter_language", `client.interpreter_language: give a language code such as "ro" or "ti", or leave it out`},
		{func(m map[string]any) { client("phone", "")(m) }, "client.phone", "give a phone number or an email address so an adviser can get in touch"},
		{func(m map[string]any) { m["needs"] = []string{} }, "needs", "needs must contain at least 1 item"},
		{func(m map[string]any) { m["needs"] = []string{"cake"} }, "needs[0]", "needs[0] must be one of debt, benefits, income-maximisation, housing, employability, health, education, food, fuel, family or other"},
		{func(m map[string]any) { m["to_agency"] = "nowhere" }, "to_agency", `no agency "nowhere" in the directory; GET /api/v1/agencies lists them`},
		{consent("scope", "everyone"), "consent.scope", "consent.scope must be one of network or agencies"},
		{consent("wording_version", ""), "consent.wording_version", "consent.wording_version is a required field"},
		{consent("witnessed_by", ""), "consent.witnessed_by", "consent.witnessed_by is a required field"},
	} {
		body := newReferral("DW")
		c.change(body)
		r := h.do(t, "POST", "/api/v1/referrals", welfare, body, "Idempotency-Key", "dw-"+c.field+c.detail[:min(len(c.detail), 40)])
		var p struct {
			Detail string
			Errors []struct{ Field, Detail string }
		}
		_ = json.Unmarshal(r.body, &p)
		if r.status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Detail != c.detail {
			t.Errorf("%s: %d %s\nwant 422 with one error at %s: %q", c.field, r.status, r.body, c.field, c.detail)
			continue
		}
		if formWords.MatchString(p.Detail) || formWords.MatchString(p.Errors[0].Detail) {
			t.Errorf("%s: %q speaks as the client form does, or prints a Go list", c.field, p.Detail)
		}
	}
}
