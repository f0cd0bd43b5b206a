package sms

import (
	"encoding/base64"
	"fmt"
)

// A conversation's state and the reply stored for a MessageSid carry
// personal data (postcode, name, the client's own words, which may be
// about self-harm), so Redis holds them only encrypted, with the same
// Crypter as Postgres. The Redis key is the additional data: a state
// copied under another phone's key does not open. The keys themselves
// name the phone only by its keyed hash, never the number.

// sealState encrypts a conversation's JSON for the phone's key.
func (s *SMS) sealState(k smsKeys, plain []byte) ([]byte, error) {
	return s.engine.Crypter().EncryptBytes("redis:"+k.conv, plain)
}

// openState decrypts what sealState stored.
func (s *SMS) openState(k smsKeys, sealed []byte) ([]byte, error) {
	plain, err := s.engine.Crypter().DecryptBytes("redis:"+k.conv, sealed)
	if err != nil {
		return nil, fmt.Errorf("decrypt sms conversation: %w", err)
	}
	return plain, nil
}

// sealReply encrypts the TwiML reply kept for a retried MessageSid. It is
// kept as the ciphertext itself, which starts with the Crypter's version
// byte, so it can never equal the "still working" marker (sidPending).
func (s *SMS) sealReply(sidKey, reply string) (string, error) {
	if reply == "" {
		return "", nil
	}
	b, err := s.engine.Crypter().Encrypt("redis:"+sidKey, reply)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// openReply decrypts what sealReply stored. A reply kept by an earlier
// version as base64 (whose first byte is a letter, a digit, '+' or '/',
// never a ciphertext's version byte) still opens, for the days such
// replies live.
func (s *SMS) openReply(sidKey, sealed string) (string, error) {
	b := []byte(sealed)
	if len(b) > 0 && base64Alphabet(b[0]) {
		var err error
		if b, err = base64.RawStdEncoding.DecodeString(sealed); err != nil {
			return "", fmt.Errorf("decrypt sms reply: %w", err)
		}
	}
	return s.engine.Crypter().Decrypt("redis:"+sidKey, b)
}

// base64Alphabet reports whether c is in the standard base64 alphabet.
func base64Alphabet(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}
