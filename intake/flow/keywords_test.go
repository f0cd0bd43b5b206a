package flow

import (
	"strings"
	"testing"
)

func TestDetectKeyword(t *testing.T) {
	cases := []struct {
		in   string
		want Keyword
	}{
		{"STOP", KeywordStop},
		{"stop", KeywordStop},
		{"Stop.", KeywordStop},
		{"  stop!! ", KeywordStop},
		{"\"STOP\"", KeywordStop},
		{"stop 🙏", KeywordStop},
		{"STOPALL", KeywordStop},
		{"Unsubscribe", KeywordStop},
		{"cancel", KeywordStop},
		{"END", KeywordStop},
		{"quit", KeywordStop},
		{"revoke", KeywordStop},
		{"optout", KeywordStop},
		{"START", KeywordStart},
		{"unstop", KeywordStart},
		{"Help", KeywordHelp},
		{"help?", KeywordHelp},
		{"INFO", KeywordHelp},
		{"restart", KeywordRestart},
		{"Restart.", KeywordRestart},
		// only a lone keyword counts
		{"stop please", KeywordNone},
		{"I want to stop", KeywordNone},
		{"please help", KeywordNone},
		{"help me with debt", KeywordNone},
		{"I can't stop worrying about rent", KeywordNone},
		{"stop all", KeywordNone},
		{"opt out", KeywordNone},
		{"s t o p", KeywordNone},
		{"stopp", KeywordNone},
		{"helpful", KeywordNone},
		{"starter", KeywordNone},
		{"CALL", KeywordNone},
		{"yes", KeywordNone},
		{"", KeywordNone},
		{"...", KeywordNone},
		{"1", KeywordNone},
	}
	for _, c := range cases {
		if got := DetectKeyword(c.in); got != c.want {
			t.Errorf("DetectKeyword(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestKeywordString(t *testing.T) {
	got := []string{KeywordNone.String(), KeywordStop.String(), KeywordStart.String(), KeywordHelp.String(), KeywordRestart.String()}
	if strings.Join(got, " ") != "none stop start help restart" {
		t.Errorf("keyword names = %v", got)
	}
}

func FuzzDetectKeyword(f *testing.F) {
	for _, s := range []string{"STOP", "stop.", " Help? ", "stop please", "", "ſtop", "UNSUBSCRIBE!", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		k := DetectKeyword(body)
		// Spaces and punctuation around a message never change its meaning.
		if got := DetectKeyword("  " + body + " .!"); got != k {
			t.Fatalf("DetectKeyword(%q) = %v but with padding %v", body, k, got)
		}
		if k != KeywordNone && strings.ContainsFunc(strings.TrimSpace(body), func(r rune) bool { return r == ' ' }) &&
			len(strings.Fields(body)) > 1 {
			// More than one word can only be a keyword if the extra
			// "words" are punctuation.
			for _, w := range strings.Fields(body) {
				if DetectKeyword(w) == KeywordNone && strings.ContainsFunc(w, keywordTestWordRune) {
					t.Fatalf("DetectKeyword(%q) = %v: a sentence is not a keyword", body, k)
				}
			}
		}
	})
}

func keywordTestWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
