package core

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Crypter encrypts personal data at rest and makes keyed lookup hashes.
//
// Ciphertext layout: version byte (1) | key id (4 bytes, the first four
// bytes of SHA-256 of the key) | 12-byte nonce | AES-256-GCM sealed data.
// The key id lets old ciphertexts be read after the current key rotates:
// keep old keys in ONWARD_ENCRYPTION_OLD_KEYS until every row is re-encrypted.
// The field name is the additional data, so a ciphertext copied into another
// column will not decrypt.
type Crypter struct {
	current uint32
	aeads   map[uint32]cipher.AEAD
	hashKey []byte
	rand    io.Reader
}

const cipherVersion = 1

// ErrDecrypt is returned when a ciphertext is damaged or its key is unknown.
var ErrDecrypt = errors.New("cannot decrypt stored personal data (damaged, or encrypted under a key this server does not have)")

// NewCrypter builds a Crypter from the current key, any older keys still
// needed for reading, and the key for lookup hashes (when empty it is derived
// from the current key; set it explicitly before ever rotating keys so phone
// lookups survive rotation). Keys are raw 32-byte values: core/config
// decodes them from the environment (config.Config.Keys).
func NewCrypter(current []byte, old [][]byte, hashKey []byte) (*Crypter, error) {
	c := &Crypter{aeads: map[uint32]cipher.AEAD{}, rand: rand.Reader}
	for i, k := range append([][]byte{current}, old...) {
		if len(k) != 32 {
			return nil, fmt.Errorf("encryption key %d is %d bytes; it must be 32 bytes (base64 of 32 random bytes)", i+1, len(k))
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("encryption key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("encryption key %d: %w", i+1, err)
		}
		id := keyID(k)
		if i == 0 {
			c.current = id
		}
		c.aeads[id] = aead
	}
	if len(hashKey) == 0 {
		m := hmac.New(sha256.New, current)
		m.Write([]byte("onward lookup hash key v1"))
		hashKey = m.Sum(nil)
	}
	c.hashKey = hashKey
	return c, nil
}

func keyID(k []byte) uint32 {
	sum := sha256.Sum256(k)
	return binary.BigEndian.Uint32(sum[:4])
}

// encryptBytes seals raw bytes (a client's data key) for the named field.
func (c *Crypter) encryptBytes(field string, raw []byte) ([]byte, error) {
	return c.Encrypt(field, string(raw))
}

// decryptBytes opens what encryptBytes sealed.
func (c *Crypter) decryptBytes(field string, ct []byte) ([]byte, error) {
	s, err := c.Decrypt(field, ct)
	return []byte(s), err
}

// Encrypt seals plaintext for the named field. Empty plaintext is stored as
// nil, so "not given" stays distinguishable without a ciphertext.
func (c *Crypter) Encrypt(field, plaintext string) ([]byte, error) {
	if plaintext == "" {
		return nil, nil
	}
	aead := c.aeads[c.current]
	out := make([]byte, 5, 5+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = cipherVersion
	binary.BigEndian.PutUint32(out[1:5], c.current)
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(c.rand, nonce); err != nil {
		return nil, fmt.Errorf("encrypt %s: %w", field, err)
	}
	out = append(out, nonce...)
	return aead.Seal(out, nonce, []byte(plaintext), []byte(field)), nil
}

// Decrypt opens a ciphertext made by Encrypt for the same field.
func (c *Crypter) Decrypt(field string, ciphertext []byte) (string, error) {
	if len(ciphertext) == 0 {
		return "", nil
	}
	if len(ciphertext) < 5 || ciphertext[0] != cipherVersion {
		return "", fmt.Errorf("decrypt %s: %w", field, ErrDecrypt)
	}
	aead, ok := c.aeads[binary.BigEndian.Uint32(ciphertext[1:5])]
	if !ok || len(ciphertext) < 5+aead.NonceSize() {
		return "", fmt.Errorf("decrypt %s: %w", field, ErrDecrypt)
	}
	nonce := ciphertext[5 : 5+aead.NonceSize()]
	plain, err := aead.Open(nil, nonce, ciphertext[5+aead.NonceSize():], []byte(field))
	if err != nil {
		return "", fmt.Errorf("decrypt %s: %w", field, ErrDecrypt)
	}
	return string(plain), nil
}

// NeedsReencrypt reports whether a ciphertext was made under an older key.
func (c *Crypter) NeedsReencrypt(ciphertext []byte) bool {
	return len(ciphertext) >= 5 && binary.BigEndian.Uint32(ciphertext[1:5]) != c.current
}

// PhoneHash is the keyed HMAC-SHA-256 of a normalised phone number: the only
// form in which a phone number is ever looked up.
func (c *Crypter) PhoneHash(p Phone) []byte {
	m := hmac.New(sha256.New, c.hashKey)
	m.Write([]byte("phone:"))
	m.Write([]byte(p))
	return m.Sum(nil)
}
