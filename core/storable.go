package core

import (
	"strings"
	"unicode/utf8"
)

// Storable reports whether PostgreSQL can store s as text: valid UTF-8
// with no NUL byte. Anything else is refused by the database with an
// error that would otherwise surface as a 500, so the edges refuse it
// first, as the bad request it is.
func Storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// StorableJSON reports whether every string in a JSON text is Storable
// once decoded. encoding/json turns invalid UTF-8 into U+FFFD, so the one
// thing to find is the escape \u0000, which decodes to a NUL; a backslash
// that is itself escaped ("\\u0000", the six characters) is text, not an
// escape, and is allowed.
func StorableJSON(b []byte) bool {
	for i := 0; i+6 <= len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		// b[i] starts an escape: skip what it escapes.
		if b[i+1] == 'u' && string(b[i+2:i+6]) == "0000" {
			return false
		}
		i++
	}
	return true
}
