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
}

// clientRow is a clients row as stored: ciphertext and clear district.
type clientRow struct {
	ID               ClientID  `db:"id"`
	NameEnc          []byte    `db:"name_enc"`
	PhoneEnc         []byte    `db:"phone_enc"`
	EmailEnc         []byte    `db:"email_enc"`
	PostcodeEnc      []byte    `db:"postcode_enc"`
	NotesEnc         []byte    `db:"notes_enc"`
	PostcodeDistrict string    `db:"postcode_district"`
	Town             string    `db:"town"`
	PreferredContact string    `db:"preferred_contact"`
	ContactTime      string    `db:"contact_time"`
	Language         string    `db:"language"`
	Interpreter      bool      `db:"interpreter"`
	CreatedAt        time.Time `db:"created_at"`
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

type encryptedClient struct {
	name, phone, email, postcode, notes []byte
	phoneHash                           []byte
}

func (e *Engine) encryptClient(n normalisedClient) (encryptedClient, error) {
	var out encryptedClient
	var err error
	enc := func(field, v string) []byte {
		if err != nil {
			return nil
		}
		var b []byte
		b, err = e.crypt.Encrypt(field, v)
		return b
	}
	out.name = enc("client.name", n.Name)
	out.phone = enc("client.phone", string(n.phone))
	out.email = enc("client.email", n.Email)
	out.postcode = enc("client.postcode", string(n.postcode))
	out.notes = enc("client.notes", n.Notes)
	if n.phone != "" {
		out.phoneHash = e.crypt.PhoneHash(n.phone)
	}
	return out, err
}

// sqlUpsertClient reuses the client with the same phone hash, so a person
// who comes back has one record; the newest details they gave win, and
// older non-empty values are kept where nothing new was given.
const sqlUpsertClient = `
INSERT INTO clients (phone_hash, name_enc, phone_enc, email_enc, postcode_enc, notes_enc, postcode_district,
    town, preferred_contact, contact_time, language, interpreter, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce(nullif($11, ''), 'en'), $33, $12, $12)
ON CONFLICT (phone_hash) DO UPDATE SET
    name_enc = EXCLUDED.name_enc,
    phone_enc = EXCLUDED.phone_enc,
    email_enc = coalesce(EXCLUDED.email_enc, clients.email_enc),
    postcode_enc = coalesce(EXCLUDED.postcode_enc, clients.postcode_enc),
    notes_enc = coalesce(EXCLUDED.notes_enc, clients.notes_enc),
    postcode_district = coalesce(nullif(EXCLUDED.postcode_district, ''), clients.postcode_district),
    town = coalesce(nullif(EXCLUDED.town, ''), clients.town),
    preferred_contact = coalesce(nullif(EXCLUDED.preferred_contact, ''), clients.preferred_contact),
    contact_time = coalesce(nullif(EXCLUDED.contact_time, ''), clients.contact_time),
    language = coalesce(nullif($11, ''), clients.language),
    interpreter = CASE WHEN $11 = '' THEN clients.interpreter ELSE EXCLUDED.interpreter END,
    updated_at = EXCLUDED.updated_at
RETURNING id`

const sqlSelectClient = `
SELECT id, name_enc, phone_enc, email_enc, postcode_enc, notes_enc, postcode_district, town,
       preferred_contact, contact_time, language, interpreter, created_at
FROM clients WHERE id = $1`

// ClientDetailsFor decrypts a client's details. It does not check who is
// asking or record the disclosure: use DiscloseClient for staff.
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
		ContactTime: row.ContactTime, Language: row.Language, Interpreter: row.Interpreter, CreatedAt: row.CreatedAt}
	var phone, postcode string
	for _, f := range []struct {
		field string
		ct    []byte
		dst   *string
	}{
		{"client.name", row.NameEnc, &c.Name},
		{"client.phone", row.PhoneEnc, &phone},
		{"client.email", row.EmailEnc, &c.Email},
		{"client.postcode", row.PostcodeEnc, &postcode},
		{"client.notes", row.NotesEnc, &c.Notes},
	} {
		if *f.dst, err = e.crypt.Decrypt(f.field, f.ct); err != nil {
			return Client{}, fmt.Errorf("client %d: %w", id, err)
		}
	}
	c.Phone, c.Postcode = Phone(phone), Postcode(postcode)
	return c, nil
}

// DiscloseClient returns the client details of a referral to a member of
// staff allowed to see them — staff of the receiving or referring agency,
// or a coordinator — and records the disclosure in the audit log. A refusal
// is recorded too.
func (e *Engine) DiscloseClient(ctx context.Context, id ReferralID, by Actor, via string) (Client, Referral, error) {
	r, err := e.Referral(ctx, id)
	if err != nil {
		return Client{}, Referral{}, err
	}
	allowed := by.Coordinates() ||
		(by.Kind == ActorStaff && ((r.ToAgencyID != nil && *r.ToAgencyID == by.AgencyID) || (r.FromAgencyID != nil && *r.FromAgencyID == by.AgencyID)))
	if !allowed {
		_ = e.appendEvent(ctx, e.pool, newEvent{kind: EventAccessDenied, referral: r.ID, actor: by,
			data: eventData("action", "view-details", "via", via, "agency_id", by.AgencyID)})
		return Client{}, r, &ForbiddenError{Why: "only staff of the agency this referral was sent to, or a coordinator, can see the client's details"}
	}
	c, err := e.ClientDetailsFor(ctx, r.ClientID)
	if err != nil {
		return Client{}, r, err
	}
	if err := e.appendEvent(ctx, e.pool, newEvent{kind: EventDisclosed, referral: r.ID, client: r.ClientID, actor: by,
		data: eventData("via", via)}); err != nil {
		return Client{}, r, err
	}
	return c, r, nil
}

// ClientPhone decrypts just a client's phone number, for the SMS sender.
func (e *Engine) ClientPhone(ctx context.Context, id ClientID) (Phone, error) {
	var ct []byte
	err := e.pool.QueryRow(ctx, `SELECT phone_enc FROM clients WHERE id = $1`, id).Scan(&ct)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("client %d phone: %w", id, err)
	}
	p, err := e.crypt.Decrypt("client.phone", ct)
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
