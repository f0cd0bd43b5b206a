package core

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
	costs := make([]int, 0, len(body))
	gsm := true
	for _, r := range body {
		c, ok := gsmCost[r]
		if !ok {
			gsm = false
			break
		}
		costs = append(costs, c)
	}
	single, part := gsmSingle, gsmPart
	encoding = SMSEncodingGSM7
	if !gsm {
		single, part = ucs2Single, ucs2Part
		encoding = SMSEncodingUCS2
		costs = costs[:0]
		for _, r := range body {
			if r > 0xFFFF {
				costs = append(costs, 2) // outside the BMP: a surrogate pair
			} else {
				costs = append(costs, 1)
			}
		}
	}
	total := 0
	for _, c := range costs {
		total += c
	}
	switch {
	case total == 0:
		return 0, encoding
	case total <= single:
		return 1, encoding
	}
	n, used := 1, 0
	for _, c := range costs {
		if used+c > part {
			n++
			used = 0
		}
		used += c
	}
	return n, encoding
}
