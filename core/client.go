package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// ClientDetails are what a client tells us about themselves. Every field
// that identifies them is encrypted before it reaches the database.
type ClientDetails struct {
	Name             string `validate:"notblank,max=200,notcontrol" label:"name"`
	Phone            string `validate:"max=40" label:"phone number"` // parsed in normaliseClient
	Email            string `validate:"omitempty,email,max=320" label:"email address"`
	Postcode         string `validate:"max=40" label:"postcode"`          // parsed in normaliseClient
	District         string `validate:"max=10" label:"postcode district"` // when the full postcode is not known
	Town             string `validate:"max=100,notcontrol" label:"town"`
	Notes            string `validate:"max=4000" label:"notes"`
	PreferredContact string `validate:"omitempty,oneof=text call email" label:"how to contact you"`
	ContactTime      string `label:"best time to contact you"` // one of ContactTimes, checked in normaliseClient
	Language         string `label:"language"`                 // a language clients may choose, checked in normaliseClient; "" keeps what the client chose before (English for a new client)
	Interpreter      bool   // the client would like an interpreter
	// InterpreterLanguage is the language the interpreter is for, as a
	// BCP 47 tag ("ro", "ti"), checked in normaliseClient: any language,
	// unlike Language, which Onward must have words in. Giving one means an
	// interpreter is wanted. "" with Interpreter: for the client's Language.
	InterpreterLanguage string `label:"interpreter language"`
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
	// InterpreterLanguage is the language an interpreter is wanted for
	// when it is not Language (InterpreterFor says which to book).
	InterpreterLanguage string
	CreatedAt           time.Time
	PhoneProven         bool // the phone was proven to be theirs (a text from it, a code typed back, an adviser)
	Erased              bool // their details were erased: only the id and clear fields remain
	// PhonePassedOn says the phone number on their record passed to
	// someone else (client_phone_passed.go): set on the details given
	// with a referral, whose number no longer reaches them.
	PhonePassedOn bool
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
	InterpreterLang  string     `db:"interpreter_language"`
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
	// byReferrer says the phone was typed by staff or sent by a partner
	// system, not proven by the client themselves: it joins the record
	// kept for that phone only when the names agree (writeClient).
	byReferrer bool
}

// ContactTimes are the best times to contact a client that Onward
// accepts: the choices the self-referral flow offers, by text and on the
// web, and what the partner API may send.
var ContactTimes = []string{"morning", "afternoon", "evening", "any"}

// contactTime is the accepted contact time t names: one of ContactTimes,
// in any case, or its plural ("mornings") or "any time"; "" for none.
func contactTime(t string) (string, bool) {
	t = strings.Join(strings.Fields(strings.ToLower(t)), " ")
	switch t {
	case "":
		return "", true
	case "any time", "anytime":
		return "any", true
	}
	if slices.Contains(ContactTimes, t) {
		return t, true
	}
	if s, ok := strings.CutSuffix(t, "s"); ok && s != "any" && slices.Contains(ContactTimes, s) {
		return s, true
	}
	return "", false
}

// clientLanguage is the language code clients may choose that code names
// ("pl", and also "PL" or "pl-PL"), or "" for none given; ok is false for
// any other. Every later text to the client is in it, so a language with
// no messages is refused rather than stored.
func clientLanguage(code string) (string, bool, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return "", true, nil
	}
	known, err := clientLanguages()
	if err != nil {
		return "", false, err
	}
	if c := strings.ToLower(code); slices.Contains(known, c) {
		return c, true, nil
	}
	t, err := language.Parse(strings.ReplaceAll(code, "_", "-"))
	if err != nil {
		return "", false, nil
	}
	base, _ := t.Base()
	if c := base.String(); slices.Contains(known, c) {
		return c, true, nil
	}
	return "", false, nil
}

// normaliseClient parses the phone number and postcode once, for both
// validation and storage, and reports every bad one together.
func normaliseClient(d ClientDetails) (normalisedClient, error) {
	n := normalisedClient{ClientDetails: d}
	// A name and a town are one line, whichever way they came: line
	// breaks and tabs become spaces and invisible direction overrides go,
	// as the web form and SMS already make them, so no page, email or
	// export shows a name over two lines or reversed.
	n.Name = CleanLine(d.Name)
	n.Email = strings.TrimSpace(d.Email)
	n.Town = CleanLine(d.Town)
	var fields []FieldError
	if n.Name == "" && strings.TrimSpace(d.Name) != "" {
		// Only invisible characters, which name nobody (a name of spaces
		// alone is refused by its notblank tag).
		fields = append(fields, FieldError{Field: "client.name", Message: "name is a required field"})
	}
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
	if t, ok := contactTime(d.ContactTime); ok {
		n.ContactTime = t
	} else {
		fields = append(fields, FieldError{Field: "client.best time to contact you",
			Message: "best time to contact you: give one of " + strings.Join(ContactTimes, ", ") + ", or leave it out"})
	}
	code, ok, err := clientLanguage(d.Language)
	if err != nil {
		return n, err
	}
	if ok {
		n.Language = code
	} else {
		known, _ := clientLanguages()
		fields = append(fields, FieldError{Field: "client.language",
			Message: "language: give the code of a language Onward writes to clients in, one of " + strings.Join(known, ", ") + ", or leave it out"})
	}
	if code, ok := InterpreterLanguageCode(d.InterpreterLanguage); ok {
		n.InterpreterLanguage = code
		n.Interpreter = n.Interpreter || code != ""
	} else {
		fields = append(fields, FieldError{Field: "client.interpreter language",
			Message: `interpreter language: give a language code such as "ro" or "ti", or leave it out`})
	}
	if len(fields) > 0 {
		return n, &ValidationError{Fields: fields}
	}
	return n, nil
}

// clientRowSQL are the columns of clientRow.
const clientRowSQL = `id, name_enc, phone_enc, email_enc, postcode_enc, notes_enc, postcode_district, town,
       preferred_contact, contact_time, language, interpreter, interpreter_language, created_at, key_wrapped, phone_proven_at, erased_at`

const (
	// sqlUpsertClient finds the client with a phone hash, locking its row
	// until the transaction ends, or inserts one: one statement either way.
	// A NULL hash (an unproven phone) never conflicts, so it always makes a
	// client of its own; an erased client has no hash left to match. The
	// last column says which it did: a row this statement inserted has no
	// xmax, while the row an ON CONFLICT update writes carries the lock
	// taken on it. As sqlFindOrInsertReferredClient does, it takes one id
	// from the sequence either way: the new client's, or the spare a
	// record of the referral's own is given should the number have
	// passed to someone else (passedOnClient). For a client found it also
	// returns their name and when they last showed the phone to be theirs
	// (sqlPhoneLastShownOf, whose parameters $2 to $6 it shares), so a
	// known phone costs no round trip more than a new one.
	sqlUpsertClient = `
WITH s AS (SELECT nextval(pg_get_serial_sequence('clients', 'id')) AS spare),
c AS (
    INSERT INTO clients (id, phone_hash, created_at, updated_at) OVERRIDING SYSTEM VALUE
    SELECT spare, $1, $7, $7 FROM s
    ON CONFLICT (phone_hash) DO UPDATE SET updated_at = excluded.updated_at
    RETURNING id, key_wrapped, name_enc, xmax = 0 AS fresh
)
SELECT c.id, c.key_wrapped, c.name_enc, c.fresh, s.spare,
    CASE WHEN NOT c.fresh THEN (` + sqlPhoneLastShownOf + `c.id) END
FROM c, s`
	// sqlFindOrInsertReferredClient is sqlUpsertClient for a phone typed
	// by staff or sent by a partner system: it locks the client with the
	// hash without changing a value of theirs, or inserts one, and returns
	// that client's name, to tell whether it is the same person. It takes
	// one id from the sequence either way: the new client's, or the spare
	// that a record of the referral's own is given should the client found
	// be someone else. So a new phone and another person's phone cost the
	// same round trip and give out ids alike.
	sqlFindOrInsertReferredClient = `
WITH s AS (SELECT nextval(pg_get_serial_sequence('clients', 'id')) AS spare),
c AS (
    INSERT INTO clients (id, phone_hash, created_at, updated_at) OVERRIDING SYSTEM VALUE
    SELECT spare, $1, $2, $2 FROM s
    ON CONFLICT (phone_hash) DO UPDATE SET updated_at = clients.updated_at
    RETURNING id, key_wrapped, name_enc, xmax = 0 AS fresh
)
SELECT c.id, c.key_wrapped, c.name_enc, c.fresh, s.spare FROM c, s`
	// sqlInsertOwnClient inserts a client record with no phone hash under
	// the spare id sqlFindOrInsertReferredClient took.
	sqlInsertOwnClient = `INSERT INTO clients (id, created_at, updated_at) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $2)`
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
    interpreter = CASE WHEN $11 = '' AND $16 = '' THEN interpreter ELSE $15 END,
    interpreter_language = CASE WHEN $11 = '' AND $16 = '' THEN interpreter_language ELSE $16 END,
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
// Only a proven phone reaches a shared record. A phone the client proved
// themselves (a text from it, a one-time code sent to it and typed back)
// reuses the client with that phone (by keyed hash), and the newest
// details win, unless the number has evidently passed to someone else
// (passedOnClient): then the phone's hash moves to a record of the
// referral's own. A phone typed by staff or sent by a partner system
// (n.byReferrer) reuses that client only when the names agree
// (SamePerson): a family's shared mobile must not make two people one
// client, nor let one agency rename another's client. Otherwise, and for
// unproven details, the referral's client gets a record of their own with
// no phone hash, so nobody can overwrite another person's details by
// typing their number; the record they did not match is not changed.
//
// The write of the details is queued on b, to travel with the referral's
// events in one round trip; nothing is written until b is sent in tx.
func (e *Engine) writeClient(ctx context.Context, tx pgx.Tx, b *pgx.Batch, n normalisedClient, proven bool, now time.Time) (writtenClient, error) {
	proven = proven && n.phone != ""
	var hash []byte
	if proven {
		hash = e.crypt.PhoneHash(n.phone)
	}
	var (
		w          writtenClient
		newWrapped []byte
		err        error
	)
	if hash != nil && n.byReferrer {
		w, newWrapped, hash, err = e.referredClient(ctx, tx, n, hash, now)
	} else {
		w, newWrapped, err = e.upsertClient(ctx, tx, hash, n.Name, now)
	}
	if err != nil {
		return writtenClient{}, err
	}
	id, k := w.id, w.key
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
	// A record of the referral's own keeps the phone an adviser or a
	// partner vouched for, so texts still reach it, without its hash.
	b.Queue(sqlUpdateClient, id, name, phone, email, postcode, notes, n.district, n.Town,
		n.PreferredContact, n.ContactTime, n.Language, newWrapped, proven, now, n.Interpreter, n.InterpreterLanguage)
	return w, nil
}

// upsertClient finds the client with the phone hash, or inserts one (a
// nil hash always inserts), and opens or makes its data key; newWrapped
// is a new key to store. A client found who has not shown the phone to
// be theirs within withdrawByTextFor is reused only if name is theirs
// (passedOnClient).
func (e *Engine) upsertClient(ctx context.Context, tx pgx.Tx, hash []byte, name string, now time.Time) (w writtenClient, newWrapped []byte, err error) {
	var (
		wrapped, nameEnc []byte
		spare            ClientID
		lastShown        *time.Time
	)
	args := append(append([]any{hash}, phoneShownArgs()...), now)
	if err := tx.QueryRow(ctx, sqlUpsertClient, args...).Scan(&w.id, &wrapped, &nameEnc, &w.fresh, &spare, &lastShown); err != nil {
		return writtenClient{}, nil, fmt.Errorf("find or insert client: %w", err)
	}
	if len(wrapped) == 0 {
		w.key, newWrapped, err = e.newClientKey(w.id)
		return w, newWrapped, err
	}
	if w.key, err = e.openClientKey(w.id, wrapped, false); err != nil {
		return writtenClient{}, nil, err
	}
	if phoneStillTheirs(lastShown, now) {
		return w, nil, nil
	}
	return e.passedOnClient(ctx, tx, w, nameEnc, name, hash, spare, now)
}

// referredClient is upsertClient for a phone typed by staff or sent by a
// partner system. The client with the phone hash is reused only when its
// name and the name given agree; otherwise the client record it found is
// left exactly as it was and the referral's client gets a record of their
// own, with no hash (keep is nil then). Either way the work and the
// answer are the same as for a phone not known before: nothing the
// referrer sees says whether it was.
func (e *Engine) referredClient(ctx context.Context, tx pgx.Tx, n normalisedClient, hash []byte, now time.Time) (w writtenClient, newWrapped, keep []byte, err error) {
	var (
		wrapped, nameEnc []byte
		spare            ClientID
	)
	if err := tx.QueryRow(ctx, sqlFindOrInsertReferredClient, hash, now).Scan(&w.id, &wrapped, &nameEnc, &w.fresh, &spare); err != nil {
		return writtenClient{}, nil, nil, fmt.Errorf("find or insert client: %w", err)
	}
	if w.fresh || len(wrapped) == 0 {
		// A new record for a phone not known before (or one whose key
		// was never written, which holds no details to protect).
		w.key, newWrapped, err = e.newClientKey(w.id)
		return w, newWrapped, hash, err
	}
	if w.key, err = e.openClientKey(w.id, wrapped, false); err != nil {
		return writtenClient{}, nil, nil, err
	}
	held, err := w.key.open("clients", "name_enc", w.id, "client.name", nameEnc)
	if err != nil {
		return writtenClient{}, nil, nil, fmt.Errorf("client %d: %w", w.id, err)
	}
	if SamePerson(held, n.Name) {
		return w, nil, hash, nil
	}
	// Someone else's record (a shared family phone, a number typed
	// wrongly): the insert goes with the next statement, the referral's,
	// so this costs no round trip a phone not known before does not.
	own := &pgx.Batch{}
	own.Queue(sqlInsertOwnClient, spare, now)
	if err := sendWithNext(ctx, tx, own); err != nil {
		return writtenClient{}, nil, nil, fmt.Errorf("insert client: %w", err)
	}
	w = writtenClient{id: spare, fresh: true}
	w.key, newWrapped, err = e.newClientKey(w.id)
	return w, newWrapped, nil, err
}

// SamePerson reports whether two names given for one phone number are
// evidently the same person's: equal once case, accents, punctuation and
// spacing are set aside ("Seònaid O'Neil" and "seonaid oneil"), or one is
// only the first name of the other ("Morag" and "Morag Smith"). A name
// with no letters or digits matches nothing.
func SamePerson(a, b string) bool {
	wa, wb := nameWords(a), nameWords(b)
	switch {
	case len(wa) == 0 || len(wb) == 0:
		return false
	case strings.Join(wa, "") == strings.Join(wb, ""):
		return true
	case len(wa) == 1 || len(wb) == 1:
		return wa[0] == wb[0]
	}
	return false
}

// nameWords are the words of a name as SamePerson compares them: split at
// spaces, in lower case, without accents, and with nothing but letters
// and digits.
func nameWords(name string) []string {
	var words []string
	for _, f := range strings.Fields(norm.NFKD.String(name)) {
		var w strings.Builder
		for _, r := range f {
			switch {
			case unicode.Is(unicode.Mn, r):
				// an accent, split from its letter by NFKD
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				if s, ok := plainLetters[unicode.ToLower(r)]; ok {
					w.WriteString(s)
				} else {
					w.WriteRune(unicode.ToLower(r))
				}
			}
		}
		if w.Len() > 0 {
			words = append(words, w.String())
		}
	}
	return words
}

// plainLetters are letters whose accent NFKD does not split off, as they
// are written without it.
var plainLetters = map[rune]string{
	'ł': "l", 'ø': "o", 'đ': "d", 'ħ': "h", 'ı': "i", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th", 'ð': "d",
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
		ContactTime: row.ContactTime, Language: row.Language, Interpreter: row.Interpreter,
		InterpreterLanguage: row.InterpreterLang, CreatedAt: row.CreatedAt,
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

const sqlPhoneLanguage = `SELECT id, language FROM clients WHERE phone_hash = $1`

// PhoneLanguage is the language of the client with this phone number, for
// texts to a phone whose conversation has ended; "" when no client has it,
// or when the client has not shown the phone to be theirs within
// withdrawByTextFor: the number may have been recycled, and a stranger
// answered in Polish would learn that a Polish speaker had it.
func (e *Engine) PhoneLanguage(ctx context.Context, p Phone) (string, error) {
	var (
		id   ClientID
		code string
	)
	err := e.pool.QueryRow(ctx, sqlPhoneLanguage, e.crypt.PhoneHash(p)).Scan(&id, &code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("language of a phone's client: %w", err)
	}
	shown, err := e.phoneLastShown(ctx, e.pool, id)
	if err != nil {
		return "", fmt.Errorf("language of a phone's client: %w", err)
	}
	if !phoneStillTheirs(shown, e.clock.Now()) {
		return "", nil
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
