package core

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
)

// Each client's personal fields — on the client row and on their referrals
// — are sealed under the client's own AES-256 data key. The data key is
// stored on the client row sealed under the master key (the Crypter's),
// bound to that row. Erasing a client destroys their data key, so every
// copy of their details (rows, backups, dumps) becomes unreadable at once.
//
// Ciphertext layout under a client key: version byte (2) | 12-byte nonce |
// AES-256-GCM sealed data, with "table.column:row" as additional data so a
// ciphertext moved to another column or another row does not open.
// Version-1 ciphertexts (under the master key, from before clients had keys
// of their own) are still read, through the Crypter.

const clientCipherVersion = 2

// ErrErased means the client's details were erased: they can never be read
// again.
var ErrErased = errors.New("the client's details were erased")

// clientKey seals and opens one client's personal fields.
type clientKey struct {
	client ClientID
	aead   cipher.AEAD // nil when the client has no key of their own yet (legacy rows)
	master *Crypter
	erased bool
}

// keyAD is the additional data wrapped keys were sealed with before
// master-key values carried a version of their own (already bound to the
// row).
func keyAD(client ClientID) string { return fieldAD("clients", "key_wrapped", client) }

// wrapKey seals a client's raw data key under the current master key.
func (e *Engine) wrapKey(client ClientID, raw []byte) ([]byte, error) {
	return e.crypt.Seal("clients", "key_wrapped", client, string(raw))
}

// newClientKey makes a fresh data key for a client and returns it with its
// wrapped form for the clients row.
func (e *Engine) newClientKey(client ClientID) (clientKey, []byte, error) {
	raw := make([]byte, 32)
	if _, err := io.ReadFull(e.crypt.rand, raw); err != nil {
		return clientKey{}, nil, fmt.Errorf("make data key for client %d: %w", client, err)
	}
	wrapped, err := e.wrapKey(client, raw)
	if err != nil {
		return clientKey{}, nil, err
	}
	k, err := e.clientKeyFrom(client, raw)
	return k, wrapped, err
}

func (e *Engine) clientKeyFrom(client ClientID, raw []byte) (clientKey, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return clientKey{}, fmt.Errorf("data key of client %d: %w", client, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return clientKey{}, fmt.Errorf("data key of client %d: %w", client, err)
	}
	return clientKey{client: client, aead: aead, master: e.crypt}, nil
}

// openClientKey unwraps a client's data key as stored on their row.
func (e *Engine) openClientKey(client ClientID, wrapped []byte, erased bool) (clientKey, error) {
	if erased {
		return clientKey{client: client, master: e.crypt, erased: true}, nil
	}
	if len(wrapped) == 0 {
		return clientKey{client: client, master: e.crypt}, nil
	}
	raw, err := e.crypt.Open("clients", "key_wrapped", client, keyAD(client), wrapped)
	if err != nil {
		return clientKey{}, fmt.Errorf("data key of client %d: %w", client, err)
	}
	return e.clientKeyFrom(client, []byte(raw))
}

// seal encrypts a personal field for table.column of the given row. Empty
// plaintext is stored as nil.
func (k clientKey) seal(table, column string, row any, plaintext string) ([]byte, error) {
	if plaintext == "" {
		return nil, nil
	}
	if k.erased {
		return nil, fmt.Errorf("client %d: %w", k.client, ErrErased)
	}
	if k.aead == nil {
		return nil, fmt.Errorf("client %d has no data key", k.client)
	}
	out := make([]byte, 1, 1+k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	out[0] = clientCipherVersion
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := io.ReadFull(k.master.rand, nonce); err != nil {
		return nil, fmt.Errorf("encrypt %s.%s: %w", table, column, err)
	}
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, []byte(plaintext), []byte(fieldAD(table, column, row))), nil
}

// open decrypts what seal made for the same table, column and row; a
// version-1 ciphertext is opened with the master key under its legacy
// field name.
func (k clientKey) open(table, column string, row any, legacyField string, ct []byte) (string, error) {
	if len(ct) == 0 {
		return "", nil
	}
	if k.erased {
		return "", fmt.Errorf("client %d: %w", k.client, ErrErased)
	}
	if ct[0] == cipherVersion {
		return k.master.Decrypt(legacyField, ct)
	}
	if ct[0] != clientCipherVersion || k.aead == nil || len(ct) < 1+k.aead.NonceSize() {
		return "", fmt.Errorf("decrypt %s.%s: %w", table, column, ErrDecrypt)
	}
	nonce := ct[1 : 1+k.aead.NonceSize()]
	plain, err := k.aead.Open(nil, nonce, ct[1+k.aead.NonceSize():], []byte(fieldAD(table, column, row)))
	if err != nil {
		return "", fmt.Errorf("decrypt %s.%s: %w", table, column, ErrDecrypt)
	}
	return string(plain), nil
}

// fieldAD is the additional data that binds a ciphertext to its place.
func fieldAD(table, column string, row any) string {
	return fmt.Sprintf("%s.%s:%v", table, column, row)
}

const sqlStoreClientKey = `UPDATE clients SET key_wrapped = $2 WHERE id = $1 AND key_wrapped IS NULL AND erased_at IS NULL`

// writableClientKey is a client's data key for sealing a new value. A
// client from before clients had keys of their own is given one now (in
// tx); their older values stay readable under the master key.
func (e *Engine) writableClientKey(ctx context.Context, tx pgx.Tx, client ClientID) (clientKey, error) {
	k, err := e.clientKeyOf(ctx, tx, client)
	if err != nil || k.erased || k.aead != nil {
		return k, err
	}
	k, wrapped, err := e.newClientKey(client)
	if err != nil {
		return clientKey{}, err
	}
	tag, err := tx.Exec(ctx, sqlStoreClientKey, client, wrapped)
	if err != nil {
		return clientKey{}, fmt.Errorf("store data key of client %d: %w", client, err)
	}
	if tag.RowsAffected() == 0 { // made by another transaction meanwhile, or erased
		return e.clientKeyOf(ctx, tx, client)
	}
	return k, nil
}

// ErrKeysDoNotOpen means the configured master keys cannot open the data
// stored in the database: a wrong key, or a rotated one whose
// predecessor was not kept among the old keys.
var ErrKeysDoNotOpen = errors.New("the encryption keys do not open the data stored in this database")

// ErrHashKeyDiffers means the lookup hash key is not the one the stored
// phone hashes were made with: clients, opt-outs and withdrawals by text
// would not be found by their phone.
var ErrHashKeyDiffers = errors.New("the lookup hash key is not the one the stored phone hashes were made with")

// sqlNewestClientKey is the newest client whose details can be read: one
// row, through the primary key, whatever the size of the table.
const sqlNewestClientKey = `
SELECT id, key_wrapped, name_enc, phone_enc, phone_hash FROM clients
WHERE erased_at IS NULL AND (key_wrapped IS NOT NULL OR name_enc IS NOT NULL OR phone_enc IS NOT NULL)
ORDER BY id DESC LIMIT 1`

// CheckKeys opens the newest client's data key and details with the
// configured keys, and checks their phone's lookup hash: serve and worker
// call it at start, so a wrong or lost ONWARD_ENCRYPTION_KEY or
// ONWARD_HASH_KEY stops them at once rather than failing each withdrawal,
// opt-out and "View details" later. A database with no client passes.
// It returns ErrKeysDoNotOpen or ErrHashKeyDiffers (wrapped).
func (e *Engine) CheckKeys(ctx context.Context) error {
	var (
		id                                    ClientID
		wrapped, nameEnc, phoneEnc, phoneHash []byte
	)
	err := e.pool.QueryRow(ctx, sqlNewestClientKey).Scan(&id, &wrapped, &nameEnc, &phoneEnc, &phoneHash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check the encryption keys: %w", err)
	}
	k, err := e.openClientKey(id, wrapped, false)
	if err != nil {
		return fmt.Errorf("client %d: %w", id, ErrKeysDoNotOpen)
	}
	if _, err := k.open("clients", "name_enc", id, "client.name", nameEnc); err != nil {
		return fmt.Errorf("client %d: %w", id, ErrKeysDoNotOpen)
	}
	phone, err := k.open("clients", "phone_enc", id, "client.phone", phoneEnc)
	if err != nil {
		return fmt.Errorf("client %d: %w", id, ErrKeysDoNotOpen)
	}
	if phone != "" && len(phoneHash) > 0 && !bytes.Equal(e.crypt.PhoneHash(Phone(phone)), phoneHash) {
		return fmt.Errorf("client %d: %w", id, ErrHashKeyDiffers)
	}
	return nil
}
