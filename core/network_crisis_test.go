package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// demoCrisisLines are crisis lines like the demo's: they give 999, 116 123
// and 111, and one number of their own.
const demoCrisisLines = "If you are in danger now, call 999. Samaritans: 116 123, free, day or night. NHS 24: 111. " +
	"Breathing Space: 0800 83 85 87, evenings and weekends."

// TestCrisisLinesFor: lines in the client's language are given whole, with
// whether they give 116 123 and 999; lines in another language never say
// the fixed sentences' numbers again, but keep every sentence that gives
// another number, with the sentences that belong to it.
func TestCrisisLinesFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, lines, linesLang, clientLang string
		own, beside                        string
		sam, danger                        bool
	}{
		{"none", "  ", "en", "pl", "", "", false, false},
		{"own language, whole", demoCrisisLines, "en", "en", demoCrisisLines,
			"Breathing Space: 0800 83 85 87, evenings and weekends.", true, true},
		{"another language: only the other number", demoCrisisLines, "en", "pl",
			"Breathing Space: 0800 83 85 87, evenings and weekends.", "Breathing Space: 0800 83 85 87, evenings and weekends.", false, false},
		{"any language", demoCrisisLines, "en", "",
			"Breathing Space: 0800 83 85 87, evenings and weekends.", "Breathing Space: 0800 83 85 87, evenings and weekends.", false, false},
		{"only fixed numbers, NHS 24 is a name", "Samaritans 116 123, NHS 24 111", "en", "ar", "", "", false, false},
		{"line breaks end sentences", "Samaritans 116 123 (free)\nShout: text 85258", "en", "uk",
			"Shout: text 85258.", "Shout: text 85258.", false, false},
		{"a sentence without a number stays with its own", "Samaritans: 116 123. Free, any time. Council out of hours: 0300 300 0000. Ask for the duty worker.", "en", "pl",
			"Council out of hours: 0300 300 0000. Ask for the duty worker.", "Council out of hours: 0300 300 0000. Ask for the duty worker.", false, false},
		{"a fixed number beside another is kept", "Samaritans 116 123 or text SHOUT to 85258.", "en", "pl",
			"Samaritans 116 123 or text SHOUT to 85258.", "Samaritans 116 123 or text SHOUT to 85258.", false, false},
		{"999 inside a longer number is another number", "Council out of hours: 0300 999 1234", "en", "pl",
			"Council out of hours: 0300 999 1234.", "Council out of hours: 0300 999 1234.", false, false},
		{"24/7 says when", "Samaritans 116 123, 24/7.", "en", "gd", "", "", false, false},
		{"Urdu full stops", "اگر ابھی خطرے میں ہیں تو 999 پر فون کریں۔ Breathing Space: 0800 83 85 87۔", "ur", "ur",
			// The number kept left to right in right-to-left text (a
			// client's review: it read 87 85 83 0800).
			"اگر ابھی خطرے میں ہیں تو 999 پر فون کریں۔ Breathing Space: \u20660800 83 85 87\u2069۔", "Breathing Space: \u20660800 83 85 87\u2069۔", false, true},
	} {
		got := core.CrisisLinesFor(c.lines, c.linesLang, c.clientLang)
		if got.Own != c.own || got.Beside != c.beside || got.Samaritans != c.sam || got.Emergency != c.danger {
			t.Errorf("%s: CrisisLinesFor(%q, %s, %s) = %+v; want Own %q, Beside %q, Samaritans %v, 999 %v",
				c.name, c.lines, c.linesLang, c.clientLang, got, c.own, c.beside, c.sam, c.danger)
		}
		if got.Own != "" && got.Lang != c.linesLang {
			t.Errorf("%s: Lang %q, want %q", c.name, got.Lang, c.linesLang)
		}
	}
}

// withCrisisLines is the network's settings as they are now, with other
// crisis lines.
func withCrisisLines(t *testing.T, eng *core.Engine, english string, translations map[string]string) core.NetworkSettings {
	t.Helper()
	n, err := eng.Network(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return core.NetworkSettings{Name: n.Name, Phone: n.Phone, OpeningHours: n.OpeningHours, CrisisLines: english,
		CrisisLinesTranslations: translations, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL, Timezone: n.Timezone}
}

// TestCrisisLinesIn: the network's crisis lines are stored with their
// translations; a language they are translated into is given them whole,
// and one they are not is given only the English sentences with a number
// of their own; set again without them, every language is.
func TestCrisisLinesIn(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	polish := "Jeśli grozi Ci niebezpieczeństwo, dzwoń pod 999. Samaritans: 116 123. Breathing Space: 0800 83 85 87."
	s := withCrisisLines(t, env.Engine, demoCrisisLines, map[string]string{"pl": "  " + polish + "\n"})
	if err := env.Engine.SetNetwork(ctx, env.Pool, s); err != nil {
		t.Fatal(err)
	}
	n, err := env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	breathing := "Breathing Space: 0800 83 85 87, evenings and weekends."
	for code, want := range map[string]core.CrisisLines{
		"pl": {Own: polish, Lang: "pl", Samaritans: true, Emergency: true, Beside: "Breathing Space: 0800 83 85 87."},
		"en": {Own: demoCrisisLines, Lang: "en", Samaritans: true, Emergency: true, Beside: breathing},
		"ar": {Own: breathing, Lang: "en", Beside: breathing}, // not translated
	} {
		if got := n.CrisisLinesIn(code); got != want {
			t.Errorf("CrisisLinesIn(%q) = %+v, want %+v", code, got, want)
		}
	}

	if err := env.Engine.SetNetwork(ctx, env.Pool, withCrisisLines(t, env.Engine, demoCrisisLines, nil)); err != nil {
		t.Fatal(err)
	}
	if n, err = env.Engine.Network(ctx); err != nil || n.CrisisLinesIn("pl").Own != breathing {
		t.Errorf("set again without translations: Polish lines %q, %v", n.CrisisLinesIn("pl").Own, err)
	}
}

// SetNetwork refuses crisis lines' translations it could not give anyone,
// naming every mistake at once, and writes nothing.
func TestSetNetworkRefusesBadCrisisLinesTranslations(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	before, err := env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = env.Engine.SetNetwork(ctx, env.Pool, withCrisisLines(t, env.Engine, "", map[string]string{
		"fr": "Appelez le 999.",
		"en": "Call 999.",
		"pl": "   ",
		"uk": strings.Repeat("я", 501),
	}))
	var v *core.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("SetNetwork = %v, want a validation error", err)
	}
	want := map[string]string{
		"crisis_lines":                 "give the crisis lines in English too",
		"crisis_lines_translations.fr": `"fr" is not a language clients may choose; give one of pl, uk, ar, ur, gd`,
		"crisis_lines_translations.en": "the English crisis lines are crisis_lines itself",
		"crisis_lines_translations.pl": "the crisis lines are empty",
		"crisis_lines_translations.uk": "501 characters, over the 500",
	}
	for _, f := range v.Fields {
		if w, ok := want[f.Field]; !ok || !strings.Contains(f.Message, w) {
			t.Errorf("field %s: %q; want it to say %q", f.Field, f.Message, w)
		}
		delete(want, f.Field)
	}
	for field := range want {
		t.Errorf("no mistake named for %s", field)
	}
	if after, _ := env.Engine.Network(ctx); after.CrisisLines != before.CrisisLines || len(after.CrisisLinesTranslations) != 0 {
		t.Errorf("a refused change wrote the crisis lines: %q, %v", after.CrisisLines, after.CrisisLinesTranslations)
	}
}
