package sms

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// A network's texts speak of its own area and its own crisis lines: a
// client who writes about ending their life is given the network's crisis
// lines (here Breathing Space) beside Samaritans and 999, and the postcode
// and town questions give the network's first district and its town as
// the example, not the demo's Fife.
func TestTextsGiveTheNetworksOwnLinesAndArea(t *testing.T) {
	t.Parallel()
	h := newSMSHarness(t)
	lines := coretest.SetLocalNetwork(t, h.env.Engine)
	phone := "+447700900555"
	got := h.text(phone, "I want to kill myself")
	if len(got) == 0 || !strings.Contains(got[0], lines+".") || !strings.Contains(got[0], "116 123") || !strings.Contains(got[0], "999") {
		t.Fatalf("the crisis reply is %q; want the network's lines with 116 123 and 999", got)
	}
	for _, c := range []struct{ body, want string }{
		{"1", "What do you need help with?"}, // English, from the language menu
		{"1", "For example AB10 1AB."},
		{"xyzzy", "Please send it like this: AB10 1AB."},
		{"don't know", "For example Aberdeen."},
	} {
		got := strings.Join(h.text(phone, c.body), "\n")
		if !strings.Contains(got, c.want) || strings.Contains(got, "KY1 1AB") || strings.Contains(got, "Kirkcaldy") {
			t.Errorf("%q answered %q; want %q", c.body, got, c.want)
		}
	}
}
