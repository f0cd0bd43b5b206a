package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// An adviser may give a client's landline (to be phoned); the client's
// status texts to it are skipped, saying why, rather than sent for Twilio
// to refuse and dead-lettered with an alert to the coordinators.
func TestNoTextToALandline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	n := h.env.Net
	in := coretest.SelfReferral("landline")
	in.Client.Phone = "01592 583000"
	in.Client.PreferredContact = "call"
	r, err := h.engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "landline", By: n.WelfareAdviser.Actor(),
		Client: in.Client, Needs: []core.Need{core.NeedDebt}, ToAgency: n.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: n.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	drain(t, h.worker(t, nil))
	for _, m := range h.twilio.Accepted() {
		if strings.Contains(m.Body, r.Reference) {
			t.Errorf("a text went to the landline: %q", m.Body)
		}
	}
	row := rowFor(t, h, core.SMSAccepted)
	if row.Dead || !strings.Contains(row.DeliveryStatus, "landline") {
		t.Errorf("the accepted text's row: dead %v, status %q; want skipped, naming the landline", row.Dead, row.DeliveryStatus)
	}
}
