package sms

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// smsStep is one thing that happens in a script: a text from the client
// (with pictures when media > 0), or time passing.
type smsStep struct {
	body  string
	media int
	later time.Duration
}

func smsSay(bodies ...string) []smsStep {
	out := make([]smsStep, len(bodies))
	for i, b := range bodies {
		out[i] = smsStep{body: b}
	}
	return out
}

func smsSteps(parts ...[]smsStep) []smsStep {
	var out []smsStep
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// smsScripts are whole conversations through the webhook; each has a
// golden transcript in testdata/sms (go test ./intake -run TestSMSScripts -update).
var smsScripts = []struct {
	name  string
	steps []smsStep
}{
	{"happy_path", smsSay("Hi", "1 3", "KY1 1AB", "no", "No", "Ailsa Fictional", "1", "morning", "yes", "thanks")},
	{"crisis_words_and_town", smsSay("I have no food and the bailiffs are coming", "don't know", "Kirkcaldy",
		"no", "no", "Morag", "2", "4", "YES")},
	{"declined", smsSay("hello", "debt", "ky11ab", "no", "no", "Ailsa Fictional", "1", "1", "no", "hi again")},
	{"keywords", smsSay("Hi", "help", "STOP", "hello?", "Stop.", "START", "Hi", "1", "4", "RESTART", "1")},
	{"expired", smsSteps(smsSay("Hi", "1", "1"), []smsStep{{later: 25 * time.Hour}}, smsSay("KY1 1AB"))},
	{"callback_after_misses", smsSay("hi", "what", "no idea", "???", "eh", "CALL", "Ailsa Fictional", "YES")},
	{"self_harm", smsSay("I want to kill myself", "1", "1", "KY16 9AJ", "yes", "yes", "Ailsa Fictional", "2", "3", "yes")},
	// A client who starts in Polish answers in Polish and gets the same
	// referral; the adviser reads "Polish" and whether they want an
	// interpreter.
	{"polish", smsSay("POLSKI", "dług i czynsz", "KY1 1AB", "nie", "nie", "Ania Fikcyjna", "1", "tak", "rano", "TAK")},
	// The same in every other shipped language, each started by its name.
	{"ukrainian", smsSay("УКРАЇНСЬКА", "1 4", "KY1 1AB", "ні", "ні", "Оксана", "1", "так", "1", "ТАК")},
	{"arabic", smsSay("عربي", "1", "KY1 1AB", "لا", "لا", "ليلى", "1", "نعم", "2", "نعم")},
	{"urdu", smsSay("اردو", "1", "KY1 1AB", "نہیں", "نہیں", "عائشہ", "1", "جی ہاں", "3", "ہاں")},
	{"gaelic", smsSay("GÀIDHLIG", "1", "KY1 1AB", "chan eil", "chan eil", "Mòrag", "1", "tha", "4", "tha")},
	// The language offered by number, a switch mid-conversation that keeps
	// the answers, and a language's name inside a sentence that is not one.
	{"language_switch", smsSay("Hi", "2", "1", "ENGLISH", "KY1 1AB", "I speak polski a bit", "POLSKI", "nie", "nie",
		"Jan", "2", "nie", "wieczorem", "tak")},
	{"odd_bodies", smsSteps(smsSay("🙂", "Ça va? Дом 🏠", smsLongBody, ""),
		[]smsStep{{media: 1}, {body: "1 and 3", media: 2}})},
}

// smsLongBody is the longest text Twilio delivers: 1,600 characters.
var smsLongBody = strings.Repeat("Rent arrears and letters. ", 62)[:1600]

func TestSMSScripts(t *testing.T) {
	t.Parallel()
	for _, sc := range smsScripts {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			got := h.runScript(sc.steps)
			coretest.Golden(t, filepath.Join("testdata", "sms", sc.name+".golden"), got)
		})
	}
}

// runScript plays a script from smsTestPhone and returns its transcript:
// every text, every SMS of every reply with its segment count, the stored
// step, and at the end every referral with its consent.
func (h *smsHarness) runScript(script []smsStep) string {
	h.t.Helper()
	var b strings.Builder
	sids := map[string]int{}
	for i, st := range script {
		if st.later > 0 {
			h.env.Clock.Advance(st.later)
			fmt.Fprintf(&b, "~~~ %s later\n\n", st.later)
			continue
		}
		sid := h.nextSID()
		sids[sid] = i + 1
		var media []string
		for j := 0; j < st.media; j++ {
			media = append(media, fmt.Sprintf("https://api.twilio.com/2010-04-01/Accounts/%s/Messages/%s/Media/ME%032x", smsTestAccount, sid, j+1))
		}
		fmt.Fprintf(&b, ">>> %d %s", i+1, smsQuote(st.body))
		if st.media > 0 {
			fmt.Fprintf(&b, " + %d picture(s)", st.media)
		}
		b.WriteString("\n")
		for _, m := range h.textSID(sid, smsTestPhone, st.body, media...) {
			n, enc := core.SMSSegments(m)
			fmt.Fprintf(&b, "<<< (%d SMS, %s)\n%s\n", n, enc, m)
		}
		if s := h.state(smsTestPhone); s != nil {
			fmt.Fprintf(&b, "--- step=%s misses=%d\n\n", s.Conv.Step, s.Conv.Misses)
		} else {
			b.WriteString("--- no conversation\n\n")
		}
	}
	b.WriteString(h.referralSummary(sids))
	return b.String()
}

func smsQuote(s string) string {
	if n := utf8.RuneCountInString(s); n > 60 {
		return fmt.Sprintf("%q… (%d characters)", string([]rune(s)[:60]), n)
	}
	return fmt.Sprintf("%q", s)
}

const sqlTestReferralSummary = `
SELECT r.id, r.reference, r.source, r.status, r.crisis, coalesce(a.slug, '(triage)'), array_to_string(r.needs, ','),
       r.postcode_district, c.channel, c.wording_version, c.evidence, c.scope, c.language, cl.language, cl.interpreter
FROM referrals r JOIN consents c ON c.id = r.consent_id LEFT JOIN agencies a ON a.id = r.to_agency_id
JOIN clients cl ON cl.id = r.client_id
ORDER BY r.id`

// referralSummary lists what Postgres holds at the end: referrals with
// their consent (evidence named by the step whose MessageSid it is), and
// the counts of clients and consents.
func (h *smsHarness) referralSummary(sids map[string]int) string {
	h.t.Helper()
	var b strings.Builder
	// Each referral's outbox rows as kind[:channel], sorted.
	queued := map[core.ReferralID][]string{}
	for _, o := range coretest.OutboxRows(h.t, h.env.Engine) {
		if o.ReferralID == nil {
			continue
		}
		k := string(o.Kind)
		if o.Payload.Channel != "" {
			k += ":" + o.Payload.Channel
		}
		queued[*o.ReferralID] = append(queued[*o.ReferralID], k)
	}
	rows, err := h.env.Pool.Query(context.Background(), sqlTestReferralSummary)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id core.ReferralID
		var ref, source, status, to, needs, district, channel, version, evidence, scope, consentLang, clientLang string
		var crisis, interpreter bool
		if err := rows.Scan(&id, &ref, &source, &status, &crisis, &to, &needs, &district, &channel, &version, &evidence, &scope,
			&consentLang, &clientLang, &interpreter); err != nil {
			h.t.Fatal(err)
		}
		slices.Sort(queued[id])
		outbox := strings.Join(queued[id], ",")
		ev := "not a MessageSid of this script: " + evidence
		if n, ok := sids[evidence]; ok {
			ev = fmt.Sprintf("the MessageSid of text %d", n)
		}
		fmt.Fprintf(&b, "=== referral %s source=%s status=%s crisis=%t to=%s needs=%s district=%s\n", ref, source, status, crisis, to, needs, district)
		fmt.Fprintf(&b, "    consent channel=%s wording=%s language=%s scope=%s evidence=%s\n", channel, version, consentLang, scope, ev)
		fmt.Fprintf(&b, "    client language=%s interpreter=%t\n", clientLang, interpreter)
		fmt.Fprintf(&b, "    outbox %s\n", outbox)
	}
	if err := rows.Err(); err != nil {
		h.t.Fatal(err)
	}
	fmt.Fprintf(&b, "=== rows: clients=%d consents=%d referrals=%d sms_optouts=%d\n",
		h.count("clients"), h.count("consents"), h.count("referrals"), h.count("sms_optouts"))
	return b.String()
}

// A name texted with a control character in it (a phone's stray escape,
// a bell) is kept as core keeps one-line text, so the consent's YES makes
// the referral rather than an apology on every try: the flow accepts no
// answer core would refuse.
func TestANameWithAControlCharacterIsReferred(t *testing.T) {
	h := newSMSHarness(t)
	r := h.referByTextNamed("+447700900611", "Ann\x07a \x1b[31mKerr")
	c, err := h.env.Engine.ClientDetailsFor(t.Context(), r.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Ann a [31mKerr" {
		t.Errorf("the client's name was kept as %q, want %q", c.Name, "Ann a [31mKerr")
	}
}

// TestSMSEverydaySpellings: through the webhook, words are read however
// the client's phone wrote them. Self-harm typed without Polish letters
// gets the crisis lines first and marks the conversation; a language
// picked from the numbered list in Arabic-Indic digits, needs in Urdu's
// digits, and a language named with Arabic vowel marks are understood.
func TestSMSEverydaySpellings(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		name  string
		texts []string
		check func(got []string, st *smsState) string // "" when right
	}{
		{"polish self-harm without its letters", []string{"nie chce juz zyc"}, func(got []string, st *smsState) string {
			if len(got) == 0 || !strings.Contains(got[0], "Samaritans") || !st.Conv.Answers.SelfHarm ||
				!slices.Equal(st.Conv.Answers.CrisisWords, []string{"nie chce juz zyc"}) {
				return "want the crisis lines first and the conversation marked self-harm"
			}
			return ""
		}},
		{"language by an Arabic-Indic number", []string{"Hi", "٤"}, func(got []string, st *smsState) string {
			if st.Conv.Lang != "ar" || st.Conv.Step != "needs" {
				return "want the needs question in Arabic"
			}
			return ""
		}},
		{"needs in Urdu digits", []string{"Hi", "۵", "۱ ۴"}, func(got []string, st *smsState) string {
			if st.Conv.Lang != "ur" || !slices.Equal(st.Conv.Answers.Needs, []core.Need{core.NeedDebt, core.NeedHousing}) {
				return "want debt and housing, in Urdu"
			}
			return ""
		}},
		{"language named with vowel marks", []string{"Hi", "1", "اُردُو"}, func(got []string, st *smsState) string {
			if st.Conv.Lang != "ur" || st.Conv.Step != "needs" {
				return "want the needs question again, in Urdu"
			}
			return ""
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newSMSHarness(t)
			phone := fmt.Sprintf("+4477009006%02d", i)
			var got []string
			for _, b := range c.texts {
				got = h.text(phone, b)
			}
			st := h.state(phone)
			if st == nil {
				t.Fatalf("%q: no conversation", c.texts)
			}
			if why := c.check(got, st); why != "" {
				t.Errorf("%q answered %q, conversation at %s in %q: %s", c.texts, got, st.Conv.Step, st.Conv.Lang, why)
			}
		})
	}
}
