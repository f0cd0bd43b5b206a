package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestDigestSchedule: a member of staff who gathers kinds into the daily
// digest gets one digest each working day, at the digest time in the
// network's time zone, from however many workers, and it holds only the
// kinds they gathered; nobody gets one for kinds they turned off, and
// crisis alerts to coordinators come at once whatever they chose.
func TestDigestSchedule(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.emailOnly(t)
	ctx := context.Background()
	n := h.net
	// June: London keeps summer time, so its 09:00 is 08:00 UTC.
	h.env.Clock.Set(time.Date(2026, 6, 8, 12, 0, 0, 0, time.UTC)) // Monday
	h.markAllSent(t)
	prefs := func(s core.Staff, p map[core.EmailKind]core.MailMode) {
		t.Helper()
		if err := h.engine.SetMailPrefs(ctx, s.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	allOff := map[core.EmailKind]core.MailMode{}
	for _, k := range core.MailPrefKinds {
		allOff[k] = core.MailOff
	}
	prefs(n.Adviser, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailDigest, core.EmailAckReminder: core.MailOff})
	prefs(n.Adviser2, allOff)
	prefs(n.WelfareAdviser, map[core.EmailKind]core.MailMode{core.EmailReferralUpdate: core.MailDigest, core.EmailNewReferral: core.MailOff})
	prefs(n.Coordinator, allOff)
	if err := h.engine.SetMailPrefs(ctx, n.Coordinator.ID, map[core.EmailKind]core.MailMode{core.EmailCrisis: core.MailOff}); err == nil {
		t.Error("a coordinator turned crisis alerts off")
	}
	mk := func(change func(*notify.Options)) *notify.Worker {
		return h.worker(t, func(o *notify.Options) {
			o.Mail, o.DisableDigest, o.DigestAt = h.sender, false, 9*time.Hour
			if change != nil {
				change(o)
			}
		})
	}
	w := mk(nil)

	// Monday: the welfare adviser refers a client to the CAB, which
	// accepts; a crisis self-referral waits in triage.
	r := h.staffReferral(t, "digest-1", false)
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: n.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	crisis := h.selfRefer(t, "digest-crisis", func(s *core.SelfReferral) { s.Crisis = true })
	drain(t, w)
	at := map[string][]string{} // address → subjects, at once
	for _, m := range h.smtp.Messages() {
		p := parse(t, m)
		at[m.To[0]] = append(at[m.To[0]], p.Header.Get("Subject"))
	}
	if len(at["team@cab.example"]) != 1 {
		t.Errorf("the CAB's shared address got %q, want the new referral at once", at["team@cab.example"])
	}
	if len(at[n.Coordinator.Email]) != 1 {
		t.Errorf("the coordinator, every optional email off, got %q; want the crisis alert at once", at[n.Coordinator.Email])
	}
	for _, s := range []core.Staff{n.Adviser, n.Adviser2, n.WelfareAdviser} {
		if len(at[s.Email]) != 0 {
			t.Errorf("%s gathers or turned off every kind, yet got %q at once", s.Name, at[s.Email])
		}
	}
	before := len(h.smtp.Messages())

	// digests counts digest emails sent since the start of the schedule,
	// by address. The crisis left waiting in triage past its target brings
	// the coordinator its reminder once, whatever she chose (reminded).
	reminded := 0
	digests := func() map[string]int {
		t.Helper()
		drain(t, w)
		out := map[string]int{}
		reminded = 0
		for _, m := range h.smtp.Messages()[before:] {
			p := parse(t, m)
			switch subj := p.Header.Get("Subject"); {
			case strings.Contains(subj, "your day in Onward"):
				out[m.To[0]]++
			case m.To[0] == n.Coordinator.Email && subj == "CRISIS: Referral "+crisis.Reference+" is still waiting in triage":
				reminded++
			default:
				t.Errorf("unexpected email to %s: %s", m.To[0], p.Header.Get("Subject"))
			}
		}
		return out
	}
	// run schedules every minute from from to to (UTC), as the worker's
	// loop does, and a restarted worker does the same at every hour.
	run := func(from, to time.Time) {
		t.Helper()
		for now := from; !now.After(to); now = now.Add(time.Minute) {
			h.env.Clock.Set(now)
			if _, err := w.ScheduleDigests(ctx); err != nil {
				t.Fatal(err)
			}
			if now.Minute() == 0 {
				if _, err := mk(nil).ScheduleDigests(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	want := func(when string, adviser, welfare int) {
		t.Helper()
		got := digests()
		if got[n.Adviser.Email] != adviser || got[n.WelfareAdviser.Email] != welfare || len(got) != min(adviser, 1)+min(welfare, 1) {
			t.Errorf("%s: digests %v; want %d to %s, %d to %s and none to anyone else", when, got,
				adviser, n.Adviser.Email, welfare, n.WelfareAdviser.Email)
		}
	}

	// A worker running after 09:00 in London on a working day sends that
	// day's digest then.
	run(time.Date(2026, 6, 8, 12, 1, 0, 0, time.UTC), time.Date(2026, 6, 8, 12, 5, 0, 0, time.UTC))
	want("Monday 13:05 in London", 1, 1)
	// Tuesday before 09:00 in London (07:59 UTC): no more, though the
	// date changed at midnight.
	run(time.Date(2026, 6, 8, 12, 6, 0, 0, time.UTC), time.Date(2026, 6, 9, 7, 59, 0, 0, time.UTC))
	want("Tuesday 08:59 in London", 1, 1)
	// 09:00 in London: one digest each, however often and by however
	// many workers it is scheduled through the morning.
	run(time.Date(2026, 6, 9, 8, 0, 0, 0, time.UTC), time.Date(2026, 6, 9, 11, 0, 0, 0, time.UTC))
	want("Tuesday 09:00 to 12:00 in London", 2, 2)

	var adviser, welfare parsed
	for _, m := range h.smtp.Messages()[before:] {
		switch m.To[0] {
		case n.Adviser.Email:
			adviser = parse(t, m)
		case n.WelfareAdviser.Email:
			welfare = parse(t, m)
		}
	}
	// Each holds what its reader gathered, and nothing they turned off.
	for _, c := range []struct {
		who        string
		p          parsed
		has, hasnt []string
	}{
		{"adviser", adviser, []string{"Kirkton Citizens Advice, Tuesday 9 June", "New referrals in the last day: 1", r.Reference + ": ", ": now accepted"},
			[]string{"Waiting to be accepted", "Your referrals updated", "across the network", "could not be delivered"}},
		{"welfare adviser", welfare, []string{"Kingdom Council Welfare Rights, Tuesday 9 June", "Your referrals updated in the last day: 1", r.Reference + ": accepted"},
			[]string{"New referrals", "Waiting to be accepted", "across the network", "could not be delivered"}},
	} {
		for _, s := range c.has {
			if !strings.Contains(c.p.Text, s) || !strings.Contains(c.p.HTML, s) {
				t.Errorf("%s's digest lacks %q:\n%s", c.who, s, c.p.Text)
			}
		}
		for _, s := range c.hasnt {
			if strings.Contains(c.p.Text, s) || strings.Contains(c.p.HTML, s) {
				t.Errorf("%s's digest has %q, a kind they did not gather:\n%s", c.who, s, c.p.Text)
			}
		}
	}

	// Past midnight UTC but before 09:00 in London on Wednesday: no
	// second digest; at 09:00 on Wednesday, the next one.
	run(time.Date(2026, 6, 9, 22, 30, 0, 0, time.UTC), time.Date(2026, 6, 10, 7, 59, 0, 0, time.UTC))
	want("Wednesday 08:59 in London", 2, 2)
	run(time.Date(2026, 6, 10, 8, 0, 0, 0, time.UTC), time.Date(2026, 6, 10, 8, 30, 0, 0, time.UTC))
	want("Wednesday 09:30 in London", 3, 3)

	// An agency that sends its staff no email sends them no digest either.
	if err := h.engine.SetAgencyNotifications(ctx, n.Welfare, core.AgencyNotifications{EmailStaff: core.StaffEmailNever}, core.Actor{Kind: core.ActorSystem}); err != nil {
		t.Fatal(err)
	}
	run(time.Date(2026, 6, 11, 8, 0, 0, 0, time.UTC), time.Date(2026, 6, 11, 8, 5, 0, 0, time.UTC))
	want("Thursday, the welfare agency set to never", 4, 3)

	// Saturday and Sunday are not working days.
	run(time.Date(2026, 6, 13, 7, 0, 0, 0, time.UTC), time.Date(2026, 6, 13, 12, 0, 0, 0, time.UTC))
	run(time.Date(2026, 6, 14, 8, 0, 0, 0, time.UTC), time.Date(2026, 6, 14, 9, 0, 0, 0, time.UTC))
	want("the weekend", 4, 3)
	if reminded != 1 {
		t.Errorf("the coordinator was reminded %d times of the crisis waiting in triage, want once", reminded)
	}

	// One cause row per agency and working day, however many schedulers.
	causes := map[string]int{}
	for _, e := range coretest.OutboxRows(t, h.engine) {
		if e.Kind == core.OutboxEmail && e.Payload.Email == core.EmailDigest {
			causes[fmt.Sprintf("agency %d on %s", e.Payload.AgencyID, e.CreatedAt.Format(time.DateOnly))]++
		}
	}
	keys := make([]string, 0, len(causes))
	for k, c := range causes {
		keys = append(keys, k)
		if c != 1 {
			t.Errorf("digest cause %s written %d times", k, c)
		}
	}
	slices.Sort(keys)
	if len(keys) != 5*4 { // five agencies, Monday to Thursday
		t.Errorf("%d digest causes, want 20: %v", len(keys), keys)
	}
}
