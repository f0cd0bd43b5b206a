package notify_test

import (
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/smtpfake"
)

// TestCrisisEmailOnlyWhenACoordinatorIsNeeded: the coordinators' crisis
// email ("needs a coordinator now", which cannot be turned off) goes for a
// crisis self-referral, and says so, but not for a crisis referral an
// adviser sent straight to an agency: that is not a self-referral, nothing
// waits in triage, and the agency is emailed at once.
func TestCrisisEmailOnlyWhenACoordinatorIsNeeded(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	n := h.net
	h.markAllSent(t)
	adviser := h.staffReferral(t, "crisis-adviser", true)
	self := h.selfRefer(t, "crisis-self", func(in *core.SelfReferral) { in.Crisis = true })
	drain(t, h.mailWorker(t))

	if got := h.subjects(t, 0, "CRISIS", adviser.Reference)[n.Coordinator.Email]; len(got) != 0 {
		t.Errorf("coordinator emailed about an adviser's crisis referral already with an agency: %q", got)
	}
	if got := h.subjects(t, 0, adviser.Reference)[n.Adviser.Email]; len(got) != 1 || got[0] != "Crisis referral "+adviser.Reference+" for Kirkton Citizens Advice" {
		t.Errorf("the agency's email about the adviser's crisis referral: %q", got)
	}
	want := "CRISIS: self-referral " + self.Reference + " needs a coordinator now"
	if got := h.subjects(t, 0, self.Reference)[n.Coordinator.Email]; len(got) != 1 || got[0] != want {
		t.Errorf("the coordinator's email about a crisis self-referral: %q, want %q", got, want)
	}
	for _, e := range coretest.OutboxRows(t, h.engine) {
		if e.Kind == core.OutboxEmail && e.Payload.Email == core.EmailCrisis && e.Payload.ReferralID == adviser.ID {
			t.Errorf("crisis email queued for the adviser's referral: %+v", e)
		}
	}
}

// TestCrisisReferralEmailsRetriedOnTheShortSchedule: the coordinators'
// crisis email and the agency's email of a crisis referral, refused by
// the mail server once, are tried again within seconds (the crisis
// schedule), not after the routine backoff; a routine referral's email
// keeps the routine one.
func TestCrisisReferralEmailsRetriedOnTheShortSchedule(t *testing.T) {
	t.Parallel()
	h := newMailHarness(t, harnessOpts{noSlack: true}, smtpfake.Options{}, nil)
	h.markAllSent(t)
	adviser := h.staffReferral(t, "crisis-adviser", true)
	routine := h.staffReferral(t, "routine-adviser", false)
	self := h.selfRefer(t, "crisis-self", func(in *core.SelfReferral) { in.Crisis = true })
	h.smtp.SetScript(func(int) smtpfake.Reply { return smtpfake.Reply{Code: 451} })
	w := h.worker(t, func(o *notify.Options) {
		o.Mail, o.BaseBackoff, o.MaxBackoff = h.sender, 10*time.Minute, time.Hour
	})
	drain(t, w)
	seen := map[string]int{}
	for _, e := range coretest.OutboxRows(t, h.engine) {
		if e.Kind != core.OutboxEmailSend || e.SentAt != nil || e.Attempts == 0 {
			continue
		}
		wait := e.AvailableAt.Sub(h.clock.Now())
		switch {
		case e.Payload.Email == core.EmailCrisis && e.Payload.ReferralID == self.ID,
			e.Payload.Email == core.EmailNewReferral && e.Payload.ReferralID == adviser.ID:
			seen["crisis"]++
			if wait > 5*time.Second {
				t.Errorf("%s email of crisis referral %d retried in %v, want within seconds", e.Payload.Email, e.Payload.ReferralID, wait)
			}
		case e.Payload.Email == core.EmailNewReferral && e.Payload.ReferralID == routine.ID:
			seen["routine"]++
			if wait < time.Minute {
				t.Errorf("a routine referral's email retried in %v, want the routine backoff", wait)
			}
		}
	}
	if seen["crisis"] < 2 || seen["routine"] == 0 {
		t.Fatalf("emails refused and waiting: %v; want the crisis email, the crisis referral's and the routine one", seen)
	}
}
