// Package lang holds the words clients read in every language Onward
// ships: one message file per language, templates/i18n/<code>.toml, read
// with go-i18n (github.com/nicksnyder/go-i18n/v2), which also brings the
// CLDR plural rules ("1 working day", "2 dni robocze", "5 dni roboczych").
//
// English (en.toml) is the source: every message id exists there. A
// message missing from another language falls back to English and is
// logged once per language and id; TestNoMissingMessages lists them.
//
// Each file starts with a [language] table: its own name (what a client
// texts to switch to it, "POLSKI"), its name in English (what staff read),
// the writing direction, the words that switch to it by text, and who
// checked the translation. A file nobody has checked makes the web pages
// say the translation is new and ask for corrections.
//
// The package reads files from the fs.FS it is given (templates.FS in
// production); it knows no HTTP, SMS or page.
package lang

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	i18ntemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
)

// English is the source language and the fallback for every message.
const English = "en"

// Directions a language is written in.
const (
	LTR = "ltr"
	RTL = "rtl"
)

// Language is one shipped language, as its message file describes it.
type Language struct {
	Code      string   // BCP 47: "en", "pl", "uk", "ar", "ur", "gd"
	Name      string   // its own name: "Polski", "Українська", "العربية"
	English   string   // its name in English, for staff: "Polish"
	Dir       string   // LTR or RTL
	CheckedBy string   // who checked the translation; "" until someone has
	Switch    []string // words that switch to it by text, upper-case: "POLSKI"
	Position  int      // where it comes in the list of languages offered
}

// Reviewed reports whether someone has checked the translation. English is
// the source, so it needs no check.
func (l Language) Reviewed() bool { return l.Code == English || strings.TrimSpace(l.CheckedBy) != "" }

// Catalogue is every language's messages. It is read-only after Load and
// safe to share between goroutines.
type Catalogue struct {
	*messages
	log    *slog.Logger
	missed sync.Map // "code id" -> struct{}: missing messages already logged
}

// messages is what Load reads from the message files: read-only, and
// shared by every Catalogue loaded from the same embedded files.
type messages struct {
	bundle     *i18n.Bundle
	langs      []Language // by position, then code
	byCode     map[string]Language
	byWord     map[string]string          // a switch word or upper-case name -> code, first language in order wins
	ids        map[string]map[string]bool // code -> message ids the file has
	plural     map[string]bool            // "code id" -> the message has plural forms
	localizers map[string]*i18n.Localizer
	matcher    language.Matcher
}

// parser renders every message: text/template, a missing key an error
// rather than "<no value>" in a client's text. Without Funcs it is
// cacheable, so each message is parsed once.
var parser = &i18ntemplate.TextParser{Option: "missingkey=error"}

// Dir is the folder of the message files in the FS given to Load.
const Dir = "i18n"

// Load reads every i18n/<code>.toml in fsys and checks them: the file's
// [language] table, that every message parses as a template, and that
// English is there. log receives one line per missing message the first
// time it is asked for (nil: discarded). Files embedded in the program
// (templates.FS) are read and checked once a process; each Load gets its
// own Catalogue over them, with its own log.
func Load(fsys fs.FS, log *slog.Logger) (*Catalogue, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := readOnce(fsys)
	if err != nil {
		return nil, err
	}
	return &Catalogue{messages: m, log: log}, nil
}

// read is each embedded file system's messages, read once: the files of
// an embed.FS are fixed when the program is built, and a process loads
// them for several parts (the SMS webhook, the web form, email, reports).
// Any other file system is read afresh on every Load.
var read sync.Map // embed.FS -> *readResult

// readResult is one embedded file system's messages, or why they failed.
type readResult struct {
	once sync.Once
	m    *messages
	err  error
}

// readOnce is fsys's messages: read once if fsys is embedded, else afresh.
func readOnce(fsys fs.FS) (*messages, error) {
	e, ok := fsys.(embed.FS)
	if !ok {
		return readMessages(fsys)
	}
	v, _ := read.LoadOrStore(e, &readResult{})
	r := v.(*readResult)
	r.once.Do(func() { r.m, r.err = readMessages(fsys) })
	return r.m, r.err
}

// readMessages reads and checks every message file in fsys.
func readMessages(fsys fs.FS) (*messages, error) {
	files, err := fs.Glob(fsys, Dir+"/*.toml")
	if err != nil {
		return nil, fmt.Errorf("load messages: %w", err)
	}
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &messages{bundle: b, byCode: map[string]Language{}, ids: map[string]map[string]bool{}, plural: map[string]bool{},
		localizers: map[string]*i18n.Localizer{}}
	var errs []error
	for _, file := range files {
		mf, err := b.LoadMessageFileFS(fsys, file)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
			continue
		}
		code := strings.TrimSuffix(path.Base(file), ".toml")
		if mf.Tag.String() != code {
			errs = append(errs, fmt.Errorf("%s: name the file by its language code", file))
			continue
		}
		l := Language{Code: code}
		ids := map[string]bool{}
		for _, m := range mf.Messages {
			ids[m.ID] = true
			if m.Zero+m.One+m.Two+m.Few+m.Many != "" {
				c.plural[code+" "+m.ID] = true
			}
			switch m.ID {
			case "language.name":
				l.Name = m.Other
			case "language.english":
				l.English = m.Other
			case "language.direction":
				l.Dir = m.Other
			case "language.checked_by":
				l.CheckedBy = m.Other
			case "language.position":
				l.Position, _ = strconv.Atoi(strings.TrimSpace(m.Other))
			case "language.switch":
				for _, w := range strings.Split(m.Other, ",") {
					if w = strings.ToUpper(strings.TrimSpace(w)); w != "" {
						l.Switch = append(l.Switch, w)
					}
				}
			}
			for _, src := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
				if _, err := texttemplate.New(m.ID).Parse(src); err != nil {
					errs = append(errs, fmt.Errorf("%s: message %q: %w", file, m.ID, err))
				}
			}
		}
		if l.Name == "" || l.English == "" {
			errs = append(errs, fmt.Errorf("%s: [language] needs name and english", file))
		}
		if l.Dir != LTR && l.Dir != RTL {
			errs = append(errs, fmt.Errorf("%s: [language] direction must be %s or %s", file, LTR, RTL))
		}
		c.byCode[code] = l
		c.ids[code] = ids
		c.localizers[code] = i18n.NewLocalizer(b, code)
		c.langs = append(c.langs, l)
	}
	if _, ok := c.byCode[English]; !ok {
		errs = append(errs, fmt.Errorf("load messages: %s/%s.toml is missing", Dir, English))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load messages: %w", err)
	}
	slices.SortStableFunc(c.langs, func(a, b Language) int {
		if a.Position != b.Position {
			return a.Position - b.Position
		}
		return strings.Compare(a.Code, b.Code)
	})
	tags := make([]language.Tag, len(c.langs))
	c.byWord = map[string]string{}
	for i, l := range c.langs {
		tags[i] = language.Make(l.Code)
		for _, w := range append(slices.Clone(l.Switch), strings.ToUpper(l.Name)) {
			if _, taken := c.byWord[w]; !taken {
				c.byWord[w] = l.Code
			}
		}
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// SameMessages reports whether c and o were loaded from the same reading
// of the same message files, so anything built from one's words holds for
// the other.
func (c *Catalogue) SameMessages(o *Catalogue) bool { return c.messages == o.messages }

// Languages lists the shipped languages in the order they are offered
// (their files' position).
func (c *Catalogue) Languages() []Language { return slices.Clone(c.langs) }

// Named returns the language that word names: one of its switch words or
// its own name, upper-case ("POLSKI"). Where two languages share a word,
// the one offered first has it.
func (c *Catalogue) Named(word string) (code string, ok bool) {
	code, ok = c.byWord[word]
	return code, ok
}

// Language returns a shipped language by code.
func (c *Catalogue) Language(code string) (Language, bool) {
	l, ok := c.byCode[code]
	return l, ok
}

// Chosen returns the shipped language a link's language tag names: "pl",
// and also "PL", "pl-PL" or "pl_PL", since tags are case-insensitive
// (RFC 5646 §2.1.1) and a region or script only narrows a language
// Onward ships whole. ok is false for a tag naming no shipped language.
func (c *Catalogue) Chosen(tag string) (code string, ok bool) {
	if _, ok := c.byCode[tag]; ok {
		return tag, true
	}
	t, err := language.Parse(strings.ReplaceAll(tag, "_", "-"))
	if err != nil {
		return "", false
	}
	base, _ := t.Base()
	code = base.String()
	_, ok = c.byCode[code]
	return code, ok
}

// Code returns code when it is a shipped language, else English.
func (c *Catalogue) Code(code string) string {
	if _, ok := c.byCode[code]; ok {
		return code
	}
	return English
}

// EnglishName is the language's name in English for staff ("Polish"); a
// code that is not shipped is shown as it is.
func (c *Catalogue) EnglishName(code string) string {
	if l, ok := c.byCode[code]; ok {
		return l.English
	}
	return code
}

// Match is the best shipped language for an Accept-Language header;
// English when nothing fits.
func (c *Catalogue) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return English
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return English
	}
	return c.langs[i].Code
}

// Has reports whether code's own file has message id (no fallback).
func (c *Catalogue) Has(code, id string) bool { return c.ids[code][id] }

// IDs lists the message ids of code's own file, sorted.
func (c *Catalogue) IDs(code string) []string {
	out := make([]string, 0, len(c.ids[code]))
	for id := range c.ids[code] {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Missing lists the English message ids code's file lacks, sorted; they
// fall back to English.
func (c *Catalogue) Missing(code string) []string {
	var out []string
	for id := range c.ids[English] {
		if !c.ids[code][id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Render renders message id in language code with data (a map; a key the
// message uses and data lacks is an error). count, when not nil, picks the
// CLDR plural form of the language ("one", "few", "many", "other").
// A message the language lacks is rendered in English and logged once.
// Surrounding blank space is trimmed.
func (c *Catalogue) Render(code, id string, data map[string]any, count any) (string, error) {
	code = c.Code(code)
	loc := c.localizers[code]
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: data, TemplateParser: parser}
	if count != nil && (c.plural[code+" "+id] || (!c.ids[code][id] && c.plural[English+" "+id])) {
		cfg.PluralCount = count // only a message with plural forms takes a count
	}
	if data == nil {
		cfg.TemplateData = map[string]any{}
	}
	s, tag, err := loc.LocalizeWithTag(cfg)
	var nf *i18n.MessageNotFoundErr
	if errors.As(err, &nf) && tag != language.Und {
		c.missing(code, id)
		err = nil
	}
	if err != nil {
		return "", fmt.Errorf("message %q in %s: %w", id, code, err)
	}
	return strings.TrimSpace(s), nil
}

// CountKey is the data key whose value picks a message's plural form in
// RenderData: every message with plural forms counts days ("1 working
// day", "5 dni roboczych").
const CountKey = "Days"

// RenderData is Render with the plural form picked by data[CountKey], when
// data has it.
func (c *Catalogue) RenderData(code, id string, data map[string]any) (string, error) {
	return c.Render(code, id, data, data[CountKey])
}

// RenderText is RenderData for a text a client reads as it is, outside a
// page's markup: an SMS or WhatsApp message, or the crisis panel's words.
// Its phone numbers are kept left to right in right-to-left text
// (IsolateNumbers), which a page does with its markup instead.
func (c *Catalogue) RenderText(code, id string, data map[string]any) (string, error) {
	s, err := c.RenderData(code, id, data)
	return IsolateNumbers(s), err
}

// Text is message id in language code with no data, English when the
// language lacks it, "" when English lacks it too.
func (c *Catalogue) Text(code, id string) string {
	s, err := c.Render(code, id, nil, nil)
	if err != nil {
		return ""
	}
	return s
}

// Own is message id from code's own file only, "" when the file lacks it:
// for words that add to English rather than replace it (synonyms).
func (c *Catalogue) Own(code, id string) string {
	if !c.Has(code, id) {
		return ""
	}
	return c.Text(code, id)
}

func (c *Catalogue) missing(code, id string) {
	if _, seen := c.missed.LoadOrStore(code+" "+id, struct{}{}); !seen {
		c.log.Warn("message missing in a language; English sent instead", "language", code, "message", id)
	}
}

// List splits a comma-separated message ("debt, arrears, owe") into its
// trimmed, non-empty parts: how synonyms are written in message files.
func List(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
