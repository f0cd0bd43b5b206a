package notify

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/onward-network/onward/core"
)

// urlThenPunctuation finds a web address directly followed by
// punctuation, which mail programs take into the link.
var urlThenPunctuation = regexp.MustCompile(`https?://[^\s<>"]*[.,:;!?)](\s|$)`)

// TestURLsApartFromPunctuation: a web address in a plain-text email is
// never directly followed by punctuation.
func TestURLsApartFromPunctuation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"Open it: https://onward.test/staff/referrals/ONW-123", "Open it: https://onward.test/staff/referrals/ONW-123"},
		{"See https://onward.test/staff/referrals/ONW-123:\n", "See https://onward.test/staff/referrals/ONW-123 :\n"},
		{"Ask at https://onward.test/staff/login.", "Ask at https://onward.test/staff/login ."},
		{"at https://onward.test/staff/?a=1, or", "at https://onward.test/staff/?a=1 , or"},
		{"(https://onward.test/staff/).", "(https://onward.test/staff/ )."},
	} {
		if got := urlsApart(c.in); got != c.want {
			t.Errorf("urlsApart(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestEveryTextEmailKeepsURLsApart renders the plain-text part of every
// kind of email, once with every yes-or-no of its data off and once with
// every one on, and fails if a web address in it is directly followed by
// punctuation.
func TestEveryTextEmailKeepsURLsApart(t *testing.T) {
	t.Parallel()
	tpl, err := parseEmailTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for _, on := range []bool{false, true} {
		d := emailData{Network: "Kirkton Advice Network", Name: "Ailsa", Agency: "Kirkton Citizens Advice", Reference: "ONW-123",
			Link: "https://onward.test/staff/referrals/ONW-123", Settings: "https://onward.test/staff/settings/email",
			LoginPage: "https://onward.test/staff/login", SignInLink: "https://onward.test/staff/login?token=t1",
			Unsubscribe: "https://onward.test/staff/settings/email/unsubscribe?t=x", Minutes: 30,
			Alert: "Open https://onward.test/staff/referrals/ONW-123.", Items: []digestItem{{Reference: "ONW-124"}},
			Updates: []digestUpdate{{Reference: "ONW-125", Words: "accepted"}}, Triaging: []digestItem{{Reference: "ONW-126"}},
			ClientSaysNotContacted: &core.NotContacted{}}
		if on {
			v := reflect.ValueOf(&d).Elem()
			for i := 0; i < v.NumField(); i++ {
				if f := v.Field(i); f.Kind() == reflect.Bool {
					f.SetBool(true)
				}
			}
		} else {
			d.ClientSaysNotContacted = nil
		}
		for _, k := range core.EmailKinds {
			_, text, _, err := tpl.render(k, d)
			if err != nil {
				t.Fatalf("%s (yes-or-no all %v): %v", k, on, err)
			}
			for _, m := range urlThenPunctuation.FindAllString(text, -1) {
				t.Errorf("%s (yes-or-no all %v): a web address is followed by punctuation, which mail programs take into the link: %q", k, on, m)
			}
		}
	}
}
