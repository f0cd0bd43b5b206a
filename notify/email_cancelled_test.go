package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestCancelledReferralTellsTheHoldingAgency: when anyone but the agency
// holding a referral cancels it (the client withdrawing consent, their
// details erased, the referrer, a coordinator), an agency off Slack is
// told by email, once per address and with nothing personal in it, that
// the referral was cancelled and the client's details are no longer
// shared with it. When its own staff cancel it, nobody there is emailed
// about what they did themselves.
func TestCancelledReferralTellsTheHoldingAgency(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		cancel func(h *mailHarness, r core.Referral) error
		told   bool
		golden string // the shared address's email
	}{
		{"the client withdraws consent", func(h *mailHarness, r core.Referral) error {
			_, err := h.engine.WithdrawByReference(context.Background(), r.Reference, core.ClientActor, "sms", "SMwithdraw1")
			return err
		}, true, "testdata/email/referral_cancelled_agency.golden"},
		{"the client's details are erased", func(h *mailHarness, r core.Referral) error {
			return h.engine.EraseClient(context.Background(), r.ClientID, h.net.Coordinator.Actor(), core.ErasureClientAsked, "web")
		}, true, ""},
		{"the referrer cancels", func(h *mailHarness, r core.Referral) error {
			_, err := h.engine.Act(context.Background(), core.TransitionRequest{Referral: r.ID, Action: core.ActionCancel,
				Actor: h.net.WelfareAdviser.Actor(), Feedback: "Morag Baird moved to Perth"})
			return err
		}, true, ""},
		{"a coordinator cancels", func(h *mailHarness, r core.Referral) error {
			_, err := h.engine.Act(context.Background(), core.TransitionRequest{Referral: r.ID, Action: core.ActionCancel,
				Actor: h.net.Coordinator.Actor(), Feedback: "Morag Baird moved to Perth"})
			return err
		}, true, ""},
		{"the agency's own adviser cancels", func(h *mailHarness, r core.Referral) error {
			_, err := h.engine.Act(context.Background(), core.TransitionRequest{Referral: r.ID, Action: core.ActionCancel,
				Actor: h.net.Adviser.Actor(), Feedback: "Morag Baird moved to Perth"})
			return err
		}, false, ""},
	}
	personal := []string{"Morag", "Baird", "07700 900123", "7700900123", "KY1 1AB", "Rent arrears", "Perth"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
			h.emailOnly(t)
			h.markAllSent(t)
			w := h.mailWorker(t)
			r := h.staffReferral(t, "cancel-1", false)
			h.acceptAll(t, r)
			drain(t, w)
			before := len(h.smtp.Messages())
			if err := tc.cancel(h, r); err != nil {
				t.Fatal(err)
			}
			drain(t, w)
			drain(t, w)
			if got, err := h.engine.Referral(context.Background(), r.ID); err != nil || got.Status != core.StatusCancelled {
				t.Fatalf("referral %s (%v), want cancelled", got.Status, err)
			}

			got := h.subjects(t, before, "was cancelled")
			var want []string
			if tc.told {
				want = []string{h.net.Adviser.Email, h.net.Adviser2.Email, "team@cab.example"}
			}
			if !slices.Equal(addresses(got), want) {
				t.Fatalf("told of the cancellation: %v; want %v", got, want)
			}
			for addr, subjects := range got {
				if len(subjects) != 1 || !strings.Contains(subjects[0], r.Reference) {
					t.Errorf("%s got %q, want one email about %s", addr, subjects, r.Reference)
				}
			}
			for _, m := range h.smtp.Messages()[before:] {
				p := parse(t, m)
				if !strings.Contains(decodedSubject(p), "was cancelled") {
					continue
				}
				for _, s := range []string{"The client's details are no longer shared with Kirkton Citizens Advice", "https://onward.example/staff/referrals/" + r.Reference} {
					if !strings.Contains(p.Text, s) || !strings.Contains(p.HTML, s) {
						t.Errorf("the email lacks %q:\n%s\n%s", s, p.Text, p.HTML)
					}
				}
				if p.Header.Get("List-Unsubscribe") != "" {
					t.Errorf("the email to %v can be unsubscribed from; it always comes", m.To)
				}
				for _, s := range personal {
					if strings.Contains(describe(p)+string(m.Data), s) {
						t.Errorf("the email to %v carries personal data %q", m.To, s)
					}
				}
				if tc.golden != "" && m.To[0] == "team@cab.example" {
					coretest.Golden(t, tc.golden, describe(p))
				}
			}
		})
	}
}
