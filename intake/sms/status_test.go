package sms

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/onward-network/onward/core/coretest"
)

// statusForm is the form Twilio posts to a message's StatusCallback.
func statusForm(sid, status, errorCode, to string) []twilioField {
	f := []twilioField{{"SmsSid", sid}, {"SmsStatus", status}, {"MessageStatus", status}, {"To", to},
		{"MessagingServiceSid", ""}, {"MessageSid", sid}, {"AccountSid", smsTestAccount}, {"From", smsTestOurNumber},
		{"ApiVersion", "2010-04-01"}}
	if errorCode != "" {
		f = append(f, twilioField{"ErrorCode", errorCode})
	}
	return f
}

// sentSMS records a text as sent with a provider id, as notify does.
func (h *smsHarness) sentSMS(dedupe, sid string) {
	h.t.Helper()
	coretest.SentSMS(h.t, h.env.Engine, dedupe, sid)
}

// delivery is the delivery status and error code recorded for a provider id.
func (h *smsHarness) delivery(sid string) (string, string) {
	h.t.Helper()
	return coretest.Delivery(h.t, h.env.Engine, sid)
}

func TestSMSStatusCallback(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	sid := h.nextSID()
	h.sentSMS("t-1", sid)
	post := func(status, code string) {
		t.Helper()
		rec := h.post(statusForm(sid, status, code, smsTestPhone), postOpt{path: "/twilio/status"})
		if rec.Code != http.StatusNoContent {
			t.Fatalf("%s: status %d, want 204", status, rec.Code)
		}
	}
	post("sent", "")
	if s, c := h.delivery(sid); s != "sent" || c != "" {
		t.Fatalf("after sent: %q %q", s, c)
	}
	post("delivered", "")
	post("sent", "") // late, out of order: must not undo delivered
	if s, _ := h.delivery(sid); s != "delivered" {
		t.Fatalf("after a late sent: %q, want delivered", s)
	}
	if h.optedOut(smsTestPhone) {
		t.Fatal("a delivery receipt opted the phone out")
	}
}

// TestSMSStatusBeforeSIDRecorded covers a callback that arrives in the
// moment between Twilio answering the send and notify recording the id.
func TestSMSStatusBeforeSIDRecorded(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	// The wait is long here so a busy machine cannot end it before the id
	// is recorded; TestSMSStatusUnknownSIDGivesUp times the real one.
	h.sms.unknownWait = time.Minute
	sid := h.nextSID()
	done := make(chan int, 1)
	go func() {
		done <- h.post(statusForm(sid, "sent", "", smsTestPhone), postOpt{path: "/twilio/status"}).Code
	}()
	time.Sleep(150 * time.Millisecond)
	h.sentSMS("t-early", sid)
	if code := <-done; code != http.StatusNoContent {
		t.Fatalf("status %d, want 204", code)
	}
	if s, _ := h.delivery(sid); s != "sent" {
		t.Fatalf("early callback recorded %q, want sent", s)
	}
}

// TestSMSStatusUnknownSIDGivesUp: a callback for an id no outbox row ever
// carries waits unknownSIDWait for it, then is acknowledged so Twilio does
// not retry it.
func TestSMSStatusUnknownSIDGivesUp(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	start := time.Now()
	rec := h.post(statusForm(h.nextSID(), "sent", "", smsTestPhone), postOpt{path: "/twilio/status"})
	took := time.Since(start)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d, want 204", rec.Code)
	}
	if took < unknownSIDWait || took > unknownSIDWait+5*time.Second {
		t.Errorf("answered after %s, want about %s", took, unknownSIDWait)
	}
	if rows := coretest.OutboxRows(t, h.env.Engine); len(rows) != 0 {
		t.Errorf("a callback for an unknown id wrote %+v", rows)
	}
}

func TestSMSStatusUnsubscribedOptsOut(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	sid := h.nextSID()
	h.sentSMS("t-2", sid)
	rec := h.post(statusForm(sid, "undelivered", "21610", smsTestPhone), postOpt{path: "/twilio/status"})
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d", rec.Code)
	}
	if s, c := h.delivery(sid); s != "undelivered" || c != "21610" {
		t.Fatalf("recorded %q %q", s, c)
	}
	if !h.optedOut(smsTestPhone) {
		t.Fatal("21610 did not opt the phone out")
	}
	var source string
	if err := h.env.Pool.QueryRow(context.Background(), "SELECT source FROM sms_optouts").Scan(&source); err != nil || source != "carrier" {
		t.Fatalf("opt-out source %q (%v), want carrier", source, err)
	}
}

func TestSMSStatusSignatureRefused(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	sid := h.nextSID()
	h.sentSMS("t-3", sid)
	for _, o := range []postOpt{
		{path: "/twilio/status", unsigned: true},
		{path: "/twilio/status", token: "wrong"},
		{path: "/twilio/status", signURL: smsTestPublicURL + "/twilio/sms"},
	} {
		if rec := h.post(statusForm(sid, "undelivered", "21610", smsTestPhone), o); rec.Code != http.StatusForbidden {
			t.Fatalf("status %d, want 403", rec.Code)
		}
	}
	if s, _ := h.delivery(sid); s != "" || h.optedOut(smsTestPhone) {
		t.Fatalf("a forged callback was recorded: %q", s)
	}
}

// TestSMSCarrierOptOutStopsReplies: a phone whose opt-out answer is
// cached as "not opted out" is not answered once a 21610 callback opts
// it out.
func TestSMSCarrierOptOutStopsReplies(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	if got := h.text(smsTestPhone, "Hi"); len(got) == 0 {
		t.Fatal("no greeting")
	}
	sid := h.nextSID()
	h.sentSMS("t-carrier", sid)
	if rec := h.post(statusForm(sid, "undelivered", "21610", smsTestPhone), postOpt{path: "/twilio/status"}); rec.Code != http.StatusNoContent {
		t.Fatalf("status %d", rec.Code)
	}
	if got := h.text(smsTestPhone, "1"); len(got) != 0 {
		t.Fatalf("an opted-out phone was answered: %q", got)
	}
	if got := h.text(smsTestPhone, "START"); len(got) == 0 {
		t.Fatal("START was not answered")
	}
	if got := h.text(smsTestPhone, "1"); len(got) == 0 {
		t.Fatal("no reply after START")
	}
}

// TestSMSStatusWithoutAStatusTwilioSends: a signed callback with no
// MessageStatus, or one Twilio never sends, is a bad request that changes
// nothing, rather than overwriting what is stored with it.
func TestSMSStatusWithoutAStatusTwilioSends(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	sid := h.nextSID()
	h.sentSMS("t-unknown-status", sid)
	if rec := h.post(statusForm(sid, "sent", "", smsTestPhone), postOpt{path: "/twilio/status"}); rec.Code != http.StatusNoContent {
		t.Fatalf("sent: status %d, want 204", rec.Code)
	}
	noStatus := []twilioField{{"MessageSid", sid}, {"AccountSid", smsTestAccount}, {"To", smsTestPhone}}
	for name, form := range map[string][]twilioField{
		"no status":      noStatus,
		"an unknown one": statusForm(sid, "<script>", "", smsTestPhone),
	} {
		if rec := h.post(form, postOpt{path: "/twilio/status"}); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, rec.Code)
		}
	}
	if s, _ := h.delivery(sid); s != "sent" {
		t.Errorf("the stored status became %q, want sent", s)
	}
}
