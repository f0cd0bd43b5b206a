package notify_test

import (
	"context"
	"strings"
	"testing"
)

// TestPhoneCodeInThePagesLanguage: a code asked for on a page in Polish
// is texted in Polish; one asked for in English, in English.
func TestPhoneCodeInThePagesLanguage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	if err := h.env.Engine.SendPhoneCode(ctx, "07700 900555", "session-pl", "pl"); err != nil {
		t.Fatal(err)
	}
	if err := h.env.Engine.SendPhoneCode(ctx, "07700 900556", "session-en", "en"); err != nil {
		t.Fatal(err)
	}
	drain(t, h.worker(t, nil))
	bodies := map[string]string{}
	for _, m := range h.twilio.Accepted() {
		bodies[m.To] = m.Body
	}
	if b := bodies["+447700900555"]; !strings.HasPrefix(b, "Twój kod ") {
		t.Errorf("the code asked for in Polish was texted as %q", b)
	}
	if b := bodies["+447700900556"]; !strings.HasPrefix(b, "Your ") || !strings.Contains(b, " code is ") {
		t.Errorf("the code asked for in English was texted as %q", b)
	}
}
