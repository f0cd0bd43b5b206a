package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestClientTextsStillDue: every client status text held back goes only
// while what it says is still true, one line per text and state of the
// referral it is about.
func TestClientTextsStillDue(t *testing.T) {
	t.Parallel()
	const agency core.AgencyID = 1
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	with := func(s core.Status, contacted bool) core.Referral {
		a := agency
		r := core.Referral{Status: s, ToAgencyID: &a, Version: 3}
		if contacted {
			r.ContactedAt = &at
		}
		return r
	}
	text := func(tmpl string) core.OutboxPayload { return core.OutboxPayload{Template: tmpl, Version: 3} }
	const (
		notContacted = "client contacted or referral moved on"
		closed       = "referral closed since"
	)
	cases := []struct {
		tmpl string
		r    core.Referral
		why  string // "" when due
	}{
		{core.SMSAccepted, with(core.StatusAccepted, false), ""},
		{core.SMSAccepted, with(core.StatusInProgress, true), notContacted},
		{core.SMSAccepted, with(core.StatusOnHold, false), notContacted},
		{core.SMSAccepted, with(core.StatusCompleted, true), notContacted},
		{core.SMSAccepted, with(core.StatusFailed, false), notContacted},
		{core.SMSAccepted, with(core.StatusCancelled, false), notContacted},
		{core.SMSConfirmation, with(core.StatusRequested, false), ""},
		{core.SMSConfirmation, with(core.StatusAccepted, false), ""},
		{core.SMSConfirmation, with(core.StatusRejected, false), closed},
		{core.SMSConfirmation, with(core.StatusCancelled, false), closed},
		{core.SMSRedirected, with(core.StatusRequested, false), ""},
		{core.SMSRedirected, with(core.StatusOnHold, false), ""},
		{core.SMSRedirected, with(core.StatusInProgress, true), ""},
		{core.SMSRedirected, with(core.StatusFailed, false), closed},
		{core.SMSRedirected, with(core.StatusCancelled, false), closed},
		{core.SMSRerouted, with(core.StatusRequested, false), ""},
		{core.SMSRerouted, with(core.StatusCompleted, true), closed},
		{core.SMSRerouted, with(core.StatusRejected, false), closed},
		{core.SMSCouldNotContact, with(core.StatusFailed, false), ""},
		{core.SMSCancelled, with(core.StatusCancelled, false), ""},
		{core.SMSConsentRemoved, with(core.StatusCancelled, false), ""},
	}
	for _, tc := range cases {
		due, why := tc.r.StillDue(core.OutboxClientSMS, text(tc.tmpl))
		if due != (tc.why == "") || why != tc.why {
			t.Errorf("%s text, referral %s: due %v (%q), want due %v (%q)", tc.tmpl, tc.r.Status, due, why, tc.why == "", tc.why)
		}
	}
}

// TestClientTextsStopAtWithdrawal: once the client's consent is
// withdrawn, no held text about their referral goes but the ones that
// announce the end themselves (the withdrawal's confirmation, a
// cancellation); once erased, none says so.
func TestClientTextsStopAtWithdrawal(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusCompleted, "due-withdrawn")
	feedback := core.OutboxPayload{Template: core.SMSFeedbackAsk, Version: r.Version}
	if due, why, err := env.Engine.ClientTextDue(ctx, r, feedback); err != nil || !due {
		t.Fatalf("feedback request before the withdrawal: due %v (%q), %v", due, why, err)
	}
	if _, err := env.Engine.WithdrawByReference(ctx, r.Reference, core.ClientActor, "sms", "SMdue1"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p   core.OutboxPayload
		why string
	}{
		{feedback, "client withdrew consent"},
		{core.OutboxPayload{Template: core.SMSConsentRemoved, Version: r.Version}, ""},
		{core.OutboxPayload{Template: core.SMSCancelled, Version: r.Version}, ""},
	} {
		due, why, err := env.Engine.ClientTextDue(ctx, r, tc.p)
		if err != nil || due != (tc.why == "") || why != tc.why {
			t.Errorf("%s after the withdrawal: due %v (%q), %v; want why %q", tc.p.Template, due, why, err, tc.why)
		}
	}
}

// TestCouldNotContactTellsTheClient: a referral closed as could not
// contact queues the client's text saying so.
func TestCouldNotContactTellsTheClient(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusFailed, "failed-told")
	var k int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE referral_id = $1 AND kind = $2 AND payload->>'template' = $3`,
		r.ID, core.OutboxClientSMS, core.SMSCouldNotContact).Scan(&k); err != nil {
		t.Fatal(err)
	}
	if k != 1 {
		t.Errorf("%d could-not-contact texts queued, want 1", k)
	}
}

// TestCoordinatorCannotRedirectIntoOwnAgency: a coordinator may act on any
// agency's referral, but not move one another agency holds into their own
// agency, where they would see the client's details the triage rule keeps
// from them. The refusal is in plain words and audited. Redirecting it
// elsewhere, and assigning from triage to their own agency, still work.
func TestCoordinatorCannotRedirectIntoOwnAgency(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	coord := n.Coordinator.Actor()
	r := referralIn(t, env, core.StatusRequested, "coord-redirect") // with CAB
	_, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: coord,
		ExpectedVersion: r.Version, ToAgency: n.Team})
	var forbidden *core.ForbiddenError
	if !errors.As(err, &forbidden) || forbidden.Why == "" {
		t.Fatalf("redirect into the coordinator's own agency: %v, want refused", err)
	}
	if got := countEvents(t, env, core.EventAccessDenied, r.ID); got != 1 {
		t.Errorf("%d refusals audited, want 1", got)
	}
	if got, err := env.Engine.Referral(ctx, r.ID); err != nil || got.Status != core.StatusRequested || got.Version != r.Version {
		t.Errorf("the refused redirect changed the referral: %+v %v", got, err)
	}
	if ok, _, err := env.Engine.MayDiscloseClient(ctx, r, coord); err != nil || ok {
		t.Errorf("the coordinator may see the details of a referral an agency holds: %v %v", ok, err)
	}

	// Elsewhere is fine.
	res, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: coord,
		ExpectedVersion: r.Version, ToAgency: n.Housing})
	if err != nil || res.Child == nil || *res.Child.ToAgencyID != n.Housing {
		t.Fatalf("redirect elsewhere: %+v %v", res, err)
	}

	// Assigning a triage referral to their own agency is a coordinator's job.
	triage, err := env.Engine.SelfRefer(ctx, func() core.SelfReferral {
		in := coretest.SelfReferral("coord-assign")
		in.Crisis, in.CrisisReasons = true, []string{"no food"}
		return in
	}())
	if err != nil {
		t.Fatal(err)
	}
	if !triage.Referral.InTriage() {
		t.Fatalf("a crisis self-referral should wait in triage: %+v", triage.Referral)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: triage.Referral.ID, Action: core.ActionAssign, Actor: coord,
		ToAgency: n.Team}); err != nil {
		t.Errorf("assign from triage to the coordinator's own agency: %v", err)
	}
}
