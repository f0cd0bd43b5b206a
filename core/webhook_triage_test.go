package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// A partner system's review: a self-referral a coordinator assigned from
// triage reached the receiving agency's system only as referral.updated,
// so a casework system that opens a case on referral.created never
// opened one. To the agency it is new: its partners hear referral.created;
// a network-wide partner, which heard of it when it was made, hears the
// change as an update.
func TestWebhookCreatedForTheAgencyAssignedFromTriage(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	coord := env.Net.Coordinator.Actor()
	subscribe := func(name string, agency core.AgencyID) core.WebhookSubscriptionID {
		creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: name, AgencyID: agency,
			Scopes: []core.PartnerScope{core.ScopeRead}}, coord)
		if err != nil {
			t.Fatal(err)
		}
		sub, _, err := env.Engine.Subscribe(ctx, creds.Partner.ID, "https://"+name+".example/hooks")
		if err != nil {
			t.Fatal(err)
		}
		return sub.ID
	}
	cab := subscribe("cab-casework", env.Net.CAB)
	network := subscribe("network-reports", 0)

	in := coretest.SelfReferral("webhook-triage")
	in.Crisis, in.CrisisReasons = true, []string{"no food"}
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Referral.InTriage() {
		t.Fatalf("a crisis self-referral should wait in triage: %+v", res.Referral)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionAssign, Actor: coord,
		ExpectedVersion: res.Referral.Version, ToAgency: env.Net.CAB}); err != nil {
		t.Fatal(err)
	}
	events := func(sub core.WebhookSubscriptionID) []string {
		rows, err := env.Pool.Query(ctx, `SELECT payload->'webhook'->>'event' FROM outbox WHERE kind = 'webhook.referral'
			AND (payload->'webhook'->>'subscription_id')::bigint = $1 AND payload->'webhook'->>'reference' = $2 ORDER BY id`,
			int64(sub), res.Referral.Reference)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
		return out
	}
	if got := events(cab); len(got) != 1 || got[0] != core.WebhookReferralCreated {
		t.Errorf("the receiving agency's system heard %q, want referral.created once", got)
	}
	if got := events(network); len(got) != 2 || got[0] != core.WebhookReferralCreated || got[1] != core.WebhookReferralUpdated {
		t.Errorf("the network-wide system heard %q, want created then updated", got)
	}
}
