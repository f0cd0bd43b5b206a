package core

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// maxOpeningHours is the longest the opening hours may be in any
// language, in characters, as NetworkSettings.OpeningHours' max=200 holds
// the English: the help text carries them whole, and in Polish,
// Ukrainian, Arabic or Urdu every 67 characters is another SMS part to
// pay for.
const maxOpeningHours = 200

// OpeningHoursIn is the network's opening hours in language code: its
// translation in that language, or the English when the network gives
// none. The SMS help text and the web pages both show this, so a client
// reads the same hours whichever way they came.
func (n Network) OpeningHoursIn(code string) string {
	if t := n.OpeningHoursTranslations[code]; t != "" {
		return t
	}
	return n.OpeningHours
}

// clientLanguages are the languages clients may choose, English first:
// the message files core/lang reads (templates/i18n), the same list the
// SMS and the web offer.
var clientLanguages = sync.OnceValues(func() ([]string, error) {
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		return nil, fmt.Errorf("the languages clients may choose: %w", err)
	}
	var codes []string
	for _, l := range cat.Languages() {
		codes = append(codes, l.Code)
	}
	return codes, nil
})

// openingHours checks the opening hours in English and the translations
// of them, naming every mistake at once, and gives the translations as
// they are stored: trimmed, by language code, never nil. A translation
// must be in a language clients may choose other than English, and each
// text, English or not, one line of at most maxOpeningHours characters.
func openingHours(english string, translations map[string]string) (map[string]string, []FieldError, error) {
	const section = "opening_hours_translations"
	var fields []FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, FieldError{Field: field, Message: field + ": " + fmt.Sprintf(format, args...)})
	}
	if strings.ContainsFunc(english, unicode.IsControl) {
		bad("opening_hours", "has a control character (a line break or a tab); write the hours on one line")
	}
	out := make(map[string]string, len(translations))
	if len(translations) == 0 {
		return out, fields, nil
	}
	known, err := clientLanguages()
	if err != nil {
		return nil, nil, err
	}
	others := slices.DeleteFunc(slices.Clone(known), func(c string) bool { return c == lang.English })
	if strings.TrimSpace(english) == "" {
		bad("opening_hours", "give the opening hours in English too: they are what a language without a translation shows")
	}
	for _, code := range slices.Sorted(maps.Keys(translations)) {
		text := strings.TrimSpace(translations[code])
		where := section + "." + code
		switch n := utf8.RuneCountInString(text); {
		case code == lang.English:
			bad(where, "the English opening hours are opening_hours itself; give here the languages clients may choose besides English (%s)", strings.Join(others, ", "))
		case !slices.Contains(known, code):
			bad(where, "%q is not a language clients may choose; give one of %s", code, strings.Join(others, ", "))
		case text == "":
			bad(where, "the opening hours are empty; give them, or leave %s out to show the English", code)
		case strings.ContainsFunc(text, unicode.IsControl):
			bad(where, "has a control character (a line break or a tab); write the hours on one line")
		case n > maxOpeningHours:
			bad(where, "%d characters, over the %d the opening hours may take", n, maxOpeningHours)
		default:
			out[code] = text
		}
	}
	return out, fields, nil
}
