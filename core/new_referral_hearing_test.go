package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestEveryWayToSilenceAnAgencyIsRefused: at an agency that takes
// referrals, every change that would leave nobody told of a new one goes
// through one rule and is refused, saying so, with nothing written: the
// last member of staff getting new referrals' emails turning them off,
// being deactivated or moved to another agency; the shared address
// removed, or staff email set to never; the Slack channel removed, from
// the command line or a network file. The same changes pass while
// someone else would still be told. A mail program's one-click
// unsubscribe is the one exception.
func TestEveryWayToSilenceAnAgencyIsRefused(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	eng := env.Engine
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := env.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	mode := func(s core.Staff) core.MailMode {
		t.Helper()
		p, err := eng.MailPrefs(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p[core.EmailNewReferral]
	}
	agency := func() core.Agency {
		t.Helper()
		a, err := eng.Agency(ctx, n.CAB)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	refused := func(what string, err error) {
		t.Helper()
		var invalid *core.ValidationError
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "would leave nobody at Kirkton Citizens Advice told of a new referral") {
			t.Errorf("%s: %v; want it refused, saying nobody would be told", what, err)
		}
	}
	off := map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailOff}
	now := map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailNow}

	// The CAB is off Slack with no shared address: Ailsa and Callum are
	// how it hears of new referrals.
	exec(`UPDATE agencies SET slack_channel_id = '', notify_email = '' WHERE id = $1`, n.CAB)
	if err := eng.SetMailPrefs(ctx, n.Adviser2.ID, off); err != nil {
		t.Fatalf("Callum turns his off while Ailsa gets them: %v", err)
	}
	if who, last, err := eng.LastToHearOfNewReferrals(ctx, n.Adviser.ID); err != nil || !last || who != "Kirkton Citizens Advice" {
		t.Errorf("Ailsa is the last: %q, %v, %v", who, last, err)
	}

	// The member of staff's own choice.
	refused("Ailsa turning hers off", eng.SetMailPrefs(ctx, n.Adviser.ID, off))
	if mode(n.Adviser) != core.MailNow {
		t.Errorf("the refused choice was written: %q", mode(n.Adviser))
	}
	if err := eng.SetMailPrefs(ctx, n.Adviser.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailDigest}); err != nil {
		t.Errorf("the digest still tells her: %v", err)
	}
	if err := eng.SetMailPrefs(ctx, n.Adviser.ID, now); err != nil {
		t.Fatal(err)
	}
	// Staff email set to never leaves only the address, which it has not.
	refused("staff email never", eng.SetAgencyNotifications(ctx, n.CAB, core.AgencyNotifications{EmailStaff: core.StaffEmailNever}, core.SystemActor))

	// With a shared address, Ailsa may stop: the address is told.
	if err := eng.SetAgencyNotifications(ctx, n.CAB, core.AgencyNotifications{NotifyEmail: "team@cab.example"}, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	if err := eng.SetMailPrefs(ctx, n.Adviser.ID, off); err != nil {
		t.Fatalf("Ailsa turning hers off while the shared address is told: %v", err)
	}
	// Removing the address then is refused: the reviewer's way round.
	refused("removing the shared address", eng.SetAgencyNotifications(ctx, n.CAB, core.AgencyNotifications{}, core.SystemActor))
	if a := agency(); a.NotifyEmail != "team@cab.example" {
		t.Errorf("the refused removal was made: %q", a.NotifyEmail)
	}
	// So is a network file taking the address away.
	a := agency()
	entry := core.AgencyEntry{NewAgency: core.NewAgency{Slug: a.Slug, Name: a.Name, Phone: a.Phone, AckTargetHours: a.AckTargetHours,
		Description:          "Free, confidential advice on money, debt and benefits.",
		AcceptsSelfReferrals: a.AcceptsSelfReferrals}}
	err := pgx.BeginFunc(ctx, env.Pool, func(tx pgx.Tx) error {
		_, err := eng.SyncAgency(ctx, tx, entry, core.SystemActor)
		return err
	})
	refused("a network file without the shared address", err)
	// A file that puts it on Slack as it takes the address away passes.
	entry.SlackChannelID = "C0CABTEAM"
	if err := pgx.BeginFunc(ctx, env.Pool, func(tx pgx.Tx) error {
		_, err := eng.SyncAgency(ctx, tx, entry, core.SystemActor)
		return err
	}); err != nil {
		t.Fatalf("a network file trading the address for a channel: %v", err)
	}
	if a := agency(); a.NotifyEmail != "" || a.SlackChannelID != "C0CABTEAM" {
		t.Fatalf("after the file: address %q, channel %q", a.NotifyEmail, a.SlackChannelID)
	}
	// On Slack alone: taking it off Slack is refused.
	refused("taking it off Slack", eng.SetSlackChannel(ctx, n.CAB, "", core.SystemActor))
	// Not connected to Slack, the channel tells nobody.
	eng.UseSlack(false)
	if _, last, err := eng.LastToHearOfNewReferrals(ctx, n.Adviser.ID); err != nil || last {
		t.Errorf("nobody gets the emails and Slack is not connected: LastToHear = %v, %v; want false (nobody is told now)", last, err)
	}
	eng.UseSlack(true)

	// A mail program's one-click unsubscribe acts all the same.
	exec(`UPDATE agencies SET slack_channel_id = '' WHERE id = $1`, n.CAB)
	if err := eng.SetMailPrefs(ctx, n.Adviser.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := eng.UnsubscribeOneClick(ctx, n.Adviser.ID, core.EmailNewReferral); err != nil || mode(n.Adviser) != core.MailOff {
		t.Errorf("one-click: %v, %q", err, mode(n.Adviser))
	}
	// An agency nobody hears of already may still be changed.
	if err := eng.SetAgencyNotifications(ctx, n.CAB, core.AgencyNotifications{EmailStaff: core.StaffEmailAlways}, core.SystemActor); err != nil {
		t.Errorf("a change to an agency already told of nothing: %v", err)
	}
}

// TestLeaversAreRemovedEvenWhenTheyAreTheLastToHear: taking away the
// access of someone who has left never waits on a notification setting.
// The last member of staff told of an agency's new referrals is
// deactivated, or moved to another agency, all the same; the network's
// coordinators are then emailed the agency's new referrals (notify's
// fallback) until it is told again.
func TestLeaversAreRemovedEvenWhenTheyAreTheLastToHear(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	eng := env.Engine
	if _, err := env.Pool.Exec(ctx, `UPDATE agencies SET slack_channel_id = '', notify_email = '' WHERE id = $1`, n.CAB); err != nil {
		t.Fatal(err)
	}
	if err := eng.SetMailPrefs(ctx, n.Adviser2.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailOff}); err != nil {
		t.Fatal(err)
	}
	if _, last, err := eng.LastToHearOfNewReferrals(ctx, n.Adviser.ID); err != nil || !last {
		t.Fatalf("Ailsa is not the last to hear: %v, %v", last, err)
	}
	if _, err := eng.MoveStaff(ctx, n.Adviser.Email, n.Welfare, core.SystemActor); err != nil {
		t.Fatalf("moving the last to hear: %v", err)
	}
	if s, err := eng.StaffByID(ctx, n.Adviser.ID); err != nil || s.AgencyID != n.Welfare {
		t.Fatalf("after the move: %+v, %v", s, err)
	}
	if err := eng.SetMailPrefs(ctx, n.Adviser2.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailNow}); err != nil {
		t.Fatal(err)
	}
	if err := eng.DeactivateStaff(ctx, n.Adviser2.ID, n.Coordinator.Actor()); err != nil {
		t.Fatalf("deactivating the last to hear: %v", err)
	}
	if _, err := eng.StaffByID(ctx, n.Adviser2.ID); err == nil {
		t.Error("the last to hear is still active after the deactivation")
	}
}
