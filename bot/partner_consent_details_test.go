package bot

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestPartnerConsentOnDetails: the client details page of a partner
// system's referral says when and how the client agreed, who recorded it
// there and who confirmed it with them, "not given" for what the partner
// left out.
func TestPartnerConsentOnDetails(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	p, err := tb.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: tb.Net.Welfare,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	agreed := tb.Clock.Now().Add(-25 * time.Minute)
	r, err := tb.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: "api:details", By: p.Partner.Actor(),
		Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123", Postcode: "KY1 1AB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB,
		Consent: core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat",
			GivenAt: &agreed, How: core.ConsentInWriting}})
	if err != nil {
		t.Fatal(err)
	}
	c := tb.signedIn(tb.Net.Adviser)
	resp, body := c.post("/staff/referrals/"+r.Reference+"/details", url.Values{"csrf": {c.csrf}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("details: %d", resp.StatusCode)
	}
	for _, want := range []string{"<dt>When the client agreed</dt><dd>09:35 on 23 November 2026</dd>", "<dt>How they agreed</dt><dd>in writing</dd>",
		"<dt>Recorded there by</dt><dd>not given</dd>", "<dt>Confirmed with the client by</dt><dd>Isla Moffat</dd>"} {
		if !strings.Contains(body, want) {
			t.Fatalf("the details page lacks %s:\n%s", want, body)
		}
	}
}
