package sms

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify/notifytest"
)

// TestErasureDeletesTheClientsOwnTextsAtTwilio: the texts a client sent
// in the conversation that made their referral (the answers, those of a
// conversation they began again with RESTART too) are kept by SID with
// the referral, and erasing the client deletes every one of them at
// Twilio, through the real Twilio client on the wire. The deletion is
// tried again after Twilio fails midway, and once it finishes the audit
// log says so once, with its counts: Twilio deleted what it still held,
// and the texts deleted by the interrupted try count as already gone.
func TestErasureDeletesTheClientsOwnTextsAtTwilio(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	ctx := context.Background()
	w, fake := h.outboxWorker(t)
	var inbound []string
	var last []string
	for _, b := range []string{"Hi", "1", "1", "KY1 1AB", "RESTART", "1", "1", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1", "yes"} {
		sid := h.nextSID()
		fake.Received(sid) // Twilio holds every text a client sends
		inbound = append(inbound, sid)
		last = h.textSID(sid, smsTestPhone, b)
	}
	ref := referenceRe.FindString(last[len(last)-1])
	r, err := h.env.Engine.ReferralByReference(ctx, ref)
	if err != nil {
		t.Fatalf("no referral from the conversation (%q): %v", last, err)
	}
	if n := kept(t, h, r.ClientID); n != len(inbound) {
		t.Fatalf("%d of the client's %d texts kept against them", n, len(inbound))
	}
	if st := h.state(smsTestPhone); st == nil || st.Texts != "" {
		t.Fatalf("the finished conversation still holds its texts' SIDs: %+v", st)
	}
	// What the referral queued (the agency's card and email; its answer
	// to the client was the webhook's own reply), and any text to the
	// client, whose SID the deletion reads from the outbox.
	drainOutbox(t, w)
	var sent []string
	for _, m := range fake.Accepted() {
		sent = append(sent, m.SID)
	}

	if err := h.env.Engine.EraseClient(ctx, r.ClientID, h.env.Net.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	if n := kept(t, h, r.ClientID); n != 0 {
		t.Fatalf("%d SIDs of the client's texts left after the erasure", n)
	}
	// Twilio deletes two messages, then fails: the row is tried again.
	fake.SetScript(func(n int) notifytest.Reply {
		if n == 3 {
			return notifytest.Reply{Status: 500}
		}
		return notifytest.Reply{}
	})
	for i := 0; i < 10 && erasedAtTwilio(t, h) == nil; i++ {
		drainOutbox(t, w)
		h.env.Clock.Advance(time.Minute)
	}
	drainOutbox(t, w) // nothing more to do: no second event
	var deleted []string
	for _, d := range fake.Deleted() {
		if d.Found {
			deleted = append(deleted, d.SID)
		}
	}
	for _, sid := range append(append([]string(nil), inbound...), sent...) {
		if !slices.Contains(deleted, sid) {
			t.Errorf("message %s is still at Twilio", sid)
		}
	}
	evs := erasedEvents(t, h, r.ClientID)
	if len(evs) != 1 {
		t.Fatalf("%d %s events, want 1", len(evs), core.EventErasedAtProvider)
	}
	total := len(inbound) + len(sent)
	got, gone := evs[0]["deleted"], evs[0]["already_gone"]
	if got != float64(total-2) || gone != float64(2) {
		t.Errorf("event says %v deleted and %v already gone, want %d and 2", got, gone, total-2)
	}
}

// kept counts the SIDs of a client's texts Onward keeps.
func kept(t *testing.T, h *smsHarness, client core.ClientID) int {
	t.Helper()
	var n int
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM client_texts WHERE client_id = $1`, client).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// erasedAtTwilio is when the twilio.erase row finished (nil: not yet).
func erasedAtTwilio(t *testing.T, h *smsHarness) *time.Time {
	t.Helper()
	for _, e := range coretest.OutboxRows(t, h.env.Engine) {
		if e.Kind == core.OutboxProviderErase {
			return e.SentAt
		}
	}
	t.Fatal("the erasure queued no twilio.erase row")
	return nil
}

// erasedEvents are the data of the client's EventErasedAtProvider events.
func erasedEvents(t *testing.T, h *smsHarness, client core.ClientID) []map[string]any {
	t.Helper()
	rows, err := h.env.Pool.Query(context.Background(), `SELECT data FROM events WHERE client_id = $1 AND kind = $2 ORDER BY id`,
		client, core.EventErasedAtProvider)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for rows.Next() {
		var d map[string]any
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
