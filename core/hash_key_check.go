package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The phone lookup hash key (ONWARD_HASH_KEY, or the key derived from
// ONWARD_ENCRYPTION_KEY) cannot be checked against a client's row
// reliably: the newest client often has no proven phone, and then a
// wrong key started as if right, and STOP, withdrawal by text and client
// matching silently stopped finding anyone. So the database keeps a
// check value of the key (key_checks, migration 039), the key's hash of
// a fixed label, written by the first serve or worker to start and
// compared by every later one. A database from before check values gets
// one on its first start, after the key has been checked against a
// client's proven phone when any client has one.

// hashKeyCheckLabel is what the check value hashes: not a phone number,
// so it never matches a client's.
const hashKeyCheckLabel = Phone("check:onward-hash-key-v1")

const sqlHashKeyCheck = `SELECT value FROM key_checks WHERE name = 'hash-key'`

const sqlSaveHashKeyCheck = `INSERT INTO key_checks (name, value) VALUES ('hash-key', $1) ON CONFLICT (name) DO NOTHING`

// CheckHashKey compares the lookup hash key with the database's check
// value, writing the value first when the database has none (after
// checking the key against the newest client with a proven phone, if
// any). Serve and worker call it at start, after CheckKeys. It returns
// ErrHashKeyDiffers (wrapped) for a key that is not the one the
// database's lookups were made with, and ErrKeysDoNotOpen (wrapped) when
// that client's phone cannot be read.
func (e *Engine) CheckHashKey(ctx context.Context) error {
	want := e.crypt.PhoneHash(hashKeyCheckLabel)
	var stored []byte
	err := e.pool.QueryRow(ctx, sqlHashKeyCheck).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		if err := e.checkHashKeyOnAClient(ctx); err != nil {
			return err
		}
		if _, err := e.pool.Exec(ctx, sqlSaveHashKeyCheck, want); err != nil {
			return fmt.Errorf("save the hash key's check value: %w", err)
		}
		// Another process starting at the same moment may have saved its
		// own: whichever is stored is compared.
		err = e.pool.QueryRow(ctx, sqlHashKeyCheck).Scan(&stored)
	}
	if err != nil {
		return fmt.Errorf("read the hash key's check value: %w", err)
	}
	if !bytes.Equal(stored, want) {
		return fmt.Errorf("key check value: %w", ErrHashKeyDiffers)
	}
	return nil
}

// sqlNewestProvenPhone is the newest client with a phone and its lookup
// hash (a phone they proved by code, or texted from).
const sqlNewestProvenPhone = `
SELECT id, phone_hash FROM clients
WHERE phone_hash IS NOT NULL AND phone_enc IS NOT NULL AND erased_at IS NULL
ORDER BY id DESC LIMIT 1`

// checkHashKeyOnAClient compares the hash key with the newest client
// with a proven phone, if any: what the check value is first written
// after, on a database from before it.
func (e *Engine) checkHashKeyOnAClient(ctx context.Context) error {
	var (
		id   ClientID
		hash []byte
	)
	err := e.pool.QueryRow(ctx, sqlNewestProvenPhone).Scan(&id, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check the hash key: %w", err)
	}
	phone, err := e.ClientPhone(ctx, id)
	if errors.Is(err, ErrDecrypt) {
		return fmt.Errorf("client %d: %w", id, ErrKeysDoNotOpen)
	}
	if err != nil {
		return fmt.Errorf("check the hash key: %w", err)
	}
	if phone != "" && !bytes.Equal(e.crypt.PhoneHash(phone), hash) {
		return fmt.Errorf("client %d: %w", id, ErrHashKeyDiffers)
	}
	return nil
}
