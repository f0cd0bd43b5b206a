package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ClientDetails are what a client tells us about themselves. Every field
// that identifies them is encrypted before it reaches the database.
type ClientDetails struct {
	Name             string `validate:"required,max=200,notcontrol" label:"name"`
	Phone            string `validate:"max=40" label:"phone number"` // parsed in normaliseClient
	Email            string `validate:"omitempty,email,max=320" label:"email address"`
	Postcode         string `validate:"max=40" label:"postcode"`          // parsed in normaliseClient
	District         string `validate:"max=10" label:"postcode district"` // when the full postcode is not known
	Town             string `validate:"max=100,notcontrol" label:"town"`
	Notes            string `validate:"max=4000" label:"notes"`
	PreferredContact string `validate:"omitempty,oneof=text call email" label:"how to contact you"`
	ContactTime      string `validate:"max=100,notcontrol" label:"best time to contact you"`
	Language         string `validate:"omitempty,max=20" label:"language"` // "" keeps what the client chose before (English for a new client)
	Interpreter      bool   // the client would like an interpreter
}

// Client is a client with details decrypted, for the people allowed to see
// them.
type Client struct {
	ID               ClientID
	Name             string
	Phone            Phone
	Email            string
	Postcode         Postcode
	District         string
	Town             string
	Notes            string
	PreferredContact string
	ContactTime      string
	Language         string
	Interpreter      bool
	CreatedAt        time.Time
	PhoneProven      bool // the phone was proven to be theirs (a text from it, a code typed back, an adviser)
	Erased           bool // their details were erased: only the id and clear fields remain
}

// clientRow is a clients row as stored: ciphertext and clear district.
type clientRow struct {
	ID               ClientID   `db:"id"`
	NameEnc          []byte     `db:"name_enc"`
	PhoneEnc         []byte     `db:"phone_enc"`
	EmailEnc         []byte     `db:"email_enc"`
	PostcodeEnc      []byte     `db:"postcode_enc"`
	NotesEnc         []byte     `db:"notes_enc"`
	PostcodeDistrict string     `db:"postcode_district"`
	Town             string     `db:"town"`
	PreferredContact string     `db:"preferred_contact"`
	ContactTime      string     `db:"contact_time"`
	Language         string     `db:"language"`
	Interpreter      bool       `db:"interpreter"`
	CreatedAt        time.Time  `db:"created_at"`
	KeyWrapped       []byte     `db:"key_wrapped"`
	PhoneProvenAt    *time.Time `db:"phone_proven_at"`
	ErasedAt         *time.Time `db:"erased_at"`
}

// normalised is ClientDetails after parsing, ready to encrypt.
type normalisedClient struct {
	ClientDetails
	phone    Phone
	postcode Postcode
	district string
}

// normaliseClient parses the phone number and postcode once, for both
// validation and storage, and reports every bad one together.
func normaliseClient(d ClientDetails) (normalisedClient, error) {
	n := normalisedClient{ClientDetails: d}
	n.Name = strings.TrimSpace(d.Name)
	n.Email = strings.TrimSpace(d.Email)
	n.Town = strings.TrimSpace(d.Town)
	var fields []FieldError
	if strings.TrimSpace(d.Phone) != "" {
		p, err := ParsePhone(d.Phone)
		if err != nil {
			fields = append(fields, FieldError{Field: "client.phone number", Message: "phone number: " + err.Error()})
		}
		n.phone = p
	}
	if strings.TrimSpace(d.Postcode) != "" {
		p, err := ParsePostcode(d.Postcode)
		if err != nil {
			fields = append(fields, FieldError{Field: "client.postcode", Message: "postcode: " + err.Error()})
		}
		n.postcode, n.district = p, p.District()
	} else if strings.TrimSpace(d.District) != "" {
		dd, err := ParseDistrict(d.District)
		if err != nil {
			fields = append(fields, FieldError{Field: "client.postcode district", Message: "postcode district: " + err.Error()})
		}
		n.district = dd
	}
	if len(fields) > 0 {
		return n, &ValidationError{Fields: fields}
	}
	return n, nil
}

// clientRowSQL are the columns of clientRow.
const clientRowSQL = `id, name_enc, phone_enc, email_enc, postcode_enc, notes_enc, postcode_district, town,
       preferred_contact, contact_time, language, interpreter, created_at, key_wrapped, phone_proven_at, erased_at`

const (
	// sqlUpsertClient finds the client with a phone hash, locking its row
	// until the transaction ends, or inserts one: one statement either way.
	// A NULL hash (an unproven phone) never conflicts, so it always makes a
	// client of its own; an erased client has no hash left to match. The
	// last column says which it did: a row this statement inserted has no
	// xmax, while the row an ON CONFLICT update writes carries the lock
	// taken on it.
	sqlUpsertClient = `INSERT INTO clients (phone_hash, created_at, updated_at) VALUES ($1, $2, $2)
		ON CONFLICT (phone_hash) DO UPDATE SET updated_at = excluded.updated_at
		RETURNING id, key_wrapped, xmax = 0`
	// sqlUpdateClient writes the details given: the newest name and phone
	// win, and older non-empty values are kept where nothing new was given.
	sqlUpdateClient = `
UPDATE clients SET
    name_enc = $2,
    phone_enc = $3,
    email_enc = coalesce($4, email_enc),
    postcode_enc = coalesce($5, postcode_enc),
    notes_enc = coalesce($6, notes_enc),
    postcode_district = coalesce(nullif($7, ''), postcode_district),
    town = coalesce(nullif($8, ''), town),
    preferred_contact = coalesce(nullif($9, ''), preferred_contact),
    contact_time = coalesce(nullif($10, ''), contact_time),
    language = coalesce(nullif($11, ''), language),
    interpreter = CASE WHEN $11 = '' THEN interpreter ELSE $15 END,
    key_wrapped = coalesce($12, key_wrapped),
    phone_proven_at = CASE WHEN $13 THEN $14 ELSE phone_proven_at END,
    updated_at = $14
WHERE id = $1`
)

// writtenClient is the client a referral's details were written to.
type writtenClient struct {
	id  ClientID
	key clientKey
	// fresh says the client was inserted in this transaction, so its
	// event stream cannot have begun.
	fresh bool
}

// writeClient stores the details a client gave with a referral and returns
// the client they belong to, with its data key.
//
// Only a proven phone reaches a shared record: a text from the phone itself,
// a one-time code sent to it and typed back, or an adviser's confirmation.
// Then the client with that phone (by keyed hash) is reused and the newest
// details win. Unproven details get a client record of their own with no
// phone hash, so nobody can overwrite another person's details by typing
// their number into the web form.
//
// The write of the details is queued on b, to travel with the referral's
// events in one round trip; nothing is written until b is sent in tx.
func (e *Engine) writeClient(ctx context.Context, tx pgx.Tx, b *pgx.Batch, n normalisedClient, proven bool, now time.Time) (writtenClient, error) {
	var hash []byte
	if proven && n.phone != "" {
		hash = e.crypt.PhoneHash(n.phone)
	}
	var (
		id      ClientID
		wrapped []byte
		fresh   bool
	)
	if err := tx.QueryRow(ctx, sqlUpsertClient, hash, now).Scan(&id, &wrapped, &fresh); err != nil {
		return writtenClient{}, fmt.Errorf("find or insert client: %w", err)
	}
	var (
		k          clientKey
		newWrapped []byte
		err        error
	)
	if len(wrapped) == 0 {
		k, newWrapped, err = e.newClientKey(id)
	} else {
		k, err = e.openClientKey(id, wrapped, false)
	}
	if err != nil {
		return writtenClient{}, err
	}
	seal := func(col, v string) []byte {
		if err != nil {
			return nil
		}
		var b []byte
		b, err = k.seal("clients", col, id, v)
		return b
	}
	name, phone := seal("name_enc", n.Name), seal("phone_enc", string(n.phone))
	email, postcode, notes := seal("email_enc", n.Email), seal("postcode_enc", string(n.postcode)), seal("notes_enc", n.Notes)
	if err != nil {
		return writtenClient{}, err
	}
	b.Queue(sqlUpdateClient, id, name, phone, email, postcode, notes, n.district, n.Town,
		n.PreferredContact, n.ContactTime, n.Language, newWrapped, hash != nil, now, n.Interpreter)
	return writtenClient{id: id, key: k, fresh: fresh}, nil
}

// clientKeyOf reads and unwraps a client's data key.
func (e *Engine) clientKeyOf(ctx context.Context, db DB, id ClientID) (clientKey, error) {
	var (
		wrapped []byte
		erased  *time.Time
	)
	err := db.QueryRow(ctx, `SELECT key_wrapped, erased_at FROM clients WHERE id = $1`, id).Scan(&wrapped, &erased)
	if errors.Is(err, pgx.ErrNoRows) {
		return clientKey{}, fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return clientKey{}, fmt.Errorf("client %d key: %w", id, err)
	}
	return e.openClientKey(id, wrapped, erased != nil)
}

const sqlSelectClient = `SELECT ` + clientRowSQL + ` FROM clients WHERE id = $1`

// ClientDetailsFor decrypts a client's shared record. It does not check who
// is asking or record the disclosure: staff reach details only through
// DiscloseClient, which shows the details given with that referral.
func (e *Engine) ClientDetailsFor(ctx context.Context, id ClientID) (Client, error) {
	rows, _ := e.pool.Query(ctx, sqlSelectClient, id)
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[clientRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return Client{}, fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Client{}, fmt.Errorf("client %d: %w", id, err)
	}
	c := Client{ID: row.ID, District: row.PostcodeDistrict, Town: row.Town, PreferredContact: row.PreferredContact,
		ContactTime: row.ContactTime, Language: row.Language, Interpreter: row.Interpreter, CreatedAt: row.CreatedAt,
		PhoneProven: row.PhoneProvenAt != nil, Erased: row.ErasedAt != nil}
	if c.Erased {
		return c, nil
	}
	k, err := e.openClientKey(id, row.KeyWrapped, false)
	if err != nil {
		return Client{}, err
	}
	var phone, postcode string
	for _, f := range []struct {
		col, legacy string
		ct          []byte
		dst         *string
	}{
		{"name_enc", "client.name", row.NameEnc, &c.Name},
		{"phone_enc", "client.phone", row.PhoneEnc, &phone},
		{"email_enc", "client.email", row.EmailEnc, &c.Email},
		{"postcode_enc", "client.postcode", row.PostcodeEnc, &postcode},
		{"notes_enc", "client.notes", row.NotesEnc, &c.Notes},
	} {
		if *f.dst, err = k.open("clients", f.col, id, f.legacy, f.ct); err != nil {
			return Client{}, fmt.Errorf("client %d: %w", id, err)
		}
	}
	c.Phone, c.Postcode = Phone(phone), Postcode(postcode)
	return c, nil
}

// ClientPhone decrypts just a client's phone number, for the SMS sender.
func (e *Engine) ClientPhone(ctx context.Context, id ClientID) (Phone, error) {
	return e.clientPhone(ctx, e.pool, id)
}

// clientPhone is ClientPhone read through db (a transaction's own view).
func (e *Engine) clientPhone(ctx context.Context, db DB, id ClientID) (Phone, error) {
	var (
		ct, wrapped []byte
		erased      *time.Time
	)
	err := db.QueryRow(ctx, `SELECT phone_enc, key_wrapped, erased_at FROM clients WHERE id = $1`, id).Scan(&ct, &wrapped, &erased)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("client %d phone: %w", id, err)
	}
	k, err := e.openClientKey(id, wrapped, erased != nil)
	if err != nil {
		return "", err
	}
	p, err := k.open("clients", "phone_enc", id, "client.phone", ct)
	return Phone(p), err
}

// ClientByPhone finds the client with this phone number, by its hash.
func (e *Engine) ClientByPhone(ctx context.Context, p Phone) (ClientID, error) {
	var id ClientID
	err := e.pool.QueryRow(ctx, `SELECT id FROM clients WHERE phone_hash = $1`, e.crypt.PhoneHash(p)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

const sqlClientLanguage = `SELECT language, interpreter FROM clients WHERE id = $1`

const sqlPhoneLanguage = `SELECT language FROM clients WHERE phone_hash = $1`

// PhoneLanguage is the language of the client with this phone number, for
// texts to a phone whose conversation has ended; "" when no client has it.
func (e *Engine) PhoneLanguage(ctx context.Context, p Phone) (string, error) {
	var code string
	err := e.pool.QueryRow(ctx, sqlPhoneLanguage, e.crypt.PhoneHash(p)).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("language of a phone's client: %w", err)
	}
	return code, nil
}

// ClientLanguage is the language a client chose ("en" unless they chose
// another), which every text sent to them is in, and whether they asked
// for an interpreter. Neither identifies them: staff see both on cards.
func (e *Engine) ClientLanguage(ctx context.Context, id ClientID) (code string, interpreter bool, err error) {
	err = e.pool.QueryRow(ctx, sqlClientLanguage, id).Scan(&code, &interpreter)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", false, fmt.Errorf("language of client %d: %w", id, err)
	}
	return code, interpreter, nil
}
