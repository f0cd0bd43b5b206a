package notify_test

import (
	"context"
	"mime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/smtpfake"
)

// contactReminder is the contact reminder email's kind, spelled out so
// that this file also builds against code from before it existed.
const contactReminder core.EmailKind = "contact-reminder"

// subjects lists, by address, the subjects of the messages from the
// from'th on that contain every piece.
func (h *mailHarness) subjects(t *testing.T, from int, pieces ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range h.smtp.Messages()[from:] {
		subj := decodedSubject(parse(t, m))
		all := true
		for _, p := range pieces {
			all = all && strings.Contains(subj, p)
		}
		if all {
			out[m.To[0]] = append(out[m.To[0]], subj)
		}
	}
	return out
}

func decodedSubject(p parsed) string {
	s, _ := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
	return s
}

// addresses are a map's keys, sorted.
func addresses(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// acceptAll has the CAB's adviser accept each referral.
func (h *mailHarness) acceptAll(t *testing.T, rs ...core.Referral) {
	t.Helper()
	for _, r := range rs {
		if _, err := h.engine.Act(context.Background(), core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: h.net.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestContactReminderByEmail: an agency off Slack is reminded by email,
// as an agency on Slack is in its channel, when it accepted a referral and
// has not marked the client contacted in time: at the nudge's time, once
// per address, with nothing personal in it. A referral contacted or put
// on hold meanwhile is skipped, by the rule the Slack nudge follows; the
// agency on Slack gets its nudge in its channel and no email.
func TestContactReminderByEmail(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	ctx := context.Background()
	n := h.net
	h.markAllSent(t)
	w := h.mailWorker(t)

	quiet := h.staffReferral(t, "cr-quiet", false)
	called := h.staffReferral(t, "cr-called", false)
	held := h.staffReferral(t, "cr-held", false)
	h.acceptAll(t, quiet, called, held)
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: called.ID, Action: core.ActionContact, Actor: n.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: held.ID, Action: core.ActionHold, Actor: n.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	// The welfare agency is on Slack: its nudge goes to its channel.
	slack := h.selfRefer(t, "cr-slack", toWelfare)
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: slack.ID, Action: core.ActionAccept, Actor: n.WelfareAdviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	before := len(h.smtp.Messages())

	nudge := h.scheduled(t, string(core.OutboxContactNudge), "")
	h.env.Clock.Set(nudge.AvailableAt.Add(-time.Minute))
	drain(t, w)
	if got := h.subjects(t, before, "not marked contacted"); len(got) != 0 {
		t.Fatalf("contact reminders before the nudge's time: %v", got)
	}
	h.env.Clock.Set(nudge.AvailableAt)
	drain(t, w)
	drain(t, w)

	got := h.subjects(t, before, "not marked contacted")
	if want := []string{n.Adviser.Email, n.Adviser2.Email, "team@cab.example"}; !slices.Equal(addresses(got), want) {
		t.Fatalf("contact reminders went to %v, want %v", got, want)
	}
	for addr, subjects := range got {
		if len(subjects) != 1 || !strings.Contains(subjects[0], quiet.Reference) {
			t.Errorf("%s got %q, want one reminder, about %s", addr, subjects, quiet.Reference)
		}
	}
	personal := []string{"Morag", "Baird", "07700 900123", "7700900123", "KY1 1AB", "Rent arrears"}
	for _, m := range h.smtp.Messages()[before:] {
		p := parse(t, m)
		if !strings.Contains(decodedSubject(p), "not marked contacted") {
			continue
		}
		for _, s := range []string{"accepted referral " + quiet.Reference + " 5 working days ago", "Accepted by Ailsa Brodie on Mon 23 Nov.",
			"https://onward.example/staff/referrals/" + quiet.Reference} {
			if !strings.Contains(p.Text, s) {
				t.Errorf("the reminder's text lacks %q:\n%s", s, p.Text)
			}
		}
		if !strings.Contains(p.HTML, `<a href="https://onward.example/staff/referrals/`+quiet.Reference+`">`) {
			t.Errorf("the reminder's HTML lacks the link:\n%s", p.HTML)
		}
		for _, s := range personal {
			if strings.Contains(describe(p)+string(m.Data), s) {
				t.Errorf("the reminder to %v carries personal data %q", m.To, s)
			}
		}
		if m.To[0] == n.Adviser.Email {
			coretest.Golden(t, "testdata/email/contact_reminder_staff.golden", describe(p))
		}
	}
	if h.postsTo("C0WELFARE", "*"+slack.Reference+"*", "not marked contacted") != 1 {
		t.Errorf("the welfare agency's channel was not nudged: %+v", h.slack.Calls())
	}
	if got := h.subjects(t, before, slack.Reference); len(got) != 0 {
		t.Errorf("the agency on Slack was emailed too: %v", got)
	}

	// The reminders of the contacted and the held referral were skipped,
	// by the same words as their Slack nudges.
	skipped := map[core.ReferralID]string{}
	for _, e := range coretest.OutboxRows(t, h.engine) {
		if e.Kind == core.OutboxEmail && e.Payload.Email == contactReminder && e.Payload.ReferralID != quiet.ID && e.Payload.Level != core.LevelWaitingList {
			skipped[e.Payload.ReferralID] = string(e.DeliveryStatus)
		}
	}
	for _, r := range []core.Referral{called, held} {
		if s := skipped[r.ID]; s != "skipped: client contacted or referral moved on" {
			t.Errorf("the contact reminder of %s: status %q, want skipped", r.Reference, s)
		}
	}
}

// TestDigestGathersContactReminders: a member of staff who gathers
// contact reminders into the daily digest gets none at once and finds the
// count of accepted referrals not yet contacted in their digest; one who
// gathers only acknowledgement reminders finds those and not the other,
// which they get at once.
func TestDigestGathersContactReminders(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	ctx := context.Background()
	n := h.net
	h.markAllSent(t)
	w := h.mailWorker(t)
	if err := h.engine.SetMailPrefs(ctx, n.Adviser.ID, map[core.EmailKind]core.MailMode{core.EmailAckReminder: core.MailDigest}); err != nil {
		t.Fatal(err)
	}
	if err := h.engine.SetMailPrefs(ctx, n.Adviser2.ID, map[core.EmailKind]core.MailMode{contactReminder: core.MailDigest}); err != nil {
		t.Fatal(err)
	}
	r := h.staffReferral(t, "cr-digest", false)
	h.acceptAll(t, r)
	drain(t, w)
	before := len(h.smtp.Messages())
	h.env.Clock.Set(h.scheduled(t, string(core.OutboxContactNudge), "").AvailableAt)
	drain(t, w)
	if want := []string{n.Adviser.Email, "team@cab.example"}; !slices.Equal(addresses(h.subjects(t, before, "not marked contacted")), want) {
		t.Errorf("contact reminders went to %v, want %v: Callum gathers them", h.subjects(t, before, "not marked contacted"), want)
	}

	before = len(h.smtp.Messages())
	if err := h.engine.Outbox().Enqueue(ctx, core.OutboxEmail, 0, core.OutboxPayload{AgencyID: n.CAB, Email: core.EmailDigest}, "mail:digest:cr", time.Time{}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	digests := map[string]parsed{}
	for _, m := range h.smtp.Messages()[before:] {
		digests[m.To[0]] = parse(t, m)
	}
	for _, c := range []struct {
		who        string
		has, hasnt string
	}{
		{n.Adviser2.Email, "Accepted, client not yet contacted: 1", "Waiting to be accepted"},
		{n.Adviser.Email, "Waiting to be accepted: 0", "Accepted, client not yet contacted"},
	} {
		p, ok := digests[c.who]
		if !ok {
			t.Errorf("no digest for %s (digests: %v)", c.who, addresses(h.subjects(t, before)))
			continue
		}
		if !strings.Contains(p.Text, c.has) || !strings.Contains(p.HTML, c.has) {
			t.Errorf("%s's digest lacks %q:\n%s", c.who, c.has, p.Text)
		}
		if strings.Contains(p.Text, c.hasnt) || strings.Contains(p.HTML, c.hasnt) {
			t.Errorf("%s's digest has %q, which they did not gather:\n%s", c.who, c.hasnt, p.Text)
		}
	}
}
