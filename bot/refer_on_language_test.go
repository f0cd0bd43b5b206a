package bot

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestReferOnSuggestsForTheClientsLanguage: "Refer this client on", and a
// client found by phone, are matched in the language Onward has for the
// client, as the referral's Redirect panel is: an agency with no help in
// it is named as such, though the form's own language field is blank.
func TestReferOnSuggestsForTheClientsLanguage(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	// A client texted in Polish; no service in the test network helps in it.
	r, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "refer-on-language", By: tb.Net.Adviser.Actor(),
		Client: core.ClientDetails{Name: "Ola Fikcyjna", Phone: "07700 900557", Postcode: "KY1 2BB", Language: "pl"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.Welfare, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	inPolish := func(what, body string) {
		t.Helper()
		if !strings.Contains(body, "no help in Polish") {
			t.Errorf("%s: no agency is named as having no help in Polish:\n%s", what,
				regexp.MustCompile(`(?s)<fieldset[^>]*id="agency".*?</details>`).FindString(body))
		}
	}
	isla := tb.signedIn(tb.Net.WelfareAdviser)
	_, page := isla.get("/staff/refer?from=" + r.Reference)
	inPolish("refer on", page)

	// Found by phone, then the needs chosen: the same language.
	_, page = isla.get("/staff/refer")
	_, found := isla.post("/staff/refer", url.Values{"csrf": {isla.csrf}, "key": {referKeyOf(t, page)},
		"find_phone": {"07700 900557"}, "step": {"find"}})
	hidden := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(found)
		if m == nil {
			t.Fatalf("the page after finding the client has no %s field", name)
		}
		return m[1]
	}
	if hidden("client") == "" {
		t.Fatal("the client was not found")
	}
	_, body := isla.post("/staff/refer", url.Values{"csrf": {isla.csrf}, "key": {hidden("key")}, "client": {hidden("client")},
		"client_district": {hidden("client_district")}, "client_language": {hidden("client_language")},
		"needs": {"debt"}, "step": {"match"}})
	inPolish("found client", body)
}
