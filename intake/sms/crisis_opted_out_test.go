package sms

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// wantOptedOutAlerts fails the test unless every crisis alert queued says
// Onward could not reply as the phone opted out, and what to do, and none
// says Onward's reply gave the client anything.
func (h *smsHarness) wantOptedOutAlerts(when string) {
	h.t.Helper()
	coord, agencies := h.crisisAlerts()
	for _, a := range append(coord, agencies...) {
		text := a.Payload.Text
		for _, want := range []string{"Onward could not reply", "opted out of texts", "texted STOP",
			"contact them another way", "call 999 if you believe they are in immediate danger"} {
			if !strings.Contains(text, want) {
				h.t.Errorf("%s: the alert %q does not say %q", when, text, want)
			}
		}
		if strings.Contains(text, "Onward's reply gave them") {
			h.t.Errorf("%s: the alert %q says Onward replied", when, text)
		}
	}
	for _, e := range coretest.OutboxRows(h.t, h.env.Engine) {
		if e.Kind == core.OutboxEmail && e.Payload.Email == core.EmailClientCrisis && (e.Payload.CrisisText == nil || !e.Payload.CrisisText.OptedOut) {
			h.t.Errorf("%s: the agency's email %+v does not say Onward could not reply", when, e.Payload.CrisisText)
		}
	}
}

// optedOutCrisisEvents counts the crisis events marked opted out.
func (h *smsHarness) optedOutCrisisEvents() int {
	h.t.Helper()
	var n int
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE kind = $1 AND (data->>'opted_out')::boolean`,
		core.EventCrisisAfterEnd).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// TestSMSCrisisFromAnOptedOutPhoneAlertsStaff: a client whose texted
// referral is with an agency texts STOP, then that their partner is going
// to kill them. No reply goes (Twilio would refuse it until START), but
// the coordinators and the agency are alerted, saying Onward could not
// reply as the phone opted out, and to reach the client another way or
// call 999; the agency's email says so too. Twilio's retry of the text
// alerts nobody again; ordinary words from the phone alert nobody; words
// of self-harm in Polish alert at once (a new kind of words). The phone
// stays opted out, and nothing holds the client's words.
func TestSMSCrisisFromAnOptedOutPhoneAlertsStaff(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	r := h.referByText(smsTestPhone)
	agency := heldAgency(t, r)
	h.text(smsTestPhone, "STOP")
	if !h.optedOut(smsTestPhone) {
		t.Fatal("STOP not recorded")
	}
	if got := h.text(smsTestPhone, "thanks, bye"); len(got) != 0 {
		t.Fatalf("an ordinary text from the opted-out phone got %q, want nothing", got)
	}
	h.wantCrisisAlerts("after ordinary words from the opted-out phone", 0)

	sid := h.nextSID()
	if got := h.textSID(sid, smsTestPhone, "my partner is going to kill me"); len(got) != 0 {
		t.Fatalf("the crisis text from the opted-out phone got %q, want no reply", got)
	}
	coord := h.wantCrisisAlerts("after the crisis text", 1)
	if len(coord) == 1 && (coord[0].Payload.ReferralID != r.ID || !strings.Contains(coord[0].Payload.Text, r.Reference) ||
		!strings.Contains(coord[0].Payload.Text, "danger")) {
		t.Errorf("the coordinators' alert %+v: want referral %s and danger", coord[0].Payload, r.Reference)
	}
	if _, agencies := h.crisisAlerts(); len(agencies) != 1 || agencies[0].Payload.AgencyID != agency {
		t.Errorf("the agency holding the referral: alerts %+v", agencies)
	}
	if n := h.crisisEmailsTo(agency); n != 1 {
		t.Errorf("%d crisis emails to the agency, want 1", n)
	}
	h.wantOptedOutAlerts("after the crisis text")
	if n := h.optedOutCrisisEvents(); n != 1 {
		t.Errorf("%d crisis events saying Onward could not reply, want 1", n)
	}

	if got := h.textSID(sid, smsTestPhone, "my partner is going to kill me"); len(got) != 0 {
		t.Errorf("Twilio's retry got %q, want no reply", got)
	}
	h.wantCrisisAlerts("after Twilio's retry", 1)

	if got := h.text(smsTestPhone, "chcę umrzeć"); len(got) != 0 {
		t.Fatalf("Polish self-harm words from the opted-out phone got %q, want no reply", got)
	}
	h.wantCrisisAlerts("after self-harm words", 2)
	h.wantOptedOutAlerts("after self-harm words")
	if !h.optedOut(smsTestPhone) {
		t.Error("the phone was opted back in")
	}
	h.wantNoWordsStored("kill", "partner", "umrze")
}

// TestSMSCrisisFromAnOptedOutPhoneWhileDatabaseDown: PostgreSQL does not
// answer when an opted-out client texts self-harm words. Nothing is sent;
// the alert is held in Redis and, replayed once PostgreSQL answers, still
// says Onward could not reply as the phone opted out.
func TestSMSCrisisFromAnOptedOutPhoneWhileDatabaseDown(t *testing.T) {
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
	down.text(smsTestPhone, "STOP")
	pool.Close() // the database is gone for this engine
	if got := down.text(smsTestPhone, "I want to kill myself"); len(got) != 0 {
		t.Fatalf("the crisis text from the opted-out phone with PostgreSQL down got %q, want no reply", got)
	}
	if log := down.logs.String(); !strings.Contains(log, "held in Redis until PostgreSQL answers") {
		t.Errorf("no error logged for the held alert:\n%s", log)
	}
	up.wantCrisisAlerts("while PostgreSQL is down", 0)
	n, err := ReplayHeldCrisisTexts(context.Background(), env.Engine, rdb, prefix)
	if err != nil || n != 1 {
		t.Fatalf("replay: %d, %v; want 1 recorded", n, err)
	}
	if coord := up.wantCrisisAlerts("after the replay", 1); len(coord) == 1 && !strings.Contains(coord[0].Payload.Text, r.Reference) {
		t.Errorf("the replayed alert %q does not name %s", coord[0].Payload.Text, r.Reference)
	}
	up.wantOptedOutAlerts("after the replay")
}
