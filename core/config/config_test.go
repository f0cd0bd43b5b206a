package config

import (
	"bytes"
	"encoding/base64"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// production is a production environment that validates, to change
// settings of: each pair of kv sets a setting, or unsets it when the
// value is "".
func production(kv ...string) map[string]string {
	m := map[string]string{"ONWARD_ENCRYPTION_KEY": NewKey(), "ONWARD_SESSION_SECRET": NewKey(), "ONWARD_AUDIT_KEY": NewKey(),
		"ONWARD_PUBLIC_URL": "https://onward.example.org", "ONWARD_SMTP_URL": "smtp://mail.example.org:587", "ONWARD_MAIL_FROM": "Onward <onward@example.org>",
		"ONWARD_DATABASE_URL": "postgres://onward@db.example.org:5432/onward"}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(m, kv[i])
			continue
		}
		m[kv[i]] = kv[i+1]
	}
	return m
}

// validateCase is an environment and what Load and Validate say of it.
type validateCase struct {
	name string
	env  map[string]string
	want string // in the error; "" means valid
}

// checkValidate loads and validates each case's environment, failing
// where a valid one is refused or a refusal does not say what it should.
func checkValidate(t *testing.T, cases []validateCase) {
	t.Helper()
	for _, c := range cases {
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
}

func TestLoadDefaultsFilesAndValidate(t *testing.T) {
	key := NewKey()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "session")
	if err := os.WriteFile(secretFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(env(production("ONWARD_ENCRYPTION_KEY", key, "ONWARD_SESSION_SECRET", "", "ONWARD_SESSION_SECRET_FILE", secretFile)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SessionSecret != key {
		t.Errorf("secret from file = %q, want the key without newline", cfg.SessionSecret)
	}
	if cfg.HTTPAddr != ":8080" || cfg.WorkerMaxAttempts != 8 || cfg.SMSSegmentCost != 0.04 || cfg.ConversationTTL.Hours() != 24 || cfg.Env != "production" {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
	keys, err := cfg.Keys()
	if err != nil || len(keys.Current) != KeySize || keys.Old != nil || keys.Hash != nil {
		t.Errorf("Keys() = %+v, %v; want the one 32-byte key", keys, err)
	}
}

func TestValidateNamesEveryProblem(t *testing.T) {
	_, err := Load(env(map[string]string{"ONWARD_WORKER_BATCH": "lots", "ONWARD_CONVERSATION_TTL": "soon",
		"ONWARD_SESSION_SECRET": "x", "ONWARD_SESSION_SECRET_FILE": "/nope", "ONWARD_SMS_SEGMENT_COST": "-1"}))
	for _, want := range []string{"ONWARD_WORKER_BATCH must be a positive whole number", "ONWARD_CONVERSATION_TTL must be a positive duration",
		"ONWARD_SESSION_SECRET or ONWARD_SESSION_SECRET_FILE, not both", "ONWARD_SMS_SEGMENT_COST must be an amount in pounds"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load error %v does not say %q", err, want)
		}
	}
	cfg, _ := Load(env(map[string]string{"ONWARD_PUBLIC_URL": "example.org", "ONWARD_TWILIO_ACCOUNT_SID": "AC1",
		"ONWARD_SLACK_BOT_TOKEN": "xoxb", "ONWARD_ENCRYPTION_KEY": "short",
		"ONWARD_DATABASE_URL": "postgres://onward:sekret@db/onward?sslmode=bogus"}))
	err = cfg.Validate()
	for _, want := range []string{"ONWARD_PUBLIC_URL must be an absolute", "ONWARD_ENCRYPTION_KEY", "ONWARD_SESSION_SECRET is required",
		"ONWARD_TWILIO_ACCOUNT_SID and ONWARD_TWILIO_AUTH_TOKEN", "ONWARD_SLACK_BOT_TOKEN and ONWARD_SLACK_SIGNING_SECRET",
		"ONWARD_DATABASE_URL: ", "sslmode"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %v does not say %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "sekret") {
		t.Errorf("Validate error shows the database password: %v", err)
	}
	dev, _ := Load(env(map[string]string{"ONWARD_ENV": "dev"}))
	if err := dev.Validate(); err != nil {
		t.Errorf("dev without keys should validate (keys are generated): %v", err)
	}
	if !strings.Contains(Table(), "`ONWARD_DATABASE_URL` (or `_FILE`)") {
		t.Error("config table does not list the database URL as a secret")
	}
}

func TestTrustedProxiesValidated(t *testing.T) {
	_, err := Config{TrustedProxies: "10.0.0.0/8, proxy.internal"}.Proxies()
	if err == nil || !strings.Contains(err.Error(), `"proxy.internal"`) {
		t.Fatalf("err = %v, want one naming the bad entry", err)
	}
	cfg, err := Load(func(k string) string {
		return map[string]string{"ONWARD_ENV": "dev", "ONWARD_TRUSTED_PROXIES": "10.0.0.0/33"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "ONWARD_TRUSTED_PROXIES") {
		t.Fatalf("Validate = %v; want an ONWARD_TRUSTED_PROXIES error", err)
	}
}

func TestProxiesParsesAddressesAndRanges(t *testing.T) {
	got, err := Config{TrustedProxies: " 10.1.2.3/8, 192.0.2.7 ,, ::ffff:192.0.2.8, 2001:db8::/32"}.Proxies()
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("192.0.2.8/32"), netip.MustParsePrefix("2001:db8::/32")}
	if !slices.Equal(got, want) {
		t.Errorf("Proxies() = %v, want %v", got, want)
	}
}

func TestParseKey(t *testing.T) {
	if _, err := ParseKey("not base64!!"); err == nil {
		t.Error("ParseKey accepted garbage")
	}
	if _, err := ParseKey(base64.StdEncoding.EncodeToString([]byte("short"))); err == nil || !strings.Contains(err.Error(), "must be 32") {
		t.Errorf("short key: err = %v", err)
	}
	if k, err := ParseKey(NewKey()); err != nil || len(k) != 32 {
		t.Errorf("ParseKey(NewKey()) = %d bytes, %v", len(k), err)
	}
	raw := bytes.Repeat([]byte{0xfb}, 32) // encodes with + and / in the standard alphabet, - and _ in the URL one
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := ParseKey(enc.EncodeToString(raw)); err != nil || !bytes.Equal(k, raw) {
			t.Errorf("ParseKey(%q) = %x, %v", enc.EncodeToString(raw), k, err)
		}
	}
}

func TestKeysDecodesEveryKeyAndNamesTheBadOnes(t *testing.T) {
	cur, old1, old2, hash := NewKey(), NewKey(), NewKey(), NewKey()
	keys, err := Config{EncryptionKey: cur, EncryptionOldKeys: old1 + ", " + old2, HashKey: hash}.Keys()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		got  []byte
		want string
	}{{keys.Current, cur}, {keys.Old[0], old1}, {keys.Old[1], old2}, {keys.Hash, hash}} {
		if want, _ := base64.StdEncoding.DecodeString(c.want); !bytes.Equal(c.got, want) {
			t.Errorf("decoded %x, want %x", c.got, want)
		}
	}
	if len(keys.Old) != 2 {
		t.Errorf("old keys = %d, want 2", len(keys.Old))
	}

	bad := Config{Env: "dev", PublicURL: "http://localhost", LogLevel: "info",
		EncryptionOldKeys: cur + ",nope", HashKey: "short"}
	_, err = bad.Keys()
	for _, want := range []string{"ONWARD_ENCRYPTION_KEY is not set", "ONWARD_ENCRYPTION_OLD_KEYS key 2", "ONWARD_HASH_KEY"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Keys error %v does not say %q", err, want)
		}
	}
	// Dev may run without a current key, but never with a bad old or hash key.
	err = bad.Validate()
	if err == nil || strings.Contains(err.Error(), "ONWARD_ENCRYPTION_KEY") {
		t.Errorf("dev Validate = %v; want the old and hash keys refused and no complaint about the missing current key", err)
	}
	for _, want := range []string{"ONWARD_ENCRYPTION_OLD_KEYS key 2", "ONWARD_HASH_KEY"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %v does not say %q", err, want)
		}
	}
}

// The edges take these settings as they are (intake's web form puts the
// number in an sms: link), so Validate is where they are refused.
func TestValidateRefusesBadNumberAndAPIURLs(t *testing.T) {
	base := map[string]string{"ONWARD_ENV": "dev", "ONWARD_TWILIO_ACCOUNT_SID": "AC1", "ONWARD_TWILIO_AUTH_TOKEN": "tok"}
	for _, c := range []struct{ name, value, want string }{
		{"ONWARD_TWILIO_FROM", "07700 900000", "ONWARD_TWILIO_FROM must be a phone number in E.164 form"},
		{"ONWARD_TWILIO_FROM", `+44" onclick="x`, "ONWARD_TWILIO_FROM must be a phone number in E.164 form"},
		{"ONWARD_TWILIO_API_URL", "localhost:9999", "ONWARD_TWILIO_API_URL must be an absolute http(s) URL"},
		{"ONWARD_SLACK_API_URL", "ftp://slack.test/", "ONWARD_SLACK_API_URL must be an absolute http(s) URL"},
		{"ONWARD_SLACK_TEAM_ID", "https://app.slack.com/client/T0123ABCD", "ONWARD_SLACK_TEAM_ID must be Slack workspace ids like T0123ABCD"},
		{"ONWARD_SLACK_TEAM_ID", "T0123ABCD, U0123ABCD", `got "U0123ABCD"`},
	} {
		m := maps.Clone(base)
		m["ONWARD_TWILIO_FROM"] = "+447700900000"
		m[c.name] = c.value
		cfg, err := Load(env(m))
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q: Validate = %v, want %q", c.name, c.value, err, c.want)
		}
	}
	ok, _ := Load(env(map[string]string{"ONWARD_ENV": "dev", "ONWARD_TWILIO_ACCOUNT_SID": "AC1", "ONWARD_TWILIO_AUTH_TOKEN": "tok",
		"ONWARD_TWILIO_FROM": "+447700900000", "ONWARD_TWILIO_API_URL": "http://localhost:8080/dev/twilio", "ONWARD_SLACK_API_URL": "https://slack.test/api/",
		"ONWARD_SLACK_TEAM_ID": "T0123ABCD, T0456EFGH"}))
	if err := ok.Validate(); err != nil {
		t.Errorf("good number and URLs refused: %v", err)
	}
	if teams, _ := ok.SlackTeams(); !slices.Equal(teams, []string{"T0123ABCD", "T0456EFGH"}) {
		t.Errorf("SlackTeams = %q, want both workspaces", teams)
	}
}
