package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify/notifytest"
	"github.com/onward-network/onward/notify/twiliofake"
)

// consentSID is the MessageSid of the WhatsApp text that said YES: Onward
// keeps it as the consent's evidence; the fake never held it (Twilio's
// inbound messages are not the fake's), so its DELETE is 404.
const consentSID = "SM00112233445566778899aabbccddeeff"

// erasedClient makes a self-referral whose confirmation text Twilio
// took, erases the client, and returns the text's SID.
func erasedClient(t *testing.T, h *harness) string {
	t.Helper()
	r := h.selfRefer(t, "erase", func(in *core.SelfReferral) {
		toWelfare(in)
		in.Consent.Evidence = "whatsapp:" + consentSID
	})
	drain(t, h.worker(t, nil))
	text := h.scheduled(t, string(core.OutboxClientSMS), core.SMSConfirmation)
	if !text.Sent || text.ProviderID == "" {
		t.Fatalf("the confirmation was not sent: %+v", text)
	}
	if err := h.engine.EraseClient(context.Background(), r.ClientID, h.env.Net.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	return text.ProviderID
}

// erasureRow is the twilio.erase row, with its payload.
func (h *harness) erasureRow(t *testing.T) core.OutboxEntry {
	t.Helper()
	es, err := h.engine.Outbox().List(context.Background(), core.OutboxFilter{State: core.OutboxAll, Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Kind == core.OutboxProviderErase {
			return e
		}
	}
	t.Fatal("the erasure queued no twilio.erase row")
	return core.OutboxEntry{}
}

// An erasure deletes the client's messages at Twilio through the Message
// resource, with the account's credentials: the text Onward sent and the
// text whose SID is the consent's evidence. Twilio's refusal of a message
// still in progress (409, 20009) is asked again later, past the attempts
// of other rows; 404 (the message is not there) counts as done. Then the
// SIDs leave Onward's rows.
func TestErasureDeletesMessagesAtTwilio(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{noSlack: true, maxAttempt: 2})
	textSID := erasedClient(t, h)
	h.twilio.SetScript(notifytest.FailFirst(3, notifytest.Reply{Status: 409, Code: "20009"}))
	w := h.worker(t, nil)
	for i := 0; i < 6 && h.erasureRow(t).SentAt == nil; i++ {
		drain(t, w)
		h.env.Clock.Advance(time.Minute)
	}
	row := h.erasureRow(t)
	if row.SentAt == nil || row.DeliveryStatus != core.DeliveryProviderErased(2) || row.Attempts != 4 {
		t.Fatalf("erasure row: sent %v, status %q, %d attempts (last error %q), want deleted after 3 refusals",
			row.SentAt != nil, row.DeliveryStatus, row.Attempts, row.LastError)
	}
	if n := h.twilio.Requests(); n != 5 {
		t.Errorf("Twilio got %d requests, want 3 refused and 2 DELETEs", n)
	}
	got := h.twilio.Deleted()
	want := []twiliofake.Deletion{
		{SID: consentSID, User: testAccountSID, Password: testAuthToken, Found: false},
		{SID: textSID, User: testAccountSID, Password: testAuthToken, Found: true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("DELETEs at Twilio:\n got %+v\nwant %+v", got, want)
	}
	if len(row.Payload.MessageSIDs) != 0 || row.Payload.ClientID == 0 {
		t.Errorf("the erasure row still carries %v (client %d)", row.Payload.MessageSIDs, row.Payload.ClientID)
	}
	if got := h.erasureEvents(t, row.Payload.ClientID); !slices.Equal(got, []string{
		string(core.EventErasedAtProvider) + ` {"deleted": 1, "outbox_id": ` + fmt.Sprint(row.ID) + `, "already_gone": 1}`}) {
		t.Errorf("the client's audit log after the deletion: %q", got)
	}
	for _, r := range h.rows(t) {
		if r.ProviderID != "" {
			t.Errorf("row %d (%s) still carries the deleted message's SID", r.ID, r.Kind)
		}
	}
}

// A deletion Twilio keeps failing is dead-lettered with a plain reason,
// keeping the SIDs so that `onward outbox retry` can delete them later.
func TestErasureAtTwilioDeadLetter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{noSlack: true, maxAttempt: 2})
	erasedClient(t, h)
	h.twilio.SetScript(func(int) notifytest.Reply { return notifytest.Reply{Status: 500} })
	w := h.worker(t, nil)
	for i := 0; i < 3; i++ {
		drain(t, w)
		h.env.Clock.Advance(time.Minute)
	}
	row := h.erasureRow(t)
	if row.DeadAt == nil || !strings.Contains(row.LastError, "twilio: status 500 (server error") {
		t.Fatalf("erasure row: dead %v, last error %q", row.DeadAt != nil, row.LastError)
	}
	if len(row.Payload.MessageSIDs) != 1 || row.Payload.MessageSIDs[0] != consentSID {
		t.Errorf("the dead erasure row carries %v, want the consent's SID kept for the retry", row.Payload.MessageSIDs)
	}
	if text := h.scheduled(t, string(core.OutboxClientSMS), core.SMSConfirmation); text.ProviderID == "" {
		t.Error("the text's SID was cleared though Twilio never deleted it")
	}
	if got := h.erasureEvents(t, row.Payload.ClientID); !slices.Equal(got, []string{
		string(core.EventProviderEraseStopped) + ` {"attempts": 2, "outbox_id": ` + fmt.Sprint(row.ID) + `}`}) {
		t.Errorf("the client's audit log after the dead letter: %q", got)
	}
}

// erasureEvents are the client's events of the deletion at Twilio, kind
// and data, oldest first.
func (h *harness) erasureEvents(t *testing.T, client core.ClientID) []string {
	t.Helper()
	rows, _ := h.env.Pool.Query(context.Background(), `SELECT kind || ' ' || data::text FROM events
WHERE client_id = $1 AND kind = ANY($2) ORDER BY id`, client,
		[]string{string(core.EventErasedAtProvider), string(core.EventProviderEraseStopped)})
	evs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return evs
}
