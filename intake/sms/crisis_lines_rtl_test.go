package sms

import (
	"strings"
	"testing"
)

// A client's review: in an Arabic text Samaritans' number showed as
// "123 116" and the domestic abuse helpline's groups in reverse order,
// as a phone lays out digit groups in right-to-left text. The crisis
// reply keeps each number left to right (Unicode's isolates), and an
// English reply gains no character.
func TestCrisisNumbersInArabicTextsKeepTheirOrder(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	got := strings.Join(h.text("+447700900531", "لا أريد أن أعيش"), "\n")
	if !strings.Contains(got, "\u2066116 123\u2069") {
		t.Errorf("the Arabic crisis reply %q does not keep 116 123 left to right", got)
	}
	english := strings.Join(h.text("+447700900532", "I want to kill myself"), "\n")
	if !strings.Contains(english, "116 123") || strings.ContainsAny(english, "\u2066\u2069") {
		t.Errorf("the English crisis reply %q: want 116 123 with no isolates", english)
	}
}
