package sms

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestSMSConsentRefusedWithAYesWord: the audit's refusals to "Do you
// agree? Reply YES or NO", sent through the webhook, make no referral;
// only a clear yes does (audit A, finding 1).
func TestSMSConsentRefusedWithAYesWord(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		code, answer string // the conversation's language; the reply to consent
		referral     bool
	}{
		{"en", "absolutely not", false}, {"en", "of course not", false}, {"en", "I won't agree to that", false},
		{"en", "not ok", false}, {"en", "yes, but don't share it", false},
		{"uk", "не так", false}, {"uk", "не добре", false},
		{"ar", "غير موافقة", false}, {"ar", "مش موافق", false},
		{"en", "yes please", true}, {"pl", "tak, zgadzam się", true}, {"uk", "так", true},
	} {
		t.Run(c.code+" "+c.answer, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			script := referralConversations[c.code]
			for _, b := range script[:len(script)-1] { // up to the consent question
				h.text(smsTestPhone, b)
			}
			if st := h.state(smsTestPhone); st == nil || st.Conv.Step != "consent" {
				t.Fatalf("the script did not reach the consent question: %+v", st)
			}
			got := strings.Join(h.text(smsTestPhone, c.answer), " ")
			if n := h.count("referrals"); (n == 1) != c.referral {
				t.Errorf("%q to consent made %d referrals (reply %q); want a referral %v", c.answer, n, got, c.referral)
			}
			if n := h.count("consents"); !c.referral && n != 0 {
				t.Errorf("%q to consent recorded %d consents", c.answer, n)
			}
		})
	}
}

// TestSMSContactCheckWordsAndRetry: word replies to the contact check are
// read with their negations ("Not yet", "nobody has called me", "of
// course not" are a no and alert the team); a reply that says neither
// gets the question again in the client's language, records nothing and
// leaves it open, instead of "we already have your answers" (audit A,
// findings 1 and 5).
func TestSMSContactCheckWordsAndRetry(t *testing.T) {
	t.Parallel()
	const (
		askedAgain = iota // nothing recorded, the question left open
		contacted         // recorded: the agency has been in touch
		alerted           // recorded: it has not, and the team is told
	)
	for _, c := range []struct {
		code, answer string
		want         int
		reply        string // in the reply
	}{
		{"en", "Not yet", alerted, "told the Kingdom Advice Network team"},
		{"en", "nobody has called me", alerted, "told the Kingdom Advice Network team"},
		{"en", "of course not", alerted, "told the Kingdom Advice Network team"},
		{"en", "yes they did", contacted, "glad an adviser has been in touch"},
		{"en", "what is this about?", askedAgain, "Reply 1 for yes, 2 for no"},
		{"uk", "не так", alerted, "Ми передали це команді"},
		{"pl", "co to jest?", askedAgain, "Odpisz 1, jeśli tak, 2, jeśli nie"},
		{"ar", "ماذا؟", askedAgain, "أرسل 1 لنعم، 2 للا"},
	} {
		t.Run(c.code+" "+c.answer, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			ctx := context.Background()
			const phone = "+447700900456"
			r := h.askedByText(phone, c.code, core.AwaitContactCheck)
			got := h.text(phone, c.answer)
			if len(got) != 1 || !strings.Contains(got[0], c.reply) || strings.Contains(got[0], "already have your answers") {
				t.Fatalf("%q to the contact check answered %q, want %q", c.answer, got, c.reply)
			}
			r, _ = h.env.Engine.Referral(ctx, r.ID)
			alerts := 0
			for _, o := range coretest.OutboxRows(t, h.env.Engine) {
				if o.Kind == core.OutboxAlert && o.ReferralID != nil && *o.ReferralID == r.ID {
					alerts++
				}
			}
			_, waiting, _ := h.env.Engine.Awaiting(ctx, mustPhone(t, phone))
			switch c.want {
			case askedAgain:
				if !waiting || r.ContactedAt != nil || alerts != 0 {
					t.Errorf("%q recorded something: waiting %v, contacted %v, %d alerts", c.answer, waiting, r.ContactedAt, alerts)
				}
			case contacted:
				if waiting || r.ContactedAt == nil || alerts != 0 {
					t.Errorf("%q: waiting %v, contacted %v, %d alerts; want contacted", c.answer, waiting, r.ContactedAt, alerts)
				}
			default:
				if waiting || r.ContactedAt != nil || alerts != 1 {
					t.Errorf("%q: waiting %v, contacted %v, %d alerts; want the team alerted", c.answer, waiting, r.ContactedAt, alerts)
				}
			}
		})
	}
}

// TestSMSFeedbackScoreInWords: "5/5" and "5 out of 5" are a score of 5; a
// reply with no score in it gets the question again in the client's
// language and records nothing (audit A, finding 5).
func TestSMSFeedbackScoreInWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, code string
		answers    []string // each but the last asked again
		reply      string   // to the first answer
		score      int
	}{
		{"5/5", "en", []string{"5/5"}, "a few words about the help", 5},
		{"5 out of 5", "en", []string{"5 out of 5"}, "a few words about the help", 5},
		{"words then a digit", "en", []string{"very helpful, thank you", "4"}, "Reply with a number from 1 (not helpful) to 5", 4},
		{"polish words", "pl", []string{"bardzo pomocne", "5"}, "Odpisz liczbą od 1 (wcale) do 5", 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			const phone = "+447700900456"
			r := h.askedByText(phone, c.code, core.AwaitFeedback)
			score := func() (*int, error) {
				var n *int
				err := h.env.Pool.QueryRow(context.Background(), "SELECT feedback_score FROM referrals WHERE id = $1", r.ID).Scan(&n)
				return n, err
			}
			for i, a := range c.answers {
				got := h.text(phone, a)
				if i == 0 && (len(got) != 1 || !strings.Contains(got[0], c.reply)) {
					t.Fatalf("%q to the feedback question answered %q, want %q", a, got, c.reply)
				}
				if i < len(c.answers)-1 {
					if n, _ := score(); n != nil {
						t.Errorf("%q recorded a score of %d", a, *n)
					}
				}
			}
			if n, err := score(); err != nil || n == nil || *n != c.score {
				t.Errorf("%q recorded a score of %v (%v), want %d", c.answers, n, err, c.score)
			}
		})
	}
}

// TestSMSExpiredConversationKeepsItsLanguage: a Polish client who goes
// quiet mid-conversation past the timeout is apologised to and started
// again in Polish, whether Redis still holds the old conversation or has
// expired it, as it does at the timeout (audit A, finding 4).
func TestSMSExpiredConversationKeepsItsLanguage(t *testing.T) {
	t.Parallel()
	for _, redisExpired := range []bool{false, true} {
		name := map[bool]string{false: "state still stored", true: "state expired in Redis"}[redisExpired]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			ctx := context.Background()
			const phone = "+447700900456"
			for _, b := range []string{"hi", "2", "1"} {
				h.text(phone, b)
			}
			if st := h.state(phone); st == nil || st.Conv.Lang != "pl" || st.Conv.Step != "postcode" {
				t.Fatalf("the script did not reach the Polish postcode question: %+v", st)
			}
			h.env.Clock.Advance(DefaultConversationTTL + time.Hour)
			if redisExpired {
				k := h.sms.phoneKeys(hex.EncodeToString(h.env.Crypt.PhoneHash(core.Phone(phone))))
				if err := h.rdb.Del(ctx, k.conv).Err(); err != nil { // as Redis does at the conversation's TTL
					t.Fatal(err)
				}
			}
			got := h.text(phone, "KY1 1AB")
			if len(got) == 0 || !strings.HasPrefix(got[0], "Przepraszamy, od Twojej ostatniej wiadomości") {
				t.Fatalf("after the timeout the client got %q, want the Polish apology", got)
			}
			if joined := strings.Join(got, " "); strings.Contains(joined, "Sorry") || strings.Contains(joined, "1 English") {
				t.Errorf("after the timeout the client got English: %q", got)
			}
			if st := h.state(phone); st == nil || st.Conv.Lang != "pl" {
				t.Errorf("the new conversation's language = %+v, want pl", st)
			}
		})
	}
}

// TestSMSExpiredConversationKeepsEnglishChosen: a client who chose
// English and went quiet past the timeout is started again in English,
// not offered the languages again: English chosen is a choice (the
// black-box review of the SMS flow, m6).
func TestSMSExpiredConversationKeepsEnglishChosen(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	const phone = "+447700900457"
	for _, b := range []string{"hi", "1", "1"} {
		h.text(phone, b)
	}
	if st := h.state(phone); st == nil || st.Conv.Lang != "en" || st.Conv.Step != "postcode" {
		t.Fatalf("the script did not reach the English postcode question: %+v", st)
	}
	h.env.Clock.Advance(DefaultConversationTTL + time.Hour)
	got := h.text(phone, "KY1 1AB")
	joined := strings.Join(got, " ")
	if len(got) == 0 || !strings.HasPrefix(got[0], "Sorry") {
		t.Fatalf("after the timeout the client got %q, want the apology in English", got)
	}
	if strings.Contains(joined, "Polski") {
		t.Errorf("after the timeout a client who chose English was offered the languages again: %q", got)
	}

	// As Redis has it: the conversation's key expired with the timeout
	// and only the language remembered for the phone is left (a client's
	// review: the languages were offered again).
	const gone = "+447700900458"
	for _, b := range []string{"hi", "1", "1"} {
		h.text(gone, b)
	}
	keys := h.sms.phoneKeys(hex.EncodeToString(h.env.Engine.Crypter().PhoneHash(gone)))
	if err := h.rdb.Del(context.Background(), keys.conv).Err(); err != nil {
		t.Fatal(err)
	}
	got = h.text(gone, "hello")
	if joined := strings.Join(got, " "); len(got) == 0 || strings.Contains(joined, "Polski") {
		t.Errorf("after the conversation's key expired a client who chose English got %q, want no languages offered", got)
	}
	// One who never chose (the languages offered, then quiet) is offered
	// them again.
	const never = "+447700900459"
	h.text(never, "hi")
	neverKeys := h.sms.phoneKeys(hex.EncodeToString(h.env.Engine.Crypter().PhoneHash(never)))
	if err := h.rdb.Del(context.Background(), neverKeys.conv).Err(); err != nil {
		t.Fatal(err)
	}
	if joined := strings.Join(h.text(never, "hello"), " "); !strings.Contains(joined, "Polski") {
		t.Errorf("a client who never chose a language got %q, want the languages offered", joined)
	}
}
