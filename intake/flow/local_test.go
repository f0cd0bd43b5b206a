package flow

import (
	"maps"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// CrisisLinesOf keeps the network's lines as given (with a full stop) and
// tells whether they give Samaritans' number and 999 themselves, as
// numbers of their own, not inside a longer one.
func TestCrisisLinesOf(t *testing.T) {
	for _, c := range []struct {
		lines       string
		want        string
		sam, danger bool
	}{
		{"", "", false, false},
		{"   ", "", false, false},
		{"Samaritans 116 123, NHS 24 111", "Samaritans 116 123, NHS 24 111.", true, false},
		{"If you are in danger now, call 999. Samaritans: 116 123, free, day or night. Breathing Space: 0800 83 85 87.",
			"If you are in danger now, call 999. Samaritans: 116 123, free, day or night. Breathing Space: 0800 83 85 87.", true, true},
		{"Samaritans 116123 (free)\n999 for emergencies", "Samaritans 116123 (free) 999 for emergencies.", true, true},
		{"Council out of hours: 0300 999 1234", "Council out of hours: 0300 999 1234.", false, false},
		{"Helpline 0116 1234", "Helpline 0116 1234.", false, false},
		{"Breathing Space 0800 83 85 87!", "Breathing Space 0800 83 85 87!", false, false},
	} {
		got := CrisisLinesOf(c.lines)
		if got.Own != c.want || got.Samaritans != c.sam || got.Emergency != c.danger {
			t.Errorf("CrisisLinesOf(%q) = %+v, want %q, Samaritans %v, 999 %v", c.lines, got, c.want, c.sam, c.danger)
		}
	}
}

// The crisis text gives the network's own crisis lines after the fixed,
// translated words, in every language; given only the network's English
// lines it keeps the fixed Samaritans and 999 sentences in the text's
// language and leaves out the lines' sentences that give only those
// numbers, so a number is never said twice; and a network with no lines
// of its own gets the fixed text alone. (crisis_lines_*_test.go: lines
// in the client's own language.)
func TestCrisisTextGivesTheNetworksLines(t *testing.T) {
	f := loadSelfReferralFlow(t)
	demo := "If you are in danger now, call 999. Samaritans: 116 123, free, day or night. NHS 24: 111. " +
		"Breathing Space: 0800 83 85 87, evenings and weekends."
	council := "Council out of hours 0300 300 0000"
	for _, l := range f.Catalogue().Languages() {
		g := f.In(l.Code)
		render := func(lines string) string {
			t.Helper()
			data := maps.Clone(convTestNetwork)
			maps.Copy(data, LocalKeys(lines, AreaExample{}))
			text, err := g.Render(f.Messages.SelfHarm, data)
			if err != nil {
				t.Fatal(err)
			}
			return unisolated(text)
		}
		plain, withDemo, withCouncil := render(""), render(demo), render(council)
		if !strings.Contains(plain, "116 123") || !strings.Contains(plain, "999") {
			t.Errorf("%s, no lines of the network's: %q lacks 116 123 or 999", l.English, plain)
		}
		if !strings.Contains(withDemo, "Breathing Space: 0800 83 85 87, evenings and weekends.") || strings.Count(withDemo, "116 123") != 1 || strings.Count(withDemo, "999") != 1 {
			t.Errorf("%s, lines giving 999 and 116 123: %q; want them once, with Breathing Space", l.English, withDemo)
		}
		if !strings.Contains(withCouncil, council+".") || !strings.Contains(withCouncil, "116 123") || !strings.Contains(withCouncil, "999") {
			t.Errorf("%s, a council line alone: %q; want it beside 116 123 and 999", l.English, withCouncil)
		}
		budget := segmentBudget(f.Messages.SelfHarm)
		if l.Code != lang.English {
			budget *= 2
		}
		if n, enc := core.SMSSegments(withCouncil); n > budget {
			t.Errorf("%s: %d %s segments, budget %d: %s", l.English, n, enc, budget, withCouncil)
		}
	}
}

// The example postcode and town come from the network's own districts:
// its first district as people read them, with that district's town.
func TestAreaExampleOf(t *testing.T) {
	ds := map[string]core.District{
		"PA10": {District: "PA10", Town: "Johnstone"},
		"PA2":  {District: "PA2", Town: "Paisley"},
		"PA1":  {District: "PA1", Town: "Paisley"},
		"PA4":  {District: "PA4", Town: "Renfrew"},
	}
	if got := AreaExampleOf(ds); got != (AreaExample{Postcode: "PA1 1AB", Town: "Paisley"}) {
		t.Errorf("AreaExampleOf = %+v, want PA1 1AB, Paisley", got)
	}
	if got := AreaExampleOf(nil); got != (AreaExample{}) {
		t.Errorf("AreaExampleOf(no districts) = %+v, want none", got)
	}
}

// The postcode and town questions, by text and on the web, give the
// network's example in every language, and no other network's: with no
// example they give none.
func TestQuestionsGiveTheNetworksExample(t *testing.T) {
	f := loadSelfReferralFlow(t)
	paisley := AreaExample{Postcode: "PA1 1AB", Town: "Paisley"}
	for _, l := range f.Catalogue().Languages() {
		g := f.In(l.Code)
		for _, ex := range []AreaExample{paisley, {}} {
			data := maps.Clone(convTestNetwork)
			maps.Copy(data, LocalKeys("", ex))
			var texts []string
			for _, id := range []string{"conv_postcode", "conv_postcode_retry", "conv_town", "conv_town_retry"} {
				text, err := g.Render(id, data)
				if err != nil {
					t.Fatal(err)
				}
				texts = append(texts, text)
			}
			texts = append(texts, g.Hint("postcode", ex), g.Hint("town", ex))
			for i, text := range texts {
				if strings.Contains(text, "KY1") || strings.Contains(text, "Kirkcaldy") || strings.Contains(text, "Leven") {
					t.Errorf("%s text %d names Fife: %q", l.English, i, text)
				}
				want := paisley.Postcode
				if i == 2 || i == 3 || i == 5 {
					want = paisley.Town
				}
				if got := strings.Contains(text, want); got != (ex == paisley) {
					t.Errorf("%s text %d with example %+v: %q", l.English, i, ex, text)
				}
				if strings.Contains(text, "{{") || strings.Contains(text, "  ") || strings.HasPrefix(text, " ") {
					t.Errorf("%s text %d is badly put together: %q", l.English, i, text)
				}
			}
		}
		if st, _ := g.Step("postcode"); st.Hint == "" || strings.Contains(st.Hint, "1AB") {
			t.Errorf("%s: the postcode step's hint with no example is %q", l.English, st.Hint)
		}
	}
}
