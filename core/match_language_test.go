package core

import "testing"

// Matching explains a language preference by the language's English name
// (CLDR), as staff read it, not its code.
func TestMatchNamesLanguagesForStaff(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{"pl": "Polish", "uk": "Ukrainian", "ar": "Arabic", "ur": "Urdu",
		"gd": "Scottish Gaelic", "not a code": "not a code"} {
		if got := languageName(code); got != want {
			t.Errorf("languageName(%q) = %q, want %q", code, got, want)
		}
	}
}
