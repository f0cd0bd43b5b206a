package core

import (
	"errors"
	"strconv"
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

// The reasons UnstorableJSON gives, exported so that an edge whose
// readers are not programmers (a Slack modal) can say the same in its own
// words.
var (
	// ErrJSONNul is a string escaping a NUL, which PostgreSQL cannot store.
	ErrJSONNul = errors.New(`a string in the body holds a NUL character (\u0000), which Onward cannot store; remove it and send again`)
	// ErrJSONLoneSurrogate is a lone surrogate escape (\ud800 with no
	// \udc00–\udfff after it, or one of those alone): half of a
	// character, what a program sends when it cuts an emoji in two.
	// encoding/json would quietly store U+FFFD in its place, so the text
	// kept would not be the text sent.
	ErrJSONLoneSurrogate = errors.New(`a string in the body holds half of a character: a \ud800–\udfff escape without its other half; send the whole character, or leave it out`)
)

// UnstorableJSON says why a JSON text's strings, once decoded, would not
// be the text sent or could not be stored: the escape \u0000, which
// decodes to a NUL, or a lone surrogate escape, which decodes to U+FFFD.
// (encoding/json also turns invalid UTF-8 into U+FFFD; callers check
// utf8.Valid themselves.) A backslash that is itself escaped ("\\u0000",
// the six characters) is text, not an escape, and is allowed. nil means
// every string is stored as sent.
func UnstorableJSON(b []byte) error {
	for i := 0; i+1 < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		// b[i] starts an escape: skip what it escapes.
		r, ok := jsonEscapeAt(b, i)
		i++
		if !ok {
			continue
		}
		switch {
		case r == 0:
			return ErrJSONNul
		case r >= 0xdc00 && r <= 0xdfff:
			return ErrJSONLoneSurrogate
		case r >= 0xd800 && r <= 0xdbff:
			low, ok := jsonEscapeAt(b, i+5)
			if !ok || low < 0xdc00 || low > 0xdfff {
				return ErrJSONLoneSurrogate
			}
			i += 10 // past this escape's hex and the whole low half
		default:
			i += 4 // past this escape's hex
		}
	}
	return nil
}

// jsonEscapeAt reads the \uXXXX escape at b[i] ('\\'), if there is one.
func jsonEscapeAt(b []byte, i int) (rune, bool) {
	if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}
