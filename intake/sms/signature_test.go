package sms

import (
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"github.com/twilio/twilio-go/client"
)

// TestSignerAgreesWithTwilioGo checks the single-HMAC check against
// twilio-go's RequestValidator on random forms and URLs, with and
// without ports: it accepts the signature of the URL as given, never
// accepts what the validator refuses, and the webhook's check as a whole
// (signer, then validator) answers exactly as the validator does; and a
// form repeating a name is checked as Twilio's published example signs it.
func TestSignerAgreesWithTwilioGo(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123456789abcdef"
	signer, v := newTwilioSigner(token), client.NewRequestValidator(token)
	other := newTwilioSigner("fedcba9876543210fedcba9876543210")
	urls := []struct{ given, withPort, withoutPort string }{
		{"https://onward.example.org/twilio/sms", "https://onward.example.org:443/twilio/sms", "https://onward.example.org/twilio/sms"},
		{"https://onward.example.org:443/twilio/status?x=1", "https://onward.example.org:443/twilio/status?x=1", "https://onward.example.org/twilio/status?x=1"},
		{"http://127.0.0.1:8080/twilio/sms", "http://127.0.0.1:8080/twilio/sms", "http://127.0.0.1/twilio/sms"},
	}
	words := []string{"", "Hi", "KY1 1AB", "dług i czynsz", "a&b=c", "+447700900123", "SM0123", "ÿ", "1 3"}
	rng := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for i := range 300 {
		params := map[string]string{}
		for range rng.IntN(12) {
			params[fmt.Sprintf("K%c%d", 'A'+rune(rng.IntN(26)), rng.IntN(9))] = words[rng.IntN(len(words))]
		}
		u := urls[i%len(urls)]
		for _, c := range []struct {
			name, sig string
			fast      bool // the single HMAC must accept it
		}{
			{"as given", signer.sign(u.given, params), true},
			{"with port", signer.sign(u.withPort, params), u.withPort == u.given},
			{"without port", signer.sign(u.withoutPort, params), u.withoutPort == u.given},
			{"other token", other.sign(u.given, params), false},
			{"garbage", "bm90IGEgc2lnbmF0dXJl", false},
			{"not base64", "***", false},
			{"empty", "", false},
		} {
			fast, slow := signer.matches(u.given, params, c.sig), v.Validate(u.given, params, c.sig)
			if fast != c.fast {
				t.Fatalf("%s, %s, %v: signer says %v, want %v", u.given, c.name, params, fast, c.fast)
			}
			if fast && !slow {
				t.Fatalf("%s, %s, %v: signer accepts what twilio-go refuses", u.given, c.name, params)
			}
			if fast || slow {
				accepted++
			}
		}
	}
	if accepted == 0 {
		t.Fatal("no signature accepted at all")
	}

	// A name sent more than once: Twilio's published example
	// (twilio-python's test_compute_signature_duplicate_multi_dict), which
	// signs each distinct value, sorted. Through the webhook's form
	// reader, the single HMAC and twilio-go both accept it, however the
	// body orders the fields and however often a value is repeated (once
	// is signed: python's set, node's Set); with a value missing, neither.
	const published, publishedURL = "IK+Dwps556ElfBT0I3Rgjkr1wJU=", "https://mycompany.com/myapp.php?foo=1&bar=2"
	ps, pv := newTwilioSigner("12345"), client.NewRequestValidator("12345")
	for _, c := range []struct {
		body string
		want bool
	}{
		{"Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234", true},
		{"Digits=1234&Sid=CA123&Digits=5678&SidAccount=AC123", true},
		{"Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=5678", true},
		{"Sid=CA123&SidAccount=AC123&Digits=5678", false},
		{"Sid=CA123&SidAccount=AC123&Digits=1234", false},
	} {
		form, err := parseTwilioForm(c.body)
		if err != nil {
			t.Fatal(err)
		}
		params := form.signed()
		if fast, slow := ps.matches(publishedURL, params, published), pv.Validate(publishedURL, params, published); fast != c.want || slow != c.want {
			t.Errorf("%s: signer says %v, twilio-go %v, want %v", c.body, fast, slow, c.want)
		}
	}
}

// TestVerifiedAcceptsTwilioPortVariants checks the webhook's whole check:
// a signature of the configured URL with its default port added (which
// the single HMAC does not accept) still passes through the validator.
func TestVerifiedAcceptsTwilioPortVariants(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123456789abcdef"
	s := &SMS{base: "https://onward.example.org", signer: newTwilioSigner(token), validator: client.NewRequestValidator(token)}
	for _, body := range []string{"MessageSid=SM0123&Body=Hi&From=%2B447700900123", "MessageSid=SM0123&MediaUrl=b&Body=Hi&MediaUrl=a"} {
		form, err := parseTwilioForm(body)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, url string
			want      bool
		}{
			{"as configured", "https://onward.example.org/twilio/sms", true},
			{"with the default port", "https://onward.example.org:443/twilio/sms", true},
			{"another host", "https://elsewhere.example.org/twilio/sms", false},
			{"another path", "https://onward.example.org/twilio/status", false},
		} {
			r := httptest.NewRequest("POST", "/twilio/sms", nil)
			r.Header.Set(SignatureHeader, TwilioSignature(token, c.url, form.signed()))
			if got := s.verified(r, form); got != c.want {
				t.Errorf("%s, %s: verified %v, want %v", body, c.name, got, c.want)
			}
		}
	}
}
