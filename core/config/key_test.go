package config

import (
	"strings"
	"testing"
)

// Finding 11: a rotation without a fixed hash key, and secrets too short
// to be safe, are refused in words that say what to do.
func TestValidateRefusesRotationWithoutHashKeyAndShortSecrets(t *testing.T) {
	base := map[string]string{"ONWARD_ENCRYPTION_KEY": NewKey(), "ONWARD_SESSION_SECRET": NewKey(), "ONWARD_AUDIT_KEY": NewKey(), "ONWARD_PUBLIC_URL": "https://onward.example.org", "ONWARD_SMTP_URL": "smtp://mail.example.org:587", "ONWARD_MAIL_FROM": "Onward <onward@example.org>"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, c := range []struct {
		name string
		env  map[string]string
		want string // "" means valid
	}{
		{"rotation without a hash key", with("ONWARD_ENCRYPTION_OLD_KEYS", NewKey()), "ONWARD_ENCRYPTION_OLD_KEYS is set (a key rotation) but ONWARD_HASH_KEY is not"},
		{"rotation with a hash key", with("ONWARD_ENCRYPTION_OLD_KEYS", NewKey(), "ONWARD_HASH_KEY", NewKey()), ""},
		{"a one-character session secret", with("ONWARD_SESSION_SECRET", "x"), "ONWARD_SESSION_SECRET is 1 characters; it must be at least 32"},
		{"a short session secret in dev too", map[string]string{"ONWARD_ENV": "dev", "ONWARD_SESSION_SECRET": "devsecret"}, "ONWARD_SESSION_SECRET is 9 characters"},
		{"a cut-off Twilio token", with("ONWARD_TWILIO_ACCOUNT_SID", "AC1", "ONWARD_TWILIO_AUTH_TOKEN", "abc123", "ONWARD_TWILIO_FROM", "+447700900000"), "ONWARD_TWILIO_AUTH_TOKEN is 6 characters"},
		{"a cut-off Slack signing secret", with("ONWARD_SLACK_BOT_TOKEN", "xoxb-1", "ONWARD_SLACK_SIGNING_SECRET", "8f742231b1"), "ONWARD_SLACK_SIGNING_SECRET is 10 characters"},
		{"whole provider secrets", with("ONWARD_TWILIO_ACCOUNT_SID", "AC1", "ONWARD_TWILIO_AUTH_TOKEN", strings.Repeat("a1", 16), "ONWARD_TWILIO_FROM", "+447700900000",
			"ONWARD_SLACK_BOT_TOKEN", "xoxb-1", "ONWARD_SLACK_SIGNING_SECRET", strings.Repeat("8f", 16)), ""},
	} {
		cfg, err := Load(env(c.env))
		if err == nil {
			err = cfg.Validate()
		}
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	// Commands that only decode the keys refuse the rotation too.
	if _, err := (Config{EncryptionKey: NewKey(), EncryptionOldKeys: NewKey()}).Keys(); err == nil || !strings.Contains(err.Error(), "ONWARD_HASH_KEY") {
		t.Errorf("Keys() with old keys and no hash key = %v", err)
	}
}
