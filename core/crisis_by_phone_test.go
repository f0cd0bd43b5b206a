package core_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// byPhone records a crisis text from phone with no reference, as the SMS
// edge does for one with no referral in its conversation.
func byPhone(t *testing.T, env *coretest.Env, phone core.Phone, sid string, selfHarm, danger bool) core.CrisisAfterEndOutcome {
	t.Helper()
	out, err := env.Engine.RecordCrisisAfterEnd(context.Background(), core.CrisisAfterEnd{Phone: phone,
		SelfHarm: selfHarm, Danger: danger, MessageSID: sid})
	if err != nil {
		t.Fatalf("%s: %v", sid, err)
	}
	return out
}

// TestCrisisByPhoneTellsEveryAgencyWorkingWithTheClient: Morag Baird's
// texted self-referral is with Kirkton, which referred her on to Welfare
// Rights; a second self-referral of hers was redirected to Housing. Her
// conversation has timed out, and she texts words of self-harm from her
// phone, with no reference. The coordinators are told (naming her newest
// open referral), and so are Kirkton, Welfare Rights and Housing, each
// about its own referral, in Slack and by email; every open referral's
// timeline tells it once. Twilio's retry tells nobody again, and the same
// words after the conversation's end within the hour are the same
// alert's, as for a text with a reference.
func TestCrisisByPhoneTellsEveryAgencyWorkingWithTheClient(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	first := referralIn(t, env, core.StatusAccepted, "crisis-phone-first")
	on, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "crisis-phone-on", By: n.Adviser.Actor(), Parent: first.ID,
		Needs: []core.Need{core.NeedBenefits}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	second := referralIn(t, env, core.StatusRequested, "crisis-phone-second")
	if second.ClientID != first.ClientID || on.ClientID != first.ClientID {
		t.Fatalf("clients %d, %d, %d: want one client", first.ClientID, on.ClientID, second.ClientID)
	}
	res := actor(t, env)(core.TransitionRequest{Referral: second.ID, Action: core.ActionRedirect, Actor: n.Adviser.Actor(),
		ToAgency: n.Housing, Feedback: "Housing can help sooner"})
	if res.Child == nil {
		t.Fatal("the redirect made no referral")
	}
	housing := *res.Child
	coretest.MarkOutboxSent(t, env.Pool)

	if got := byPhone(t, env, crisisPhone, "SMbyphone1", true, false); got != core.CrisisAlerted {
		t.Fatalf("the crisis text by phone: %s, want %s", got, core.CrisisAlerted)
	}
	alerts := crisisAlerts(t, env)
	if len(alerts) != 4 {
		t.Fatalf("%d alerts, want the coordinators' and one each for Kirkton, Welfare Rights and Housing: %+v", len(alerts), alerts)
	}
	coord := alerts[0]
	if coord.Payload.Channel != "" || coord.Payload.ReferralID != housing.ID || !strings.Contains(coord.Payload.Text, housing.Reference) {
		t.Errorf("the coordinators' alert %+v: want the triage channel, about her newest open referral %s", coord.Payload, housing.Reference)
	}
	want := map[core.AgencyID]core.Referral{n.CAB: first, n.Welfare: on, n.Housing: housing}
	for _, a := range alerts[1:] {
		r, ok := want[a.Payload.AgencyID]
		if !ok || a.Payload.Channel != core.AlertToAgency || a.Payload.ReferralID != r.ID || !strings.Contains(a.Payload.Text, r.Reference) {
			t.Errorf("agency alert %+v: want one for each agency, about its own referral", a.Payload)
		}
		delete(want, a.Payload.AgencyID)
	}
	for _, a := range alerts {
		for _, pii := range []string{"Morag", "Baird", "07700", "900123", "KY1 1AB", "kill"} {
			if strings.Contains(a.Payload.Text, pii) {
				t.Errorf("alert %q carries %q", a.Payload.Text, pii)
			}
		}
	}
	emails, keys := crisisEmails(t, env)
	for _, ag := range []core.AgencyID{n.CAB, n.Welfare, n.Housing} {
		if p, ok := emails[fmt.Sprintf("mail:crisis-after-end:SMbyphone1:agency:%d", ag)]; !ok || !p.UrgentAlert() || p.CrisisText == nil || !p.CrisisText.SelfHarm {
			t.Errorf("agency %d's email: %+v in %v; want one, urgent, of self-harm", ag, p, keys)
		}
	}
	for _, c := range []struct {
		r      core.Referral
		viewer core.Actor
	}{{first, n.Adviser.Actor()}, {on, n.WelfareAdviser.Actor()}, {housing, n.HousingAdviser.Actor()}} {
		var told int
		for _, en := range timelineOf(t, env, c.r.ID, c.viewer) {
			if en.Kind == core.EventCrisisAfterEnd {
				told++
				if en.CrisisWords != "self-harm" || !en.Alerted {
					t.Errorf("referral %s tells %+v, want self-harm, alerted", c.r.Reference, en)
				}
			}
		}
		if told != 1 {
			t.Errorf("referral %s's timeline tells the text %d times, want once", c.r.Reference, told)
		}
	}

	if got := byPhone(t, env, crisisPhone, "SMbyphone1", true, false); got != core.CrisisReplayed {
		t.Errorf("Twilio's retry: %s, want %s", got, core.CrisisReplayed)
	}
	env.Clock.Advance(10 * time.Minute)
	if got, err := env.Engine.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: first.Reference, Phone: crisisPhone,
		SelfHarm: true, MessageSID: "SMbyref"}); err != nil || got != core.CrisisAlertedBefore {
		t.Errorf("the same words with a reference within the hour: %s, %v; want %s", got, err, core.CrisisAlertedBefore)
	}
	if a := crisisAlerts(t, env); len(a) != 4 {
		t.Errorf("%d alerts after a retry and the same words within the hour, want still 4", len(a))
	}
	if _, keys := crisisEmails(t, env); len(keys) != 3 {
		t.Errorf("emails %v, want still 3", keys)
	}
	// One event on each chain's first open referral (hers with Kirkton,
	// and Housing's), then one on the referral named.
	if got := crisisEvents(t, env, first.ClientID); got != 3 {
		t.Errorf("%d crisis events, want 3", got)
	}
}

// TestCrisisByPhoneAlertsNobodyWithNothingOpen: a phone that is no
// client's, the phone of a client whose referrals have all closed, of one
// who withdrew their consent, of one erased, and of one who has not shown
// it to be theirs for over six months (the number may have been recycled)
// record and alert nothing; each client's phone did while a referral of
// theirs was open and the phone theirs.
func TestCrisisByPhoneAlertsNobodyWithNothingOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	events := func(t *testing.T, env *coretest.Env) int {
		t.Helper()
		var n int
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1`, core.EventCrisisAfterEnd).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// alerted checks that the client's phone alerts staff while a
	// referral of theirs is open, and moves on past the alert's hour.
	alerted := func(t *testing.T, env *coretest.Env, sid string) {
		t.Helper()
		if got := byPhone(t, env, crisisPhone, sid, true, true); got != core.CrisisAlerted {
			t.Fatalf("the client's phone, a referral open: %s, want %s", got, core.CrisisAlerted)
		}
		env.Clock.Advance(2 * core.CrisisAlertWindow)
	}
	quiet := func(t *testing.T, env *coretest.Env, phone core.Phone, want core.CrisisAfterEndOutcome) {
		t.Helper()
		alerts, evs := len(crisisAlerts(t, env)), events(t, env)
		if got := byPhone(t, env, phone, "SMquiet", true, true); got != want {
			t.Errorf("%s, want %s", got, want)
		}
		if a := crisisAlerts(t, env); len(a) != alerts {
			t.Errorf("alerts queued: %+v", a[alerts:])
		}
		if n := events(t, env); n != evs {
			t.Errorf("%d crisis events recorded, want none", n-evs)
		}
	}
	t.Run("no client's", func(t *testing.T) {
		env := coretest.NewEnv(t)
		referralIn(t, env, core.StatusAccepted, "crisis-phone-other")
		alerted(t, env, "SMclients")
		quiet(t, env, "+447700900999", core.CrisisNotTheirs)
	})
	t.Run("all closed", func(t *testing.T) {
		env := coretest.NewEnv(t)
		r := referralIn(t, env, core.StatusAccepted, "crisis-phone-done")
		alerted(t, env, "SMopen")
		actor(t, env)(core.TransitionRequest{Referral: r.ID, Action: core.ActionContact, Actor: env.Net.Adviser.Actor()})
		actor(t, env)(core.TransitionRequest{Referral: r.ID, Action: core.ActionComplete, Actor: env.Net.Adviser.Actor(),
			Outcome: core.OutcomeHelpGiven})
		referralIn(t, env, core.StatusFailed, "crisis-phone-failed")
		quiet(t, env, crisisPhone, core.CrisisNoOpenReferral)
	})
	t.Run("withdrawn", func(t *testing.T) {
		env := coretest.NewEnv(t)
		r := referralIn(t, env, core.StatusAccepted, "crisis-phone-withdrawn")
		alerted(t, env, "SMopen")
		if _, err := env.Engine.WithdrawByReference(ctx, r.Reference, core.ClientActor, "sms", "SMwithdraw"); err != nil {
			t.Fatal(err)
		}
		quiet(t, env, crisisPhone, core.CrisisNoOpenReferral)
	})
	t.Run("erased", func(t *testing.T) {
		env := coretest.NewEnv(t)
		r := referralIn(t, env, core.StatusAccepted, "crisis-phone-erased")
		alerted(t, env, "SMopen")
		if err := env.Engine.EraseClient(ctx, r.ClientID, env.Net.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
			t.Fatal(err)
		}
		quiet(t, env, crisisPhone, core.CrisisNotTheirs)
	})
	t.Run("not shown for seven months", func(t *testing.T) {
		env := coretest.NewEnv(t)
		referralIn(t, env, core.StatusOnHold, "crisis-phone-old")
		alerted(t, env, "SMopen")
		env.Clock.Advance(7 * 30 * 24 * time.Hour)
		quiet(t, env, crisisPhone, core.CrisisNotTheirs)
	})
}
