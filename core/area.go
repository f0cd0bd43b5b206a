package core

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// SIMDDataZones is how many data zones the Scottish Index of Multiple
// Deprivation 2020 ranks: the 2011 data zones, 1 the most deprived, 6976
// the least.
const SIMDDataZones = 6976

// SIMDDecile is the decile of a SIMD rank, 1 (the most deprived tenth of
// Scotland's data zones) to 10, or 0 for a rank outside 1–6976.
//
// The convention is the Scottish Government's for SIMD 2020: data zones
// ranked 1 to 6976, split by rank into tenths and fifths of the data
// zones (decile 1 is ranks 1–697, quintile 1 ranks 1–1395, "the 20% most
// deprived data zones"), so a quintile is two deciles. These are not the
// population-weighted deciles and quintiles Public Health Scotland
// publishes beside the rank (SIMD2020V2CountryDecile and the like), which
// can differ at the edges: funders' "most deprived 20%" is the Scottish
// Government's.
func SIMDDecile(rank int) int {
	if rank < 1 || rank > SIMDDataZones {
		return 0
	}
	return (rank*10 + SIMDDataZones - 1) / SIMDDataZones
}

// SIMDQuintile is the quintile of a SIMD decile: 1 (the most deprived
// fifth of data zones) to 5, or 0 for no decile.
func SIMDQuintile(decile int) int {
	if decile < 1 || decile > 10 {
		return 0
	}
	return (decile + 1) / 2
}

// gssCode is a GSS code as the Office for National Statistics and
// National Records of Scotland publish them: a letter and eight digits
// (S13002881 a Scottish ward, S01006506 a data zone).
var gssCode = regexp.MustCompile(`^[A-Z][0-9]{8}$`)

// IsGSSCode reports whether s is written as a GSS code.
func IsGSSCode(s string) bool { return gssCode.MatchString(s) }

// pseudoCode is the ONS Postcode Directory's "no code" for a country
// (S99999999, E99999999…): a postcode with no ward or data zone.
func pseudoCode(s string) bool { return len(s) == 9 && strings.HasSuffix(s, "99999999") }

// scottishDataZone reports whether a data zone code is one of Scotland's
// (S01…): only theirs have a SIMD rank in the postcode file's imd column,
// which for England and Wales holds their own indices' ranks.
func scottishDataZone(s string) bool { return strings.HasPrefix(s, "S01") }

// sqlPostcodeArea is the area facts a referral keeps of a full postcode
// (the SQL parameter p): the SIMD decile of its data zone and its ward
// code, both NULL ("not known") when the postcode file has no such
// postcode, or has it without them. Every insert of a referral made from
// a client's details asks it, so they are read in the insert's own round
// trip.
func sqlPostcodeArea(p string) string {
	return `(SELECT simd_decile FROM postcodes WHERE postcode = ` + p + `),
    (SELECT nullif(ward_code, '') FROM postcodes WHERE postcode = ` + p + `)`
}

// PostcodeArea is the area facts a referral keeps of a full postcode
// (sqlPostcodeArea): nil where "not known".
type PostcodeArea struct {
	SIMDDecile *int16
	WardCode   *string
}

// PostcodeAreas reads the area facts a referral made now would keep of
// each of postcodes, as sqlPostcodeArea gives them, for writers of
// referral rows in bulk (the demo's synthetic history). Postcodes are
// written as the postcode file keeps them ("KY1 1AB").
func PostcodeAreas(ctx context.Context, db DB, postcodes []string) (map[string]PostcodeArea, error) {
	rows, err := db.Query(ctx, `SELECT p, `+sqlPostcodeArea("p")+` FROM unnest($1::text[]) p`, postcodes)
	if err != nil {
		return nil, fmt.Errorf("area facts of postcodes: %w", err)
	}
	out := make(map[string]PostcodeArea, len(postcodes))
	var postcode string
	var a PostcodeArea
	if _, err := pgx.ForEachRow(rows, []any{&postcode, &a.SIMDDecile, &a.WardCode}, func() error {
		out[postcode] = a
		return nil
	}); err != nil {
		return nil, fmt.Errorf("area facts of postcodes: %w", err)
	}
	return out, nil
}

// WardImport is what `onward postcodes import --ward-names` read.
type WardImport struct {
	Wards int
}

// ParseWardNames reads the ONS "Ward names and codes" file: a header row
// naming the code column WDyyCD and the name column WDyyNM (yy the year
// of the boundaries), or code and name, then a ward a row. A row whose
// code is not a GSS code, or with no name, is refused naming its line and
// column; a code given twice keeps its last name.
func ParseWardNames(r io.Reader) (map[string]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("ward names file: read the header row: %w", err)
	}
	iCode, iName := -1, -1
	for i, h := range header {
		h = strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case iCode < 0 && (h == "CODE" || (len(h) == 6 && strings.HasPrefix(h, "WD") && strings.HasSuffix(h, "CD"))):
			iCode = i
		case iName < 0 && (h == "NAME" || (len(h) == 6 && strings.HasPrefix(h, "WD") && strings.HasSuffix(h, "NM"))):
			iName = i
		}
	}
	if iCode < 0 || iName < 0 {
		return nil, errors.New("ward names file: the header row needs a ward code column (WD24CD or code) and a name column (WD24NM or name)")
	}
	names := map[string]string{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return names, nil
		}
		if err != nil {
			return nil, fmt.Errorf("ward names file line %d: %w", line, err)
		}
		field := func(i int) string {
			if i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		code, name := strings.ToUpper(field(iCode)), field(iName)
		if !IsGSSCode(code) {
			return nil, fmt.Errorf("ward names file line %d, column %s: %q is not a ward code (a letter and 8 digits, like S13002881)", line, header[iCode], field(iCode))
		}
		if name == "" {
			return nil, fmt.Errorf("ward names file line %d, column %s: ward %s has no name", line, header[iName], code)
		}
		names[code] = name
	}
}

// ImportWardNames reads the ONS "Ward names and codes" file
// (ParseWardNames) and replaces the ward names Onward knows, in one
// transaction; a file that cannot be read writes nothing.
func (e *Engine) ImportWardNames(ctx context.Context, r io.Reader) (WardImport, error) {
	names, err := ParseWardNames(r)
	if err != nil {
		return WardImport{}, err
	}
	codes := make([]string, 0, len(names))
	for c := range names {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	rows := make([][]any, len(codes))
	for i, c := range codes {
		rows[i] = []any{c, names[c]}
	}
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM wards`); err != nil {
			return fmt.Errorf("ward names file: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"wards"}, []string{"code", "name"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("ward names file: %w", err)
		}
		return nil
	})
	if err != nil {
		return WardImport{}, err
	}
	return WardImport{Wards: len(codes)}, nil
}

// AreaFill is what FillReferralAreas did.
type AreaFill struct {
	Looked int // referrals whose details were read
	Filled int // of them, those whose postcode the postcode file has
}

// EventReferralAreasFilled records a run of FillReferralAreas that opened
// referrals' sealed details to read their postcodes: how many it read and
// how many it gave a ward and SIMD decile. It names no referral or client;
// nothing it read was kept but those two facts.
const EventReferralAreasFilled EventKind = "referrals.areas_filled"

// sqlReferralsWithoutArea are the referrals with no area facts yet whose
// client's details can still be opened: not erased, and given with the
// referral (referrals.details_enc). A referral on keeps its parent's
// details, so it is filled the same way.
const sqlReferralsWithoutArea = `
SELECT r.id, r.client_id, r.details_enc FROM referrals r JOIN clients c ON c.id = r.client_id
WHERE r.simd_decile IS NULL AND r.ward_code IS NULL AND r.details_enc IS NOT NULL AND c.erased_at IS NULL
ORDER BY r.client_id, r.id`

var sqlFillReferralArea = `
UPDATE referrals SET (simd_decile, ward_code) = (SELECT ` + sqlPostcodeArea("$2") + `)
WHERE id = $1 AND simd_decile IS NULL AND ward_code IS NULL
  AND EXISTS (SELECT 1 FROM postcodes WHERE postcode = $2 AND (simd_decile IS NOT NULL OR ward_code <> ''))`

// FillReferralAreas gives the referrals made before the postcode file
// had area facts (or before it was imported) the SIMD decile and ward of
// the postcode given with each, as a referral made now gets them. The
// full postcode is kept only sealed with the referral's details, so each
// is opened in this process, looked up, and dropped: it is never written,
// logged or returned. Erased clients' referrals cannot be opened and stay
// "not known", as do those with no postcode or one the file does not
// have; a referral that already has area facts is left as it is. One
// transaction. Reports count the filled referrals after their rollups are
// rebuilt (report.Invalidate: the command does it).
//
// A run that opened any referral's details is audited in the same
// transaction (EventReferralAreasFilled), with the counts alone.
func (e *Engine) FillReferralAreas(ctx context.Context) (AreaFill, error) {
	var res AreaFill
	err := inTx(ctx, e.pool, func(tx pgx.Tx) error {
		type pending struct {
			id      ReferralID
			client  ClientID
			details []byte
		}
		rows, _ := tx.Query(ctx, sqlReferralsWithoutArea)
		var todo []pending
		var p pending
		if _, err := pgx.ForEachRow(rows, []any{&p.id, &p.client, &p.details}, func() error {
			todo = append(todo, p)
			return nil
		}); err != nil {
			return fmt.Errorf("referrals without area facts: %w", err)
		}
		var k clientKey
		b := &pgx.Batch{}
		for i, p := range todo {
			if i == 0 || todo[i-1].client != p.client {
				var err error
				if k, err = e.clientKeyOf(ctx, tx, p.client); err != nil {
					return err
				}
			}
			if k.erased {
				continue
			}
			plain, err := openReferralField(k, "details_enc", "", p.details)
			if err != nil {
				return fmt.Errorf("referral %d details: %w", p.id, err)
			}
			var d referralDetails
			if err := json.Unmarshal([]byte(plain), &d); err != nil {
				return fmt.Errorf("referral %d details: %w", p.id, err)
			}
			res.Looked++
			pc, err := ParsePostcode(d.Postcode)
			if err != nil {
				continue // no postcode given, only a district or a town
			}
			b.Queue(sqlFillReferralArea, p.id, string(pc))
		}
		br := tx.SendBatch(ctx, b)
		for range b.Len() {
			tag, err := br.Exec()
			if err != nil {
				_ = br.Close()
				return fmt.Errorf("fill referrals' area facts: %w", err)
			}
			res.Filled += int(tag.RowsAffected())
		}
		if err := br.Close(); err != nil {
			return fmt.Errorf("fill referrals' area facts: %w", err)
		}
		if res.Looked == 0 {
			return nil
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventReferralAreasFilled, actor: SystemActor,
			data: eventData("looked", res.Looked, "filled", res.Filled)})
	})
	if err != nil {
		return AreaFill{}, err
	}
	return res, nil
}
