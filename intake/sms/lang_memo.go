package sms

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/onward-network/onward/intake/flow"
)

// The language remembered for a phone (smsKeys.lang) is a language code
// in the clear, and, when the conversation went on in English after
// "Other", its answer (flow.OtherLanguageKept) after a '|', sealed: the
// client's words for their language are theirs, kept encrypted like the
// conversation itself. A value of a code alone is one stored before the
// answer was kept, and reads as it always did.

// memoValue is the stored form of a language and the "Other" answer kept
// with it.
func (s *SMS) memoValue(k smsKeys, code string, other *flow.OtherLanguageKept) (string, error) {
	if other == nil {
		return code, nil
	}
	plain, err := json.Marshal(other)
	if err != nil {
		return "", fmt.Errorf("remember the interpreter's language: %w", err)
	}
	sealed, err := s.engine.Crypter().Encrypt("redis:"+k.lang, string(plain))
	if err != nil {
		return "", fmt.Errorf("remember the interpreter's language: %w", err)
	}
	return code + "|" + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// readMemo splits a stored memo into its language and the "Other" answer
// kept with it (nil for none, or one that no longer opens: the language
// still counts).
func (s *SMS) readMemo(k smsKeys, v string) (string, *flow.OtherLanguageKept) {
	code, rest, found := strings.Cut(v, "|")
	if !found {
		return v, nil
	}
	var other flow.OtherLanguageKept
	sealed, err := base64.RawStdEncoding.DecodeString(rest)
	if err == nil {
		var plain string
		if plain, err = s.engine.Crypter().Decrypt("redis:"+k.lang, sealed); err == nil {
			err = json.Unmarshal([]byte(plain), &other)
		}
	}
	if err != nil {
		s.log.Warn("unreadable interpreter language remembered for a phone", "err", err)
		return code, nil
	}
	return code, &other
}
