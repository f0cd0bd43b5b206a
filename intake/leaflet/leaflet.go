package leaflet

// Leaflet links: a printed leaflet carries a short link (/r/{code}) and a
// QR code. The code brings the client to the web self-referral form, and
// the referral records it as its source, so the network learns which
// leaflets in which places bring people in. Core has no leaflet API yet, so
// the few queries live here.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// Leaflet is one printed leaflet campaign and its short code.
type Leaflet struct {
	ID        int64     `db:"id"`
	Code      string    `db:"code"`     // lowercase [a-z0-9]{3,16}
	Campaign  string    `db:"campaign"` // the name staff gave it, e.g. "GP surgeries spring 2026"
	Area      string    `db:"area"`     // where it is handed out, e.g. "KY1" or "Fife"
	Language  string    `db:"language"` // the language its link opens the form in ("" for the reader's browser's)
	CreatedAt time.Time `db:"created_at"`
}

// leafletCodeAlphabet leaves out 0/o, 1/i/l and u, so a code copied by
// hand from a leaflet is typed right; links are case-insensitive anyway.
const leafletCodeAlphabet = "23456789abcdefghjkmnpqrstvwxyz"

// CodeLength is how long new codes are: 30^6 ≈ 7e8 codes, short
// enough to type from paper.
const CodeLength = 6

// ParseCode reads a code as typed (any case, surrounding space
// ignored) and reports whether it has the shape of a leaflet code. A link
// copied out of a sentence or a message keeps its code: punctuation and
// invisible characters (a zero-width space, a direction mark) around the
// code are ignored too, as no code holds them.
func ParseCode(s string) (string, bool) {
	c := strings.ToLower(strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.Is(unicode.Cf, r)
	}))
	if len(c) < 3 || len(c) > 16 {
		return "", false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return "", false
		}
	}
	return c, true
}

// NewCode draws a random code from rnd (crypto/rand in production).
func NewCode(rnd io.Reader) (string, error) {
	b := make([]byte, CodeLength)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", fmt.Errorf("leaflet code: %w", err)
	}
	for i := range b {
		b[i] = leafletCodeAlphabet[int(b[i])%len(leafletCodeAlphabet)]
	}
	return string(b), nil
}

const sqlInsertLeaflet = `
INSERT INTO leaflets (code, campaign, area, language, created_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (code) DO NOTHING
RETURNING id, code, campaign, area, language, created_at`

// Create records a new leaflet campaign with a fresh random code.
// area is a postcode district (normalised, "ky1" → "KY1") or any place
// name; it may be empty. language is the shipped language its link opens
// the form in, checked by the caller ("" for the reader's browser's).
func Create(ctx context.Context, db core.DB, now time.Time, rnd io.Reader, campaign, area, language string) (Leaflet, error) {
	campaign = strings.TrimSpace(campaign)
	area = strings.TrimSpace(area)
	var fields []core.FieldError
	switch {
	case campaign == "":
		fields = append(fields, core.FieldError{Field: "name", Message: "give the leaflet a name, like \"GP surgeries spring 2026\""})
	case utf8.RuneCountInString(campaign) > 200 || hasControl(campaign):
		fields = append(fields, core.FieldError{Field: "name", Message: "the name must be at most 200 characters, on one line"})
	}
	if d, err := core.ParseDistrict(area); err == nil {
		area = d
	} else if utf8.RuneCountInString(area) > 100 || hasControl(area) {
		fields = append(fields, core.FieldError{Field: "area", Message: "the area must be a postcode district like KY1 or a place name of at most 100 characters"})
	}
	if len(fields) > 0 {
		return Leaflet{}, &core.ValidationError{Fields: fields}
	}
	for attempt := 0; attempt < 5; attempt++ {
		code, err := NewCode(rnd)
		if err != nil {
			return Leaflet{}, err
		}
		rows, _ := db.Query(ctx, sqlInsertLeaflet, code, campaign, area, language, now)
		l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Leaflet])
		if errors.Is(err, pgx.ErrNoRows) {
			continue // the code is taken: draw another
		}
		if err != nil {
			return Leaflet{}, fmt.Errorf("create leaflet: %w", err)
		}
		return l, nil
	}
	return Leaflet{}, errors.New("create leaflet: could not find a free code in 5 attempts")
}

const sqlSelectLeaflet = `SELECT id, code, campaign, area, language, created_at FROM leaflets WHERE code = $1`

// ByCode finds a leaflet by its code in any case; core.ErrNotFound
// when there is none.
func ByCode(ctx context.Context, db core.DB, code string) (Leaflet, error) {
	c, ok := ParseCode(code)
	if !ok {
		return Leaflet{}, fmt.Errorf("leaflet: %w", core.ErrNotFound)
	}
	rows, _ := db.Query(ctx, sqlSelectLeaflet, c)
	l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Leaflet])
	if errors.Is(err, pgx.ErrNoRows) {
		return Leaflet{}, fmt.Errorf("leaflet %s: %w", c, core.ErrNotFound)
	}
	if err != nil {
		return Leaflet{}, fmt.Errorf("leaflet %s: %w", c, err)
	}
	return l, nil
}

const sqlListLeaflets = `SELECT id, code, campaign, area, language, created_at FROM leaflets ORDER BY created_at DESC, id DESC LIMIT $1`

// List returns the newest leaflets first, at most limit.
func List(ctx context.Context, db core.DB, limit int) ([]Leaflet, error) {
	rows, _ := db.Query(ctx, sqlListLeaflets, limit)
	ls, err := pgx.CollectRows(rows, pgx.RowToStructByName[Leaflet])
	if err != nil {
		return nil, fmt.Errorf("list leaflets: %w", err)
	}
	return ls, nil
}

// URL is the short link printed on a leaflet.
func URL(publicURL, code string) string {
	return strings.TrimRight(publicURL, "/") + "/r/" + code
}

// Link is the leaflet's link as its QR code carries it: URL, with ?lang=
// when the leaflet opens the form in a language of its own.
func (l Leaflet) Link(publicURL string) string {
	link := URL(publicURL, l.Code)
	if l.Language != "" {
		link += "?lang=" + url.QueryEscape(l.Language)
	}
	return link
}

// hasControl reports whether s holds control characters (tabs and line
// breaks included), which have no place in one-line text.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) })
}
