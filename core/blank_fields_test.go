package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestBlankNameAndWitnessAreMissing (review R2 F2, F3): a client's name,
// who witnessed a partner's consent and a consent's evidence must say
// something, so spaces alone are refused as missing, in the same words as leaving them out,
// from every way a referral comes in (staff, partner system,
// self-referral), and nothing is written.
func TestBlankNameAndWitnessAreMissing(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: n.Housing,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	staff := func(name string) error {
		_, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "staff" + name, By: n.Adviser.Actor(),
			Client: core.ClientDetails{Name: name, Phone: "07700 900124"},
			Needs:  []core.Need{core.NeedDebt}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
		return err
	}
	partner := func(name, witness string) error {
		_, err := env.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: "api:1:" + name + "/" + witness, By: creds.Partner.Actor(),
			Client: core.ClientDetails{Name: name, Phone: "07700 900124", Postcode: "KY1 1AB"},
			Needs:  []core.Need{core.NeedDebt}, ToAgency: n.CAB,
			Consent: core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeAgencies, Agencies: []core.AgencyID{n.CAB}, WitnessedBy: witness}})
		return err
	}
	self := func(name string) error {
		in := coretest.SelfReferral("self" + name)
		in.Client.Name = name
		_, err := env.Engine.SelfRefer(ctx, in)
		return err
	}
	evidence := func(ev string) error {
		in := coretest.SelfReferral("evidence" + ev)
		in.Consent.Evidence = ev
		_, err := env.Engine.SelfRefer(ctx, in)
		return err
	}
	for _, c := range []struct {
		what         string
		missing, blk error
		field        string
	}{
		{"staff: client name", staff(""), staff(" \t "), "client.name"},
		{"partner: client name", partner("", "Isla Moffat"), partner("   ", "Isla Moffat"), "client.name"},
		{"self-referral: name", self(""), self("  "), "client.name"},
		{"partner: witnessed by", partner("Val", ""), partner("Val", "  "), "consent.witnessed_by"},
		{"self-referral: consent evidence", evidence(""), evidence("  "), "consent.consent evidence"},
	} {
		want := fieldsOf(c.missing)[c.field]
		if want == "" {
			t.Fatalf("%s: left out gives %v, want it refused naming %s", c.what, c.missing, c.field)
		}
		if got := fieldsOf(c.blk)[c.field]; got != want {
			t.Errorf("%s: spaces alone give %q (all: %v), want %q as when it is left out", c.what, got, c.blk, want)
		}
	}
	if got := countReferrals(t, env); got != 0 {
		t.Errorf("%d referrals written, want none", got)
	}
}
