package core

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/onward-network/onward/core/lang"
)

// Every client who writes about suicide or self-harm, and every web
// page, is given fixed sentences in the client's own language (999,
// Samaritans' 116 123, NHS 24's 111: templates/i18n). The network's own
// crisis lines (crisis_lines, and crisis_lines_translations by language)
// come beside them. This file is the one definition of which of the
// network's words a client reading one language is given.

// maxCrisisLines is the longest the crisis lines may be in any language,
// in characters, as NetworkSettings.CrisisLines' max=500 holds the
// English.
const maxCrisisLines = 500

// CrisisLines are the network's own crisis lines as one client is told
// them, beside the fixed sentences.
type CrisisLines struct {
	// Own is the network's lines to give after the fixed sentences,
	// with a full stop; "" for none. Lines in the client's language are
	// given whole. Lines in another language (English, when the network
	// has not translated them) never stand in for the fixed sentences:
	// only their sentences that give another number than 999, 116 123
	// or 111 are kept, so a client is not read the same number twice,
	// once in each language.
	Own string
	// Lang is the language Own is in.
	Lang string
	// Samaritans: Own gives Samaritans' 116 123, in the client's
	// language, so a text may leave the fixed Samaritans sentence out.
	// Emergency: the same for 999. Both are false for lines in another
	// language than the client's.
	Samaritans, Emergency bool
	// Beside is Own without its sentences that give only 999, 116 123
	// or 111: what a page that always shows the fixed sentences (with
	// their tap-to-call links) adds to them.
	Beside string
}

// CrisisLinesIn is what a client reading language code is given of the
// network's crisis lines: its translation in that language, else the
// English, read as CrisisLinesFor reads them. The SMS and the web pages
// both take them from here.
func (n Network) CrisisLinesIn(code string) CrisisLines {
	if t := n.CrisisLinesTranslations[code]; t != "" && code != lang.English {
		return CrisisLinesFor(t, code, code)
	}
	return CrisisLinesFor(n.CrisisLines, lang.English, code)
}

// CrisisLinesFor reads crisis lines written in language linesLang for a
// client reading clientLang: whole when the two are the same, and
// otherwise only the sentences that give a number of their own (see
// CrisisLines.Own). A clientLang of "" is a text for a client in any
// language, so the lines are read as another language's.
func CrisisLinesFor(lines, linesLang, clientLang string) CrisisLines {
	sentences := crisisSentences(lines)
	if len(sentences) == 0 {
		return CrisisLines{}
	}
	var beside []string
	for _, s := range sentences {
		if !givesOnlyFixedNumbers(s) {
			beside = append(beside, s)
		}
	}
	// Phone numbers in right-to-left lines are kept left to right.
	c := CrisisLines{Lang: linesLang, Beside: lang.IsolateNumbers(withFullStop(strings.Join(beside, " ")))}
	if linesLang != clientLang {
		c.Own = c.Beside
		return c
	}
	c.Own = lang.IsolateNumbers(withFullStop(strings.Join(strings.Fields(lines), " ")))
	c.Samaritans, c.Emergency = samaritansRe.MatchString(c.Own), emergencyRe.MatchString(c.Own)
	return c
}

// samaritansRe and emergencyRe find Samaritans' and the emergency number
// as numbers of their own, not as part of a longer one ("0300 999 1234").
var (
	samaritansRe = regexp.MustCompile(`(?:^|[^\d\s]\s*)116\s?123(?:\s*[^\d\s]|\s*$)`)
	emergencyRe  = regexp.MustCompile(`(?:^|[^\d\s]\s*)999(?:\s*[^\d\s]|\s*$)`)
	// numberRe is a phone number as people write one: digits, in groups
	// a space apart ("0800 83 85 87").
	numberRe = regexp.MustCompile(`\d+(?: \d+)*`)
	// notNumbersRe are digits that name no phone number: NHS 24 is a
	// service's name, 24/7 and "24 hours" say when.
	notNumbersRe = regexp.MustCompile(`(?i)\bNHS ?24\b|\b24 ?/ ?7\b|\b24 ?hours?\b`)
	// sentenceEndRe ends a sentence: a full stop, exclamation or
	// question mark (Latin, Arabic or Urdu) and a space.
	sentenceEndRe = regexp.MustCompile(`[.!?۔؟] `)
)

// fixedNumbers are the numbers the fixed sentences give, without spaces.
var fixedNumbers = []string{"999", "116123", "111"}

// givesOnlyFixedNumbers reports whether sentence s gives a number and
// every number it gives is one the fixed sentences give.
func givesOnlyFixedNumbers(s string) bool {
	numbers := numberRe.FindAllString(notNumbersRe.ReplaceAllString(s, ""), -1)
	for _, n := range numbers {
		if !slices.Contains(fixedNumbers, strings.ReplaceAll(n, " ", "")) {
			return false
		}
	}
	return len(numbers) > 0
}

// crisisSentences splits crisis lines into what may be left out one at a
// time: its sentences (a line break ends one too), each with the
// sentences after it that give no number ("Samaritans: 116 123. Free, any
// time."), which belong to it. Sentences before the first number go
// with the first that gives one.
func crisisSentences(lines string) []string {
	var out []string
	lead := ""
	for _, line := range strings.Split(lines, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		for line != "" {
			s := line
			if loc := sentenceEndRe.FindStringIndex(line); loc != nil {
				s, line = line[:loc[1]-1], line[loc[1]:]
			} else {
				line = ""
			}
			s = withFullStop(s)
			switch {
			case !strings.ContainsFunc(s, unicode.IsDigit) && len(out) > 0:
				out[len(out)-1] += " " + s
			case !strings.ContainsFunc(s, unicode.IsDigit):
				lead += s + " "
			default:
				out = append(out, lead+s)
				lead = ""
			}
		}
	}
	if lead != "" {
		out = append(out, strings.TrimSpace(lead))
	}
	return out
}

// withFullStop is s ending with a full stop, unless it ends a sentence
// already; "" stays "".
func withFullStop(s string) string {
	if s == "" {
		return ""
	}
	if r, _ := utf8.DecodeLastRuneInString(s); !strings.ContainsRune(".!?۔؟", r) {
		s += "."
	}
	return s
}

// crisisLinesTranslations checks the crisis lines' translations
// (networkText.check): each at most maxCrisisLines characters.
func crisisLinesTranslations(english string, translations map[string]string) (map[string]string, []FieldError, error) {
	return networkText{field: "crisis_lines", what: "the crisis lines", max: maxCrisisLines}.check(english, translations)
}
