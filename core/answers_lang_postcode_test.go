package core

import (
	"errors"
	"testing"
	"unicode"
)

// A postcode typed on an Arabic, Urdu, Hindi or full-width keyboard is read
// as the same postcode, as the phone number typed on it is.
func TestParsePostcodeDigitsOfEveryKeyboard(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want Postcode // "": refused
	}{
		{"KY١ ٢AB", "KY1 2AB"},                         // Arabic-Indic
		{"ky۱ ۲ab", "KY1 2AB"},                         // Eastern Arabic-Indic (Urdu)
		{"KY१ २AB", "KY1 2AB"},                         // Devanagari
		{"ＫＹ１ ２ＡＢ", "KY1 2AB"},                         // full-width
		{"\u200fKY١\u200f \u200e٢AB\u200e", "KY1 2AB"}, // with the direction marks an RTL keyboard adds
		{"EH١٢ ٩XY", "EH12 9XY"},
		{"QQ١ ١AA", ""}, // no postcode area has those letters, whatever the digits
		{"KY١ ٢AÄ", ""},
	}
	for _, c := range cases {
		got, err := ParsePostcode(c.in)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("ParsePostcode(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		if c.want == "" && !errors.Is(err, ErrPostcode) {
			t.Errorf("ParsePostcode(%q) error %v is not ErrPostcode", c.in, err)
		}
	}
	for in, want := range map[string]string{"KY١": "KY1", "eh١٢": "EH12", "ＫＹ１": "KY1", "KY١ ٢AB": "KY1"} {
		if got, err := ParseDistrict(in); got != want || err != nil {
			t.Errorf("ParseDistrict(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestASCIIForm(t *testing.T) {
	t.Parallel()
	for in, want := range map[rune]rune{'٤': '4', '۴': '4', '४': '4', '４': '4', '𝟜': '4', '০': '0', '٩': '9',
		'Ｋ': 'K', 'ｋ': 'k', '－': '-', 'K': 'K', '7': '7', 'ł': 'ł', 'ك': 'ك', '²': '²'} {
		if got := ASCIIForm(in); got != want {
			t.Errorf("ASCIIForm(%q) = %q, want %q", in, got, want)
		}
	}
	// ASCIIForm reads a digit's value from its place in unicode.Nd's
	// ranges: right only while every range is whole runs of 0 to 9.
	for _, rg := range unicode.Nd.R16 {
		if rg.Stride != 1 || (rg.Hi-rg.Lo+1)%10 != 0 {
			t.Errorf("unicode.Nd range %U–%U is not whole runs of ten", rg.Lo, rg.Hi)
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rg.Stride != 1 || (rg.Hi-rg.Lo+1)%10 != 0 {
			t.Errorf("unicode.Nd range %U–%U is not whole runs of ten", rg.Lo, rg.Hi)
		}
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.Is(unicode.Nd, r) {
			if a := ASCIIForm(r); a < '0' || a > '9' {
				t.Fatalf("ASCIIForm(%U) = %q, not an ASCII digit", r, a)
			}
		}
	}
}
