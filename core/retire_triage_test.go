package core_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestRetiringTellsCoordinatorsOnceOfTriage: retiring a busy agency sends
// the referrals it had not accepted back to triage in one go, and the
// coordinators hear of them in ONE alert (Slack's triage channel, and by
// email as they chose) saying how many and which, by reference, the
// crisis marked, with what the agency keeps; not in one arrival email a
// referral. Each still has its triage card, a crisis its own call, and
// its reminder at the triage target. A referral reaching triage any other
// way is emailed of on its own, as before.
func TestRetiringTellsCoordinatorsOnceOfTriage(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	var waiting []core.Referral
	for i := range 3 {
		in := coretest.SelfReferral(fmt.Sprintf("retire-busy-%d", i))
		in.Client.Phone = fmt.Sprintf("07700 90050%d", i)
		res, err := env.Engine.SelfRefer(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Agency == nil || res.Agency.ID != n.CAB {
			t.Fatalf("self-referral %d went to %v, want the CAB", i, res.Agency)
		}
		waiting = append(waiting, res.Referral)
	}
	crisis := coretest.SelfReferral("retire-busy-crisis")
	crisis.Crisis, crisis.Client.Phone = true, "07700 900509"
	cr, err := env.Engine.SelfRefer(ctx, crisis)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: cr.Referral.ID, Action: core.ActionAssign,
		Actor: n.Coordinator.Actor(), ToAgency: n.CAB}); err != nil {
		t.Fatal(err)
	}
	waiting = append(waiting, cr.Referral)
	kept := referralIn(t, env, core.StatusAccepted, "retire-busy-kept")
	coretest.MarkOutboxSent(t, env.Pool)

	if err := env.Engine.RetireAgency(ctx, n.CAB, n.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	children := map[core.ReferralID]core.Referral{}
	for _, w := range waiting {
		var id core.ReferralID
		if err := env.Pool.QueryRow(ctx, `SELECT id FROM referrals WHERE parent_id = $1 AND to_agency_id IS NULL AND status = 'requested'`,
			w.ID).Scan(&id); err != nil {
			t.Fatalf("%s did not go back to triage: %v", w.Reference, err)
		}
		c, err := env.Engine.Referral(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		children[id] = c
	}

	var alerts []core.OutboxEntry
	arrivals, told, cards, reminders, crisisMail := 0, 0, 0, 0, 0
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		mail := e.Kind == core.OutboxEmail && e.Payload.Email == core.EmailAlert
		about := children[e.Payload.ReferralID].ID != 0
		switch {
		case e.Kind == core.OutboxAlert && e.SentAt == nil:
			alerts = append(alerts, e)
		case mail && e.Payload.Level == core.AlertTriageWaiting && e.SentAt == nil:
			arrivals++
		case mail && e.Payload.Level == core.AlertTriageWaiting && about:
			if e.DeliveryStatus == "skipped: told in one alert as Kirkton Citizens Advice left the network" {
				told++
			}
		case mail && e.Payload.Level == core.AlertTriageOverdue && e.SentAt == nil && about:
			reminders++
		case e.Kind == core.OutboxCard && e.Payload.Channel == "triage" && e.SentAt == nil && about:
			cards++
		case e.Kind == core.OutboxEmail && e.Payload.Email == core.EmailCrisis && e.SentAt == nil && about:
			crisisMail++
		}
	}
	if arrivals != 0 || told != 3 {
		t.Errorf("%d arrival emails to send and %d told in the alert, want none to send and the 3 routine ones told", arrivals, told)
	}
	if cards != 4 || reminders != 4 || crisisMail != 1 {
		t.Errorf("%d triage cards, %d reminders at the triage target and %d crisis emails, want 4, 4 and 1", cards, reminders, crisisMail)
	}
	if len(alerts) != 1 {
		t.Fatalf("%d alerts for one retirement, want one: %+v", len(alerts), alerts)
	}
	a := alerts[0]
	if a.Payload.Level != core.AlertRetiredHeld || a.Payload.AgencyID != n.CAB {
		t.Errorf("alert level %q agency %d, want %q for the CAB", a.Payload.Level, a.Payload.AgencyID, core.AlertRetiredHeld)
	}
	want := []string{"Kirkton Citizens Advice has left the network: 4 referrals went back to triage.",
		"Choose an agency for each from the triage queue", "It also keeps 1 open referral", kept.Reference}
	for _, c := range children {
		if c.Crisis {
			want = append(want, c.Reference+" (crisis)")
		} else {
			want = append(want, c.Reference)
		}
	}
	for _, s := range want {
		if !strings.Contains(a.Payload.Text, s) {
			t.Errorf("the alert lacks %q: %s", s, a.Payload.Text)
		}
	}
	for _, pii := range []string{"Morag", "Baird", "07700", "KY1 1AB", "Rent arrears"} {
		if strings.Contains(a.Payload.Text, pii) {
			t.Errorf("the alert carries the client's %q: %s", pii, a.Payload.Text)
		}
	}

	// A referral reaching triage any other way: its own email, as before.
	coretest.MarkOutboxSent(t, env.Pool)
	alone := coretest.SelfReferral("triage-alone")
	alone.Needs, alone.Client.Postcode, alone.Client.Phone = []core.Need{core.NeedFood}, "KY16 9AJ", "07700 900519"
	res, err := env.Engine.SelfRefer(ctx, alone)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Referral.InTriage() {
		t.Fatalf("the self-referral went to %v, want triage", res.Agency)
	}
	arrivals = 0
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		if e.Kind == core.OutboxEmail && e.Payload.Email == core.EmailAlert && e.Payload.Level == core.AlertTriageWaiting &&
			e.SentAt == nil && e.Payload.ReferralID == res.Referral.ID {
			arrivals++
		}
	}
	if arrivals != 1 {
		t.Errorf("a referral arriving in triage on its own: %d arrival emails, want 1", arrivals)
	}
}
