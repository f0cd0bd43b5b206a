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
