package sms

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// withdrawnState is what a withdrawal by text changes, for comparing
// before and after: consents withdrawn, the referrals' statuses, and the
// withdrawal texts queued.
func (h *smsHarness) withdrawnState() string {
	h.t.Helper()
	var s string
	if err := h.env.Pool.QueryRow(context.Background(), `
SELECT format('withdrawn consents %s, referrals %s, withdrawal events %s, withdrawal texts %s',
    (SELECT count(*) FROM consents WHERE withdrawn_at IS NOT NULL),
    (SELECT string_agg(status, ',' ORDER BY id) FROM referrals),
    (SELECT count(*) FROM events WHERE kind = 'consent.withdrawn'),
    (SELECT count(*) FROM outbox WHERE payload->>'template' = 'consent_withdrawn'))`).Scan(&s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// TestWithdrawFromARecycledNumber: mobile numbers are reissued, so the
// withdraw keyword from a client's number counts only while the client
// used the number within six months. Past that, the text is answered in
// exactly the words a phone with no client gets, and nothing is withdrawn:
// the referral stays open and no confirmation is queued. Within it the
// withdrawal works as it always did: no reply on the webhook, the
// referral cancelled.
func TestWithdrawFromARecycledNumber(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		after time.Duration
		works bool
	}{
		{"five months after the client's referral by text", 5 * 30 * 24 * time.Hour, true},
		{"seven months after", 7 * 30 * 24 * time.Hour, false},
		{"four years after", 4 * 365 * 24 * time.Hour, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			nobody := h.text("+447700900777", "WITHDRAW")
			r := h.referByText(smsTestPhone)
			h.env.Clock.Advance(c.after)
			before := h.withdrawnState()

			got := h.text(smsTestPhone, "WITHDRAW")
			after := h.withdrawnState()
			if c.works {
				if len(got) != 0 || after == before {
					t.Fatalf("the client's WITHDRAW answered %q and left %q; want the withdrawal recorded, confirmed by core's text alone", got, after)
				}
				if st, _ := h.env.Engine.Referral(context.Background(), r.ID); st.Status != core.StatusCancelled {
					t.Errorf("referral %s after the client's WITHDRAW, want cancelled", st.Status)
				}
				return
			}
			if strings.Join(got, "\n") != strings.Join(nobody, "\n") {
				t.Errorf("WITHDRAW from a number last used by the client %s answered\n%q\nwant the words a phone with no client gets:\n%q", c.name, got, nobody)
			}
			if after != before {
				t.Errorf("WITHDRAW from a number that may be recycled changed %q to %q", before, after)
			}
			if st, _ := h.env.Engine.Referral(context.Background(), r.ID); st.Status != r.Status {
				t.Errorf("referral %s after WITHDRAW from a recycled number, want still %s", st.Status, r.Status)
			}
		})
	}
}

// TestWithdrawAfterTextingAgain: a client whose referral by text is years
// old, and whose WITHDRAW is refused for it, refers themselves again by
// text from the same phone; a month later their WITHDRAW works, and
// cancels the old referral too.
func TestWithdrawAfterTextingAgain(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	old := h.referByText(smsTestPhone)
	h.env.Clock.Advance(2 * 365 * 24 * time.Hour)
	before := h.withdrawnState()
	if got := h.text(smsTestPhone, "WITHDRAW"); len(got) != 1 || !strings.HasPrefix(got[0], "There is nothing we can withdraw by text") {
		t.Fatalf("WITHDRAW two years on answered %q, want that nothing can be withdrawn by text", got)
	}
	if after := h.withdrawnState(); after != before {
		t.Fatalf("WITHDRAW two years on changed %q to %q", before, after)
	}

	h.env.Clock.Advance(time.Hour)
	again := h.referByText(smsTestPhone)
	if again.ClientID != old.ClientID {
		t.Fatalf("the second referral by text is client %d's, want the same client %d", again.ClientID, old.ClientID)
	}
	h.env.Clock.Advance(30 * 24 * time.Hour)
	if got := h.text(smsTestPhone, "WITHDRAW"); len(got) != 0 {
		t.Fatalf("WITHDRAW a month after texting again answered %q, want the withdrawal (confirmed by core's text)", got)
	}
	for _, id := range []core.ReferralID{old.ID, again.ID} {
		if r, _ := h.env.Engine.Referral(context.Background(), id); r.Status != core.StatusCancelled {
			t.Errorf("referral %s after the withdrawal, want cancelled", r.Status)
		}
	}
	n := 0
	for _, e := range coretest.OutboxRows(t, h.env.Engine) {
		if e.Payload.Template == core.SMSConsentRemoved {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d withdrawal confirmations queued, want 1", n)
	}
}
