package config

import (
	"strings"
	"testing"
)

func TestSMTPURL(t *testing.T) {
	cases := []struct {
		url, wantErr string
		want         SMTP
	}{
		{"smtp://mail.example.org", "", SMTP{Host: "mail.example.org", Port: 587, TLS: SMTPTLSOpportunistic}},
		{"smtp://u:p%40ss@mail.example.org:2525?tls=required", "", SMTP{Host: "mail.example.org", Port: 2525, TLS: SMTPTLSRequired, Username: "u", Password: "p@ss"}},
		{"smtps://u:p@mail.example.org", "", SMTP{Host: "mail.example.org", Port: 465, TLS: SMTPTLSImplicit, Username: "u", Password: "p"}},
		{"http://mail.example.org", "the scheme must be smtp or smtps", SMTP{}},
		{"smtp://:25", "the host is missing", SMTP{}},
		{"smtp://mail.example.org:99999", "the port must be a number", SMTP{}},
		{"smtp://mail.example.org?tls=maybe", "tls must be required", SMTP{}},
		{"smtp://mail.example.org?auth=plain", "unknown option", SMTP{}},
		{"smtp://mail.example.org/inbox", "no path", SMTP{}},
	}
	for _, c := range cases {
		got, err := Config{SMTPURL: c.url}.SMTP()
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want %q", c.url, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
	// Validate refuses to start, naming the part, never quoting a password.
	err := Config{SMTPURL: "smtp://u:secret@mail.example.org:0", MailFrom: "onward@example.org"}.validateMail()
	if len(err) != 1 || !strings.Contains(err[0].Error(), "port") || strings.Contains(err[0].Error(), "secret") {
		t.Errorf("validate: %v", err)
	}
	if err := (Config{SMTPURL: "smtp://mail.example.org"}).validateMail(); len(err) != 1 || !strings.Contains(err[0].Error(), "ONWARD_MAIL_FROM") {
		t.Errorf("missing from: %v", err)
	}
}
