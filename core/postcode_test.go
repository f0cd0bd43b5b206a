package core

import (
	"errors"
	"testing"
)

func TestParsePostcode(t *testing.T) {
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
	for _, s := range []string{"KY1 1AB", "ky11ab", "", "GIR 0AA", "ÄÖ1 1AB"} {
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
