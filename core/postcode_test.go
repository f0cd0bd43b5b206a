package core

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParsePostcode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want, district string
		err                error
	}{
		{"KY1 1AB", "KY1 1AB", "KY1", nil},
		{"ky11ab", "KY1 1AB", "KY1", nil},
		{"  ky1   1ab ", "KY1 1AB", "KY1", nil},
		{"EH12 9XY", "EH12 9XY", "EH12", nil},
		{"W1A 0AX", "W1A 0AX", "W1A", nil},
		{"KY1", "", "", ErrPostcode},
		{"", "", "", ErrPostcode},
		{"12345", "", "", ErrPostcode},
		{"KY1 1ABC", "", "", ErrPostcode},
		{"<script>", "", "", ErrPostcode},
	}
	for _, c := range cases {
		got, err := ParsePostcode(c.in)
		if !errors.Is(err, c.err) {
			t.Errorf("ParsePostcode(%q) error = %v, want %v", c.in, err, c.err)
			continue
		}
		if string(got) != c.want || (err == nil && got.District() != c.district) {
			t.Errorf("ParsePostcode(%q) = %q (district %q), want %q (%q)", c.in, got, got.District(), c.want, c.district)
		}
	}
}

func TestParseDistrict(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"ky1": "KY1", "KY12 3AB": "KY12", " eh4 ": "EH4"} {
		if got, err := ParseDistrict(in); err != nil || got != want {
			t.Errorf("ParseDistrict(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1KY", "KYKY1", "hello"} {
		if _, err := ParseDistrict(in); !errors.Is(err, ErrDistrict) {
			t.Errorf("ParseDistrict(%q) error = %v, want ErrDistrict", in, err)
		}
	}
}

func TestParsePhone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Phone{
		"07700 900123":     "+447700900123",
		"+447700900123":    "+447700900123",
		"07700-900-123":    "+447700900123",
		"0044 7700 900123": "+447700900123",
		"01592 000000":     "+441592000000",
		"(0131) 496-0000":  "+441314960000",
		"01632 960000":     "+441632960000", // Ofcom drama range
	} {
		if got, err := ParsePhone(in); err != nil || got != want {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12", "hello", "0770090012345678901234567890123456",
		// Fuzzing found this reading as +440000000000, which read back as
		// +44000000000: letters are refused, and so is a number no country
		// has allocated.
		"0000A000A0 000", "+440000000000",
		"0800 FLOWERS", "07700 900123 ext. 4", "07700+900123", "0123456789"} {
		if _, err := ParsePhone(in); !errors.Is(err, ErrPhone) {
			t.Errorf("ParsePhone(%q) error = %v, want ErrPhone", in, err)
		}
	}
}

func FuzzParsePostcode(f *testing.F) {
	for _, s := range []string{"KY1 1AB", "ky11ab", "", "GIR 0AA", "ÄÖ1 1AB", "XX99 9ZZ", "je2 3ab"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePostcode(s)
		if err != nil {
			return
		}
		again, err := ParsePostcode(string(p))
		if err != nil || again != p {
			t.Fatalf("standard form %q of %q does not parse to itself: %q, %v", p, s, again, err)
		}
		if d, err := ParseDistrict(p.District()); err != nil || d != p.District() {
			t.Fatalf("district %q of %q is not a district: %q, %v", p.District(), s, d, err)
		}
	})
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"07700 900123", "+447700900123", "", "+1 202 555 0100", "0000A000A0 000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhone(s)
		if err != nil {
			return
		}
		again, err := ParsePhone(string(p))
		if err != nil || again != p {
			t.Fatalf("E.164 %q of %q does not parse to itself: %q, %v", p, s, again, err)
		}
	})
}

// ukPostcodeAreas are the UK's 121 geographic postcode areas (Royal Mail's
// list, as Wikipedia's "List of postcode areas in the United Kingdom" and
// Geo::UK::Postcode::Regex give it), written out here rather than read from
// postcode.go so a slip in either shows.
var ukPostcodeAreas = strings.Fields(`AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW
	DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV
	KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR
	RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD
	WF WN WR WS WV YO ZE`)

// TestPostcodeAreas: a postcode or district is taken only when its letters
// are a real postcode area — the UK's 121 and the Crown dependencies'
// (Guernsey GY, Jersey JE, Isle of Man IM) — wherever it is: a postcode
// outside the network's area is still a place (a national helpline's
// caller may be anywhere). Letters that are no area ("XX99 9ZZ", "QQ1 1AA"),
// the non-geographic BX and BFPO's BF (neither says where anyone lives),
// Girobank's GIR 0AA and overseas territories' codes are refused with the
// errors the channels already read as a bad postcode.
func TestPostcodeAreas(t *testing.T) {
	t.Parallel()
	if len(ukPostcodeAreas) != 121 {
		t.Fatalf("the test lists %d areas, want 121", len(ukPostcodeAreas))
	}
	for _, area := range append(slices.Clone(ukPostcodeAreas), "GY", "JE", "IM") {
		pc := area + "1 1AA"
		if got, err := ParsePostcode(pc); err != nil || string(got) != pc {
			t.Errorf("ParsePostcode(%q) = %q, %v; want it taken", pc, got, err)
		}
		if got, err := ParseDistrict(strings.ToLower(area) + "1"); err != nil || got != area+"1" {
			t.Errorf("ParseDistrict(%q) = %q, %v; want %q", area+"1", got, err, area+"1")
		}
	}
	for _, in := range []string{"EH1 1AA", "G1 1AA", "W1A 0AX", "EC1A 1BB", "SW1A 2AA", "BT1 1AA", "ZE1 0AA", "HS1 2AA",
		"KY1 1AB", "KY16 9AJ", "DD1 4HN", "PH1 5PH", "JE2 3AB", "IM1 1AA"} {
		if _, err := ParsePostcode(in); err != nil {
			t.Errorf("ParsePostcode(%q) = %v; a real postcode must be taken", in, err)
		}
	}
	for _, in := range []string{"XX99 9ZZ", "QQ1 1AA", "xx999zz", "ZZ1 1ZZ", "AA1 1AA", "KI1 1AA", "Q1 1AA",
		"BX1 1LT", "BF1 3AA", "GX11 1AA", "GIR 0AA", "ASCN 1ZZ", "SAN TA1"} {
		got, err := ParsePostcode(in)
		if !errors.Is(err, ErrPostcode) {
			t.Errorf("ParsePostcode(%q) = %q, %v; want ErrPostcode", in, got, err)
		}
		if got, err := ParseDistrict(in); !errors.Is(err, ErrDistrict) {
			t.Errorf("ParseDistrict(%q) = %q, %v; want ErrDistrict", in, got, err)
		}
	}
	for _, in := range []string{"XX99", "qq1", "ZZ9", "BX1", "BF1", "GX11", "V1", "X1"} {
		if got, err := ParseDistrict(in); !errors.Is(err, ErrDistrict) {
			t.Errorf("ParseDistrict(%q) = %q, %v; want ErrDistrict", in, got, err)
		}
	}
}
