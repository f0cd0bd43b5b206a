package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of every encryption and hash key: AES-256.
const KeySize = 32

// Keys are the decoded personal-data keys, what core.NewCrypter takes.
type Keys struct {
	Current []byte   // ONWARD_ENCRYPTION_KEY: encrypts new rows
	Old     [][]byte // ONWARD_ENCRYPTION_OLD_KEYS, in the order given: read rows from before a rotation
	Hash    []byte   // ONWARD_HASH_KEY; nil means core derives one from Current
}

// Keys decodes the configured keys. Unlike Validate, which lets dev run
// without a key (`onward dev` generates one), it refuses a missing
// ONWARD_ENCRYPTION_KEY: nothing can be encrypted without it.
func (c Config) Keys() (Keys, error) {
	k, errs := c.decodeKeys()
	if c.EncryptionKey == "" {
		errs = append([]error{errors.New("ONWARD_ENCRYPTION_KEY is not set: generate one with `onward keygen`")}, errs...)
	}
	return k, errors.Join(errs...)
}

// decodeKeys decodes each key that is set, naming every bad one.
func (c Config) decodeKeys() (Keys, []error) {
	var k Keys
	var errs []error
	var err error
	if c.EncryptionKey != "" {
		if k.Current, err = ParseKey(c.EncryptionKey); err != nil {
			errs = append(errs, fmt.Errorf("ONWARD_ENCRYPTION_KEY: %w", err))
		}
	}
	if c.EncryptionOldKeys != "" {
		for i, s := range strings.Split(c.EncryptionOldKeys, ",") {
			old, err := ParseKey(strings.TrimSpace(s))
			if err != nil {
				errs = append(errs, fmt.Errorf("ONWARD_ENCRYPTION_OLD_KEYS key %d: %w", i+1, err))
				continue
			}
			k.Old = append(k.Old, old)
		}
	}
	if c.HashKey != "" {
		if k.Hash, err = ParseKey(c.HashKey); err != nil {
			errs = append(errs, fmt.Errorf("ONWARD_HASH_KEY: %w", err))
		}
	}
	if c.EncryptionOldKeys != "" && c.HashKey == "" {
		errs = append(errs, errors.New("ONWARD_ENCRYPTION_OLD_KEYS is set (a key rotation) but ONWARD_HASH_KEY is not: "+
			"phone lookups would change with the key, losing text opt-outs and client matching. "+
			"Before changing ONWARD_ENCRYPTION_KEY, run `onward keys hash-key` with the old key and set ONWARD_HASH_KEY to what it prints"))
	}
	return k, errs
}

// MinSecretLength is the shortest secret Onward accepts: 32 bytes, as
// long as its keys.
const MinSecretLength = 32

// validateSecrets refuses secrets too short to be safe: the session secret
// (it signs sign-in links and sessions) always, and outside dev the
// providers' secrets, which are 32 characters when copied whole.
func (c Config) validateSecrets() []error {
	var errs []error
	if c.SessionSecret != "" && len(c.SessionSecret) < MinSecretLength {
		errs = append(errs, fmt.Errorf("ONWARD_SESSION_SECRET is %d characters; it must be at least %d: generate one with `onward keygen`",
			len(c.SessionSecret), MinSecretLength))
	}
	if c.Dev() {
		return errs
	}
	for _, s := range []struct{ name, value, where string }{
		{"ONWARD_TWILIO_AUTH_TOKEN", c.TwilioAuthToken, "the Twilio console"},
		{"ONWARD_SLACK_SIGNING_SECRET", c.SlackSigningSecret, "the Slack app's Basic Information page"},
	} {
		if s.value != "" && len(s.value) < MinSecretLength {
			errs = append(errs, fmt.Errorf("%s is %d characters; it must be at least %d: copy it whole from %s",
				s.name, len(s.value), MinSecretLength, s.where))
		}
	}
	return errs
}

// ParseKey decodes a base64 key (standard or URL alphabet, padded or not)
// of KeySize bytes.
func ParseKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("key decodes to %d bytes; it must be %d", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, errors.New("key is not valid base64")
}

// NewKey returns a fresh random key in the form ParseKey reads (standard
// base64 of KeySize bytes): `onward keygen` prints one.
func NewKey() string {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.StdEncoding.EncodeToString(b)
}
