package core

import (
	"strings"
	"unicode"
)

// CleanLine makes one-line text safe to keep: invalid UTF-8 replaced,
// control characters (tabs and line breaks too) turned into spaces,
// invisible direction overrides dropped, spaces collapsed and trimmed.
// Everything else, including < > & and quotes, is kept as typed: pages
// escape it when they show it.
func CleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0xfeff:
			return -1
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
