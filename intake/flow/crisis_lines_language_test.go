package flow

import (
	"maps"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// crisisDemoLines are English crisis lines like the demo network's: they
// give 999 and 116 123 themselves, and Breathing Space.
const crisisDemoLines = "If you are in danger now, call 999. Samaritans: 116 123, free, day or night. NHS 24: 111. " +
	"Breathing Space: 0800 83 85 87, evenings and weekends."

// fixedCrisisSentences are the fixed Samaritans and 999 sentences of
// conv_crisis_lines in each language, as the message files give them.
var fixedCrisisSentences = map[string][2]string{
	"en": {"Talk to Samaritans any time, free: call 116 123.", "If you are in danger now, call 999."},
	"pl": {"Samaritans, bezpłatnie, całą dobę: 116 123.", "Jeśli grozi Ci niebezpieczeństwo, dzwoń pod 999."},
	"uk": {"Samaritans, безкоштовно, цілодобово: 116 123.", "Якщо Вам зараз загрожує небезпека, телефонуйте 999."},
	"ar": {"تحدّث إلى Samaritans مجانًا في أي وقت: 116 123.", "إذا كنت في خطر الآن، اتصل بـ 999."},
	"ur": {"Samaritans، مفت، کسی بھی وقت: 116 123۔", "اگر ابھی خطرے میں ہیں تو 999 پر فون کریں۔"},
	"gd": {"Samaritans, an-asgaidh, uair sam bith: 116 123.", "Ma tha sibh ann an cunnart an-dràsta, cuiribh fòn gu 999."},
}

// The report's Polish client: "juz nie chce zyc" (no diacritics) after
// choosing Polish, on a network whose English crisis lines give 999 and
// 116 123. The reply gives the Polish Samaritans and 999 sentences, each
// number once, and of the English lines only Breathing Space, which the
// Polish sentences do not give — whether the caller passes the keys for
// any language (LocalKeys) or the Polish ones (CrisisKeysIn).
func TestCrisisLinesPolishClientGetsPolishNumbers(t *testing.T) {
	f := loadSelfReferralFlow(t)
	n := core.Network{CrisisLines: crisisDemoLines}
	for _, step := range []string{"needs", "postcode", "name"} {
		c, r := f.Advance(Conversation{Step: step, Lang: "pl"}, "juz nie chce zyc, nie mam sily")
		if !r.SelfHarm || len(r.Templates) == 0 || r.Templates[0] != f.Messages.SelfHarm || c.Lang != "pl" {
			t.Fatalf("at %s: self-harm %v, templates %v, language %q; want the crisis lines first, in Polish", step, r.SelfHarm, r.Templates, c.Lang)
		}
		for name, keys := range map[string]map[string]any{
			"LocalKeys":    LocalKeys(crisisDemoLines, AreaExample{}),
			"CrisisKeysIn": CrisisKeysIn(n, "pl"),
		} {
			data := convRenderData(r)
			maps.Copy(data, keys)
			text, err := f.In(r.Lang).Render(r.Templates[0], data)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range append([]string{fixedCrisisSentences["pl"][0], fixedCrisisSentences["pl"][1]}, "Breathing Space: 0800 83 85 87, evenings and weekends.") {
				if !strings.Contains(text, want) {
					t.Errorf("at %s, %s: the crisis reply %q lacks %q", step, name, text, want)
				}
			}
			if strings.Count(text, "999") != 1 || strings.Count(text, "116 123") != 1 || strings.Contains(text, "call 999") || strings.Contains(text, "danger") {
				t.Errorf("at %s, %s: the crisis reply %q gives 999 or 116 123 twice, or in English", step, name, text)
			}
		}
	}
}

// In every language, English-only crisis lines never stand in for the
// fixed Samaritans and 999 sentences in the client's own words, and say
// neither number again; lines the network translated into the client's
// language are given whole, each number once; and an English client is
// given the English lines whole, as before.
func TestCrisisLinesInTheClientsLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	translated := map[string]string{
		"pl": "Jeśli grozi Ci niebezpieczeństwo, dzwoń pod 999. Samaritans: 116 123, całą dobę. Breathing Space: 0800 83 85 87.",
		"ar": "إذا كنت في خطر الآن، اتصل بـ 999. Samaritans مجانًا ليلًا أو نهارًا: 116 123. Breathing Space: 0800 83 85 87.",
	}
	render := func(code string, keys map[string]any) string {
		t.Helper()
		data := maps.Clone(convTestNetwork)
		maps.Copy(data, keys)
		text, err := f.In(code).Render(f.Messages.SelfHarm, data)
		if err != nil {
			t.Fatal(err)
		}
		return unisolated(text)
	}
	for _, l := range f.Catalogue().Languages() {
		fixed, ok := fixedCrisisSentences[l.Code]
		if !ok {
			t.Errorf("%s: no fixed crisis sentences to check it by", l.English)
			continue
		}
		english := render(l.Code, CrisisKeysIn(core.Network{CrisisLines: crisisDemoLines}, l.Code))
		withOwn := render(l.Code, CrisisKeysIn(core.Network{CrisisLines: crisisDemoLines, CrisisLinesTranslations: translated}, l.Code))
		own, isTranslated := translated[l.Code]
		switch {
		case l.Code == lang.English:
			if !strings.Contains(english, crisisDemoLines) {
				t.Errorf("English: %q lacks the network's lines whole", english)
			}
		case isTranslated:
			if !strings.Contains(withOwn, own) || strings.Contains(withOwn, "Breathing Space: 0800 83 85 87, evenings") {
				t.Errorf("%s, translated lines: %q; want them whole, with no English", l.English, withOwn)
			}
		default:
			if withOwn != english {
				t.Errorf("%s, not translated: %q; want what it is given without translations, %q", l.English, withOwn, english)
			}
		}
		for _, text := range []string{english, withOwn} {
			if strings.Count(text, "999") != 1 || strings.Count(text, "116 123") != 1 {
				t.Errorf("%s: %q; want 999 and 116 123 once each", l.English, text)
			}
		}
		if l.Code != lang.English && (!strings.Contains(english, fixed[0]) || !strings.Contains(english, fixed[1])) {
			t.Errorf("%s, English lines: %q lacks the fixed sentences in %s", l.English, english, l.English)
		}
	}
}
