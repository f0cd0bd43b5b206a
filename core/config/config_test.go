package core

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigDefaultsFilesAndValidate(t *testing.T) {
	key := NewKey()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "session")
	if err := os.WriteFile(secretFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(env(map[string]string{"ONWARD_ENCRYPTION_KEY": key, "ONWARD_SESSION_SECRET_FILE": secretFile}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SessionSecret != key {
		t.Errorf("secret from file = %q, want the key without newline", cfg.SessionSecret)
	}
	if cfg.HTTPAddr != ":8080" || cfg.WorkerMaxAttempts != 8 || cfg.ConversationTTL.Hours() != 24 || cfg.Env != "production" {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
	if _, err := cfg.Crypter(); err != nil {
		t.Errorf("Crypter: %v", err)
	}
}

func TestValidateNamesEveryProblem(t *testing.T) {
	_, err := LoadConfig(env(map[string]string{"ONWARD_WORKER_BATCH": "lots", "ONWARD_CONVERSATION_TTL": "soon",
		"ONWARD_SESSION_SECRET": "x", "ONWARD_SESSION_SECRET_FILE": "/nope"}))
	for _, want := range []string{"ONWARD_WORKER_BATCH must be a positive whole number", "ONWARD_CONVERSATION_TTL must be a positive duration", "ONWARD_SESSION_SECRET or ONWARD_SESSION_SECRET_FILE, not both"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadConfig error %v does not say %q", err, want)
		}
	}
	cfg, _ := LoadConfig(env(map[string]string{"ONWARD_PUBLIC_URL": "example.org", "ONWARD_TWILIO_ACCOUNT_SID": "AC1",
		"ONWARD_SLACK_BOT_TOKEN": "xoxb", "ONWARD_ENCRYPTION_KEY": "short"}))
	err = cfg.Validate()
	for _, want := range []string{"ONWARD_PUBLIC_URL must be an absolute", "ONWARD_ENCRYPTION_KEY", "ONWARD_SESSION_SECRET is required",
		"ONWARD_TWILIO_ACCOUNT_SID and ONWARD_TWILIO_AUTH_TOKEN", "ONWARD_SLACK_BOT_TOKEN and ONWARD_SLACK_SIGNING_SECRET"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %v does not say %q", err, want)
		}
	}
	dev, _ := LoadConfig(env(map[string]string{"ONWARD_ENV": "dev"}))
	if err := dev.Validate(); err != nil {
		t.Errorf("dev without keys should validate (keys are generated): %v", err)
	}
	if !strings.Contains(ConfigTable(), "`ONWARD_DATABASE_URL` (or `_FILE`)") {
		t.Error("config table does not list the database URL as a secret")
	}
}
