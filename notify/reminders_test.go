package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
)

// scheduled returns when the row of a kind (and level or template) is due.
func (h *harness) scheduled(t *testing.T, kind, detail string) outboxRow {
	t.Helper()
	for _, r := range h.rows(t) {
		if r.Kind == kind && (detail == "" || r.Level == detail || r.Template == detail) {
			return r
		}
	}
	t.Fatalf("no %s %s row", kind, detail)
	return outboxRow{}
}

func (h *harness) rowByID(t *testing.T, id int64) outboxRow {
	t.Helper()
	for _, r := range h.rows(t) {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no row %d", id)
	return outboxRow{}
}

// postsTo counts the posts in a channel whose text has every piece.
func (h *harness) postsTo(channel string, pieces ...string) int {
	n := 0
	for _, c := range h.slack.Calls() {
		if c.Method != "chat.postMessage" || c.Channel != channel {
			continue
		}
		all := true
		for _, p := range pieces {
			all = all && strings.Contains(c.Text, p)
		}
		if all {
			n++
		}
	}
	return n
}

// An unacknowledged referral is reminded in the agency's channel at 100%
// of its target and escalated to triage at 200%, each once; once it is
// acknowledged, what is left is skipped.
func TestAckReminderAndEscalation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	w := h.worker(t, nil)
	left := h.selfRefer(t, "left", toWelfare)
	picked := h.selfRefer(t, "picked", toWelfare)
	drain(t, w)

	reminder := h.scheduled(t, string(core.OutboxAckReminder), "reminder")
	// 16 working hours from Monday 10:00, working 09:00–17:00: Wednesday 10:00.
	if want := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC); !reminder.AvailableAt.Equal(want) {
		t.Fatalf("reminder due %s, want %s", reminder.AvailableAt, want)
	}
	h.env.Clock.Set(reminder.AvailableAt.Add(-time.Minute))
	drain(t, w)
	if n := h.postsTo("C0WELFARE", "Please pick it up"); n != 0 {
		t.Fatalf("reminder sent early")
	}
	h.env.Clock.Set(reminder.AvailableAt)
	drain(t, w)
	if h.postsTo("C0WELFARE", "*"+left.Reference+"*", "Please pick it up") != 1 || h.postsTo("C0WELFARE", "*"+picked.Reference+"*", "Please pick it up") != 1 {
		t.Fatalf("want one reminder per referral in the agency channel: %+v", h.slack.Calls())
	}

	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: picked.ID, Action: core.ActionAccept, Actor: h.env.Net.WelfareAdviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	escalation := h.scheduled(t, string(core.OutboxAckReminder), "escalation")
	h.env.Clock.Set(escalation.AvailableAt)
	drain(t, w)
	if n := h.postsTo(triageChannel, left.Reference); n != 1 {
		t.Errorf("want one escalation for the referral left waiting, got %d", n)
	}
	if n := h.postsTo(triageChannel, picked.Reference+"* ("); n != 0 {
		t.Errorf("the accepted referral was escalated")
	}
	skipped := 0
	for _, r := range h.rows(t) {
		if r.Kind == string(core.OutboxAckReminder) && r.Level == "escalation" {
			if !r.Sent {
				t.Errorf("escalation row %d not finished", r.ID)
			}
			if r.DeliveryStatus == "skipped: referral acknowledged or moved on" {
				skipped++
			}
		}
	}
	if skipped != 1 {
		t.Errorf("want the accepted referral's escalation skipped, got %d skipped", skipped)
	}
	drain(t, w)
	if n := h.postsTo(triageChannel, left.Reference); n != 1 {
		t.Errorf("escalation repeated: %d", n)
	}
}

// After accept: the client is asked whether they were contacted (and the
// reply is awaited), and the agency is nudged if it did not mark the
// referral contacted; both are skipped once it is.
func TestContactCheckAndNudge(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	w := h.worker(t, nil)
	quiet := h.selfRefer(t, "quiet", toWelfare)
	called := h.selfRefer(t, "called", toWelfare)
	for _, r := range []core.Referral{quiet, called} {
		if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: h.env.Net.WelfareAdviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: called.ID, Action: core.ActionContact, Actor: h.env.Net.WelfareAdviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	before := len(h.twilio.Accepted())

	check := h.scheduled(t, string(core.OutboxClientSMS), core.SMSContactCheck)
	h.env.Clock.Set(check.AvailableAt)
	drain(t, w)
	texts := h.twilio.Accepted()[before:]
	if len(texts) != 1 || !strings.Contains(texts[0].Body, "Has Kingdom Council Welfare Rights contacted you") || !strings.Contains(texts[0].Body, quiet.Reference) {
		t.Fatalf("want one contact check, to the client not yet contacted: %+v", texts)
	}
	a, ok, err := h.engine.Awaiting(ctx, "+447700900123")
	if err != nil || !ok || a.Kind != core.AwaitContactCheck || a.ReferralID != quiet.ID {
		t.Fatalf("the answer is not awaited: %+v %v %v", a, ok, err)
	}

	nudge := h.scheduled(t, string(core.OutboxContactNudge), "")
	h.env.Clock.Set(nudge.AvailableAt)
	drain(t, w)
	if h.postsTo("C0WELFARE", "not marked contacted") != 1 || h.postsTo("C0WELFARE", "*"+quiet.Reference+"*", "not marked contacted") != 1 {
		t.Errorf("want one nudge, for the referral not contacted: %+v", h.slack.Calls())
	}
	if h.postsTo("C0WELFARE", "*"+quiet.Reference+"*", "Accepted by Isla Moffat on Mon 23 Nov.") != 1 {
		t.Errorf("the nudge does not name the adviser who accepted the referral: %+v", h.slack.Calls())
	}
	for _, r := range h.rows(t) {
		if !r.Sent && r.AvailableAt.Before(h.clock.Now()) {
			t.Errorf("row %d (%s) left behind", r.ID, r.Kind)
		}
	}
}

// Digests are queued once a day per agency with a channel, after the
// digest time on a working day, and count the agency's referrals.
func TestDailyDigest(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.selfRefer(t, "one", toWelfare)
	held := h.selfRefer(t, "held", toWelfare)
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: held.ID, Action: core.ActionHold, Actor: h.env.Net.WelfareAdviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	w := h.worker(t, func(o *notify.Options) { o.DisableDigest = false; o.DigestAt = 9 * time.Hour })
	drain(t, w)
	h.env.Clock.Set(time.Date(2026, 11, 24, 8, 59, 0, 0, time.UTC))
	if n, err := w.ScheduleDigests(ctx); err != nil || n != 0 {
		t.Fatalf("before 09:00: %d digests, %v", n, err)
	}
	h.env.Clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	n, err := w.ScheduleDigests(ctx)
	if err != nil || n != 4 { // every seeded agency with a Slack channel
		t.Fatalf("at 09:00: %d digests, %v", n, err)
	}
	other := h.worker(t, func(o *notify.Options) { o.DisableDigest = false })
	if _, err := other.ScheduleDigests(ctx); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	var digests []string
	for _, c := range h.slack.Calls() {
		if strings.Contains(c.Text, "Referrals for") {
			digests = append(digests, c.Channel)
		}
	}
	if len(digests) != 4 {
		t.Fatalf("want 4 digests, one per agency channel, got %v", digests)
	}
	for _, c := range h.slack.Calls() {
		if c.Channel == "C0WELFARE" && strings.Contains(c.Text, "Referrals for") {
			if !strings.Contains(c.Text, "Waiting to be accepted: 1") || !strings.Contains(c.Text, "Past the acknowledgement target: 0") ||
				!strings.Contains(c.Text, "On the waiting list: 1") {
				t.Errorf("welfare digest: %s", c.Text)
			}
		}
	}
	h.env.Clock.Set(time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)) // Saturday
	if n, err := w.ScheduleDigests(ctx); err != nil || n != 0 {
		t.Errorf("Saturday: %d digests, %v", n, err)
	}
}
