package fhir

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/onward-network/onward/core"
)

// patientIDs makes the Patient ids a partner system sees. A client is
// one record across the network (found by phone), so an id made from
// that record's number would tell a system that the phone it sent
// belongs to someone who used the network before, and two systems that
// they share a client. Each system instead sees its own pseudonym for the
// client: AES-256 of (partner id, client id) in one block, under a key
// derived from the engine's lookup-hash key. It is stable for that
// system, unrelated to the same client's id for any other system, shows
// no sequence, and reads back to the client without a lookup table; an
// id read back for another system is not found.
type patientIDs struct{ block cipher.Block }

// patientIDPrefix starts every Patient id, so an old client-<n> id is
// never mistaken for one.
const patientIDPrefix = "pt-"

// patientIDKeyPurpose names the Patient id key among the keys derived
// from the lookup-hash key (core.Crypter.DerivedKey).
const patientIDKeyPurpose = "fhir patient id v1"

var patientIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newPatientIDs derives the Patient id key from the lookup-hash key, so
// the ids survive a rotation of the encryption key when ONWARD_HASH_KEY
// is set, as phone lookups do.
func newPatientIDs(c *core.Crypter) patientIDs {
	block, err := aes.NewCipher(c.DerivedKey(patientIDKeyPurpose))
	if err != nil { // an HMAC-SHA-256 is always an AES-256 key
		panic(fmt.Sprintf("fhir patient id key: %v", err))
	}
	return patientIDs{block: block}
}

// id is the client's Patient id as the partner sees it.
func (k patientIDs) id(p core.PartnerID, c core.ClientID) string {
	var plain, out [aes.BlockSize]byte
	binary.BigEndian.PutUint64(plain[:8], uint64(p))
	binary.BigEndian.PutUint64(plain[8:], uint64(c))
	k.block.Encrypt(out[:], plain[:])
	return patientIDPrefix + patientIDEncoding.EncodeToString(out[:])
}

// client reads a Patient id the partner was given back to the client; ok
// is false for anything else (another system's id, an old client-<n>).
func (k patientIDs) client(p core.PartnerID, id string) (core.ClientID, bool) {
	owner, c, ok := k.owner(id)
	if !ok || owner != p {
		return 0, false
	}
	return c, true
}

// owner reads any system's Patient id back to the system it was given to
// and the client it names; ok is false for anything that is no Patient id
// (an old client-<n>, or one that reads back to no client).
func (k patientIDs) owner(id string) (core.PartnerID, core.ClientID, bool) {
	rest, ok := strings.CutPrefix(id, patientIDPrefix)
	if !ok {
		return 0, 0, false
	}
	raw, err := patientIDEncoding.DecodeString(rest)
	if err != nil || len(raw) != aes.BlockSize || patientIDEncoding.EncodeToString(raw) != rest {
		return 0, 0, false
	}
	var plain [aes.BlockSize]byte
	k.block.Decrypt(plain[:], raw)
	p, c := int64(binary.BigEndian.Uint64(plain[:8])), int64(binary.BigEndian.Uint64(plain[8:]))
	if p <= 0 || c <= 0 {
		return 0, 0, false
	}
	return core.PartnerID(p), core.ClientID(c), true
}
