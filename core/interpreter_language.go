package core

import (
	"github.com/onward-network/onward/core/lang"

	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/unicode/norm"
)

// A client may need an interpreter for any language, not only the ones
// Onward writes to clients in: a client who speaks Romanian or Tigrinya
// is texted in English and the agency is told which interpreter to book.
// The language is kept as a BCP 47 tag and shown to staff by its English
// name from CLDR (golang.org/x/text/language/display).

// InterpreterLanguageCode is the BCP 47 tag code names ("ro", "RO",
// "ro_RO" → "ro-RO"), canonical; "" for none given. ok is false for a
// code that is no language ("und", "Romanian", "x1").
func InterpreterLanguageCode(code string) (string, bool) {
	code = strings.TrimSpace(code)
	if code == "" {
		return "", true
	}
	t, err := language.Parse(strings.ReplaceAll(code, "_", "-"))
	if err != nil {
		return "", false
	}
	if base, conf := t.Base(); conf == language.No || base.String() == "und" {
		return "", false
	}
	return t.String(), true
}

// LanguageName names a language tag in English for staff ("ro" →
// "Romanian", "ti" → "Tigrinya"); a tag CLDR has no name for is shown as
// it is.
func LanguageName(code string) string { return languageName(code) }

// InterpreterFor is the language to book an interpreter in: the one the
// client named, else the language they chose for texts; "" when no
// interpreter is wanted.
func (c Client) InterpreterFor() string {
	switch {
	case !c.Interpreter:
		return ""
	case c.InterpreterLanguage != "":
		return c.InterpreterLanguage
	}
	return c.Language
}

// InterpreterNeed is whether a client asked for an interpreter and in
// which language, for cards, the inbox and emails. Neither identifies
// them.
type InterpreterNeed struct {
	Wanted   bool
	Language string // a BCP 47 tag; "" when not known
}

// Label is the need as staff read it: "Interpreter wanted: Romanian", or
// "Interpreter wanted" when the language is not known; "" when none is
// wanted.
func (n InterpreterNeed) Label() string {
	switch {
	case !n.Wanted:
		return ""
	case n.Language == "":
		return "Interpreter wanted"
	}
	return "Interpreter wanted: " + LanguageName(n.Language)
}

// interpreterNeedOf is the one rule for which language an interpreter is
// for: the one the client named, else their language for texts when it
// is not English; nothing when none is wanted.
func interpreterNeedOf(wanted bool, named, texts string) InterpreterNeed {
	if !wanted {
		return InterpreterNeed{}
	}
	if named == "" && texts != lang.English {
		named = texts
	}
	return InterpreterNeed{Wanted: true, Language: named}
}

// InterpreterNeed is the client's interpreter need (interpreterNeedOf).
func (c Client) InterpreterNeed() InterpreterNeed {
	return interpreterNeedOf(c.Interpreter, c.InterpreterLanguage, c.Language)
}

const sqlClientInterpreter = `SELECT language, interpreter, interpreter_language FROM clients WHERE id = $1`

// ClientInterpreter is whether a client wants an interpreter and for which
// language: the one they named, else the language they chose for texts.
func (e *Engine) ClientInterpreter(ctx context.Context, id ClientID) (InterpreterNeed, error) {
	_, n, err := e.ClientLanguages(ctx, id)
	return n, err
}

// ClientLanguages is, in one read, the language Onward texts a client in
// ("en" unless they chose another) and the interpreter they need, if any
// (ClientInterpreter).
func (e *Engine) ClientLanguages(ctx context.Context, id ClientID) (texts string, need InterpreterNeed, err error) {
	var wanted bool
	var named string
	err = e.pool.QueryRow(ctx, sqlClientInterpreter, id).Scan(&texts, &wanted, &named)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", InterpreterNeed{}, fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", InterpreterNeed{}, fmt.Errorf("languages of client %d: %w", id, err)
	}
	return texts, interpreterNeedOf(wanted, named, texts), nil
}

// LanguageChoice is one language a form offers for an interpreter: its
// tag and English name.
type LanguageChoice struct {
	Code string
	Name string
}

// InterpreterLanguages are the languages a form offers for an interpreter,
// by English name: every language CLDR names in English and in itself,
// and a few more clients ask for (British Sign Language, Dari, Kurdish).
func InterpreterLanguages() []LanguageChoice {
	return slices.Clone(namedLanguages().choices)
}

// InterpreterLanguageNamed reads a language's name as a client writes it,
// alone: in English ("Romanian", "romanian language") or in the language
// itself ("română", "romana", "ትግርኛ"), in any case and without accents.
// ok is false when words name no language known to CLDR.
func InterpreterLanguageNamed(words string) (code string, ok bool) {
	key := languageKey(words)
	if key == "" {
		return "", false
	}
	code, ok = namedLanguages().byName[key]
	if !ok {
		if k, cut := strings.CutSuffix(key, "language"); cut {
			code, ok = namedLanguages().byName[k]
		}
	}
	return code, ok
}

// moreLanguages are interpreting languages CLDR has no English name for,
// or names clients use that CLDR does not give.
var moreLanguages = []struct{ code, name string }{
	{"bfi", "British Sign Language"},
	{"bfi", "BSL"},
	{"prs", "Dari"},
	{"ku", "Kurdish"},
	{"kmr", "Kurmanji"},
	{"ckb", "Sorani"},
	{"fa", "Farsi"},
	{"zh", "Mandarin"},
	{"ti", "Tigrigna"},
	{"sgn", "Sign language"},
}

type languageNames struct {
	byName  map[string]string // languageKey(name) → tag
	choices []LanguageChoice
}

var namedLanguages = sync.OnceValue(func() languageNames {
	ln := languageNames{byName: map[string]string{}}
	add := func(code, name string) {
		if k := languageKey(name); k != "" {
			if _, ok := ln.byName[k]; !ok {
				ln.byName[k] = code
			}
		}
	}
	english := display.English.Languages()
	for _, t := range display.Supported.Tags() {
		code := t.String()
		if code == "und" || strings.Contains(code, "-") {
			continue // "und", and regional variants: an interpreter is booked by language
		}
		name := english.Name(t)
		if name == "" {
			continue
		}
		add(code, name)
		add(code, display.Self.Name(t))
		ln.choices = append(ln.choices, LanguageChoice{Code: code, Name: name})
	}
	seen, named := map[string]bool{}, map[string]bool{}
	for _, c := range ln.choices {
		seen[c.Code], named[c.Name] = true, true
	}
	for _, m := range moreLanguages {
		add(m.code, m.name)
		if !seen[m.code] {
			seen[m.code] = true
			name := languageName(m.code)
			if name == m.code || named[name] {
				name = m.name // a list where two choices read the same is no choice
			}
			named[name] = true
			ln.choices = append(ln.choices, LanguageChoice{Code: m.code, Name: name})
		}
	}
	slices.SortFunc(ln.choices, func(a, b LanguageChoice) int { return cmp.Compare(a.Name, b.Name) })
	return ln
})

// languageKey is a language's name as looked up: letters and digits only,
// lower case, without accents, so "Română!", "romana" and "ROMANA" meet.
func languageKey(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// SpokenLanguage sorts a language a client is said to speak (a partner
// system's record of it, as FHIR's Patient.communication) into what
// Onward does with it: a language Onward writes to clients in is the one
// their texts go in (texts); any other is one to book an interpreter in
// (interpreter), texts staying in English. ok is false for a code that is
// no language tag; "" is neither.
func SpokenLanguage(code string) (texts, interpreter string, ok bool, err error) {
	if strings.TrimSpace(code) == "" {
		return "", "", true, nil
	}
	texts, known, err := clientLanguage(code)
	if err != nil || known {
		return texts, "", known, err
	}
	interpreter, ok = InterpreterLanguageCode(code)
	return "", interpreter, ok, nil
}
