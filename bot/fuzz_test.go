package bot

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/config"
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
		if id <= 0 || ver < 1 {
			t.Fatalf("%q parsed to %d:%d", s, id, ver)
		}
		if back, _, _ := parseButtonValue(buttonValue(id, ver)); back != id {
			t.Fatalf("%q does not round-trip", s)
		}
	})
}

// FuzzVerifySlack: at the moment of Slack's published example, a request
// verifies only if its signature is exactly the one Slack would make
// (lower-case hex, over this timestamp and body, with this secret), its
// timestamp is within five minutes, and no other secret verifies it.
// The signature it compares against comes from the test's own signer,
// pinned to the published example, not from the code under test.
func FuzzVerifySlack(f *testing.F) {
	f.Add(publishedSignature, publishedTimestamp, []byte(publishedBody))
	f.Add("v0="+strings.ToUpper(strings.TrimPrefix(publishedSignature, "v0=")), publishedTimestamp, []byte(publishedBody))
	f.Add(publishedSignature, "+"+publishedTimestamp, []byte(publishedBody))
	f.Add(publishedSignature, publishedTimestamp, []byte(publishedBody+"&x=1"))
	f.Add("v0=00", "1", []byte{})
	f.Add("", "", []byte("x"))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		at(t, publishedTime, func(t *testing.T) {
			if err := verifySlack(slackHeader(sig, ts), body, publishedSecret); err != nil {
				return
			}
			if sig != slackSign(publishedSecret, ts, body) {
				t.Fatalf("accepted a signature Slack did not make: %q %q", sig, ts)
			}
			n, err := strconv.ParseInt(ts, 10, 64)
			if d := publishedTime.Sub(time.Unix(n, 0)).Abs(); err != nil || d > 5*time.Minute {
				t.Fatalf("accepted a timestamp outside the window: %q", ts)
			}
			if verifySlack(slackHeader(sig, ts), body, publishedSecret+"x") == nil {
				t.Fatalf("another secret verified the same request")
			}
		})
	})
}

// FuzzLoginToken: a login token verifies only when it is exactly the one
// issued, never as a session, and never under another secret; nothing
// panics.
func FuzzLoginToken(f *testing.F) {
	clock := fixedClock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	a := newStaffAuth(testConfigForAuth(), clock, rand.NewChaCha8([32]byte{1}))
	other := newStaffAuth(config.Config{SessionSecret: "another secret"}, clock, rand.NewChaCha8([32]byte{2}))
	tok, _, err := a.sign(purposeLogin, 7, loginLinkTTL)
	if err != nil {
		f.Fatal(err)
	}
	sess, _, err := a.sign(purposeSession, 7, sessionTTL)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	f.Add(sess)
	f.Add(tok[:len(tok)-1] + "A")
	f.Add(tok[:len(tok)-2] + "\n" + tok[len(tok)-2:])
	f.Add("")
	f.Add("a.b")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := a.verify(purposeLogin, s)
		if err == nil && (s != tok || c.Staff != 7) {
			t.Fatalf("accepted a login token nobody signed: %q", s)
		}
		if _, err := a.verify(purposeSession, s); err == nil && s != sess {
			t.Fatalf("accepted a session token nobody signed: %q", s)
		}
		if _, err := other.verify(purposeLogin, s); err == nil {
			t.Fatalf("a token verified under another secret: %q", s)
		}
	})
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }
