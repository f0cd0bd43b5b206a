package sms

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

func TestParseInboundSMS(t *testing.T) {
	sid := "SM" + strings.Repeat("0f", 16)
	cases := []struct {
		name   string
		params map[string]string
		want   inboundSMS
		err    bool
	}{
		{"current", map[string]string{"MessageSid": sid, "From": "+447700900123", "To": "+447700900000", "Body": "Hi", "NumMedia": "0"},
			inboundSMS{SID: sid, From: "+447700900123", To: "+447700900000", Body: "Hi"}, false},
		{"legacy SmsMessageSid", map[string]string{"SmsMessageSid": sid, "From": "+447700900123"}, inboundSMS{SID: sid, From: "+447700900123"}, false},
		{"legacy SmsSid", map[string]string{"SmsSid": sid}, inboundSMS{SID: sid}, false},
		{"MMS", map[string]string{"MessageSid": "MM" + strings.Repeat("a1", 16), "NumMedia": "2"}, inboundSMS{SID: "MM" + strings.Repeat("a1", 16), NumMedia: 2}, false},
		{"bad NumMedia", map[string]string{"MessageSid": sid, "NumMedia": "lots"}, inboundSMS{SID: sid}, false},
		{"invalid UTF-8 repaired", map[string]string{"MessageSid": sid, "Body": "a\xffb"}, inboundSMS{SID: sid, Body: "a\uFFFDb"}, false},
		// Some carriers deliver GSM's "@" (0x00) as a NUL, which PostgreSQL cannot store.
		{"NUL repaired", map[string]string{"MessageSid": sid, "Body": "ailsa\x00example.org"}, inboundSMS{SID: sid, Body: "ailsa\uFFFDexample.org"}, false},
		{"too long cut", map[string]string{"MessageSid": sid, "Body": strings.Repeat("é", 2000)}, inboundSMS{SID: sid, Body: strings.Repeat("é", 1600)}, false},
		{"WhatsApp", map[string]string{"MessageSid": sid, "From": "whatsapp:+447700900123", "To": "whatsapp:+447700900001", "WaId": "447700900123", "ProfileName": "Ailsa"},
			inboundSMS{SID: sid, From: "+447700900123", To: "+447700900001", Channel: core.MessagingWhatsApp}, false},
		{"WhatsApp written otherwise", map[string]string{"MessageSid": sid, "From": "WhatsApp:+447700900123"},
			inboundSMS{SID: sid, From: "+447700900123", Channel: core.MessagingWhatsApp}, false},
		{"another channel", map[string]string{"MessageSid": sid, "From": "messenger:1234567890"},
			inboundSMS{SID: sid, From: "messenger:1234567890"}, false},
		{"only the prefix", map[string]string{"MessageSid": sid, "From": "whatsapp:"}, inboundSMS{SID: sid, From: "whatsapp:"}, false},
		{"no sid", map[string]string{"Body": "Hi"}, inboundSMS{}, true},
		{"sid with a key separator", map[string]string{"MessageSid": "SM:" + strings.Repeat("0", 31)}, inboundSMS{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.want.Channel == "" {
				c.want.Channel = core.MessagingSMS
			}
			got, err := parseInboundSMS(c.params)
			if (err != nil) != c.err {
				t.Fatalf("err %v", err)
			}
			if !c.err && got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// FuzzInboundForm: whatever arrives as a webhook body, parsing never
// panics, and what it accepts is safe to use as a Redis key and to store.
func FuzzInboundForm(f *testing.F) {
	body, _ := encodeForm(inboundForm("SM"+strings.Repeat("ab", 16), "+447700900123", "Hi 🙂", "https://example.org/m"))
	f.Add(body)
	f.Add("MessageSid=SM00000000000000000000000000000000&Body=%ff%fe&NumMedia=-3")
	f.Add("SmsSid=SM00000000000000000000000000000000&Body=" + strings.Repeat("x", 2000))
	f.Add("%zz=1&&==")
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := readTwilioForm(strings.NewReader(raw))
		if err != nil {
			return
		}
		m, err := parseInboundSMS(form.fields)
		if err != nil {
			return
		}
		if !smsSIDRe.MatchString(m.SID) {
			t.Fatalf("accepted SID %q", m.SID)
		}
		if !core.Storable(m.Body) || utf8.RuneCountInString(m.Body) > flow.MaxBodyRunes {
			t.Fatalf("body not storable (a NUL, invalid UTF-8) or too long: %d runes", utf8.RuneCountInString(m.Body))
		}
		if m.NumMedia < 0 {
			t.Fatalf("NumMedia %d", m.NumMedia)
		}
	})
}

// FuzzTwilioFormAgreesWithParseQuery holds the webhook's form reader to
// url.ParseQuery: it refuses what ParseQuery reports an error for, and
// otherwise gives each field ParseQuery's first value, and a field sent
// more than once all of ParseQuery's values, in order, for the signature.
func FuzzTwilioFormAgreesWithParseQuery(f *testing.F) {
	body, _ := encodeForm(inboundForm("SM"+strings.Repeat("ab", 16), "+447700900123", "Hi 🙂 & bye=now", "https://example.org/m"))
	for _, seed := range []string{body, "", "&", "a=1&a=2", "a", "=x", "%41=%42", "a+b=c+d", "a=%zz", "a=%4", "%=1",
		"a=1;b=2", "a;=1", "&&a=1&&", "a==b", "%2B=%2b", "%C3%A9=%ff", "Body=%00", "a=2&b=1&a=1&a=2"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := parseTwilioForm(raw)
		want, wantErr := url.ParseQuery(raw)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("parseTwilioForm(%q) error %v, url.ParseQuery error %v", raw, err, wantErr)
		}
		if err != nil {
			return
		}
		got := form.fields
		if len(got) != len(want) {
			t.Fatalf("parseTwilioForm(%q) = %q, url.ParseQuery %q", raw, got, want)
		}
		for k, vs := range want {
			if got[k] != vs[0] {
				t.Fatalf("parseTwilioForm(%q)[%q] = %q, url.ParseQuery's first value %q", raw, k, got[k], vs[0])
			}
			if len(vs) > 1 && !slices.Equal(form.repeats[k], vs) || len(vs) == 1 && form.repeats[k] != nil {
				t.Fatalf("parseTwilioForm(%q) repeats %q of %q, url.ParseQuery %q", raw, form.repeats[k], k, vs)
			}
		}
	})
}
