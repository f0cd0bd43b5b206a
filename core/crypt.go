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
	"hash"
	"io"
	"sync"
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
	// hashers keeps keyed HMACs for PhoneHash to reuse: every text hashes
	// its sender, and a fresh HMAC hashes the key twice before any data.
	hashers sync.Pool
}

// Ciphertext versions under the master key: 1 takes whatever additional
// data its caller names (older rows name only the field, "client.name", so
// such a ciphertext copied to another row still opened); 3 is bound to
// "table.column:row" by Seal, so a ciphertext moved to another column or
// another row does not open. Version 2 is a client's own key (clientkey.go).
const (
	cipherVersion      = 1
	boundCipherVersion = 3
)

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
		hashKey = DerivedHashKey(current)
	}
	c.hashKey = hashKey
	c.hashers.New = func() any { return hmac.New(sha256.New, hashKey) }
	return c, nil
}

// DerivedHashKey is the lookup hash key used when ONWARD_HASH_KEY is not
// set, derived from the encryption key. Before rotating that key, set
// ONWARD_HASH_KEY to this value (`onward keys hash-key` prints it), or
// every phone hash changes with the key.
func DerivedHashKey(current []byte) []byte {
	m := hmac.New(sha256.New, current)
	m.Write([]byte("onward lookup hash key v1"))
	return m.Sum(nil)
}

func keyID(k []byte) uint32 {
	sum := sha256.Sum256(k)
	return binary.BigEndian.Uint32(sum[:4])
}

// Seal encrypts a value kept in table.column of one row (its id, or
// another value that names the row) under the current master key, bound
// to that place. Empty plaintext is stored as nil.
func (c *Crypter) Seal(table, column string, row any, plaintext string) ([]byte, error) {
	ct, err := c.Encrypt(fieldAD(table, column, row), plaintext)
	if len(ct) > 0 {
		ct[0] = boundCipherVersion
	}
	return ct, err
}

// Open decrypts what Seal made for the same table, column and row. A
// version-1 ciphertext from before values were bound to their row is
// opened under legacyField (the additional data it was made with), so old
// rows stay readable until `onward keys rotate` re-seals them; "" refuses
// the old form.
func (c *Crypter) Open(table, column string, row any, legacyField string, ct []byte) (string, error) {
	if len(ct) == 0 {
		return "", nil
	}
	switch {
	case ct[0] == boundCipherVersion:
		v := make([]byte, len(ct))
		copy(v, ct)
		v[0] = cipherVersion
		return c.Decrypt(fieldAD(table, column, row), v)
	case ct[0] == cipherVersion && legacyField != "":
		return c.Decrypt(legacyField, ct)
	}
	return "", fmt.Errorf("decrypt %s.%s: %w", table, column, ErrDecrypt)
}

// Encrypt seals plaintext for the named field. Empty plaintext is stored as
// nil, so "not given" stays distinguishable without a ciphertext.
func (c *Crypter) Encrypt(field, plaintext string) ([]byte, error) {
	return c.EncryptBytes(field, []byte(plaintext))
}

// EncryptBytes is Encrypt for a plaintext the caller holds as bytes (a
// JSON document), saving a copy of it.
func (c *Crypter) EncryptBytes(field string, plaintext []byte) ([]byte, error) {
	if len(plaintext) == 0 {
		return nil, nil
	}
	aead := c.aeads[c.current]
	ns := aead.NonceSize()
	out := make([]byte, 5+ns, 5+ns+len(plaintext)+aead.Overhead())
	out[0] = cipherVersion
	binary.BigEndian.PutUint32(out[1:5], c.current)
	nonce := out[5:]
	if _, err := io.ReadFull(c.rand, nonce); err != nil {
		return nil, fmt.Errorf("encrypt %s: %w", field, err)
	}
	return aead.Seal(out, nonce, plaintext, []byte(field)), nil
}

// Decrypt opens a ciphertext made by Encrypt for the same field.
func (c *Crypter) Decrypt(field string, ciphertext []byte) (string, error) {
	plain, err := c.DecryptBytes(field, ciphertext)
	return string(plain), err
}

// DecryptBytes is Decrypt giving the plaintext as bytes (nil for an
// empty ciphertext), for a caller that decodes it, saving a copy.
func (c *Crypter) DecryptBytes(field string, ciphertext []byte) ([]byte, error) {
	if len(ciphertext) == 0 {
		return nil, nil
	}
	if len(ciphertext) < 5 || ciphertext[0] != cipherVersion {
		return nil, fmt.Errorf("decrypt %s: %w", field, ErrDecrypt)
	}
	aead, ok := c.aeads[binary.BigEndian.Uint32(ciphertext[1:5])]
	if !ok || len(ciphertext) < 5+aead.NonceSize() {
		return nil, fmt.Errorf("decrypt %s: %w", field, ErrDecrypt)
	}
	nonce := ciphertext[5 : 5+aead.NonceSize()]
	plain, err := aead.Open(nil, nonce, ciphertext[5+aead.NonceSize():], []byte(field))
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w", field, ErrDecrypt)
	}
	return plain, nil
}

// NeedsReencrypt reports whether a ciphertext was made under an older key.
func (c *Crypter) NeedsReencrypt(ciphertext []byte) bool {
	return len(ciphertext) >= 5 && binary.BigEndian.Uint32(ciphertext[1:5]) != c.current
}

// currentKeyID is the key id new ciphertexts carry (bytes 1–4), for SQL
// that finds the rows a rotation still has to re-seal.
func (c *Crypter) currentKeyID() []byte {
	return binary.BigEndian.AppendUint32(nil, c.current)
}

// DerivedKey is a 32-byte key for one named purpose, derived from the
// lookup-hash key (ONWARD_HASH_KEY, or one derived from the encryption
// key): keyed like the phone hashes, so it survives a rotation of the
// encryption key when ONWARD_HASH_KEY is set, and separated from them and
// from every other purpose by its label.
func (c *Crypter) DerivedKey(purpose string) []byte {
	m := hmac.New(sha256.New, c.hashKey)
	m.Write([]byte("key:"))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// PhoneHash is the keyed HMAC-SHA-256 of a normalised phone number: the only
// form in which a phone number is ever looked up.
func (c *Crypter) PhoneHash(p Phone) []byte {
	m := c.hashers.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte("phone:"))
	m.Write([]byte(p))
	sum := m.Sum(nil)
	c.hashers.Put(m)
	return sum
}
