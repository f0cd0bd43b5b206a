package web

import "testing"

// A refused phone is told apart only to pick the words: another
// country's mobile, or a helpline's number (a short one or an 0800),
// against anything else.
func TestPhoneRefusal(t *testing.T) {
	for _, c := range []struct{ typed, want string }{
		{"+48 600 700 800", "abroad"},
		{"+2348031234567", "abroad"},
		{"0048 600 700 800", "abroad"},
		{"116123", "helpline"},
		{"116 123", "helpline"},
		{"999", "helpline"},
		{"0800 027 1234", "helpline"},
		{"0808 801 0302", "helpline"},
		{"0345 600 0000", "helpline"},
		{"12345", ""},
		{"12", ""},
		{"07700 90012", ""},
		{"+48 600", ""},
		{"call me", ""},
		{"", ""},
	} {
		if got := phoneRefusal(c.typed); got != c.want {
			t.Errorf("phoneRefusal(%q) = %q, want %q", c.typed, got, c.want)
		}
	}
}
