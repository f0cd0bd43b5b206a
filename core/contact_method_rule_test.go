package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestEmailAsTheWayInNeedsAnAddress: a new client who asks to be
// contacted by email and gives no email address is refused by every way
// of referring them, on the email field, and nothing is written; with an
// address, or another way of contact, the same details are taken.
func TestEmailAsTheWayInNeedsAnAddress(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: n.Housing,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	byEmail := core.ClientDetails{Name: "Ann Notes", Phone: "07700 900321", Postcode: "KY1 2AB", PreferredContact: "email"}
	_, staffErr := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "email-no-address", By: n.Adviser.Actor(), Client: byEmail,
		Needs: []core.Need{core.NeedDebt}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion,
		Scope: core.ScopeNetwork})
	_, partnerErr := env.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: "api:1:email-no-address", By: creds.Partner.Actor(),
		Client: byEmail, Needs: []core.Need{core.NeedDebt}, ToAgency: n.CAB,
		Consent: core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat"}})
	self := coretest.SelfReferral("email-no-address")
	self.Source, self.Consent.Channel, self.PhoneProven = core.SourceWeb, core.ChannelWeb, false
	self.Client.PreferredContact, self.Client.Email = "email", ""
	_, selfErr := env.Engine.SelfRefer(ctx, self)
	const want = "give an email address to be contacted by email, or choose another way to be contacted"
	for what, err := range map[string]error{"adviser": staffErr, "partner": partnerErr, "self-referral": selfErr} {
		if got := fieldsOf(err)["client.email address"]; got != want {
			t.Errorf("%s: refusal of the email field %q (all: %v), want %q", what, got, err, want)
		}
	}
	if got := countReferrals(t, env); got != 0 {
		t.Fatalf("%d referrals written, want none", got)
	}

	withAddress := byEmail
	withAddress.Email = "ann@example.org"
	staffRefer(t, env, "email-with-address", withAddress)
	byText := byEmail
	byText.PreferredContact = "text"
	staffRefer(t, env, "text-no-address", byText)
	if got := core.ContactProblems(core.ClientDetails{Phone: "07700 900321", PreferredContact: "call"}); got != nil {
		t.Errorf("a call with a phone: %v, want no problem", got)
	}
}
