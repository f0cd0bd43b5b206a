package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/onward-network/onward/core"
)

// Names with markup, quotes and control characters are kept as the client
// typed them (less the control characters, and the surrounding punctuation
// the flow's name parser drops by any channel) and always shown escaped.
func TestWebHostileNamesStoredSafelyShownEscaped(t *testing.T) {
	t.Parallel()
	cases := []struct{ typed, stored string }{
		{`<script>alert("hi")</script> O'Brien & Co`, `<script>alert("hi")</script> O'Brien & Co`},
		{"Morag\tBaird\x00\x1b[31m\r\nDROP", "Morag Baird [31m DROP"},
		{"\u202eMorag\u202c Baird\ufeff", "Morag Baird"},
		{"Mor\xffag", "Mor\uFFFDag"},
		// Surrounding quotes go, as from a text: one parser reads names.
		{`"><img src=x onerror=alert(1)>`, `><img src=x onerror=alert(1)>`},
	}
	for _, c := range cases {
		t.Run(c.stored, func(t *testing.T) {
			e := newWebEnv(t)
			b := e.browser()
			a := goodAnswers()
			a[pathName] = url.Values{"name": {c.typed}}
			check := b.fill(a, pathStart)
			if strings.Contains(check.Body, "<script>alert") || strings.Contains(check.Body, "<img src=x") {
				t.Fatalf("markup from the name reached the page unescaped:\n%s", check.Body)
			}
			if name := b.get(pathName); strings.Contains(name.Body, `value=""><img`) || strings.Contains(name.Body, "<script>alert") {
				t.Fatalf("markup escaped the name input:\n%s", name.Body)
			}
			b.send()
			rs := e.referrals()
			if len(rs) != 1 {
				t.Fatalf("%d referrals", len(rs))
			}
			client, err := e.env.Engine.ClientDetailsFor(context.Background(), rs[0].ClientID)
			if err != nil {
				t.Fatal(err)
			}
			if client.Name != c.stored {
				t.Errorf("stored name %q, want %q", client.Name, c.stored)
			}
			if strings.ContainsFunc(client.Name, unicode.IsControl) {
				t.Errorf("stored name has control characters: %q", client.Name)
			}
		})
	}
}

// 10,000 characters in every text input: each question says what is too
// long, shows the text back escaped, and nothing is written.
func TestWebTenThousandCharacters(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	long := strings.Repeat("<b>x</b>&", 1112)[:10000]
	for _, c := range []struct{ path, field string }{
		{pathPostcode, "postcode"}, {pathTown, "town"}, {pathName, "name"}, {pathContact, "phone"}, {pathContact, "email"},
	} {
		p := b.answer(c.path, url.Values{c.field: {long}})
		if p.Status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", c.field, p.Status)
		}
		if strings.Contains(p.Body, "<b>x</b>") {
			t.Errorf("%s: the long answer came back unescaped", c.field)
		}
	}
	s := e.sessionOf(b)
	if s.Answers.Postcode != "" || s.Answers.Town != "" || s.Answers.Name != "" || s.Answers.Phone != "" || s.Answers.Email != "" {
		t.Errorf("a too-long answer was saved: %+v", s)
	}
	e.assertNothingWritten()
}

func TestCleanLine(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"  Morag   Baird ":      "Morag Baird",
		"a\tb\nc\r\nd":          "a b c d",
		"x\x00y\x7fz\u0085w":    "x y z w",
		"\u2066abc\u2069":       "abc",
		"Zoë Ó Briain-Łukasz 😀": "Zoë Ó Briain-Łukasz 😀",
		"bad\xc3":               "bad\uFFFD",
	} {
		if got := core.CleanLine(in); got != want {
			t.Errorf("core.CleanLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzCleanLine(f *testing.F) {
	for _, s := range []string{"Morag Baird", "a\x00b", "\u202eabc", "\xff\xfe", "<script>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := core.CleanLine(s)
		if strings.ContainsFunc(out, unicode.IsControl) {
			t.Errorf("core.CleanLine(%q) = %q keeps control characters", s, out)
		}
		if out != strings.TrimSpace(out) || strings.Contains(out, "  ") {
			t.Errorf("core.CleanLine(%q) = %q is not trimmed and collapsed", s, out)
		}
		if core.CleanLine(out) != out {
			t.Errorf("cleanLine is not idempotent on %q", s)
		}
	})
}
