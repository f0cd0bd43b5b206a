package flow

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/onward-network/onward/core"
)

// A client's words are read through one normalisation, answerTokens, by
// every matcher: keywords, language names, crisis and self-harm phrases,
// yes/no and "don't know" words, choice numbers and synonyms, skips, and
// the digit answers to questions asked by text. So a word is understood
// the same way wherever it is typed, however the phone's keyboard wrote
// it: "dług" and "dlug", "beò" and "beo", "مُساعدة" and "مساعدة", "٤" and
// "4" are each one word.

// answerTokens splits a reply into words for matching: lower-case
// letters and digits, each folded by foldRune; apostrophes and vowel marks
// dropped so "don't" and "dont" agree; and a new word wherever letters
// meet digits so "1and3" reads as "1 and 3".
func answerTokens(s string) []string { return scanWords(s, true).tokens() }

// answerKey is answerTokens joined by spaces: how a whole message is
// looked up as a keyword or a language's name.
func answerKey(s string) string { return scanWords(s, false).keys }

// wordScan is a reply read into words. keys holds every word's key
// (what matching compares), space-separated; text is the reply in NFC,
// the form keyboards send, which spans index.
type wordScan struct {
	text, keys string
	spans      []wordSpan
}

// wordSpan is one word: keys[keyFrom:keyTo] is its key and
// text[from:to] the word as written, apostrophes and marks included.
type wordSpan struct{ keyFrom, keyTo, from, to int }

// scanWords reads s into words, noting where each is when spans is set
// (keys alone need no more than one allocation or two).
func scanWords(s string, spans bool) wordScan {
	if !norm.NFC.IsNormalString(s) {
		// A letter typed as a base and a combining mark ("e" and U+0301,
		// "и" and U+0306) becomes the one letter a keyboard sends ("é",
		// "й"), so it folds like it below; marks with no letter to join
		// (Arabic vowel marks) are dropped.
		s = norm.NFC.String(s)
	}
	w := wordScan{text: s}
	buf := make([]byte, 0, len(s))
	in, prevDigit := false, false
	var cur wordSpan
	flush := func() {
		if in && spans {
			cur.keyTo = len(buf)
			w.spans = append(w.spans, cur)
		}
		in = false
	}
	for i, r := range s {
		switch {
		case inWordMark(r):
			// Inside a word: "don't" is "dont", "مُساعدة" is "مساعدة".
			if in {
				_, size := utf8.DecodeRuneInString(s[i:])
				cur.to = i + size
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			k := foldRune(unicode.ToLower(r))
			digit := unicode.IsDigit(k)
			if in && digit != prevDigit {
				flush()
			}
			if !in {
				if len(buf) > 0 {
					buf = append(buf, ' ')
				}
				in, cur = true, wordSpan{keyFrom: len(buf), from: i}
			}
			buf = utf8.AppendRune(buf, k)
			_, size := utf8.DecodeRuneInString(s[i:])
			cur.to, prevDigit = i+size, digit
		default:
			flush()
		}
	}
	flush()
	w.keys = string(buf)
	return w
}

// inWordMark reports whether r is dropped from inside a word: an
// apostrophe, a joiner, or a vowel mark (Arabic harakat).
func inWordMark(r rune) bool {
	switch r {
	case '\'', '’', '‘', '`', 'ʼ', '\u200c', '\u200d':
		return true
	}
	return unicode.Is(unicode.Mn, r)
}

// tokens are the words' keys.
func (w wordScan) tokens() []string {
	if len(w.spans) == 0 {
		return nil
	}
	out := make([]string, len(w.spans))
	for i, sp := range w.spans {
		out[i] = w.keys[sp.keyFrom:sp.keyTo]
	}
	return out
}

// clauseEnds reports, for each word, whether a sentence or clause ends
// after it: it is the last word, or punctuation, a line break or an
// emoji stands between it and the next ("не можу більше, допоможіть";
// "nie mogę już. pomocy"), but not a hyphen that joins two words
// ("t-saoghal").
func (w wordScan) clauseEnds() []bool {
	ends := make([]bool, len(w.spans))
	for i, sp := range w.spans {
		if i+1 == len(w.spans) {
			ends[i] = true
			continue
		}
		gap := w.text[sp.to:w.spans[i+1].from]
		ends[i] = gap != "-" && strings.ContainsFunc(gap, func(r rune) bool {
			return unicode.IsPunct(r) || r == '\n' || unicode.Is(unicode.So, r)
		})
	}
	return ends
}

// said is words from to to as the client wrote them, lower-cased, without
// punctuation or marks, one space between: what a person reads ("nie
// chcę żyć", where the key is "nie chce zyc").
func (w wordScan) said(from, to int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		if i > from {
			b.WriteByte(' ')
		}
		for _, r := range w.text[w.spans[i].from:w.spans[i].to] {
			if !inWordMark(r) {
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	return b.String()
}

// foldRune maps a lower-case letter or digit to the form matching
// compares, so a word matches however it was typed:
//
//   - Latin letters lose their accents ("ę" "ż" "ò" to "e" "z" "o"): phones
//     without a Polish or Gaelic keyboard, and people in a hurry, leave
//     them out. The letter's canonical decomposition (Unicode's, from
//     golang.org/x/text) gives its base; the few letters that have none
//     are listed (Polish "ł" to "l").
//   - Digits of every script (Arabic-Indic, Urdu's Eastern Arabic-Indic,
//     Devanagari…) and full-width forms become ASCII ("٤" "۴" "４" to "4"),
//     so numbered answers work from any keyboard. core.ASCIIForm is that
//     reading, shared with core.ParsePostcode so a postcode is read the
//     same way.
//   - The letters one Arabic-script word is typed with on different
//     keyboards become one form: alef with hamza or madda to alef, Arabic
//     yeh and alef maksura to Farsi yeh (Urdu's), Arabic kaf to keheh, and
//     heh goal, do-chashmi heh and teh marbuta to heh.
//
// Cyrillic is left as it is: "й" and "и", "ї" and "і" are different
// letters, not accented ones.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return r
	}
	if a := core.ASCIIForm(r); a != r {
		return a
	}
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا'
	case 'ي', 'ى':
		return 'ی'
	case 'ك':
		return 'ک'
	case 'ہ', 'ھ', 'ۃ', 'ة':
		return 'ه'
	}
	if unicode.Is(unicode.Latin, r) {
		return latinBase(r)
	}
	return r
}

// latinBase is a Latin letter without its accents: the first rune of its
// canonical decomposition ("ą" is "a" and an ogonek), then without the
// stroke of the few letters Unicode does not decompose ("ł" is "l", and
// "ǿ", which decomposes to "ø" and an acute, is "o").
func latinBase(r rune) rune {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	if d := norm.NFD.Properties(buf[:n]).Decomposition(); len(d) > 0 {
		r, _ = utf8.DecodeRune(d)
	}
	switch r {
	case 'ł':
		return 'l'
	case 'đ':
		return 'd'
	case 'ø':
		return 'o'
	case 'ħ':
		return 'h'
	case 'ŧ':
		return 't'
	case 'ı':
		return 'i'
	}
	return r
}
