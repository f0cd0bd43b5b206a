package notify_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// A client in crisis was told to call if nobody is in touch within one
// working day; when an agency accepts, the acceptance text promises that
// day, not the routine three, and the "has anyone been in touch?"
// question comes when that day is over, not three days later. A routine
// referral keeps the routine number (TestReferralCardPostedThenUpdatedAndTextsSent).
func TestCrisisAcceptancePromisesTheCrisisWait(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	n := h.env.Net
	r := h.selfRefer(t, "crisis-promise", func(in *core.SelfReferral) { in.Crisis = true; in.CrisisReasons = []string{"no food"} })
	coord := n.Coordinator.Actor()
	for _, req := range []core.TransitionRequest{
		{Referral: r.ID, Action: core.ActionClaim, Actor: coord},
		{Referral: r.ID, Action: core.ActionAssign, Actor: coord, ToAgency: n.Welfare},
		{Referral: r.ID, Action: core.ActionAccept, Actor: n.WelfareAdviser.Actor()},
	} {
		if _, err := h.engine.Act(ctx, req); err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
	}
	cal, err := h.engine.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	days := cal.AgencyContactDays(true)
	if days != 1 || cal.AgencyContactDays(false) != 3 {
		t.Fatalf("the demo calendar promises %d working days in a crisis and %d otherwise; the test expects 1 and 3", days, cal.AgencyContactDays(false))
	}
	accepted, err := h.engine.Referral(ctx, r.ID)
	if err != nil || accepted.Status != core.StatusAccepted {
		t.Fatalf("accepted referral: %+v, %v", accepted, err)
	}
	check := h.scheduled(t, string(core.OutboxClientSMS), core.SMSContactCheck)
	if want := cal.AddWorkingDays(accepted.StatusAt, 1); !check.AvailableAt.Equal(want) {
		t.Errorf("the contact check is due %s, want %s (one working day after acceptance)", check.AvailableAt, want)
	}

	drain(t, h.worker(t, nil))
	var body string
	for _, m := range h.twilio.Accepted() {
		if strings.Contains(m.Body, "will contact you within") {
			body = m.Body
		}
	}
	if want := "Kingdom Council Welfare Rights will contact you within 1 working day about your referral."; !strings.HasPrefix(body, want) {
		t.Fatalf("the acceptance text = %q, want it to start %q", body, want)
	}
}

// Outside WhatsApp's window the acceptance goes as its approved template,
// which cannot choose a plural form: the variable carries the words, so
// a crisis reads "within 1 working day", not "within 1 working days".
func TestCrisisAcceptanceOnWhatsAppInWords(t *testing.T) {
	t.Parallel()
	h, w := whatsAppHarness(t)
	ctx := context.Background()
	if err := h.engine.RecordInbound(ctx, testClientPhone, core.MessagingWhatsApp); err != nil {
		t.Fatal(err)
	}
	n := h.env.Net
	r := h.selfRefer(t, "crisis-wa", func(in *core.SelfReferral) { in.Crisis = true; in.CrisisReasons = []string{"no food"} })
	h.env.Clock.Advance(25 * time.Hour) // the window closes
	coord := n.Coordinator.Actor()
	for _, req := range []core.TransitionRequest{
		{Referral: r.ID, Action: core.ActionClaim, Actor: coord},
		{Referral: r.ID, Action: core.ActionAssign, Actor: coord, ToAgency: n.Welfare},
		{Referral: r.ID, Action: core.ActionAccept, Actor: n.WelfareAdviser.Actor()},
	} {
		if _, err := h.engine.Act(ctx, req); err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
	}
	drain(t, w)
	var vars map[string]string
	for _, m := range h.twilio.Accepted() {
		if m.ContentSID == acceptedSID {
			if err := json.Unmarshal([]byte(m.ContentVariables), &vars); err != nil {
				t.Fatalf("ContentVariables %q: %v", m.ContentVariables, err)
			}
		}
	}
	if vars["2"] != "1 working day" {
		t.Fatalf("the accepted template's days = %q (variables %v), want %q", vars["2"], vars, "1 working day")
	}
}
