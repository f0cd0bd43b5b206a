package sms

import (
	"context"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// crisisEmailsTo counts the client-crisis emails queued for agency.
func (h *smsHarness) crisisEmailsTo(agency core.AgencyID) int {
	h.t.Helper()
	var n int
	for _, e := range coretest.OutboxRows(h.t, h.env.Engine) {
		if e.Kind == core.OutboxEmail && e.Payload.Email == core.EmailClientCrisis && e.Payload.AgencyID == agency {
			n++
		}
	}
	return n
}

// wantNoWordsStored fails the test if any event or outbox row holds the
// client's words.
func (h *smsHarness) wantNoWordsStored(words ...string) {
	h.t.Helper()
	for _, q := range []string{`SELECT data::text FROM events`, `SELECT payload::text FROM outbox`} {
		rows, err := h.env.Pool.Query(context.Background(), q)
		if err != nil {
			h.t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				h.t.Fatal(err)
			}
			for _, w := range words {
				if strings.Contains(strings.ToLower(s), w) {
					h.t.Errorf("%s: a row holds the client's words %q: %s", q, w, s)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			h.t.Fatal(err)
		}
	}
}

// heldAgency is the agency holding r, which the test needs.
func heldAgency(t *testing.T, r core.Referral) core.AgencyID {
	t.Helper()
	if r.ToAgencyID == nil {
		t.Fatalf("referral %s is in triage, want it with an agency", r.Reference)
	}
	return *r.ToAgencyID
}

// TestSMSCrisisAfterTheConversationTimedOutAlertsStaff: a client whose
// texted referral is with an agency texts, a day and more later (their
// conversation has timed out, so the text starts a new one), that they
// want to kill themselves. They get the crisis lines, and the
// coordinators and the agency (Slack and email) are alerted, naming the
// referral alone. Twilio's retry of that text, even one handled afresh,
// alerts nobody again; danger words in the new conversation do. Neither
// the events nor the outbox hold the client's words.
func TestSMSCrisisAfterTheConversationTimedOutAlertsStaff(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	r := h.referByText(smsTestPhone)
	agency := heldAgency(t, r)
	h.env.Clock.Advance(DefaultConversationTTL + time.Hour)

	sid := h.nextSID()
	got := strings.Join(h.textSID(sid, smsTestPhone, "I want to kill myself"), "\n")
	if !strings.Contains(got, "Samaritans") {
		t.Fatalf("the crisis text got %q, want the crisis lines", got)
	}
	if st := h.state(smsTestPhone); st == nil || st.Reference != "" {
		t.Fatalf("state %+v: want a new conversation, with no referral in it", st)
	}
	coord := h.wantCrisisAlerts("after the crisis text", 1)
	if len(coord) == 1 && (coord[0].Payload.ReferralID != r.ID || !strings.Contains(coord[0].Payload.Text, r.Reference) ||
		!strings.Contains(coord[0].Payload.Text, "self-harm")) {
		t.Errorf("the coordinators' alert %+v: want referral %s and self-harm", coord[0].Payload, r.Reference)
	}
	if _, agencies := h.crisisAlerts(); len(agencies) != 1 || agencies[0].Payload.AgencyID != agency || agencies[0].Payload.ReferralID != r.ID {
		t.Errorf("the agency holding the referral: alerts %+v", agencies)
	}
	if n := h.crisisEmailsTo(agency); n != 1 {
		t.Errorf("%d crisis emails to the agency, want 1", n)
	}

	// Twilio retries: answered again from Redis, and, once the reply is
	// forgotten, handled again.
	if again := strings.Join(h.textSID(sid, smsTestPhone, "I want to kill myself"), "\n"); again != got {
		t.Errorf("the retry got %q, want %q", again, got)
	}
	keys := h.sms.phoneKeys(hex.EncodeToString(h.env.Engine.Crypter().PhoneHash(smsTestPhone)))
	if err := h.rdb.Del(context.Background(), keys.sid(sid)).Err(); err != nil {
		t.Fatal(err)
	}
	h.textSID(sid, smsTestPhone, "I want to kill myself")
	h.wantCrisisAlerts("after Twilio's retries", 1)
	if n := h.crisisEmailsTo(agency); n != 1 {
		t.Errorf("after Twilio's retries: %d crisis emails to the agency, want 1", n)
	}
	if n := h.crisisEvents(); n != 1 {
		t.Errorf("%d crisis events after Twilio's retries, want 1", n)
	}

	// In the new conversation, words of danger alert at once.
	if got := strings.Join(h.text(smsTestPhone, "my partner hits me"), "\n"); !strings.Contains(got, "999") {
		t.Fatalf("the danger text got %q, want 999", got)
	}
	if coord := h.wantCrisisAlerts("after danger", 2); len(coord) == 2 && !strings.Contains(coord[1].Payload.Text, "danger") {
		t.Errorf("the danger alert: %q", coord[1].Payload.Text)
	}
	h.text(smsTestPhone, "thanks")
	h.wantCrisisAlerts("after ordinary words", 2)
	h.wantNoWordsStored("kill", "myself", "hits", "partner")
}

// TestSMSCrisisFromAnUnknownPhoneAlertsNobody: a first text of
// self-harm words from a phone that is no client's gets the crisis lines
// and alerts nobody; the same words from a client's phone whose
// conversation timed out do.
func TestSMSCrisisFromAnUnknownPhoneAlertsNobody(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	r := h.referByText(smsTestPhone)
	h.env.Clock.Advance(DefaultConversationTTL + time.Hour)

	if got := strings.Join(h.text("+447700900456", "I want to kill myself"), "\n"); !strings.Contains(got, "Samaritans") {
		t.Fatalf("the unknown phone got %q, want the crisis lines", got)
	}
	h.wantCrisisAlerts("after the unknown phone's text", 0)
	if n := h.crisisEvents(); n != 0 {
		t.Errorf("%d crisis events after the unknown phone's text, want none", n)
	}

	h.text(smsTestPhone, "I want to kill myself")
	if coord := h.wantCrisisAlerts("after the client's text", 1); len(coord) == 1 && coord[0].Payload.ReferralID != r.ID {
		t.Errorf("the alert %+v, want it about %s", coord[0].Payload, r.Reference)
	}
}

// TestSMSCrisisWithEveryReferralClosedAlertsNobody: a client whose
// conversation timed out texts self-harm words while their referral is
// open, and staff are alerted; once it is completed, the same words two
// hours later, in the new conversation, alert nobody and record nothing.
func TestSMSCrisisWithEveryReferralClosedAlertsNobody(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	r := h.referByText(smsTestPhone)
	h.env.Clock.Advance(DefaultConversationTTL + time.Hour)
	h.text(smsTestPhone, "I want to kill myself")
	h.wantCrisisAlerts("with the referral open", 1)

	by := h.env.Net.Adviser.Actor()
	if a := heldAgency(t, r); a != h.env.Net.CAB {
		by = h.env.Net.WelfareAdviser.Actor()
		if a != h.env.Net.Welfare {
			t.Fatalf("referral %s is with agency %d, which the test has no adviser of", r.Reference, a)
		}
	}
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact, core.ActionComplete} {
		if _, err := h.env.Engine.Act(context.Background(), core.TransitionRequest{Referral: r.ID, Action: a, Actor: by,
			Outcome: core.OutcomeHelpGiven}); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	h.env.Clock.Advance(2 * time.Hour)
	if got := strings.Join(h.text(smsTestPhone, "I want to kill myself"), "\n"); !strings.Contains(got, "Samaritans") {
		t.Fatalf("the crisis text got %q, want the crisis lines", got)
	}
	h.wantCrisisAlerts("with every referral closed", 1)
	if n := h.crisisEvents(); n != 1 {
		t.Errorf("%d crisis events, want only the one from before the referral closed", n)
	}
}

// TestSMSCrisisByPhoneWhileDatabaseDown: PostgreSQL does not answer when
// a client whose conversation timed out texts self-harm words. They get
// the crisis lines at once, the text is held in Redis with no reference,
// and ReplayHeldCrisisTexts finds the client by the phone and alerts
// staff once PostgreSQL answers, once however often it runs.
func TestSMSCrisisByPhoneWhileDatabaseDown(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	rdb, prefix := coretest.NewRedis(t)
	pool, err := pgxpool.New(context.Background(), env.URL)
	if err != nil {
		t.Fatal(err)
	}
	downEnv := *env
	downEnv.Pool = pool
	downEnv.Engine, downEnv.Clock, _, _ = coretest.NewEngine(t, pool)
	down := newSMSHarnessOn(t, &downEnv, rdb, prefix)
	up := newSMSHarnessOn(t, env, rdb, prefix)
	r := down.referByText(smsTestPhone)
	env.Clock.Advance(DefaultConversationTTL + time.Hour)
	downEnv.Clock.Advance(DefaultConversationTTL + time.Hour)
	pool.Close() // the database is gone for this engine
	got := strings.Join(down.text(smsTestPhone, "I want to kill myself"), "\n")
	if !strings.Contains(got, "Samaritans") {
		t.Fatalf("the crisis text with PostgreSQL down got %q, want the crisis lines", got)
	}
	up.wantCrisisAlerts("while PostgreSQL is down", 0)
	if log := down.logs.String(); !strings.Contains(log, "held in Redis until PostgreSQL answers") || !strings.Contains(log, "by=phone") {
		t.Errorf("no error logged for the alert held by phone:\n%s", log)
	}
	n, err := ReplayHeldCrisisTexts(context.Background(), env.Engine, rdb, prefix)
	if err != nil || n != 1 {
		t.Fatalf("replay: %d, %v; want 1 recorded", n, err)
	}
	if coord := up.wantCrisisAlerts("after the replay", 1); len(coord) == 1 && !strings.Contains(coord[0].Payload.Text, r.Reference) {
		t.Errorf("the replayed alert %q does not name %s", coord[0].Payload.Text, r.Reference)
	}
	if n, err := ReplayHeldCrisisTexts(context.Background(), env.Engine, rdb, prefix); err != nil || n != 0 {
		t.Errorf("second replay: %d, %v; want nothing left", n, err)
	}
	up.wantCrisisAlerts("after a second replay", 1)
}

// TestSMSCrisisReplyDoesNotWaitForAStuckDatabase: the client's record is
// locked (PostgreSQL answers, but the alert's transaction waits) when a
// client whose conversation timed out texts self-harm words. The reply
// comes once crisisWait has passed, with the crisis lines, the text held
// in Redis; the replay alerts staff once the lock is gone.
func TestSMSCrisisReplyDoesNotWaitForAStuckDatabase(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.sms.crisisWait = 100 * time.Millisecond
	r := h.referByText(smsTestPhone)
	h.env.Clock.Advance(DefaultConversationTTL + time.Hour)
	ctx := context.Background()
	tx, err := h.env.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	unlock := func() { once.Do(func() { _ = tx.Rollback(ctx) }) }
	defer unlock()
	if _, err := tx.Exec(ctx, `SELECT 1 FROM clients WHERE id = $1 FOR UPDATE`, r.ClientID); err != nil {
		t.Fatal(err)
	}
	// Released well within the webhook's deadline, but long after
	// crisisWait: a reply that waited for the alert would see it recorded.
	release := time.AfterFunc(2*time.Second, unlock)
	defer release.Stop()
	if got := strings.Join(h.text(smsTestPhone, "I want to kill myself"), "\n"); !strings.Contains(got, "Samaritans") {
		t.Fatalf("the crisis text got %q, want the crisis lines", got)
	}
	if log := h.logs.String(); !strings.Contains(log, "held in Redis until PostgreSQL answers") || !strings.Contains(log, "by=phone") {
		t.Errorf("the reply waited for the alert; log:\n%s", log)
	}
	release.Stop()
	unlock()
	n, err := ReplayHeldCrisisTexts(ctx, h.env.Engine, h.rdb, h.prefix)
	if err != nil || n != 1 {
		t.Fatalf("replay: %d, %v; want 1 recorded", n, err)
	}
	h.wantCrisisAlerts("after the replay", 1)
}
