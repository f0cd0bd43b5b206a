package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestCoordinatorRedirectsRetiredAgencysReferral: the referrals a retired
// agency had accepted, was working on or had on its waiting list are
// moved on by a coordinator to an agency still in the network, saying
// why: each is closed as redirected with the coordinator's words, a new
// referral carries the client to the agency chosen, and the client is
// texted that it was passed on, as after any redirect. Nothing is sent
// to the agency that left, whose staff are gone.
func TestCoordinatorRedirectsRetiredAgencysReferral(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	statuses := []core.Status{core.StatusAccepted, core.StatusInProgress, core.StatusOnHold}
	kept := map[core.Status]core.Referral{}
	for _, s := range statuses {
		kept[s] = referralIn(t, env, s, "left-"+string(s))
	}
	// On hold from accepted as well as from new: a waiting list holds both.
	heldAccepted := referralIn(t, env, core.StatusAccepted, "left-held-accepted")
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: heldAccepted.ID, Action: core.ActionHold, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.RetireAgency(ctx, env.Net.CAB, env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	coretest.MarkOutboxSent(t, env.Pool)
	co := env.Net.Coordinator.Actor()
	cab, err := env.Engine.Agency(ctx, env.Net.CAB)
	if err != nil {
		t.Fatal(err)
	}
	kept["on-hold-from-accepted"] = heldAccepted
	for name, r := range kept {
		t.Run(string(name), func(t *testing.T) {
			r, err := env.Engine.Referral(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !co.MayActHeldBy(r, cab, core.ActionRedirect) || env.Engine.ActRefusal(ctx, r, co, core.ActionRedirect) != nil {
				t.Fatalf("core does not let the coordinator redirect the retired agency's %s referral", r.Status)
			}
			res, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: co,
				ExpectedVersion: r.Version, ToAgency: env.Net.Welfare,
				Feedback: "Kirkton Citizens Advice has closed; Welfare Rights will take the client on."})
			if err != nil {
				t.Fatalf("coordinator redirecting the retired agency's %s referral: %v", r.Status, err)
			}
			got := res.Referral
			if got.Status != core.StatusRejected || got.Reason == nil || *got.Reason != core.ReasonRedirected ||
				got.Feedback != "Kirkton Citizens Advice has closed; Welfare Rights will take the client on." || got.StatusBy == nil ||
				*got.StatusBy != env.Net.Coordinator.ID {
				t.Errorf("the retired agency's referral after the redirect: %s, reason %v, feedback %q, by %v",
					got.Status, got.Reason, got.Feedback, got.StatusBy)
			}
			child := res.Child
			if child == nil || child.ToAgencyID == nil || *child.ToAgencyID != env.Net.Welfare || child.Status != core.StatusRequested ||
				child.ParentID == nil || *child.ParentID != r.ID {
				t.Fatalf("the referral carrying the client on: %+v", child)
			}
			var told, toLeft int
			for _, o := range coretest.OutboxRows(t, env.Engine) {
				if o.SentAt != nil {
					continue
				}
				if o.Kind == core.OutboxClientSMS && o.ReferralID != nil && *o.ReferralID == child.ID && o.Payload.Template == core.SMSRedirected {
					told++
				}
				if o.Kind == core.OutboxEmail && o.Payload.AgencyID == env.Net.CAB {
					toLeft++
				}
			}
			if told != 1 {
				t.Errorf("%d texts telling the client their referral was passed on, want 1", told)
			}
			if toLeft != 0 {
				t.Errorf("%d emails queued to the agency that left the network, want none", toLeft)
			}
			coretest.MarkOutboxSent(t, env.Pool)
		})
	}
}

// TestRetiredAgencyRedirectRefusals: redirecting an accepted, in-progress
// or waiting-list referral is a coordinator's, only while the agency
// holding it has left the network, only with words on why, and only to
// an agency still in it. Every refusal is typed, says what was wrong and
// changes nothing.
func TestRetiredAgencyRedirectRefusals(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	co := env.Net.Coordinator.Actor()
	withActive := referralIn(t, env, core.StatusAccepted, "refuse-active")
	// While the CAB is in the network, an accepted referral is its own
	// to work on: a coordinator cannot take it away.
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: withActive.ID, Action: core.ActionRedirect, Actor: co,
		ToAgency: env.Net.Welfare, Feedback: "Moving it on"}); !isTransitionError(err) {
		t.Errorf("a coordinator redirecting an active agency's accepted referral: %v, want a TransitionError", err)
	}
	if err := env.Engine.ActRefusal(ctx, withActive, co, core.ActionRedirect); !isTransitionError(err) {
		t.Errorf("ActRefusal for an active agency's accepted referral: %v, want a TransitionError", err)
	}
	cabActive, _ := env.Engine.Agency(ctx, env.Net.CAB)
	if co.MayActHeldBy(withActive, cabActive, core.ActionRedirect) {
		t.Errorf("MayActHeldBy offers a redirect of an active agency's accepted referral")
	}

	accepted := referralIn(t, env, core.StatusAccepted, "refuse-accepted")
	completed := referralIn(t, env, core.StatusCompleted, "refuse-completed")
	for _, a := range []core.AgencyID{env.Net.CAB, env.Net.Housing} {
		if err := env.Engine.RetireAgency(ctx, a, co); err != nil {
			t.Fatal(err)
		}
	}
	cab, _ := env.Engine.Agency(ctx, env.Net.CAB)
	for _, c := range []struct {
		name     string
		r        core.Referral
		by       core.Actor
		to       core.AgencyID
		feedback string
		want     func(error) bool
		says     string
	}{
		{"another agency's adviser", accepted, env.Net.WelfareAdviser.Actor(), env.Net.Welfare, "Moving it on", isForbidden, "only a coordinator"},
		{"the retired agency's own former adviser", accepted, env.Net.Adviser.Actor(), env.Net.Welfare, "Moving it on", isForbidden, "only a coordinator"},
		{"no feedback", accepted, co, env.Net.Welfare, "  ", fieldError("feedback"), "say why"},
		{"to an agency that left too", accepted, co, env.Net.Housing, "Moving it on", fieldError("agency"), "has left the network"},
		{"a completed referral", completed, co, env.Net.Welfare, "Moving it on", isTransitionError, "already completed, so it cannot be redirected"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: c.r.ID, Action: core.ActionRedirect, Actor: c.by,
				ToAgency: c.to, Feedback: c.feedback})
			if !c.want(err) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("err = %v, want one saying %q", err, c.says)
			}
			after, _ := env.Engine.Referral(ctx, c.r.ID)
			if after.Version != c.r.Version || after.Status != c.r.Status {
				t.Errorf("a refused redirect changed the referral: %s version %d", after.Status, after.Version)
			}
		})
	}
	// What pages ask says the same, before anything is typed.
	if env.Net.WelfareAdviser.Actor().MayActHeldBy(accepted, cab, core.ActionRedirect) {
		t.Errorf("MayActHeldBy offers another agency's adviser the redirect")
	}
	if err := env.Engine.ActRefusal(ctx, accepted, env.Net.WelfareAdviser.Actor(), core.ActionRedirect); !isForbidden(err) {
		t.Errorf("ActRefusal for another agency's adviser: %v, want a ForbiddenError", err)
	}
	if co.MayActHeldBy(completed, cab, core.ActionRedirect) {
		t.Errorf("MayActHeldBy offers the redirect of a completed referral")
	}
	// The holder the page read must be the referral's own.
	if co.MayActHeldBy(withActive, func() core.Agency { h, _ := env.Engine.Agency(ctx, env.Net.Housing); return h }(), core.ActionRedirect) {
		t.Errorf("MayActHeldBy took another retired agency for the referral's holder")
	}
}

func isTransitionError(err error) bool {
	var te *core.TransitionError
	return errors.As(err, &te)
}

// fieldError matches a ValidationError on field.
func fieldError(field string) func(error) bool {
	return func(err error) bool {
		var ve *core.ValidationError
		if !errors.As(err, &ve) {
			return false
		}
		for _, f := range ve.Fields {
			if f.Field == field {
				return true
			}
		}
		return false
	}
}
