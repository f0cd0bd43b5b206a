package sms

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// crisisAlerts are the coordinators' and the agencies' crisis-after-end
// alert rows queued so far.
func (h *smsHarness) crisisAlerts() (coordinators, agencies []core.OutboxEntry) {
	h.t.Helper()
	for _, e := range coretest.OutboxRows(h.t, h.env.Engine) {
		if e.Kind != core.OutboxAlert || e.Payload.Level != core.AlertCrisisAfterEnd {
			continue
		}
		if e.Payload.Channel == core.AlertToAgency {
			agencies = append(agencies, e)
		} else {
			coordinators = append(coordinators, e)
		}
	}
	return coordinators, agencies
}

// wantCrisisAlerts fails the test unless the coordinators have n alerts,
// none carrying anything of the client's.
func (h *smsHarness) wantCrisisAlerts(when string, n int) []core.OutboxEntry {
	h.t.Helper()
	coord, agencies := h.crisisAlerts()
	if len(coord) != n {
		h.t.Errorf("%s: %d coordinators' alerts, want %d", when, len(coord), n)
	}
	for _, a := range append(coord, agencies...) {
		for _, p := range []string{"kill", "hits", "partner", "Ailsa", "Fictional", "7700900123", "KY1 1AB"} {
			if strings.Contains(a.Payload.Text, p) {
				h.t.Errorf("%s: alert %q carries %q", when, a.Payload.Text, p)
			}
		}
	}
	return coord
}

// crisisEvents counts the events of crisis texts after a referral.
func (h *smsHarness) crisisEvents() int {
	h.t.Helper()
	var n int
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE kind = $1`, core.EventCrisisAfterEnd).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// TestSMSCrisisAfterReferralAlertsStaff: a client whose conversation
// ended with a referral texts that they want to kill themselves. They get
// the crisis lines at once, and the coordinators (and the agency holding
// the referral) are alerted with its reference alone. Twilio's retry of
// that text, even one handled afresh after its reply was lost, and the
// same words again within the hour alert nobody again; danger words do,
// and so do self-harm words an hour on; ordinary words never do.
func TestSMSCrisisAfterReferralAlertsStaff(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	r := h.referByText(smsTestPhone)
	h.wantCrisisAlerts("after the referral", 0)

	sid := h.nextSID()
	got := strings.Join(h.textSID(sid, smsTestPhone, "I want to kill myself"), "\n")
	if !strings.Contains(got, "Samaritans") {
		t.Fatalf("the crisis text got %q, want the crisis lines", got)
	}
	coord := h.wantCrisisAlerts("after the crisis text", 1)
	if len(coord) == 1 && (coord[0].Payload.ReferralID != r.ID || !strings.Contains(coord[0].Payload.Text, r.Reference) ||
		!strings.Contains(coord[0].Payload.Text, "self-harm")) {
		t.Errorf("the alert %+v: want referral %s and self-harm", coord[0].Payload, r.Reference)
	}
	if _, agencies := h.crisisAlerts(); r.ToAgencyID != nil && (len(agencies) != 1 || agencies[0].Payload.AgencyID != *r.ToAgencyID) {
		t.Errorf("the agency holding the referral: alerts %+v", agencies)
	}

	// Twilio retries: answered again from Redis, and, when the reply was
	// lost (the save failed and forgot the MessageSid), handled again.
	if again := strings.Join(h.textSID(sid, smsTestPhone, "I want to kill myself"), "\n"); again != got {
		t.Errorf("the retry got %q, want %q", again, got)
	}
	keys := h.sms.phoneKeys(hex.EncodeToString(h.env.Engine.Crypter().PhoneHash(smsTestPhone)))
	if err := h.rdb.Del(context.Background(), keys.sid(sid)).Err(); err != nil {
		t.Fatal(err)
	}
	h.textSID(sid, smsTestPhone, "I want to kill myself")
	h.wantCrisisAlerts("after Twilio's retries", 1)

	h.env.Clock.Advance(10 * time.Minute)
	h.text(smsTestPhone, "i want to die")
	h.text(smsTestPhone, "thanks for your help")
	h.wantCrisisAlerts("after self-harm again within the hour, and ordinary words", 1)

	if got := strings.Join(h.text(smsTestPhone, "my partner hits me"), "\n"); !strings.Contains(got, "999") {
		t.Fatalf("the danger text got %q, want 999", got)
	}
	if coord := h.wantCrisisAlerts("after danger", 2); len(coord) == 2 && !strings.Contains(coord[1].Payload.Text, "danger") {
		t.Errorf("the danger alert: %q", coord[1].Payload.Text)
	}
	h.env.Clock.Advance(time.Hour)
	h.text(smsTestPhone, "I want to kill myself")
	h.wantCrisisAlerts("self-harm after the hour", 3)
}

// TestSMSOrdinaryWordsAfterReferralAlertNobody: texts after the referral
// that are not of self-harm or danger (thanks, a question, hardship) get
// the usual answer and alert nobody.
func TestSMSOrdinaryWordsAfterReferralAlertNobody(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	h.referByText(smsTestPhone)
	for _, body := range []string{"thank you", "when will they call?", "I have no money for food"} {
		h.text(smsTestPhone, body)
	}
	h.wantCrisisAlerts("after ordinary words", 0)
	if n := h.crisisEvents(); n != 0 {
		t.Errorf("%d crisis events, want none", n)
	}
}

// TestSMSCrisisAfterDecliningAlertsNobody: a client who said no to
// sharing their details, then texts that they want to kill themselves,
// gets the crisis lines and nothing more: there is no referral and no
// consent behind the conversation.
func TestSMSCrisisAfterDecliningAlertsNobody(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	for _, b := range []string{"Hi", "1", "1", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1", "no"} {
		h.text(smsTestPhone, b)
	}
	if n := h.count("referrals"); n != 0 {
		t.Fatalf("%d referrals after declining", n)
	}
	if got := strings.Join(h.text(smsTestPhone, "I want to kill myself"), "\n"); !strings.Contains(got, "Samaritans") {
		t.Fatalf("the crisis text after declining got %q, want the crisis lines", got)
	}
	h.wantCrisisAlerts("after declining", 0)
	if n := h.crisisEvents(); n != 0 {
		t.Errorf("%d crisis events, want none", n)
	}
}

// TestSMSCrisisAfterReferralWhileDatabaseDown: PostgreSQL does not
// answer when the client texts self-harm words after their referral. They
// get the crisis lines at once (not the apology), the alert is held in
// Redis, and ReplayHeldCrisisTexts raises it once PostgreSQL answers,
// once however often it runs.
func TestSMSCrisisAfterReferralWhileDatabaseDown(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	rdb, prefix := coretest.NewRedis(t)
	pool, err := pgxpool.New(context.Background(), env.URL)
	if err != nil {
		t.Fatal(err)
	}
	downEnv := *env
	downEnv.Pool = pool
	downEnv.Engine, _, _, _ = coretest.NewEngine(t, pool)
	down := newSMSHarnessOn(t, &downEnv, rdb, prefix)
	up := newSMSHarnessOn(t, env, rdb, prefix)
	r := down.referByText(smsTestPhone)
	pool.Close() // the database is gone for this engine
	got := strings.Join(down.text(smsTestPhone, "I want to kill myself"), "\n")
	if !strings.Contains(got, "Samaritans") {
		t.Fatalf("the crisis text with PostgreSQL down got %q, want the crisis lines", got)
	}
	up.wantCrisisAlerts("while PostgreSQL is down", 0)
	if log := down.logs.String(); !strings.Contains(log, "held in Redis until PostgreSQL answers") {
		t.Errorf("no error logged for the held alert:\n%s", log)
	}
	for range 2 {
		if _, err := ReplayHeldCrisisTexts(context.Background(), downEnv.Engine, rdb, prefix); err == nil {
			t.Fatal("replayed with PostgreSQL down")
		}
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
