package sms

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
)

// TestSMSCrisisOverTheLimit: a client whose texts have passed the phone's
// hourly limit, so that Onward holds every other text back, texts that
// they want to kill themselves. They get the crisis lines and staff are
// told, as for any crisis text; Twilio's retry of it gets the same reply.
// Within the hour more such words stay held back (one answer an hour past
// the limit), ordinary texts stay held back throughout, and after the
// hour words in Polish are answered in Polish. A phone texting only
// ordinary words over its limit is still answered nothing.
func TestSMSCrisisOverTheLimit(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	r := h.referByText(smsTestPhone)
	agency := heldAgency(t, r)
	// The ten texts of the conversation are this hour's limit.
	h.sms.cfg.SMSRatePerHour = 10

	if got := h.text(smsTestPhone, "hello?"); len(got) != 0 {
		t.Fatalf("an ordinary text over the limit got %q, want nothing", got)
	}
	sid := h.nextSID()
	got := strings.Join(h.textSID(sid, smsTestPhone, "I want to kill myself"), "\n")
	if !strings.Contains(got, "Samaritans") {
		t.Fatalf("self-harm words over the limit got %q, want the crisis lines", got)
	}
	if coord := h.wantCrisisAlerts("after the crisis text over the limit", 1); len(coord) == 1 &&
		(coord[0].Payload.ReferralID != r.ID || !strings.Contains(coord[0].Payload.Text, "self-harm")) {
		t.Errorf("the coordinators' alert %+v: want referral %s and self-harm", coord[0].Payload, r.Reference)
	}
	if n := h.crisisEmailsTo(agency); n != 1 {
		t.Errorf("%d crisis emails to the agency holding the referral, want 1", n)
	}
	if again := strings.Join(h.textSID(sid, smsTestPhone, "I want to kill myself"), "\n"); again != got {
		t.Errorf("Twilio's retry of the crisis text got %q, want %q", again, got)
	}

	if got := h.text(smsTestPhone, "i want to die"); len(got) != 0 {
		t.Errorf("a second crisis text within the hour over the limit got %q, want it held back", got)
	}
	if got := h.text(smsTestPhone, "ok"); len(got) != 0 {
		t.Errorf("an ordinary text after the crisis one got %q, want it held back", got)
	}
	h.wantCrisisAlerts("after the texts held back", 1)

	// An hour on, the phone is answered for such words again (still over
	// the limit: the count is the test's to keep there).
	hash := hex.EncodeToString(h.env.Engine.Crypter().PhoneHash(smsTestPhone))
	if err := h.rdb.Del(context.Background(), limitCrisisKey(h.prefix, hash)).Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.text(smsTestPhone, "juz nie chce zyc"), "\n"); !strings.Contains(got, "116 123") ||
		!strings.Contains(got, "Nie musisz radzić sobie w pojedynkę.") {
		t.Errorf("Polish self-harm words an hour later got %q, want the crisis lines in Polish", got)
	}
	h.wantNoWordsStored("kill", "myself", "zyc")
}
