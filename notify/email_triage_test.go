package notify_test

import (
	"context"
	"mime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify/smtpfake"
)

// toTriage asks for food in St Andrews, where no service offers it: the
// request waits in triage.
func toTriage(in *core.SelfReferral) {
	in.Needs = []core.Need{core.NeedFood}
	in.Client.Postcode = "KY16 9AJ"
}

// TestTriageEmailsCoordinators: a client's own request that waits in
// triage reaches the coordinators by email when Slack's triage channel
// does not reach them (or their agency emails its staff always): one
// email when it arrives, with no client details and a link to it, and a
// reminder when it is still there, unclaimed, a working day later. Each
// goes as the coordinator chose for alerts; none goes once a coordinator
// has moved it on; with the triage channel, what happens stays as it was.
func TestTriageEmailsCoordinators(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		noSlack bool
		always  bool          // the coordinators' agency emails its staff always
		mode    core.MailMode // the coordinator's choice for alerts
		act     core.Action   // what a coordinator does before the worker runs
		arrival bool          // the coordinator is emailed of its arrival
		remind  bool          // and reminded a working day later
	}{
		{name: "email only", noSlack: true, mode: core.MailNow, arrival: true, remind: true},
		{name: "email only, claimed", noSlack: true, mode: core.MailNow, act: core.ActionClaim, arrival: true},
		{name: "email only, assigned", noSlack: true, mode: core.MailNow, act: core.ActionAssign},
		{name: "email only, alerts off", noSlack: true, mode: core.MailOff},
		{name: "email only, alerts in the digest", noSlack: true, mode: core.MailDigest},
		{name: "Slack triage channel", mode: core.MailNow},
		{name: "Slack triage channel, email always", always: true, mode: core.MailNow, arrival: true, remind: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newMailHarness(t, harnessOpts{noSlack: tc.noSlack}, smtpfake.Options{}, nil)
			ctx := context.Background()
			n := h.net
			if tc.always {
				if _, err := h.env.Pool.Exec(ctx, `UPDATE agencies SET email_staff = 'always' WHERE id = $1`, n.Team); err != nil {
					t.Fatal(err)
				}
			}
			if err := h.engine.SetMailPrefs(ctx, n.Coordinator.ID, map[core.EmailKind]core.MailMode{core.EmailAlert: tc.mode}); err != nil {
				t.Fatal(err)
			}
			h.env.Clock.Set(time.Date(2026, 6, 8, 10, 0, 0, 0, time.UTC)) // Monday, 11:00 in London
			h.markAllSent(t)
			r := h.selfRefer(t, "triage-mail", toTriage)
			if !r.InTriage() {
				t.Fatalf("the self-referral went to agency %v, want triage", r.ToAgencyID)
			}
			switch tc.act {
			case core.ActionClaim:
				if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionClaim, Actor: n.Coordinator.Actor()}); err != nil {
					t.Fatal(err)
				}
			case core.ActionAssign:
				if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAssign, Actor: n.Coordinator.Actor(), ToAgency: n.CAB}); err != nil {
					t.Fatal(err)
				}
			}
			w := h.mailWorker(t)
			drain(t, w)
			arrived := h.subjects(t, 0, r.Reference, "triage")[n.Coordinator.Email]
			if tc.arrival != (len(arrived) == 1) || len(arrived) > 1 {
				t.Fatalf("the coordinator got %q on its arrival; want an email: %v", arrived, tc.arrival)
			}
			if tc.arrival {
				if want := "Referral " + r.Reference + " is waiting in triage"; arrived[0] != want {
					t.Errorf("subject %q, want %q", arrived[0], want)
				}
				m := parse(t, byRecipient(h.smtp.Messages())[n.Coordinator.Email][0])
				for _, part := range []string{m.Text, m.HTML} {
					for _, s := range []string{"waiting in triage for a coordinator to choose an agency", "https://onward.example/staff/referrals/" + r.Reference, "11:00 on Tuesday 9 June"} {
						if !strings.Contains(part, s) {
							t.Errorf("the email lacks %q:\n%s", s, part)
						}
					}
					for _, pii := range []string{"Morag", "Baird", "07700", "KY1 1AB", "Rent arrears"} {
						if strings.Contains(part, pii) {
							t.Errorf("the email carries the client's %q:\n%s", pii, part)
						}
					}
				}
				if m.Header.Get("List-Unsubscribe") == "" {
					t.Error("no List-Unsubscribe: the coordinator's choice for alerts governs these")
				}
			}

			// Just before the target (10:59 on Tuesday in London), no reminder.
			h.env.Clock.Set(time.Date(2026, 6, 9, 9, 59, 0, 0, time.UTC))
			drain(t, w)
			if got := h.subjects(t, 0, r.Reference, "still waiting")[n.Coordinator.Email]; len(got) != 0 {
				t.Fatalf("reminded before the target: %q", got)
			}
			h.env.Clock.Set(time.Date(2026, 6, 9, 10, 1, 0, 0, time.UTC))
			drain(t, w)
			got := h.subjects(t, 0, r.Reference, "still waiting")[n.Coordinator.Email]
			if tc.remind != (len(got) == 1) || len(got) > 1 {
				t.Errorf("the coordinator got %q at the target; want a reminder: %v", got, tc.remind)
			}
			for addr := range byRecipient(h.smtp.Messages()) {
				if addr != n.Coordinator.Email && !strings.HasSuffix(addr, "@cab.example") {
					t.Errorf("%s was emailed", addr)
				}
			}
		})
	}
}

// TestTriageEmailForTheRejectedClientsOwnRequest: an agency turning down
// a client's own request sends it back to triage as a new referral, and
// the coordinators of an email-only network hear of it.
func TestTriageEmailForTheRejectedClientsOwnRequest(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	ctx := context.Background()
	n := h.net
	r := h.selfRefer(t, "triage-rejected", toWelfare)
	if r.ToAgencyID == nil || *r.ToAgencyID != n.Welfare {
		t.Fatalf("the self-referral went to %v, want the welfare agency", r.ToAgencyID)
	}
	h.markAllSent(t)
	res, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReject, Actor: n.WelfareAdviser.Actor(),
		Reason: core.ReasonNotEligible, Feedback: "Outside the area we cover"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Child == nil || !res.Child.InTriage() {
		t.Fatalf("the rejected self-referral was not sent back to triage: %+v", res.Child)
	}
	drain(t, h.mailWorker(t))
	want := "Referral " + res.Child.Reference + " is waiting in triage"
	if got := h.subjects(t, 0, res.Child.Reference)[n.Coordinator.Email]; len(got) != 1 || got[0] != want {
		t.Errorf("the coordinator got %q, want %q", got, want)
	}
}

// TestDigestListsTriage: a coordinator who gathers alerts in the daily
// digest finds there what waits in triage, by reference, with how many are
// past their target.
func TestDigestListsTriage(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	ctx := context.Background()
	n := h.net
	if err := h.engine.SetMailPrefs(ctx, n.Coordinator.ID, map[core.EmailKind]core.MailMode{core.EmailAlert: core.MailDigest}); err != nil {
		t.Fatal(err)
	}
	h.env.Clock.Set(time.Date(2026, 6, 8, 10, 0, 0, 0, time.UTC)) // Monday
	h.markAllSent(t)
	old := h.selfRefer(t, "digest-triage-old", toTriage)
	h.env.Clock.Set(time.Date(2026, 6, 9, 7, 0, 0, 0, time.UTC)) // Tuesday, before work
	fresh := h.selfRefer(t, "digest-triage-new", func(in *core.SelfReferral) { toTriage(in); in.Client.Phone = "07700 900456" })
	w := h.mailWorker(t)
	drain(t, w)
	if len(h.smtp.Messages()) != 0 {
		t.Fatalf("emails at once to a coordinator who gathers alerts: %d", len(h.smtp.Messages()))
	}
	h.env.Clock.Set(time.Date(2026, 6, 9, 12, 0, 0, 0, time.UTC)) // Tuesday 13:00 in London: old is past its target
	if _, err := w.ScheduleDigests(ctx); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	var digest *parsed
	for _, m := range byRecipient(h.smtp.Messages())[n.Coordinator.Email] {
		p := parse(t, m)
		if strings.Contains(decodedSubject(p), "your day in Onward") {
			digest = &p
		} else {
			t.Errorf("the coordinator got %q at once", decodedSubject(p))
		}
	}
	if digest == nil {
		t.Fatal("the coordinator got no digest")
	}
	for _, s := range []string{"Waiting in triage for a coordinator to choose an agency: 2 (1 past their target)",
		old.Reference + ": Food, KY16 (past target)", fresh.Reference + ": Food, KY16"} {
		if !strings.Contains(digest.Text, s) {
			t.Errorf("the digest lacks %q:\n%s", s, digest.Text)
		}
	}
	if strings.Contains(digest.Text, fresh.Reference+": Food, KY16 (past target)") {
		t.Errorf("the digest says %s, made this morning, is past its target:\n%s", fresh.Reference, digest.Text)
	}
	if !strings.Contains(digest.HTML, "Waiting in triage: 2 (1 past their target)") {
		t.Errorf("the digest's HTML lacks the triage queue:\n%s", digest.HTML)
	}
}

// TestRetiredAgencyAlertEmailsCoordinators: in an email-only network,
// retiring an agency that keeps an accepted referral emails the
// coordinators its reference, so it is not left where no screen shows it.
func TestRetiredAgencyAlertEmailsCoordinators(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	ctx := context.Background()
	n := h.net
	r := h.staffReferral(t, "retire-held", false)
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: n.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	h.markAllSent(t)
	if err := h.engine.RetireAgency(ctx, n.CAB, n.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	drain(t, h.mailWorker(t))
	ms := byRecipient(h.smtp.Messages())[n.Coordinator.Email]
	if len(ms) != 1 {
		t.Fatalf("the coordinator got %d emails, want the alert", len(ms))
	}
	m := parse(t, ms[0])
	// The subject says what happened, not just "Onward alert".
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || !strings.HasPrefix(subj, "Onward alert: Kirkton Citizens Advice has left the network keeping 1 open referral") ||
		utf8.RuneCountInString(subj) > len("Onward alert: ")+91 {
		t.Errorf("subject %q (%v); want the alert's first sentence, cut to fit", subj, err)
	}
	for _, s := range []string{"Kirkton Citizens Advice has left the network keeping 1 open referral", r.Reference,
		"Open your inbox, which lists them: https://onward.example/staff/"} {
		if !strings.Contains(m.Text, s) {
			t.Errorf("the alert lacks %q:\n%s", s, m.Text)
		}
	}
}
