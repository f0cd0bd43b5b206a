package flow

import (
	"bufio"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/onward-network/onward/templates"
)

// corpusLine is one message of the crisis corpus and what it is.
type corpusLine struct{ kind, text string }

func readCorpus(t *testing.T, path string) []corpusLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		kind, text, ok := strings.Cut(l, "|")
		if !ok {
			kind, text = "ordinary", l
		}
		out = append(out, corpusLine{kind, text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCrisisCorpus measures crisis detection (finding 13: "I feel like
// ending it all" was not flagged) on a corpus of crisis messages —
// self-harm, danger at home, no food or heating, eviction, homelessness,
// with misspellings, text-speak and inflections — and ordinary ones. It
// reports recall by kind and false alarms; every self-harm message must
// be caught and flagged as self-harm, every danger message flagged as
// danger (the helpline comes at once), no hardship message flagged as
// either, recall must stay at 95% or more, and at most 1% of ordinary
// messages may raise an alarm.
func TestCrisisCorpus(t *testing.T) {
	crisis := readCorpus(t, "testdata/crisis/crisis.txt")
	ordinary := readCorpus(t, "testdata/crisis/ordinary.txt")
	if len(crisis) < 150 || len(ordinary) < 150 {
		t.Fatalf("corpus has %d crisis and %d ordinary messages, want at least 150 of each", len(crisis), len(ordinary))
	}
	caught, total := map[string]int{}, map[string]int{}
	var missed []string
	for _, c := range crisis {
		total[c.kind]++
		s := DetectCrisis(c.text)
		switch {
		case c.kind == "selfharm" && !s.SelfHarm:
			t.Errorf("self-harm message not flagged as self-harm: %q (found %q)", c.text, s.Words)
		case c.kind == "danger" && !s.Danger:
			t.Errorf("danger message not flagged as danger: %q (found %q)", c.text, s.Words)
		case c.kind != "selfharm" && c.kind != "danger" && (s.SelfHarm || s.Danger):
			t.Errorf("%s message flagged as self-harm (%v) or danger (%v): %q (found %q)", c.kind, s.SelfHarm, s.Danger, c.text, s.Words)
		case s.Found():
			caught[c.kind]++
			continue
		}
		if !s.Found() {
			missed = append(missed, c.kind+": "+c.text)
		}
	}
	var alarms []string
	for _, o := range ordinary {
		if s := DetectCrisis(o.text); s.Found() {
			alarms = append(alarms, o.text+" → "+strings.Join(s.Words, ", "))
		}
	}
	kinds := make([]string, 0, len(total))
	for k := range total {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	all := 0
	for _, k := range kinds {
		all += caught[k]
		t.Logf("recall %-9s %3d/%3d", k, caught[k], total[k])
	}
	recall := float64(all) / float64(len(crisis))
	falseRate := float64(len(alarms)) / float64(len(ordinary))
	t.Logf("crisis recall %.1f%% (%d/%d); false alarms %.1f%% (%d/%d)", 100*recall, all, len(crisis), 100*falseRate, len(alarms), len(ordinary))
	for _, m := range missed {
		t.Logf("missed: %s", m)
	}
	if recall < 0.95 {
		t.Errorf("crisis recall %.1f%% is below 95%%", 100*recall)
	}
	if falseRate > 0.01 {
		t.Errorf("false alarms %.1f%% over 1%%:\n%s", 100*falseRate, strings.Join(alarms, "\n"))
	}
}

// TestCrisisCorpusInEveryLanguage runs a smaller corpus per shipped
// language (testdata/crisis/<code>.txt) through the flow's crisis words,
// which are every language's: every self-harm message must be caught as
// self-harm, every danger message as danger (999 and the helpline come at
// once), every other crisis message caught, and no ordinary message may
// raise an alarm.
func TestCrisisCorpusInEveryLanguage(t *testing.T) {
	f, err := LoadFlow(templates.FS, "self_referral")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range f.Catalogue().Languages() {
		if l.Code == "en" {
			// TestCrisisCorpus measures English; here, the other
			// languages' words must not add alarms to ordinary English.
			for _, o := range readCorpus(t, "testdata/crisis/ordinary.txt") {
				if f.DetectCrisis(o.text).Found() != DetectCrisis(o.text).Found() {
					t.Errorf("another language's crisis words raise an alarm on %q: %q", o.text, f.DetectCrisis(o.text).Words)
				}
			}
			continue
		}
		lines := readCorpus(t, "testdata/crisis/"+l.Code+".txt")
		var crisis, ordinary int
		for _, c := range lines {
			s := f.In(l.Code).DetectCrisis(c.text)
			switch c.kind {
			case "ordinary":
				ordinary++
				if s.Found() {
					t.Errorf("%s: ordinary message raised an alarm: %q → %q", l.English, c.text, s.Words)
				}
			case "selfharm":
				crisis++
				if !s.SelfHarm {
					t.Errorf("%s: self-harm message not flagged as self-harm: %q (found %q)", l.English, c.text, s.Words)
				}
			case "danger":
				crisis++
				if !s.Danger {
					t.Errorf("%s: danger message not flagged as danger: %q (found %q)", l.English, c.text, s.Words)
				}
			default:
				crisis++
				if !s.Found() {
					t.Errorf("%s: %s message missed: %q", l.English, c.kind, c.text)
				}
			}
		}
		if crisis < 16 || ordinary < 10 {
			t.Errorf("%s corpus has %d crisis and %d ordinary messages, want at least 16 and 10", l.English, crisis, ordinary)
		}
	}
}
