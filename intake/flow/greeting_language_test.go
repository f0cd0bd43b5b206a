package flow

import (
	"testing"
	"time"
)

// TestGreetingSaysItsLanguage: a first text of a greeting alone starts
// in the language its spelling says. "السلام علیکم", with Urdu's ی and ک,
// is Urdu (a reviewer found it offered the languages: the words are
// read with Arabic's ي and ك folded into them, so both languages listed
// the greeting and it told neither), as are its common Latin spellings;
// "السلام عليكم", with Arabic's letters, is Arabic; a greeting both
// spell alike, or nobody's, offers the languages.
func TestGreetingSaysItsLanguage(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		text, want string // want "": the languages offered
	}{
		{"السلام علیکم", "ur"},
		{"السلام علیکم!", "ur"},
		{"اسلام علیکم", "ur"},
		{"assalam o alaikum", "ur"},
		{"Asalam o alaikum", "ur"},
		{"Assalam-o-Alaikum", "ur"},
		{"aslam o alaikum", "ur"},
		{"السلام عليكم", "ar"},
		{"السلام عليكم.", "ar"},
		{"مرحبا", "ar"},
		{"assalamu alaikum", "ar"},
		{"سلام", ""},
		{"salam", ""},
		{"hello", ""},
	} {
		conv, _ := f.Start(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC), c.text)
		got := conv.Lang
		if conv.Step == StepLanguage {
			got = ""
		}
		if got != c.want {
			t.Errorf("%q as a first text: language %q (step %s), want %q", c.text, got, conv.Step, c.want)
		}
	}
}
