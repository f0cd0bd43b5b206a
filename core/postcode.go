package core

import (
	"errors"
	"regexp"
	"strings"
	"unicode"
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
	outwardRe = regexp.MustCompile(`^[A-Z]{1,2}[0-9][0-9A-Z]?$`)
	inwardRe  = regexp.MustCompile(`^[0-9][A-Z]{2}$`)
)

// ParsePostcode accepts a postcode in any case and spacing ("ky11ab",
// " KY1 1AB ") and returns it in standard form.
func ParsePostcode(s string) (Postcode, error) {
	compact := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
	if len(compact) < 5 || len(compact) > 7 {
		return "", ErrPostcode
	}
	out, in := compact[:len(compact)-3], compact[len(compact)-3:]
	if !outwardRe.MatchString(out) || !inwardRe.MatchString(in) {
		return "", ErrPostcode
	}
	return Postcode(out + " " + in), nil
}

// District is the outward code of the postcode ("KY1" of "KY1 1AB").
func (p Postcode) District() string {
	out, _, _ := strings.Cut(string(p), " ")
	return out
}

// ParseDistrict accepts a postcode district ("ky1") or a full postcode and
// returns the district in standard form.
func ParseDistrict(s string) (string, error) {
	if p, err := ParsePostcode(s); err == nil {
		return p.District(), nil
	}
	d := strings.ToUpper(strings.TrimSpace(s))
	if !outwardRe.MatchString(d) {
		return "", ErrDistrict
	}
	return d, nil
}
