package core

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/onward-network/onward/core/lang"
)

// networkText is one of the network's own texts that clients read, given
// in English in the network file's field and translated, by language
// code, in field+"_translations" (opening_hours, crisis_lines).
type networkText struct {
	field   string // the English text's field: "opening_hours"
	what    string // the text in words: "the opening hours"
	max     int    // characters, in any language
	oneLine bool   // no line breaks or tabs, English included
}

// check checks the English text and its translations, naming every
// mistake at once, and gives the translations as they are stored:
// trimmed, by language code, never nil. A translation must be in a
// language clients may choose other than English, and the English must
// be given too, as it is what a language without a translation shows.
func (t networkText) check(english string, translations map[string]string) (map[string]string, []FieldError, error) {
	section := t.field + "_translations"
	var fields []FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, FieldError{Field: field, Message: field + ": " + fmt.Sprintf(format, args...)})
	}
	oneLine := "has a control character (a line break or a tab); write " + t.what + " on one line"
	if t.oneLine && strings.ContainsFunc(english, unicode.IsControl) {
		bad(t.field, "%s", oneLine)
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
		bad(t.field, "give %s in English too: they are what a language without a translation shows", t.what)
	}
	for _, code := range slices.Sorted(maps.Keys(translations)) {
		text := strings.TrimSpace(translations[code])
		where := section + "." + code
		switch n := utf8.RuneCountInString(text); {
		case code == lang.English:
			bad(where, "the English %s are %s itself; give here the languages clients may choose besides English (%s)",
				strings.TrimPrefix(t.what, "the "), t.field, strings.Join(others, ", "))
		case !slices.Contains(known, code):
			bad(where, "%q is not a language clients may choose; give one of %s", code, strings.Join(others, ", "))
		case text == "":
			bad(where, "%s are empty; give them, or leave %s out to show the English", t.what, code)
		case t.oneLine && strings.ContainsFunc(text, unicode.IsControl):
			bad(where, "%s", oneLine)
		case n > t.max:
			bad(where, "%d characters, over the %d %s may take", n, t.max, t.what)
		default:
			out[code] = text
		}
	}
	return out, fields, nil
}
