package sms

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// sendThroughFake sends a text for row through notify's Twilio sender to
// the fake Twilio, as a worker does after marking the row "sending", and
// returns what Twilio took: its SID and the StatusCallback path and query
// it will post to.
func sendThroughFake(t *testing.T, row core.OutboxID) (sid, callbackPath string) {
	t.Helper()
	// The fake wants a token in Twilio's shape; the callback is signed by
	// the harness with its own.
	const apiToken = "0123456789abcdef0123456789abcdef"
	fake := notifytest.NewTwilio(t, smsTestAccount, apiToken)
	s, err := notify.NewTwilioSender(config.Config{Env: "dev", PublicURL: smsTestPublicURL,
		TwilioAccountSID: smsTestAccount, TwilioAuthToken: apiToken, TwilioFrom: smsTestOurNumber,
		TwilioAPIURL: fake.URL()}, notify.SenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.SendSMS(context.Background(), row, smsTestPhone, "Your referral was accepted.")
	if err != nil {
		t.Fatal(err)
	}
	got := fake.Accepted()
	if len(got) != 1 || got[0].SID != rec.SID {
		t.Fatalf("fake Twilio took %+v, want the one text", got)
	}
	cb, err := url.Parse(got[0].StatusCallback)
	if err != nil || !strings.HasPrefix(got[0].StatusCallback, smsTestPublicURL+"/twilio/status?") {
		t.Fatalf("StatusCallback %q: %v", got[0].StatusCallback, err)
	}
	if want := fmt.Sprintf("%s=%d", statusRowParam, row); cb.RawQuery != want || statusRowParam != notify.StatusRowParam {
		t.Fatalf("StatusCallback query %q, want only %q", cb.RawQuery, want)
	}
	return rec.SID, cb.RequestURI()
}

// rowByID is the outbox row with the id.
func (h *smsHarness) rowByID(id core.OutboxID) core.OutboxEntry {
	h.t.Helper()
	for _, e := range coretest.OutboxRows(h.t, h.env.Engine) {
		if e.ID == id {
			return e
		}
	}
	h.t.Fatalf("no outbox row %d", id)
	return core.OutboxEntry{}
}

// TestStatusCallbackNamesRowOfUnrecordedText: the worker marked the text
// "sending", Twilio took it, and the worker died before recording the
// SID. Twilio's signed callback, naming the row in its URL, marks the row
// sent with the SID and status; the next claim finds nothing to do, and
// no dead letter or alert is written.
func TestStatusCallbackNamesRowOfUnrecordedText(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.sms.unknownWait = 100 * time.Millisecond
	c := coretest.SendingSMS(t, h.env.Engine, "t-died")
	sid, path := sendThroughFake(t, c.ID)
	rec := h.post(statusForm(sid, "sent", "", smsTestPhone), postOpt{path: path})
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d, want 204", rec.Code)
	}
	row := h.rowByID(c.ID)
	if row.SentAt == nil || row.DeadAt != nil || row.ProviderID != sid || row.DeliveryStatus != "sent" {
		t.Fatalf("row after the callback: %+v, want sent with the SID", row)
	}
	// Later callbacks find the SID as usual.
	if rec := h.post(statusForm(sid, "delivered", "", smsTestPhone), postOpt{path: path}); rec.Code != http.StatusNoContent {
		t.Fatalf("delivered: status %d", rec.Code)
	}
	if s, _ := h.delivery(sid); s != "delivered" {
		t.Errorf("after delivered: %q", s)
	}
	// The next claim, after the dead worker's lease, has nothing to do.
	cs, err := h.env.Engine.Outbox().Claim(context.Background(), h.env.Clock.Now().Add(time.Hour), time.Minute, 10)
	if err != nil || len(cs) != 0 {
		t.Fatalf("claim after the callback: %+v %v, want nothing", cs, err)
	}
	if rows := coretest.OutboxRows(t, h.env.Engine); len(rows) != 1 {
		t.Errorf("outbox has %d rows, want only the text (no dead letter, no alert): %+v", len(rows), rows)
	}
}

// TestStatusCallbackRowTampered: a callback whose row parameter was
// changed after Twilio signed the URL is refused, and nothing changes.
func TestStatusCallbackRowTampered(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.sms.unknownWait = 100 * time.Millisecond
	c := coretest.SendingSMS(t, h.env.Engine, "t-signed")
	other := coretest.SendingSMS(t, h.env.Engine, "t-other")
	sid, path := sendThroughFake(t, c.ID)
	tampered := fmt.Sprintf("/twilio/status?%s=%d", statusRowParam, other.ID)
	rec := h.post(statusForm(sid, "sent", "", smsTestPhone), postOpt{path: tampered, signURL: smsTestPublicURL + path})
	if rec.Code != http.StatusForbidden {
		t.Fatalf("tampered row: status %d, want 403", rec.Code)
	}
	for _, id := range []core.OutboxID{c.ID, other.ID} {
		if row := h.rowByID(id); row.SentAt != nil || row.ProviderID != "" || row.DeliveryStatus != core.DeliverySending {
			t.Errorf("row %d after a refused callback: %+v, want unchanged", id, row)
		}
	}
}

// TestStatusCallbackRowNotWaiting: a signed callback naming a row that is
// not a text waiting for its SID (a Slack card, a text already sent, a
// row that does not exist, a value that is no row id) is acknowledged and
// changes nothing.
func TestStatusCallbackRowNotWaiting(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.sms.unknownWait = 100 * time.Millisecond
	ctx := context.Background()
	o := h.env.Engine.Outbox()
	h.sentSMS("t-sent", h.nextSID())
	if err := o.Enqueue(ctx, core.OutboxCard, 0, core.OutboxPayload{Channel: "triage"}, "card-1", time.Unix(0, 0).UTC()); err != nil {
		t.Fatal(err)
	}
	before := coretest.OutboxRows(t, h.env.Engine)
	for _, q := range []string{fmt.Sprint(before[0].ID), fmt.Sprint(before[1].ID), "999999", "-1", "abc"} {
		path := "/twilio/status?" + statusRowParam + "=" + q
		if rec := h.post(statusForm(h.nextSID(), "sent", "", smsTestPhone), postOpt{path: path}); rec.Code != http.StatusNoContent {
			t.Errorf("row %s: status %d, want 204", q, rec.Code)
		}
	}
	after := coretest.OutboxRows(t, h.env.Engine)
	if fmt.Sprintf("%+v", after) != fmt.Sprintf("%+v", before) {
		t.Errorf("callbacks naming rows not waiting changed the outbox:\nbefore %+v\nafter  %+v", before, after)
	}
}
