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
// base64 so that it can never equal the "still working" marker.
func (s *SMS) sealReply(sidKey, reply string) (string, error) {
	if reply == "" {
		return "", nil
	}
	b, err := s.engine.Crypter().Encrypt("redis:"+sidKey, reply)
	if err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(b), nil
}

// openReply decrypts what sealReply stored.
func (s *SMS) openReply(sidKey, sealed string) (string, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return "", fmt.Errorf("decrypt sms reply: %w", err)
	}
	return s.engine.Crypter().Decrypt("redis:"+sidKey, b)
}
