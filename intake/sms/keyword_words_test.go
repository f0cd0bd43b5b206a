package sms

import (
	"fmt"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/lang"
)

// TestSMSKeywordsInTheClientsLanguage: in every language, the texts that
// name HELP, RESTART and CALL name that language's own word for it (not
// the English one), and texting that word does what the English one
// does: help keeps the question open, restart begins again, the call-back
// word asks for a call. The English call-back word works in every
// language too. STOP stays English in every text: carriers read only it.
func TestSMSKeywordsInTheClientsLanguage(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	for i, l := range h.sms.cat.Languages() {
		keys := h.sms.flow.In(l.Code).KeywordKeys()
		help, restart, call := keys["HelpKeyword"].(string), keys["RestartKeyword"].(string), keys["CallbackKeyword"].(string)
		t.Run(l.Code, func(t *testing.T) {
			if l.Code != lang.English && (help == "HELP" || restart == "RESTART" || call == "CALL") {
				t.Fatalf("%s names the English keywords: %q %q %q", l.English, help, restart, call)
			}
			phone := fmt.Sprintf("+4477009007%02d", i)
			h.text(phone, "Hello")
			h.text(phone, l.Name)
			if st := h.state(phone); !st.open() || st.Conv.Lang != l.Code || st.Conv.Step != "needs" {
				t.Fatalf("after %q: conversation %+v, want one in %s at the needs question", l.Name, st, l.Code)
			}

			// HELP: the help text, which names RESTART in the language,
			// and STOP as carriers know it; the question stays open.
			got := strings.Join(h.text(phone, strings.ToLower(help)), "\n")
			if !strings.Contains(got, restart) || !strings.Contains(got, "STOP") ||
				(l.Code != lang.English && strings.Contains(got, "RESTART")) {
				t.Errorf("%q answered %q; want the help naming %q and STOP", help, got, restart)
			}
			if st := h.state(phone); !st.open() || st.Conv.Step != "needs" {
				t.Errorf("%q moved the conversation: %+v", help, st)
			}

			// RESTART: the answers go, the conversation begins again in
			// the language, and its greeting names HELP in it.
			h.text(phone, "1")
			got = strings.Join(h.text(phone, restart), "\n")
			st := h.state(phone)
			if !st.open() || len(st.Conv.Answers.Needs) != 0 || st.Conv.Lang != l.Code &&
				!(l.Code == lang.English && st.Conv.Step == "language") { // English is offered the languages again
				t.Errorf("%q: conversation %+v; want it begun again in %s", restart, st, l.Code)
			}
			if !strings.Contains(got, help) || (l.Code != lang.English && strings.Contains(got, "HELP")) {
				t.Errorf("%q answered %q; want the greeting naming %q", restart, got, help)
			}

			// Missed answers: the call-back offer names the language's word.
			if st.Conv.Step == "language" {
				h.text(phone, l.Name)
			}
			h.text(phone, "1")
			for range 3 {
				got = strings.Join(h.text(phone, "qqq zzz"), "\n")
			}
			if !strings.Contains(got, call) || (l.Code != lang.English && strings.Contains(got, "CALL")) {
				t.Errorf("three misses answered %q; want the call-back offer naming %q", got, call)
			}
			// CALL: a call is asked for, with the language's word and,
			// from another phone, with the English one.
			for j, word := range []string{call, "call"} {
				p := phone
				if j == 1 {
					p = fmt.Sprintf("+4477009008%02d", i)
					h.text(p, "Hello")
					h.text(p, l.Name)
					h.text(p, "1")
				}
				h.text(p, word)
				if st := h.state(p); !st.open() || !st.Conv.Answers.Callback || st.Conv.Answers.ContactMethod != "call" {
					t.Errorf("%q in %s: conversation %+v; want a call asked for", word, l.English, st)
				}
			}

			// START, after STOP: the welcome back names HELP in the
			// language, STOP in English.
			h.text(phone, "STOP")
			got = strings.Join(h.text(phone, "START"), "\n")
			if !strings.Contains(got, help) || !strings.Contains(got, "STOP") || (l.Code != lang.English && strings.Contains(got, "HELP")) {
				t.Errorf("START answered %q; want the welcome back naming %q and STOP", got, help)
			}
		})
	}
}
