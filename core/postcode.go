package core

import (
	"errors"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Postcode is a UK postcode in its standard form ("KY1 1AB"). The full
// postcode is personal data and is stored encrypted; its District ("KY1") is
// kept in clear for matching and reports.
type Postcode string

// ErrPostcode is returned for text that is not a UK postcode.
var ErrPostcode = errors.New("enter a full UK postcode, like KY1 1AB")

// ErrDistrict is returned for text that is not a UK postcode district.
var ErrDistrict = errors.New("enter the first part of a UK postcode, like KY1")

var (
	outwardRe = regexp.MustCompile(`^([A-Z]{1,2})[0-9][0-9A-Z]?$`)
	inwardRe  = regexp.MustCompile(`^[0-9][A-Z]{2}$`)
)

// postcodeAreas are the letters a postcode can begin with: Royal Mail's 121
// geographic postcode areas of the UK and the Crown dependencies' GY, JE
// and IM, which use the same system. The shape alone lets through
// "XX99 9ZZ", which would reach coordinators as a district no agency
// serves. Left out on purpose: BX (non-geographic, for bulk mail) and BF
// (BFPO, forces mail), which say nothing about where a client lives, and
// Girobank's GIR 0AA, whose shape is refused anyway. Areas are almost
// never added; when Royal Mail adds one, add it here.
var postcodeAreas = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range strings.Fields(`AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW
		DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV
		KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR
		RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD
		WF WN WR WS WV YO ZE
		GY JE IM`) {
		m[a] = true
	}
	return m
}()

// postcodeAreaError is a postcode or district shaped right whose letters
// are no postcode area ("QQ1 1AA"). It is ErrPostcode or ErrDistrict to
// errors.Is, so every channel answers it as it answers any bad postcode
// (by text, "that doesn't look like a postcode"); its own words, which the
// staff's forms show, say what is wrong without repeating what was typed.
type postcodeAreaError struct{ kind error }

func (e postcodeAreaError) Error() string {
	if e.kind == ErrDistrict {
		return "no UK postcode starts with those letters; " + ErrDistrict.Error()
	}
	return "no UK postcode starts with those letters; " + ErrPostcode.Error()
}

func (e postcodeAreaError) Unwrap() error { return e.kind }

// outwardCode checks an upper-case outward code ("KY1", "EH12", "W1A"):
// its shape, and that its letters are a postcode area. kind is the error
// to report.
func outwardCode(s string, kind error) error {
	m := outwardRe.FindStringSubmatch(s)
	switch {
	case m == nil:
		return kind
	case !postcodeAreas[m[1]]:
		return postcodeAreaError{kind: kind}
	}
	return nil
}

// ASCIIForm is r as ASCII when it is a decimal digit of any script or a
// full-width ASCII character ("٤" Arabic-Indic, "۴" Urdu's, "४", "４" and
// "Ｋ" are "4", "4", "4", "4" and "K"), and r itself otherwise. It is the one
// reading of the digits clients' keyboards send: postcodes here, and every
// answer to a conversation (intake/flow's answerTokens), so a postcode is
// read from the same keys as a numbered answer.
func ASCIIForm(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		return r
	case r >= '！' && r <= '～': // U+FF01–U+FF5E, full-width ASCII
		return r - '！' + '!'
	case !unicode.Is(unicode.Nd, r):
		return r
	}
	// Unicode assigns decimal digits only in runs of ten, 0 to 9 in order,
	// and the table's ranges are whole runs (a test checks), so a digit's
	// place in its range is its value.
	for _, rg := range unicode.Nd.R16 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); r >= lo && r <= hi {
			return '0' + (r-lo)%10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); r >= lo && r <= hi {
			return '0' + (r-lo)%10
		}
	}
	return r
}

// Digits is the decimal digits of s, of any script, as ASCII (ASCIIForm),
// and nothing else: a one-time code or a number typed on any keyboard,
// with the spaces, dashes and direction marks around it dropped ("٩٦٠ ٦٦١"
// is "960661").
func Digits(s string) string {
	return strings.Map(func(r rune) rune {
		if a := ASCIIForm(r); a >= '0' && a <= '9' {
			return a
		}
		return -1
	}, s)
}

// postcodeRunes is s upper-cased in ASCII where it can be (ASCIIForm), with
// invisible formatting marks dropped: an Arabic or Urdu keyboard puts
// direction marks (U+200E, U+200F, U+061C) around the Latin letters of
// "KY١ ٢AB".
func postcodeRunes(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return unicode.ToUpper(ASCIIForm(r))
	}, s)
}

// ParsePostcode accepts a postcode in any case and spacing ("ky11ab",
// " KY1 1AB "), with digits from any keyboard ("KY١ ٢AB"), and returns it in
// standard form. It must begin with a real postcode area (see
// postcodeAreas), anywhere in the UK: a postcode outside the network's
// area is still the client's.
func ParsePostcode(s string) (Postcode, error) {
	compact := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, postcodeRunes(s))
	if len(compact) < 5 || len(compact) > 7 {
		return "", ErrPostcode
	}
	out, in := compact[:len(compact)-3], compact[len(compact)-3:]
	if !inwardRe.MatchString(in) {
		return "", ErrPostcode
	}
	if err := outwardCode(out, ErrPostcode); err != nil {
		return "", err
	}
	return Postcode(out + " " + in), nil
}

// District is the outward code of the postcode ("KY1" of "KY1 1AB").
func (p Postcode) District() string {
	out, _, _ := strings.Cut(string(p), " ")
	return out
}

// ParseDistrict accepts a postcode district ("ky1", "KY١") or a full
// postcode and returns the district in standard form; like ParsePostcode,
// it must begin with a real postcode area.
func ParseDistrict(s string) (string, error) {
	if p, err := ParsePostcode(s); err == nil {
		return p.District(), nil
	}
	d := strings.TrimSpace(postcodeRunes(s))
	if err := outwardCode(d, ErrDistrict); err != nil {
		return "", err
	}
	return d, nil
}
