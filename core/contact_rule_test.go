package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestEveryNewClientNeedsAWayIn: a new client with no phone and no email
// is refused by every way of referring them (an adviser's, a partner
// system's, a self-referral), in the same words, and nothing is written;
// an email alone will do. An adviser referring on a client Onward has
// types nothing: the stored details are used.
func TestEveryNewClientNeedsAWayIn(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: n.Housing,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	nameOnly := core.ClientDetails{Name: "Ann Notes", Postcode: "KY1 2AB"}
	_, staffErr := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "no-way-in", By: n.Adviser.Actor(), Client: nameOnly,
		Needs: []core.Need{core.NeedDebt}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion,
		Scope: core.ScopeNetwork})
	_, partnerErr := env.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: "api:1:no-way-in", By: creds.Partner.Actor(),
		Client: nameOnly, Needs: []core.Need{core.NeedDebt}, ToAgency: n.CAB,
		Consent: core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat"}})
	self := coretest.SelfReferral("no-way-in")
	self.Client.Phone, self.Client.Email = "", ""
	_, selfErr := env.Engine.SelfRefer(ctx, self)
	const want = "give a phone number or an email address so an adviser can get in touch"
	for what, err := range map[string]error{"adviser": staffErr, "partner": partnerErr, "self-referral": selfErr} {
		if got := fieldsOf(err)["client.phone number"]; got != want {
			t.Errorf("%s: refusal of the phone field %q (all: %v), want %q", what, got, err, want)
		}
	}
	if got := countReferrals(t, env); got != 0 {
		t.Fatalf("%d referrals written, want none", got)
	}

	emailOnly := nameOnly
	emailOnly.Email = "ann@example.org"
	first := staffRefer(t, env, "email-only", emailOnly)
	// Referred on from that referral: no details typed, none needed.
	if _, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "refer-on", By: n.WelfareAdviser.Actor(),
		Parent: first.ID, Needs: []core.Need{core.NeedDebt}, ToAgency: n.CAB, ConsentConfirmed: true,
		WordingVersion: n.ConsentVersion}); err != nil {
		t.Errorf("refer on with the stored details: %v", err)
	}
}
