package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestNewReferralNobodyAtAgencyGoesToCoordinators: when every member of
// staff at an agency off Slack has turned new referrals' emails off (and
// it has no shared address), a new referral for it is emailed to the
// coordinators, saying why, rather than dropped as "nobody to email". One
// of them gathering new referrals in the digest is enough to hear of it,
// and an agency on Slack has its card there.
func TestNewReferralNobodyAtAgencyGoesToCoordinators(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		channel     string        // the CAB's Slack channel
		callum      core.MailMode // Callum's choice; Ailsa's is off
		coordinator bool          // the coordinator is emailed
	}{
		{"everyone off, off Slack", "", core.MailOff, true},
		{"one in the digest", "", core.MailDigest, false},
		{"everyone off, on Slack", "C0CAB", core.MailOff, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newMailHarness(t, harnessOpts{}, smtpfake.Options{}, nil)
			ctx := context.Background()
			n := h.net
			if _, err := h.env.Pool.Exec(ctx, `UPDATE agencies SET slack_channel_id = $2, notify_email = '' WHERE id = $1`, n.CAB, tc.channel); err != nil {
				t.Fatal(err)
			}
			// The coordinator turned off new referrals for her own agency:
			// that choice is not about other agencies' referrals.
			// Everyone off is a state only mail programs' one-click
			// unsubscribes reach (core refuses every other way there).
			for id, mode := range map[core.StaffID]core.MailMode{n.Adviser.ID: core.MailOff, n.Adviser2.ID: tc.callum, n.Coordinator.ID: core.MailOff} {
				set := func() error {
					return h.engine.SetMailPrefs(ctx, id, map[core.EmailKind]core.MailMode{core.EmailNewReferral: mode})
				}
				if mode == core.MailOff {
					set = func() error { return h.engine.UnsubscribeOneClick(ctx, id, core.EmailNewReferral) }
				}
				if err := set(); err != nil {
					t.Fatal(err)
				}
			}
			h.markAllSent(t)
			r := h.staffReferral(t, "nobody-there", false)
			drain(t, h.mailWorker(t))

			got := byRecipient(h.smtp.Messages())
			for addr := range got {
				if strings.HasSuffix(addr, "@cab.example") {
					t.Errorf("%s was emailed after turning new referrals off", addr)
				}
			}
			ms := got[n.Coordinator.Email]
			if !tc.coordinator {
				if len(ms) != 0 {
					t.Errorf("the coordinator got %d emails; someone at the CAB hears of it", len(ms))
				}
				return
			}
			if len(ms) != 1 {
				t.Fatalf("the coordinator got %d emails, want 1 (all: %v)", len(ms), got)
			}
			m := parse(t, ms[0])
			subj := decodedSubject(m)
			if want := "New referral " + r.Reference + " for Kirkton Citizens Advice: nobody there is told"; subj != want {
				t.Errorf("subject %q, want %q", subj, want)
			}
			for _, part := range []string{m.Text, m.HTML} {
				if !strings.Contains(part, "nobody at Kirkton Citizens Advice gets these emails any more") {
					t.Errorf("the email does not say why the coordinator got it:\n%s", part)
				}
			}
			if u := m.Header.Get("List-Unsubscribe"); u != "" {
				t.Errorf("List-Unsubscribe %q: her own choice does not stop these", u)
			}
		})
	}
}
