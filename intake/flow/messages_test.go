package flow

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// clientMessage reports whether a message id is an SMS a client reads (not
// a web page's words, a step's words or a file's description).
func clientMessage(id string) bool {
	return !strings.Contains(id, ".")
}

// segmentBudget is how many SMS parts an English message may take: the
// consent question three, a status text two, anything else three.
func segmentBudget(id string) int {
	switch {
	case strings.HasPrefix(id, "status_"):
		return 2
	case id == "conv_consent":
		return 3
	}
	return 3
}

// messageData is long, realistic values for every key a client text uses.
func messageData(f *Flow, id string) map[string]any {
	data := maps.Clone(convTestNetwork)
	maps.Copy(data, f.KeywordKeys())
	maps.Copy(data, map[string]any{"ConsentVersion": testConsentVersion,
		"Urgent": true, "Triage": true, "Callback": false, "ContactMethod": "text",
		"Agency": "Dunfermline and West Fife Citizens Advice and Rights Bureau", "Days": 3,
		"NetworkName": "Kingdom Advice Network", "NetworkPhone": "0800 000 0000", "Code": "482913", "Postcode": "EH49 1AB",
		"Languages": f.languageMenu(), "Needs": f.needsSample(), "Answer": f.keptSample()})
	for _, st := range f.steps {
		if st.choices != nil && (st.prompt == id || st.reprompt == id) {
			data["Choices"] = st.choices
		}
	}
	return data
}

// TestMessageBudgets renders every client text in every shipped language
// and holds it to its budget in SMS segments for its encoding: English to
// its own (consent 3, status texts 2, others 3) and in GSM-7, a
// translation to twice its English budget. No text carries a version
// label, and a link appears at most once. The golden files show every
// text with its segment count, one file per language.
func TestMessageBudgets(t *testing.T) {
	f := loadSelfReferralFlow(t)
	cat := f.Catalogue()
	checked := 0
	for _, l := range cat.Languages() {
		t.Run(l.Code, func(t *testing.T) {
			var golden strings.Builder
			for _, id := range cat.IDs(lang.English) {
				if !clientMessage(id) {
					continue
				}
				data := messageData(f, id)
				maps.Copy(data, f.In(l.Code).KeywordKeys()) // the keywords as l's texts name them
				text, err := cat.Render(l.Code, id, data, 3)
				if err != nil {
					t.Errorf("%s: %v", id, err)
					continue
				}
				// As sent: numbers isolated left to right in right-to-left
				// text (RenderText), which counts towards the segments.
				text = lang.IsolateNumbers(text)
				checked++
				n, enc := core.SMSSegments(text)
				budget := segmentBudget(id)
				if l.Code != lang.English {
					budget *= 2
				} else if enc != core.SMSEncodingGSM7 && id != f.Messages.Languages {
					t.Errorf("%s is %s; keep English copy to GSM-7 (straight quotes, no dashes):\n%s", id, enc, text)
				}
				if n > budget {
					t.Errorf("%s is %d %s segments, budget %d:\n%s", id, n, enc, budget, text)
				}
				for _, url := range []string{convTestNetwork["DataSharingURL"].(string), convTestNetwork["DirectoryURL"].(string)} {
					if strings.Count(text, url) > 1 {
						t.Errorf("%s gives the same link twice:\n%s", id, text)
					}
				}
				if strings.Contains(text, testConsentVersion) || strings.Contains(strings.ToLower(text), "version") {
					t.Errorf("%s carries a version label:\n%s", id, text)
				}
				fmt.Fprintf(&golden, "== %s (%d %s)\n%s\n\n", id, n, enc, text)
			}
			coretest.Golden(t, "testdata/messages/"+l.Code+".golden", golden.String())
		})
	}
	if checked < 3*40 {
		t.Errorf("checked only %d texts", checked)
	}
}

// TestNoMissingMessages lists every English message a shipped language
// lacks (it would be sent in English): the list must be empty. It also
// checks each translation names who checked it (or says nobody has yet:
// an empty checked_by) and adds its own yes and no words.
func TestNoMissingMessages(t *testing.T) {
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ar", "en", "gd", "pl", "uk", "ur"}
	var got []string
	for _, l := range cat.Languages() {
		got = append(got, l.Code)
		if missing := cat.Missing(l.Code); len(missing) > 0 {
			t.Errorf("%s lacks %d messages: %s", l.English, len(missing), strings.Join(missing, ", "))
		}
		if !cat.Has(l.Code, "language.checked_by") {
			t.Errorf("%s does not say who checked it (language.checked_by)", l.English)
		}
		if l.Code != lang.English {
			for _, id := range []string{"words.yes", "words.no"} {
				if cat.Own(l.Code, id) == "" {
					t.Errorf("%s has no %s", l.English, id)
				}
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("languages shipped = %v, want %v", got, want)
	}
}

// waitCounts are the waits TestWaitDaysInEveryLanguage renders: every
// plural category the shipped languages use for whole numbers (Polish 1,
// 2–4, 5+; Ukrainian 21; Arabic 1, 2, 3–10, 11–99, 100; Gaelic 1 and 11, 2,
// 3–10, 20+).
var waitCounts = []int{1, 2, 3, 5, 11, 21, 100}

// englishDays finds the English words for the wait in a translation.
var englishDays = regexp.MustCompile(`(?i)\b(working )?days?\b`)

// TestWaitDaysInEveryLanguage: the conversation's last text says the wait
// the caller gives it (Days, Network.ClientWaitDays) with the plural form
// the number needs, in every shipped language: it renders, within its
// SMS budget, says each number differently, and a translation never says
// "days" in English. The golden file shows the sentence for each number.
func TestWaitDaysInEveryLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	var golden strings.Builder
	for _, l := range f.Catalogue().Languages() {
		g := f.In(l.Code)
		seen := map[string]int{}
		for _, urgent := range []bool{false, true} {
			for _, n := range waitCounts {
				data := messageData(g, f.Messages.Done)
				data["Urgent"], data["Days"] = urgent, n
				text, err := g.Render(f.Messages.Done, data)
				if err != nil {
					t.Errorf("%s, a wait of %d: %v", l.English, n, err)
					continue
				}
				if l.Code == lang.English {
					want := fmt.Sprintf("within %d working days,", n)
					if n == 1 {
						want = "within 1 working day,"
					}
					if !strings.Contains(text, want) {
						t.Errorf("English, a wait of %d: want %q in %q", n, want, text)
					}
				} else if m := englishDays.FindString(text); m != "" {
					t.Errorf("%s, a wait of %d, says %q in English: %s", l.English, n, m, text)
				}
				if urgent {
					continue // the same sentence, after "marked as urgent"
				}
				if other, ok := seen[text]; ok {
					t.Errorf("%s says a wait of %d and of %d the same way: %s", l.English, other, n, text)
				}
				seen[text] = n
				budget := segmentBudget(f.Messages.Done)
				if l.Code != lang.English {
					budget *= 2
				}
				if segs, enc := core.SMSSegments(text); segs > budget {
					t.Errorf("%s, a wait of %d: %d %s segments, budget %d:\n%s", l.English, n, segs, enc, budget, text)
				}
				fmt.Fprintf(&golden, "%s %d: %s\n", l.Code, n, text)
			}
		}
	}
	coretest.Golden(t, "testdata/messages/wait_days.golden", golden.String())
}
