package core

import (
	"strings"
	"testing"
)

func TestSMSSegments(t *testing.T) {
	t.Parallel()
	r := strings.Repeat
	cases := []struct {
		name string
		in   string
		n    int
		enc  string
	}{
		{"empty", "", 0, SMSEncodingGSM7},
		{"short", "Hello", 1, SMSEncodingGSM7},
		{"gsm 160", r("a", 160), 1, SMSEncodingGSM7},
		{"gsm 161", r("a", 161), 2, SMSEncodingGSM7},
		{"gsm 306", r("a", 306), 2, SMSEncodingGSM7},
		{"gsm 307", r("a", 307), 3, SMSEncodingGSM7},
		{"gsm 459", r("a", 459), 3, SMSEncodingGSM7},
		{"gsm 460", r("a", 460), 4, SMSEncodingGSM7},
		{"gsm specials", "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà\r\n", 1, SMSEncodingGSM7},
		{"euro costs two", r("€", 80), 1, SMSEncodingGSM7},
		{"euro 81", r("€", 81), 2, SMSEncodingGSM7},
		{"extension set 160 septets", r("^{}\\[~]|€\f", 8), 1, SMSEncodingGSM7},
		{"extension set 161 septets", r("^{}\\[~]|€\f", 8) + "a", 2, SMSEncodingGSM7},
		{"escape not split", r("a", 152) + "€" + r("a", 152), 3, SMSEncodingGSM7},
		{"escape fits", r("a", 151) + "€" + r("a", 153), 2, SMSEncodingGSM7},
		{"curly quote", "don’t", 1, SMSEncodingUCS2},
		{"ucs2 70", r("ж", 70), 1, SMSEncodingUCS2},
		{"ucs2 71", r("ж", 71), 2, SMSEncodingUCS2},
		{"ucs2 134", r("ж", 134), 2, SMSEncodingUCS2},
		{"ucs2 135", r("ж", 135), 3, SMSEncodingUCS2},
		{"emoji 35", r("😀", 35), 1, SMSEncodingUCS2},
		{"emoji 36", r("😀", 36), 2, SMSEncodingUCS2},
		{"surrogate not split", r("ж", 66) + "😀" + r("ж", 66), 3, SMSEncodingUCS2},
		{"surrogate fits", r("ж", 65) + "😀" + r("ж", 67), 2, SMSEncodingUCS2},
		{"one emoji in gsm text", r("a", 69) + "🙂", 2, SMSEncodingUCS2},
		{"ascii not in gsm", "a`b", 1, SMSEncodingUCS2},
		{"tab", "a\tb", 1, SMSEncodingUCS2},
		{"escape char itself", "\x1b", 1, SMSEncodingUCS2},
	}
	for _, c := range cases {
		n, enc := SMSSegments(c.in)
		if n != c.n || enc != c.enc {
			t.Errorf("%s: SMSSegments = %d %s, want %d %s", c.name, n, enc, c.n, c.enc)
		}
	}
}
