package core

import "unicode/utf8"

// SMS encodings reported by SMSSegments.
const (
	SMSEncodingGSM7 = "GSM-7"
	SMSEncodingUCS2 = "UCS-2"
)

// GSM 03.38 limits: a single message carries 160 septets; each part of a
// concatenated message loses 7 to the user data header and carries 153.
// UCS-2 carries 70 UTF-16 code units, or 67 per part.
const (
	gsmSingle  = 160
	gsmPart    = 153
	ucs2Single = 70
	ucs2Part   = 67
)

// gsmBasic is the GSM 03.38 default alphabet, less the escape code itself.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension characters are sent as an escape plus a code: two septets.
const gsmExtension = "\f^{}\\[~]|€"

var gsmCost = func() map[rune]int {
	m := make(map[rune]int, 140)
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// gsmASCII is gsmCost for the ASCII runes, read without a map look-up,
// as most texts are ASCII throughout; 0 is a rune GSM-7 cannot carry.
var gsmASCII = func() (t [utf8.RuneSelf]int8) {
	for r, c := range gsmCost {
		if r < utf8.RuneSelf {
			t[r] = int8(c)
		}
	}
	return t
}()

// septets is what r costs in GSM-7: 1, 2 for an extension character, 0
// when GSM-7 cannot carry it.
func septets(r rune) int {
	if r < utf8.RuneSelf {
		return int(gsmASCII[r])
	}
	return gsmCost[r]
}

// ucs2Units is what r costs in UCS-2: 2 UTF-16 code units outside the
// Basic Multilingual Plane (a surrogate pair), else 1.
func ucs2Units(r rune) int {
	if r > 0xFFFF {
		return 2
	}
	return 1
}

// SMSSegments reports how many SMS parts body needs and the encoding a carrier
// will use: GSM-7 when every character is in the GSM 03.38 alphabet (the
// extension characters ^{}\[~]|€ and form feed cost two septets), otherwise
// UCS-2, counted in UTF-16 code units so an emoji costs two. Parts are packed
// the way handsets do it: an escape sequence or a surrogate pair is never
// split across two parts, so a long message can need one part more than
// plain division suggests. An empty body needs no parts.
//
// We count segments because every part is billed, and the copy promises to
// fit in three.
func SMSSegments(body string) (n int, encoding string) {
	cost, single, part, encoding := septets, gsmSingle, gsmPart, SMSEncodingGSM7
	for _, r := range body {
		if septets(r) == 0 {
			cost, single, part, encoding = ucs2Units, ucs2Single, ucs2Part, SMSEncodingUCS2
			break
		}
	}
	total := 0
	for _, r := range body {
		total += cost(r)
	}
	switch {
	case total == 0:
		return 0, encoding
	case total <= single:
		return 1, encoding
	}
	n, used := 1, 0
	for _, r := range body {
		c := cost(r)
		if used+c > part {
			n++
			used = 0
		}
		used += c
	}
	return n, encoding
}
