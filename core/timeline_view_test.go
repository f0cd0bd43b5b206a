package core_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// timelineOf reads a referral's timeline as viewer reads it.
func timelineOf(t *testing.T, env *coretest.Env, id core.ReferralID, viewer core.Actor) []core.TimelineEntry {
	t.Helper()
	tl, err := env.Engine.Timeline(context.Background(), id, viewer)
	if err != nil {
		t.Fatalf("timeline of referral %d: %v", id, err)
	}
	return tl
}

// entryOf is the one entry of tl on the referral reference ("" for one
// the viewer may not see) that is of kind, or of the action for a
// transition.
func entryOf(t *testing.T, tl []core.TimelineEntry, reference string, kind core.EventKind, act core.Action) core.TimelineEntry {
	t.Helper()
	var found []core.TimelineEntry
	for _, en := range tl {
		if en.Reference == reference && en.Kind == kind && en.Action == act {
			found = append(found, en)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s %s entry on %q, found %d in\n%+v", kind, act, reference, len(found), tl)
	}
	return found[0]
}

// tellsNone fails the test if the timeline tells any of the words.
func tellsNone(t *testing.T, who string, tl []core.TimelineEntry, words ...string) {
	t.Helper()
	all := fmt.Sprintf("%+v", tl)
	for _, w := range words {
		if strings.Contains(all, w) {
			t.Errorf("%s reads %q in the timeline:\n%s", who, w, all)
		}
	}
}

// wantWho checks who an entry says did it.
func wantWho(t *testing.T, what string, en core.TimelineEntry, actor, agency string) {
	t.Helper()
	if en.Actor != actor || en.ActorAgency != agency {
		t.Errorf("%s: by %q (%q), want %q (%q)", what, en.Actor, en.ActorAgency, actor, agency)
	}
}

// TestTimelineOfARejectedSelfReferralAsEachViewerReadsIt: a crisis
// self-referral a coordinator sent to Kirkton Citizens Advice, turned down
// there with feedback, back to triage and on to Welfare Rights. Welfare
// Rights reads which agencies acted on the first referral and why Kirkton
// turned the client down, as RedirectOrigin would tell them, but not who
// at Kirkton or in the network team acted on it, nor its reference; its
// own referral's story is told in full. Kirkton's staff read their own
// referral in full; a coordinator reads everything.
func TestTimelineOfARejectedSelfReferralAsEachViewerReadsIt(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	const why = "We only see clients in KY1 on Tuesdays, and Morag needs someone this week"
	act := actor(t, env)

	in := coretest.SelfReferral("tl-view-self")
	in.Crisis, in.CrisisReasons = true, []string{"going without food or heating today"}
	self, err := env.Engine.SelfRefer(ctx, in)
	if err != nil || self.Referral.ToAgencyID != nil {
		t.Fatalf("a crisis self-referral should wait in triage: %+v, %v", self.Agency, err)
	}
	first := self.Referral
	co := n.Coordinator.Actor()
	act(core.TransitionRequest{Referral: first.ID, Action: core.ActionAssign, Actor: co, ToAgency: n.CAB})
	env.Clock.Advance(time.Hour)
	rej := act(core.TransitionRequest{Referral: first.ID, Action: core.ActionReject, Actor: n.Adviser.Actor(),
		Reason: core.ReasonNotEligible, Feedback: why})
	if rej.Child == nil || rej.Child.ToAgencyID != nil {
		t.Fatalf("the rejected self-referral should go back to triage: %+v", rej.Child)
	}
	second := *rej.Child
	act(core.TransitionRequest{Referral: second.ID, Action: core.ActionClaim, Actor: co})
	act(core.TransitionRequest{Referral: second.ID, Action: core.ActionAssign, Actor: co, ToAgency: n.Welfare})

	// Welfare Rights, which holds the second referral.
	welfare := timelineOf(t, env, second.ID, n.WelfareAdviser.Actor())
	tellsNone(t, "Welfare Rights", welfare, n.Adviser.Name, first.Reference)
	rejected := entryOf(t, welfare, "", core.EventTransition, core.ActionReject)
	wantWho(t, "Kirkton's rejection", rejected, "an adviser at Kirkton Citizens Advice", "")
	if rejected.Feedback != why || rejected.Reason != core.ReasonNotEligible {
		t.Errorf("Kirkton's rejection reads %q (%s), want its feedback %q and reason", rejected.Feedback, rejected.Reason, why)
	}
	assigned := entryOf(t, welfare, "", core.EventAssigned, core.ActionAssign)
	wantWho(t, "the first referral's triage", assigned, "a coordinator at Kingdom Advice Network Team", "")
	if assigned.Agency != "Kirkton Citizens Advice" {
		t.Errorf("the first referral's triage sent it to %q, want Kirkton Citizens Advice", assigned.Agency)
	}
	back := entryOf(t, welfare, second.Reference, core.EventCreated, "")
	wantWho(t, "the return to triage", back, "an adviser at Kirkton Citizens Advice", "")
	if !back.CarriedOn || back.FromParent != "" {
		t.Errorf("the return to triage: carried on %v from %q, want carried on from a referral not named", back.CarriedOn, back.FromParent)
	}
	// Its own referral's triage is told as it was.
	wantWho(t, "its own referral's triage", entryOf(t, welfare, second.Reference, core.EventAssigned, core.ActionAssign),
		n.Coordinator.Name, "Kingdom Advice Network Team")
	wantWho(t, "its own referral's claim", entryOf(t, welfare, second.Reference, core.EventClaimed, core.ActionClaim),
		n.Coordinator.Name, "Kingdom Advice Network Team")
	// The client's crisis is the client's: whoever helps them reads it.
	if got := core.CrisisReasons(welfare); !slices.Equal(got, in.CrisisReasons) {
		t.Errorf("Welfare Rights reads the crisis as %q, want %q", got, in.CrisisReasons)
	}

	// Kirkton's other adviser reads their agency's referral in full.
	cab := timelineOf(t, env, first.ID, n.Adviser2.Actor())
	wantWho(t, "Kirkton's own rejection", entryOf(t, cab, first.Reference, core.EventTransition, core.ActionReject),
		n.Adviser.Name, "Kirkton Citizens Advice")
	wantWho(t, "the triage of Kirkton's referral", entryOf(t, cab, first.Reference, core.EventAssigned, core.ActionAssign),
		n.Coordinator.Name, "Kingdom Advice Network Team")

	// A coordinator reads the whole chain, as Onward itself does (data
	// protection requests).
	coord := timelineOf(t, env, second.ID, co)
	if full := timelineOf(t, env, second.ID, core.SystemActor); !reflect.DeepEqual(coord, full) {
		t.Errorf("a coordinator's timeline differs from the full one:\n%+v\n%+v", coord, full)
	}
	wantWho(t, "the rejection, for a coordinator", entryOf(t, coord, first.Reference, core.EventTransition, core.ActionReject),
		n.Adviser.Name, "Kirkton Citizens Advice")
	if back := entryOf(t, coord, second.Reference, core.EventCreated, ""); back.FromParent != first.Reference {
		t.Errorf("a coordinator reads the return to triage as from %q, want %s", back.FromParent, first.Reference)
	}
}

// TestTimelineOfARedirectAsEachViewerReadsIt: Kingdom Housing Options
// refers a client to Kirkton Citizens Advice, which redirects them to
// Welfare Rights, which redirects them back to Kirkton. Each agency reads
// the other's referrals by agency and the words they gave why, not by who
// or by reference; Kirkton reads its own first referral in full and knows
// its own adviser by name wherever she acted; Housing Options, which made
// the referral every link carries on, reads each of them in full.
func TestTimelineOfARedirectAsEachViewerReadsIt(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	const whyCAB = "Morag needs a PIP form filled in, not debt advice: that is Welfare Rights' work."
	const whyWelfare = "Morag's PIP is settled; the council tax arrears are debt, so back to Kirkton."
	act := actor(t, env)
	first, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "tl-view-redirect", By: n.HousingAdviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Testredirect", Phone: "07700 900571"}, Needs: []core.Need{core.NeedBenefits, core.NeedDebt},
		ToAgency: n.CAB, ConsentConfirmed: true, WordingVersion: n.ConsentVersion, Scope: core.ScopeNetwork})
	if err != nil {
		t.Fatal(err)
	}
	welfareRef := *act(core.TransitionRequest{Referral: first.ID, Action: core.ActionRedirect, Actor: n.Adviser.Actor(),
		ToAgency: n.Welfare, Feedback: whyCAB}).Child
	back := *act(core.TransitionRequest{Referral: welfareRef.ID, Action: core.ActionRedirect, Actor: n.WelfareAdviser.Actor(),
		ToAgency: n.CAB, Feedback: whyWelfare}).Child

	// Welfare Rights reads Kirkton's referral by agency and why.
	welfare := timelineOf(t, env, welfareRef.ID, n.WelfareAdviser.Actor())
	tellsNone(t, "Welfare Rights", welfare, n.Adviser.Name, n.HousingAdviser.Name, first.Reference)
	redirected := entryOf(t, welfare, "", core.EventTransition, core.ActionRedirect)
	wantWho(t, "Kirkton's redirect", redirected, "an adviser at Kirkton Citizens Advice", "")
	if redirected.Feedback != whyCAB || redirected.Agency != "Kingdom Council Welfare Rights" {
		t.Errorf("Kirkton's redirect reads %q to %q, want its words and Welfare Rights", redirected.Feedback, redirected.Agency)
	}
	wantWho(t, "the referral to Kirkton", entryOf(t, welfare, "", core.EventCreated, ""), "an adviser at Kingdom Housing Options", "")
	sentOn := entryOf(t, welfare, welfareRef.Reference, core.EventCreated, "")
	wantWho(t, "the referral the redirect made", sentOn, "an adviser at Kirkton Citizens Advice", "")
	if !sentOn.CarriedOn || sentOn.FromParent != "" {
		t.Errorf("the referral the redirect made: carried on %v from %q, want carried on from a referral not named", sentOn.CarriedOn, sentOn.FromParent)
	}
	// What RedirectOrigin tells Welfare Rights, the timeline tells too.
	if o, ok, err := env.Engine.RedirectOrigin(ctx, welfareRef); err != nil || !ok ||
		!strings.HasSuffix(redirected.Actor, o.Agency) || redirected.Feedback != o.Feedback {
		t.Errorf("the timeline tells %q %q, RedirectOrigin %+v, %v, %v", redirected.Actor, redirected.Feedback, o, ok, err)
	}

	// Kirkton, holding the client again, reads its own first referral in
	// full and Welfare Rights' by agency and why.
	cab := timelineOf(t, env, back.ID, n.Adviser2.Actor())
	tellsNone(t, "Kirkton", cab, n.WelfareAdviser.Name, welfareRef.Reference)
	wantWho(t, "Kirkton's own redirect", entryOf(t, cab, first.Reference, core.EventTransition, core.ActionRedirect),
		n.Adviser.Name, "Kirkton Citizens Advice")
	wantWho(t, "the referral to Kirkton", entryOf(t, cab, first.Reference, core.EventCreated, ""),
		n.HousingAdviser.Name, "Kingdom Housing Options")
	wr := entryOf(t, cab, "", core.EventTransition, core.ActionRedirect)
	wantWho(t, "Welfare Rights' redirect", wr, "an adviser at Kingdom Council Welfare Rights", "")
	if wr.Feedback != whyWelfare {
		t.Errorf("Welfare Rights' redirect reads %q, want %q", wr.Feedback, whyWelfare)
	}
	// Made by Kirkton's own adviser, on a referral Kirkton may not see:
	// her name, not that referral's reference.
	made := entryOf(t, cab, "", core.EventCreated, "")
	wantWho(t, "the referral Kirkton's redirect made", made, n.Adviser.Name, "Kirkton Citizens Advice")
	if made.FromParent != first.Reference {
		t.Errorf("the referral Kirkton's redirect made is from %q, want Kirkton's own %s", made.FromParent, first.Reference)
	}
	wantWho(t, "the return to Kirkton", entryOf(t, cab, back.Reference, core.EventCreated, ""), "an adviser at Kingdom Council Welfare Rights", "")

	// Housing Options made the referral each link carries on: it may see
	// each of them, so it reads the whole chain.
	housing := timelineOf(t, env, back.ID, n.HousingAdviser.Actor())
	if full := timelineOf(t, env, back.ID, core.SystemActor); !reflect.DeepEqual(housing, full) {
		t.Errorf("the referrer's timeline differs from the full one:\n%+v\n%+v", housing, full)
	}
	coord := timelineOf(t, env, back.ID, n.Coordinator.Actor())
	wantWho(t, "Welfare Rights' redirect, for a coordinator", entryOf(t, coord, welfareRef.Reference, core.EventTransition, core.ActionRedirect),
		n.WelfareAdviser.Name, "Kingdom Council Welfare Rights")
}

// TestTimelineOfAReferOnKeepsTheOtherAgencysWork: Housing Options refers
// a client to Kirkton Citizens Advice, which refers the client on to
// Welfare Rights and completes its own referral, recording an outcome and
// a financial gain. Welfare Rights reads that Kirkton completed it, not what
// the completion recorded: that is Kirkton's work with the client. Who
// referred the client to them is part of their own referral, told in
// full.
func TestTimelineOfAReferOnKeepsTheOtherAgencysWork(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	ailsa := n.Adviser.Actor()
	first, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "tl-view-refer-on", By: n.HousingAdviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Testreferon", Phone: "07700 900572"}, Needs: []core.Need{core.NeedDebt},
		ToAgency: n.CAB, ConsentConfirmed: true, WordingVersion: n.ConsentVersion, Scope: core.ScopeNetwork})
	if err != nil {
		t.Fatal(err)
	}
	step := func(req core.TransitionRequest) {
		t.Helper()
		req.Referral, req.Actor = first.ID, ailsa
		if _, err := env.Engine.Act(ctx, req); err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
	}
	step(core.TransitionRequest{Action: core.ActionAccept})
	step(core.TransitionRequest{Action: core.ActionContact})
	// Referred on while Kirkton holds the client, then completed.
	on, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "tl-view-refer-on-2", By: ailsa, Parent: first.ID,
		Needs: []core.Need{core.NeedBenefits}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	step(core.TransitionRequest{Action: core.ActionComplete, Outcome: core.OutcomeHelpGiven, Gain: core.Gain{WeeklyIncome: 4250},
		AdviceType: core.AdviceTypeII, AdviceTopic: "debt"})

	welfare := timelineOf(t, env, on.ID, n.WelfareAdviser.Actor())
	tellsNone(t, "Welfare Rights", welfare, first.Reference, n.HousingAdviser.Name)
	done := entryOf(t, welfare, "", core.EventTransition, core.ActionComplete)
	wantWho(t, "Kirkton's completion", done, "an adviser at Kirkton Citizens Advice", "")
	if done.Outcome != "" || !done.Gain.IsZero() || done.AdviceType != "" || done.AdviceTopic != "" {
		t.Errorf("Welfare Rights reads what Kirkton's completion recorded: %+v", done)
	}
	wantWho(t, "the referral to Welfare Rights", entryOf(t, welfare, on.Reference, core.EventCreated, ""), n.Adviser.Name, "Kirkton Citizens Advice")

	cab := timelineOf(t, env, on.ID, n.Adviser2.Actor())
	if done := entryOf(t, cab, first.Reference, core.EventTransition, core.ActionComplete); done.Outcome != core.OutcomeHelpGiven ||
		done.Gain.WeeklyIncome != 4250 || done.AdviceTopic != "debt" || done.Actor != n.Adviser.Name {
		t.Errorf("Kirkton reads its own completion as %+v", done)
	}
}
