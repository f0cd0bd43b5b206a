package sms

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/onward-network/onward/core"
)

// A phone the outbox worker found unsubscribed at the carrier (21610 on a
// send) gets the silence of any opted-out phone on its next text, not an
// answer from the webhook's cached "not opted out".
func TestCarrierOptOutReachesTheWebhookAtOnce(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	if got := h.text(smsTestPhone, "Hi"); len(got) == 0 {
		t.Fatal("the first text got no answer") // and the phone's answer is now cached
	}
	if err := h.env.Engine.OptOut(ctx, core.Phone(smsTestPhone), "carrier"); err != nil {
		t.Fatal(err)
	}
	ForgetCachedOptOut(h.env.Engine, h.rdb, h.prefix, slog.New(slog.NewTextHandler(io.Discard, nil)))(ctx, core.Phone(smsTestPhone))
	if got := h.text(smsTestPhone, "1"); len(got) != 0 {
		t.Errorf("a phone opted out at the carrier was answered %q", got)
	}
}
