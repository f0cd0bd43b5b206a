package core_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// An erasure queues the deletion of the client's messages at Twilio in
// its own transaction, carrying the SIDs it clears (the consent's
// evidence); the delivery adds the SIDs of the texts sent to them. Once
// done, no row carries the SIDs, and a late delivery callback for one
// changes nothing.
func TestErasureQueuesDeletionAtTwilio(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	o := env.Engine.Outbox()
	const (
		consentSID = "SM00112233445566778899aabbccddeeff"
		textSID    = "SMffeeddccbbaa99887766554433221100"
	)
	in := coretest.SelfReferral("erase-sids")
	in.ConfirmBySMS = true
	in.Consent.Evidence = "whatsapp:" + consentSID
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	// The worker sends what the referral queued (a referral's rows leave
	// in order, a day's worth): the text gets its SID.
	var text core.OutboxClaim
	for range 5 {
		cs, err := o.Claim(ctx, env.Clock.Now().Add(24*time.Hour), time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			sid := ""
			if c.Kind == core.OutboxClientSMS {
				text, sid = c, textSID
			}
			if err := o.MarkSent(ctx, c, env.Clock.Now(), sid, core.DeliverySMS("queued"), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if text.ID == 0 {
		t.Fatal("the self-referral queued no text")
	}
	if err := env.Engine.EraseClient(ctx, res.Referral.ClientID, env.Net.Coordinator.Actor(), core.ErasureClientAsked, "cli"); err != nil {
		t.Fatal(err)
	}
	cs, err := o.Claim(ctx, env.Clock.Now(), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	var erase core.OutboxClaim
	for _, c := range cs {
		if c.Kind == core.OutboxProviderErase {
			erase = c
		}
	}
	if erase.ID == 0 || erase.Payload.ClientID != res.Referral.ClientID || !slices.Equal(erase.Payload.MessageSIDs, []string{consentSID}) {
		t.Fatalf("claimed %+v, want a twilio.erase row for the client carrying the consent's SID", cs)
	}
	ms, err := o.ErasedClientMessages(ctx, erase)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{consentSID, textSID}; !slices.Equal(ms.SIDs, want) || ms.Sending {
		t.Fatalf("messages to delete: %+v, want %v", ms, want)
	}
	if err := o.MarkSent(ctx, erase, env.Clock.Now(), "", core.DeliveryProviderErased(2), o.ForgetMessageSIDs(erase, ms.SIDs)); err != nil {
		t.Fatal(err)
	}
	for _, e := range coretest.OutboxRows(t, env.Engine) {
		if e.ProviderID != "" || len(e.Payload.MessageSIDs) > 0 {
			t.Errorf("row %d (%s) still carries a deleted message's SID: %q %v", e.ID, e.Kind, e.ProviderID, e.Payload.MessageSIDs)
		}
	}
	// Twilio's late "delivered" for the deleted text: no row takes it.
	if n, err := o.RecordDelivery(ctx, textSID, core.DeliveryDelivered, ""); err != nil || n != 0 {
		t.Errorf("a callback for the deleted text changed %d rows (%v)", n, err)
	}
	if known, err := o.ProviderIDKnown(ctx, textSID); err != nil || known {
		t.Errorf("the deleted text's SID is still known (%v)", err)
	}
	if got, err := env.Engine.RecordCallbackForRow(ctx, text.ID, textSID, core.DeliveryDelivered, ""); err != nil || got != core.CallbackIgnored {
		t.Errorf("a callback naming the text's row: %s (%v), want ignored", got, err)
	}
}

// A self-referral's consent event keeps its evidence, the YES text's
// MessageSid, sealed under the client's key: the audit log, which can
// never be changed, does not hold in clear what opens the client's text
// at Twilio.
func TestConsentEventSealsMessageSID(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	const sid = "SM0123456789abcdef0123456789abcdef"
	in := coretest.SelfReferral("sealed-sid")
	in.Consent.Evidence = sid
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	var clear, sealed int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE data::text LIKE '%' || $1 || '%'),
       count(*) FILTER (WHERE kind = $2 AND data ? 'evidence_enc')
FROM events WHERE client_id = $3`, sid, core.EventConsentGiven, res.Referral.ClientID).Scan(&clear, &sealed); err != nil {
		t.Fatal(err)
	}
	if clear != 0 || sealed != 1 {
		t.Errorf("%d events hold the SID in clear and %d consent events hold it sealed, want 0 and 1", clear, sealed)
	}
}

// A self-referral keeps the SIDs of the client's own texts (the answers
// of their conversation: "whatsapp:" taken off, each once, none of
// another shape); an erasure carries them to the twilio.erase row with
// the rest and removes them from client_texts. When the row finishes,
// the client's audit log says so once, with counts and no SID, however
// often the row's transaction runs; the audit search lists it with the
// erasures.
func TestErasureDeletesClientsOwnTextsOnce(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	o := env.Engine.Outbox()
	const (
		consentSID = "SM00112233445566778899aabbccddeeff"
		answerSID  = "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		waSID      = "SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	)
	in := coretest.SelfReferral("own-texts")
	in.Consent.Evidence = consentSID
	in.MessageSIDs = []string{answerSID, "whatsapp:" + waSID, "not a message id", answerSID, consentSID}
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	kept := func() []string {
		t.Helper()
		rows, _ := env.Pool.Query(ctx, `SELECT message_sid FROM client_texts WHERE client_id = $1 ORDER BY message_sid`, res.Referral.ClientID)
		sids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return sids
	}
	if got, want := kept(), []string{consentSID, answerSID, waSID}; !slices.Equal(got, want) {
		t.Fatalf("texts kept: %v, want %v", got, want)
	}
	if err := env.Engine.EraseClient(ctx, res.Referral.ClientID, env.Net.Coordinator.Actor(), core.ErasureClientAsked, "cli"); err != nil {
		t.Fatal(err)
	}
	if got := kept(); len(got) != 0 {
		t.Fatalf("texts still kept after the erasure: %v", got)
	}
	var erase core.OutboxClaim
	for range 5 {
		cs, err := o.Claim(ctx, env.Clock.Now().Add(24*time.Hour), time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Kind == core.OutboxProviderErase {
				erase = c
				continue
			}
			if err := o.MarkSent(ctx, c, env.Clock.Now(), "", core.DeliverySMS("queued"), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if want := []string{consentSID, answerSID, waSID}; !slices.Equal(erase.Payload.MessageSIDs, want) {
		t.Fatalf("the twilio.erase row carries %v, want %v", erase.Payload.MessageSIDs, want)
	}
	done := env.Engine.ProviderErased(erase, erase.Payload.MessageSIDs, core.ProviderErasure{Deleted: 2, Gone: 1})
	if err := o.MarkSent(ctx, erase, env.Clock.Now(), "", core.DeliveryProviderErased(3), done); err != nil {
		t.Fatal(err)
	}
	// The same transaction run again (a second delivery): no second event.
	if err := pgx.BeginFunc(ctx, env.Pool, func(tx pgx.Tx) error { return done(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	rows, _ := env.Pool.Query(ctx, `SELECT data::text FROM events WHERE client_id = $1 AND kind = $2`, res.Referral.ClientID, core.EventErasedAtProvider)
	evs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || !strings.Contains(evs[0], `"deleted": 2`) || !strings.Contains(evs[0], `"already_gone": 1`) {
		t.Fatalf("%s events: %v, want one saying 2 deleted and 1 already gone", core.EventErasedAtProvider, evs)
	}
	var clear int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE data::text ~ ($1 || '|' || $2 || '|' || $3)`,
		consentSID, answerSID, waSID).Scan(&clear); err != nil || clear != 0 {
		t.Errorf("%d events hold a SID in clear (%v)", clear, err)
	}
	page, err := env.Engine.SearchAudit(ctx, core.AuditQuery{Kind: "erased"}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range page.Entries {
		if e.Kind == core.EventErasedAtProvider {
			found = e.Detail == "deleted at Twilio: 2; already gone there: 1"
		}
	}
	if !found {
		t.Errorf("the audit search's erasures do not show the deletion at Twilio with its counts: %+v", page.Entries)
	}
}
