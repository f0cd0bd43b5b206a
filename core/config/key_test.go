package config

import (
	"strings"
	"testing"
)

// Finding 11: a rotation without a fixed hash key, and secrets too short
// to be safe, are refused in words that say what to do.
func TestValidateRefusesRotationWithoutHashKeyAndShortSecrets(t *testing.T) {
	checkValidate(t, []validateCase{
		{"rotation without a hash key", production("ONWARD_ENCRYPTION_OLD_KEYS", NewKey()), "ONWARD_ENCRYPTION_OLD_KEYS is set (a key rotation) but ONWARD_HASH_KEY is not"},
		{"rotation with a hash key", production("ONWARD_ENCRYPTION_OLD_KEYS", NewKey(), "ONWARD_HASH_KEY", NewKey()), ""},
		{"a one-character session secret", production("ONWARD_SESSION_SECRET", "x"), "ONWARD_SESSION_SECRET is 1 characters; it must be at least 32"},
		{"a short session secret in dev too", map[string]string{"ONWARD_ENV": "dev", "ONWARD_SESSION_SECRET": "devsecret"}, "ONWARD_SESSION_SECRET is 9 characters"},
		{"a cut-off Twilio token", production("ONWARD_TWILIO_ACCOUNT_SID", "AC1", "ONWARD_TWILIO_AUTH_TOKEN", "abc123", "ONWARD_TWILIO_FROM", "+447700900000"), "ONWARD_TWILIO_AUTH_TOKEN is 6 characters"},
		{"a cut-off Slack signing secret", production("ONWARD_SLACK_BOT_TOKEN", "xoxb-1", "ONWARD_SLACK_SIGNING_SECRET", "8f742231b1"), "ONWARD_SLACK_SIGNING_SECRET is 10 characters"},
		{"whole provider secrets", production("ONWARD_TWILIO_ACCOUNT_SID", "AC1", "ONWARD_TWILIO_AUTH_TOKEN", strings.Repeat("a1", 16), "ONWARD_TWILIO_FROM", "+447700900000",
			"ONWARD_SLACK_BOT_TOKEN", "xoxb-1", "ONWARD_SLACK_SIGNING_SECRET", strings.Repeat("8f", 16)), ""},
	})
	// Commands that only decode the keys refuse the rotation too.
	if _, err := (Config{EncryptionKey: NewKey(), EncryptionOldKeys: NewKey()}).Keys(); err == nil || !strings.Contains(err.Error(), "ONWARD_HASH_KEY") {
		t.Errorf("Keys() with old keys and no hash key = %v", err)
	}
}
