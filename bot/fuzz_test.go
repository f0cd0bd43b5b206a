package bot

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func FuzzParseButtonValue(f *testing.F) {
	for _, s := range []string{"1:1", "42:7", "", ":", "1:", "-1:2", "9223372036854775807:1", "1:2:3", "x:y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ver, err := parseButtonValue(s)
		if err != nil {
			return
		}
		if id <= 0 || ver < 0 {
			t.Fatalf("%q parsed to %d:%d", s, id, ver)
		}
		if back, _, _ := parseButtonValue(buttonValue(id, ver)); back != id {
			t.Fatalf("%q does not round-trip", s)
		}
	})
}

func FuzzVerifySlack(f *testing.F) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	body := []byte("payload=%7B%7D")
	f.Add(SlackSignature("secret", now.Unix(), body), strconv.FormatInt(now.Unix(), 10), body)
	f.Add("v0=00", "1", []byte{})
	f.Add("", "", []byte("x"))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		h := http.Header{}
		h.Set(headerSignature, sig)
		h.Set(headerTimestamp, ts)
		err := verifySlack(h, body, "secret", now)
		if err != nil {
			return
		}
		// Whatever passes must be exactly what Slack would have sent.
		n, perr := strconv.ParseInt(ts, 10, 64)
		if perr != nil || sig != SlackSignature("secret", n, body) {
			t.Fatalf("accepted a signature Slack did not make: %q %q", sig, ts)
		}
		if d := now.Sub(time.Unix(n, 0)); d > signatureWindow || d < -signatureWindow {
			t.Fatalf("accepted a timestamp outside the window: %s", ts)
		}
	})
}

func FuzzLoginToken(f *testing.F) {
	a := newStaffAuth(testConfigForAuth(), fixedClock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)})
	tok, _, _ := a.sign(purposeLogin, 7, loginLinkTTL)
	f.Add(tok)
	f.Add("")
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := a.verify(purposeLogin, s)
		if err == nil && (s != tok || c.Staff != 7) {
			t.Fatalf("accepted a token nobody signed: %q", s)
		}
	})
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }
