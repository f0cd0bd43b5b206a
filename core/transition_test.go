package core_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// referralIn drives a fresh referral to CAB into the given status.
func referralIn(t *testing.T, env *coretest.Env, status core.Status, key string) core.Referral {
	t.Helper()
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral(key))
	if err != nil {
		t.Fatal(err)
	}
	adviser := env.Net.Adviser.Actor()
	steps := map[core.Status][]core.Action{
		core.StatusRequested:  nil,
		core.StatusAccepted:   {core.ActionAccept},
		core.StatusInProgress: {core.ActionAccept, core.ActionContact},
		core.StatusOnHold:     {core.ActionHold},
		core.StatusCompleted:  {core.ActionAccept, core.ActionContact, core.ActionComplete},
		core.StatusFailed:     {core.ActionAccept, core.ActionFail},
		core.StatusCancelled:  {core.ActionCancel},
		core.StatusRejected:   {core.ActionReject},
	}[status]
	r := res.Referral
	for _, a := range steps {
		req := core.TransitionRequest{Referral: r.ID, Action: a, Actor: adviser, Reason: core.ReasonNoCapacity,
			Outcome: core.OutcomeHelpGiven}
		if a == core.ActionReject {
			req.Feedback = "No appointments free this month"
		}
		tr, err := env.Engine.Act(ctx, req)
		if err != nil {
			t.Fatalf("drive to %s: %s: %v", status, a, err)
		}
		r = tr.Referral
	}
	if r.Status != status {
		t.Fatalf("drove referral to %s, want %s", r.Status, status)
	}
	return r
}

// TestTransitionTable tries every action in every status: legal pairs move
// to the expected status and stamp the right times; the rest return a
// typed TransitionError and change nothing.
func TestTransitionTable(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	want := map[core.Status]map[core.Action]core.Status{
		core.StatusRequested:  {core.ActionAccept: core.StatusAccepted, core.ActionReject: core.StatusRejected, core.ActionHold: core.StatusOnHold, core.ActionCancel: core.StatusCancelled, core.ActionRedirect: core.StatusRejected},
		core.StatusAccepted:   {core.ActionHold: core.StatusOnHold, core.ActionContact: core.StatusInProgress, core.ActionFail: core.StatusFailed, core.ActionCancel: core.StatusCancelled},
		core.StatusInProgress: {core.ActionComplete: core.StatusCompleted, core.ActionCancel: core.StatusCancelled},
		core.StatusOnHold:     {core.ActionResume: core.StatusRequested, core.ActionCancel: core.StatusCancelled},
		core.StatusCompleted:  {core.ActionReopen: core.StatusInProgress},
		core.StatusRejected:   {},
		core.StatusFailed:     {},
		core.StatusCancelled:  {},
	}
	n := 0
	for _, from := range core.Statuses {
		for _, action := range core.Actions {
			n++
			name := fmt.Sprintf("%s/%s", from, action)
			t.Run(name, func(t *testing.T) {
				r := referralIn(t, env, from, fmt.Sprintf("table-%d", n))
				req := core.TransitionRequest{Referral: r.ID, Action: action, Actor: env.Net.Adviser.Actor(),
					Reason: core.ReasonNotEligible, Feedback: "Outside our area", ToAgency: env.Net.Welfare,
					Outcome: core.OutcomeHelpGiven}
				if action == core.ActionAssign || action == core.ActionClaim {
					req.Actor = env.Net.Coordinator.Actor()
				}
				res, err := env.Engine.Act(ctx, req)
				to, legal := want[from][action]
				if !legal {
					// Repeating what already happened names who did it;
					// anything else is a plain transition error.
					var te *core.TransitionError
					var ce *core.ConflictError
					repeated := false
					for _, next := range want {
						repeated = repeated || (action != core.ActionResume && next[action] == from)
					}
					if repeated {
						if !errors.As(err, &ce) || ce.By != "Ailsa Brodie (Kirkton Citizens Advice)" {
							t.Fatalf("err = %v, want ConflictError naming who set %s", err, from)
						}
					} else if !errors.As(err, &te) {
						t.Fatalf("err = %v, want TransitionError", err)
					}
					after, _ := env.Engine.Referral(ctx, r.ID)
					if after.Version != r.Version || after.Status != from {
						t.Errorf("refused action changed the referral: %+v", after)
					}
					return
				}
				if err != nil {
					t.Fatalf("err = %v, want move to %s", err, to)
				}
				got := res.Referral
				if got.Status != to || got.Version != r.Version+1 || !got.StatusAt.Equal(env.Clock.Now()) {
					t.Errorf("after %s: status %s version %d, want %s version %d", action, got.Status, got.Version, to, r.Version+1)
				}
				if (action == core.ActionAccept || action == core.ActionReject || action == core.ActionRedirect) && got.AcknowledgedAt == nil {
					t.Error("acknowledged_at not stamped")
				}
				if to == core.StatusInProgress && got.ContactedAt == nil {
					t.Error("contacted_at not stamped")
				}
				if !to.Open() && got.ClosedAt == nil {
					t.Error("closed_at not stamped on a closed referral")
				}
				if to.Open() && got.ClosedAt != nil {
					t.Error("closed_at stamped on an open referral")
				}
				if action == core.ActionRedirect && (res.Child == nil || *res.Child.ToAgencyID != env.Net.Welfare || *res.Child.ParentID != r.ID) {
					t.Errorf("redirect child = %+v", res.Child)
				}
				if action == core.ActionReject && (res.Child == nil || !res.Child.InTriage()) {
					t.Errorf("rejected self-referral should go back to triage, child = %+v", res.Child)
				}
			})
		}
	}
}

func TestTriageAssignAndClaim(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	in := coretest.SelfReferral("triage-1")
	in.Crisis = true
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Referral.ID
	// Only coordinators triage; advisers cannot accept a triage referral.
	_, err = env.Engine.Act(ctx, core.TransitionRequest{Referral: id, Action: core.ActionClaim, Actor: env.Net.Adviser.Actor()})
	var fe *core.ForbiddenError
	if !errors.As(err, &fe) {
		t.Errorf("adviser claim: err = %v, want ForbiddenError", err)
	}
	_, err = env.Engine.Act(ctx, core.TransitionRequest{Referral: id, Action: core.ActionAccept, Actor: env.Net.Coordinator.Actor()})
	var te *core.TransitionError
	if !errors.As(err, &te) {
		t.Errorf("accept in triage: err = %v, want TransitionError", err)
	}
	coord := env.Net.Coordinator.Actor()
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: id, Action: core.ActionClaim, Actor: coord}); err != nil {
		t.Fatal(err)
	}
	tr, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: id, Action: core.ActionAssign, Actor: coord, ToAgency: env.Net.Welfare})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Referral.InTriage() || *tr.Referral.ToAgencyID != env.Net.Welfare || *tr.Referral.TriageClaimedBy != env.Net.Coordinator.ID ||
		tr.Referral.AssignedAt == nil || tr.Referral.AckDueAt == nil || !tr.Referral.AckDueAt.After(*tr.Referral.AssignedAt) {
		t.Errorf("assigned referral = %+v", tr.Referral)
	}
	got := outboxKinds(t, env, id)
	if got["card.sync:agency"] != 1 || got["card.sync:triage"] != 3 || got["reminder.ack:reminder"] != 1 {
		t.Errorf("outbox after assign = %v, want one agency card, triage card at each of 3 versions, one reminder", got)
	}
	evs, _ := env.Engine.ReferralEvents(ctx, id)
	kinds := []core.EventKind{}
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	want := []core.EventKind{core.EventCreated, core.EventAccessDenied, core.EventClaimed, core.EventAssigned}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("events = %v, want %v", kinds, want)
	}
}

func TestRejectNeedsReasonAndFeedback(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusRequested, "rej")
	for _, tc := range []struct {
		reason   core.Reason
		feedback string
		field    string
	}{
		{"", "", "reason"},
		{core.ReasonRedirected, "", "reason"},
		{core.ReasonNotEligible, "  ", "feedback"},
		{core.ReasonInappropriate, "", "feedback"},
		{core.ReasonNoCapacity, "", "feedback"},
		{core.ReasonDuplicate, "", "feedback"},
		{core.ReasonClientDeclined, " ", "feedback"},
		{core.ReasonOther, "", "feedback"},
	} {
		_, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReject, Actor: env.Net.Adviser.Actor(), Reason: tc.reason, Feedback: tc.feedback})
		var ve *core.ValidationError
		if !errors.As(err, &ve) || ve.Field(tc.field) == "" {
			t.Errorf("reject %q/%q: err = %v, want validation error on %s", tc.reason, tc.feedback, err, tc.field)
		}
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReject, Actor: env.Net.Adviser.Actor(), Reason: core.ReasonNoCapacity,
		Feedback: "No appointments free this month"}); err != nil {
		t.Errorf("no-capacity with feedback should be allowed: %v", err)
	}
}

func TestOtherAgencyCannotActAndIsAudited(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusRequested, "other")
	_, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: env.Net.WelfareAdviser.Actor()})
	var fe *core.ForbiddenError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want ForbiddenError", err)
	}
	var denied int
	env.Pool.QueryRow(ctx, "SELECT count(*) FROM events WHERE kind = 'access.denied' AND referral_id = $1 AND actor_id = $2", r.ID, env.Net.WelfareAdviser.ID).Scan(&denied)
	if denied != 1 {
		t.Errorf("access.denied events = %d, want 1", denied)
	}
	_, _, err = env.Engine.DiscloseClient(ctx, r.ID, env.Net.WelfareAdviser.Actor(), "slack")
	if !errors.As(err, &fe) {
		t.Errorf("disclose to other agency: err = %v, want ForbiddenError", err)
	}
	c, _, err := env.Engine.DiscloseClient(ctx, r.ID, env.Net.Adviser.Actor(), "slack")
	if err != nil || c.Name != "Morag Baird" {
		t.Errorf("disclose to receiving agency = %+v, %v", c, err)
	}
	var disclosed int
	env.Pool.QueryRow(ctx, "SELECT count(*) FROM events WHERE kind = 'referral.details-disclosed' AND referral_id = $1", r.ID).Scan(&disclosed)
	if disclosed != 1 {
		t.Errorf("disclosure events = %d, want 1", disclosed)
	}
}

// TestConcurrentAcceptOneWinner: 20 advisers act on one referral at once;
// exactly one wins and every other gets a ConflictError naming the status
// and who set it.
func TestConcurrentAcceptOneWinner(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusRequested, "race")
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			actor := env.Net.Adviser.Actor()
			action := core.ActionAccept
			if i%2 == 1 {
				actor, action = env.Net.Adviser2.Actor(), core.ActionReject
			}
			_, errs[i] = env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: action, Actor: actor,
				ExpectedVersion: r.Version, Reason: core.ReasonNoCapacity, Feedback: "No appointments free this month"})
		}(i)
	}
	wg.Wait()
	wins := 0
	final, _ := env.Engine.Referral(ctx, r.ID)
	for i, err := range errs {
		if err == nil {
			wins++
			continue
		}
		var ce *core.ConflictError
		if !errors.As(err, &ce) {
			t.Errorf("goroutine %d: err = %v, want ConflictError", i, err)
			continue
		}
		if ce.Status != final.Status || ce.By == "Onward" {
			t.Errorf("conflict names %s by %s, want %s by the winner", ce.Status, ce.By, final.Status)
		}
	}
	if wins != 1 {
		t.Fatalf("%d goroutines succeeded, want exactly 1", wins)
	}
	var events int
	env.Pool.QueryRow(ctx, "SELECT count(*) FROM events WHERE referral_id = $1 AND kind = 'referral.transition'", r.ID).Scan(&events)
	if events != 1 {
		t.Errorf("transition events = %d, want 1", events)
	}
}

func TestRedirectRefusedOutsideConsentScope(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	// An adviser's referral carries consent for the receiving agency only.
	r, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "staff-1", By: env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Duncan Urquhart", Phone: "07700 900456", Postcode: "KY2 5XY"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: env.Net.Adviser.Actor(), ToAgency: env.Net.Housing})
	var se *core.ConsentScopeError
	if !errors.As(err, &se) || se.Agency != "Kingdom Housing Options" {
		t.Fatalf("err = %v, want ConsentScopeError naming Kingdom Housing Options", err)
	}
	after, _ := env.Engine.Referral(ctx, r.ID)
	if after.Status != core.StatusRequested || countRows(t, env, "referrals") != 1 {
		t.Error("a refused redirect changed something")
	}
	// Rejecting it sends feedback to the referring agency.
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReject, Actor: env.Net.Adviser.Actor(),
		Reason: core.ReasonNotEligible, Feedback: "Lives outside KY1/KY2"}); err != nil {
		t.Fatal(err)
	}
	if got := outboxKinds(t, env, r.ID); got["card.feedback"] != 1 {
		t.Errorf("outbox = %v, want feedback to the referring agency", got)
	}
	// Missing consent confirmation is refused in plain words.
	_, err = env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "staff-2", By: env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Duncan Urquhart", Phone: "07700 900456"}, Needs: []core.Need{core.NeedDebt},
		ToAgency: env.Net.CAB, WordingVersion: "v1"})
	var ve *core.ValidationError
	if !errors.As(err, &ve) || ve.Field("client's consent") == "" {
		t.Errorf("unconfirmed consent: err = %v", err)
	}
}

func TestWithdrawConsentCancelsOpenReferrals(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusAccepted, "withdraw")
	n, err := env.Engine.WithdrawConsent(ctx, r.ClientID, core.ClientActor, "SMwithdraw")
	if err != nil || n != 1 {
		t.Fatalf("WithdrawConsent = %d, %v", n, err)
	}
	after, _ := env.Engine.Referral(ctx, r.ID)
	if after.Status != core.StatusCancelled {
		t.Errorf("status after withdrawal = %s", after.Status)
	}
	var ev int
	env.Pool.QueryRow(ctx, "SELECT count(*) FROM events WHERE kind = 'consent.withdrawn' AND client_id = $1", r.ClientID).Scan(&ev)
	if ev != 1 {
		t.Errorf("consent.withdrawn events = %d", ev)
	}
}
