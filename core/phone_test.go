package core

import (
	"errors"
	"testing"
)

// TestPhonesOnlyMobileOrGeographicInAllowedCountries reproduces finding 6:
// the web form took "12345", a number a digit short, 116123 and a
// Nigerian mobile as phones, and texted them.
func TestPhonesOnlyMobileOrGeographicInAllowedCountries(t *testing.T) {
	// Not in parallel: it changes the phone countries, which
	// the package's other tests read.
	refused := []string{
		"12345",           // too short
		"07700 90012",     // a digit short
		"116123",          // a helpline short code
		"+2348031234567",  // a valid Nigerian mobile: not an allowed country
		"+1 202 555 0100", // nor the US
		"+353 85 123 4567",
		"0800 123 4567",  // freephone
		"0300 123 4567",  // non-geographic
		"0909 879 0000",  // premium rate
		"07624 123456",   // the Isle of Man is not GB
		"07911 123456",   // nor is Guernsey
		"+44 7911 12345", // a digit short in international form
	}
	for _, in := range refused {
		if p, err := ParsePhone(in); !errors.Is(err, ErrPhone) {
			t.Errorf("ParsePhone(%q) = %q, %v; want refused", in, p, err)
		}
	}
	for in, want := range map[string]Phone{
		"07400 123456":    "+447400123456", // mobile
		"020 7946 0000":   "+442079460000", // London landline
		"01592 583000":    "+441592583000", // Kirkcaldy landline
		"+44 7700 900123": "+447700900123", // drama mobile range
		"0044 7400123456": "+447400123456",
		"(0131) 496-0000": "+441314960000",
	} {
		if got, err := ParsePhone(in); err != nil || got != want {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if Textable("+2348031234567") || !Textable("+447400123456") || !Textable("+447700900123") {
		t.Error("Textable lets a text go abroad, or refuses a UK mobile")
	}

	// A network that also serves Ireland says so; the first country is
	// still the one assumed for numbers without a country code.
	if err := SetPhoneCountries([]string{"gb", "IE"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = SetPhoneCountries([]string{"GB"}) })
	if p, err := ParsePhone("+353 85 123 4567"); err != nil || p != "+353851234567" || !Textable(p) {
		t.Errorf("an Irish mobile with IE allowed = %q, %v", p, err)
	}
	if p, err := ParsePhone("07400 123456"); err != nil || p != "+447400123456" {
		t.Errorf("a UK mobile with GB first = %q, %v", p, err)
	}
	if _, err := ParsePhone("+2348031234567"); err == nil {
		t.Error("a Nigerian mobile accepted with GB and IE allowed")
	}
	for _, bad := range [][]string{{"XX"}, {}, {" "}} {
		if err := SetPhoneCountries(bad); err == nil {
			t.Errorf("SetPhoneCountries(%q) accepted", bad)
		}
	}
}

// A landline can get no text: it is told apart from a mobile (and from a
// number that may be either), Ofcom's drama ranges included.
func TestLandline(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{
		"01592 583000":  true,  // Kirkcaldy
		"020 7946 0000": true,  // London
		"01632 960123":  true,  // drama landline range
		"07700 900123":  false, // drama mobile range
		"+447400123456": false, // mobile
	} {
		p, err := ParsePhone(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if got := Landline(p); got != want {
			t.Errorf("Landline(%s) = %v, want %v", raw, got, want)
		}
	}
	if Landline("+447") || Landline("") {
		t.Error("a number that does not parse is called a landline")
	}
}

// A refused phone is told apart only to pick the words: a number of a
// country the network does not serve, or a helpline's number (a short
// one or an 0800), against anything else. The allowed countries decide
// "abroad": with Poland allowed a Polish mobile is taken, and a US one is
// still abroad.
func TestPhoneRefusal(t *testing.T) {
	// Not in parallel: it changes the phone countries, which
	// the package's other tests read.
	for _, c := range []struct{ typed, want string }{
		{"+48 600 700 800", "abroad"},
		{"+2348031234567", "abroad"},
		{"0048 600 700 800", "abroad"},
		{"+1 202 456 1111", "abroad"},
		{"07624 123456", "abroad"}, // the Isle of Man is not GB
		{"116123", "helpline"},
		{"116 123", "helpline"},
		{"999", "helpline"},
		{"0800 027 1234", "helpline"},
		{"0808 801 0302", "helpline"},
		{"0345 600 0000", "helpline"},
		{"0909 879 0000", "helpline"},
		{"07400 123456", ""}, // taken, so not refused
		{"0800 FLOWERS", ""}, // letters are why
		{"12345", ""},
		{"12", ""},
		{"07700 90012", ""},
		{"+48 600", ""},
		{"call me", ""},
		{"", ""},
	} {
		if got := PhoneRefusal(c.typed); got != c.want {
			t.Errorf("PhoneRefusal(%q) = %q, want %q", c.typed, got, c.want)
		}
	}

	if err := SetPhoneCountries([]string{"GB", "PL"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = SetPhoneCountries([]string{"GB"}) })
	for _, c := range []struct{ typed, want string }{
		{"+48 600 700 800", ""}, // taken
		{"+1 202 456 1111", "abroad"},
		{"+2348031234567", "abroad"},
		{"116123", "helpline"},
		{"0800 027 1234", "helpline"},
		{"+48 800 123 456", "helpline"}, // Polish freephone
	} {
		if got := PhoneRefusal(c.typed); got != c.want {
			t.Errorf("with GB and PL allowed, PhoneRefusal(%q) = %q, want %q", c.typed, got, c.want)
		}
	}
}
