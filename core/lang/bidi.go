package lang

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
)

// A phone number written in Arabic or Urdu text shows with its groups in
// the wrong order: "116 123" reads "123 116" and "0808 157 0192" reads
// "0192 157 0808", because the spaces between the groups take the
// direction of the right-to-left text around them (Unicode's bidirectional
// algorithm, rule N1). A client in crisis who reads Samaritans' number
// that way cannot reach them. Wrapped in a left-to-right isolate (U+2066
// … U+2069), the number shows as written, on phones and in browsers.

const (
	isolateLTR = "\u2066" // LEFT-TO-RIGHT ISOLATE
	popIsolate = "\u2069" // POP DIRECTIONAL ISOLATE
)

// numberRun is a phone number as messages write one: digit groups joined
// by single spaces ("116 123", "0800 83 85 87"), or one group after a
// plus sign ("+447700900123"); one inside a word (the "1 1" of "KY1 1AB")
// is not (inWord).
var numberRun = regexp.MustCompile(`\+[0-9]+(?: [0-9]+)*|[0-9]+(?: [0-9]+)+`)

// IsolateNumbers wraps every phone number in s in a left-to-right isolate
// when s holds right-to-left letters (Arabic, Urdu, Hebrew…); text without
// them is returned as it is, so an English or Polish text gains no
// character (and no SMS segment). A number already isolated is left
// alone, so applying it twice changes nothing.
func IsolateNumbers(s string) string {
	if !hasRightToLeft(s) {
		return s
	}
	found := numberRun.FindAllStringIndex(s, -1)
	if found == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(found)*2*len(isolateLTR))
	last := 0
	for _, m := range found {
		if strings.HasSuffix(s[:m[0]], isolateLTR) && strings.HasPrefix(s[m[1]:], popIsolate) ||
			inWord(s, m[0], m[1]) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(isolateLTR)
		b.WriteString(s[m[0]:m[1]])
		b.WriteString(popIsolate)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// inWord reports whether s[i:j] has a letter or digit just before or after
// it: part of a postcode ("KY1 1AB") or a reference, not a number.
func inWord(s string, i, j int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[j:])
	return i > 0 && (unicode.IsLetter(before) || unicode.IsDigit(before)) ||
		j < len(s) && (unicode.IsLetter(after) || unicode.IsDigit(after))
}

// hasRightToLeft reports whether s holds a letter of a right-to-left
// script.
func hasRightToLeft(s string) bool {
	for _, r := range s {
		if r < 0x0590 {
			continue // below Hebrew: no right-to-left letters
		}
		if p, _ := bidi.LookupRune(r); p.Class() == bidi.R || p.Class() == bidi.AL {
			return true
		}
	}
	return false
}
