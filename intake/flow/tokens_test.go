package flow

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestAnswerTokens(t *testing.T) {
	got := answerTokens("Don't know, 1&3 KY1-1ab ÉCOLE")
	want := []string{"dont", "know", "1", "3", "ky", "1", "1", "ab", "ecole"}
	if !slices.Equal(got, want) {
		t.Errorf("answerTokens = %q, want %q", got, want)
	}
}

// TestAnswerTokensFoldAccents: Latin words match with or without their
// accents, however the phone wrote them (one letter, or a letter and a
// combining mark), Polish ł included, which has no decomposition; a
// word keeps its letters otherwise, and Cyrillic letters are not accents.
func TestAnswerTokensFoldAccents(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Nie chcę żyć", "nie chce zyc"},
		{"DŁUG, ZASIŁEK, ŻYWNOŚĆ", "dlug zasilek zywnosc"},
		{"Myślę o samobójstwie", "mysle o samobojstwie"},
		{"chan eil mi airson a bhith beò", "chan eil mi airson a bhith beo"},
		{"be\u0300o", "beo"}, // a combining grave accent
		{"Gàidhlig, sràid, fèin-mhurt", "gaidhlig sraid fein mhurt"},
		{"straße", "straße"},
		{"Ǿ ø Đ", "o o d"}, // "ǿ" decomposes to "ø", which has no decomposition
		{"хочу вмерти, їжі немає, мій", "хочу вмерти їжі немає мій"},
		{"и\u0306", "й"}, // a Cyrillic short i typed as two code points is the one letter
	} {
		if got := strings.Join(answerTokens(c.in), " "); got != c.want {
			t.Errorf("answerTokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzAnswerTokens: whatever a client sends, its words are letters and
// digits only, ASCII digits wherever a digit was; reading them again
// changes nothing; the key of a whole message is its words joined; and
// the words as written are lower-case and as many.
func FuzzAnswerTokens(f *testing.F) {
	for _, s := range []string{"Don't know, 1&3 KY1-1ab ÉCOLE", "Nie chcę już żyć.", "اُردُو", "١ ٣", "１ ３", "и\u0306",
		"\xff\xfe", "e\u0301\u0301", "ǅemal İstanbul ß", "ǿ", "", "  ", "a\u200db"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w := scanWords(s, true)
		toks := w.tokens()
		for _, tok := range toks {
			if tok == "" || strings.ContainsFunc(tok, func(r rune) bool {
				return !unicode.IsLetter(r) && !unicode.IsDigit(r) || unicode.IsDigit(r) && r > utf8.RuneSelf && foldRune(r) != r
			}) {
				t.Fatalf("answerTokens(%q) has word %q", s, tok)
			}
		}
		if key := answerKey(s); key != strings.Join(toks, " ") {
			t.Fatalf("answerKey(%q) = %q, words %q", s, key, toks)
		}
		if again := answerTokens(strings.Join(toks, " ")); !slices.Equal(again, toks) {
			t.Fatalf("answerTokens(%q) = %q, but read again %q", s, toks, again)
		}
		if len(toks) > 0 {
			said := w.said(0, len(toks))
			if len(strings.Split(said, " ")) < len(toks) || said != strings.ToLower(said) && utf8.ValidString(s) {
				t.Fatalf("the words of %q as written are %q, keys %q", s, said, toks)
			}
		}
	})
}
