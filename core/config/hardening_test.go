package config

import (
	"strings"
	"testing"
)

func TestHardeningSettings(t *testing.T) {
	base := map[string]string{"ONWARD_ENCRYPTION_KEY": NewKey(), "ONWARD_SESSION_SECRET": NewKey(), "ONWARD_PUBLIC_URL": "https://onward.example.org", "ONWARD_SMTP_URL": "smtp://mail.example.org:587", "ONWARD_MAIL_FROM": "Onward <onward@example.org>"}
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
		{"production needs an audit key", with(), "ONWARD_AUDIT_KEY is required"},
		{"a bad audit key", with("ONWARD_AUDIT_KEY", "short"), "ONWARD_AUDIT_KEY"},
		{"a short metrics token", with("ONWARD_AUDIT_KEY", NewKey(), "ONWARD_METRICS_TOKEN", "letmein"), "ONWARD_METRICS_TOKEN must be at least 32"},
		{"a country that is not a code", with("ONWARD_AUDIT_KEY", NewKey(), "ONWARD_PHONE_COUNTRIES", "GB,United Kingdom"), "ONWARD_PHONE_COUNTRIES"},
		{"all good", with("ONWARD_AUDIT_KEY", NewKey(), "ONWARD_METRICS_TOKEN", NewKey(), "ONWARD_PHONE_COUNTRIES", "gb, ie"), ""},
		{"dev runs without an audit key", map[string]string{"ONWARD_ENV": "dev"}, ""},
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
	cfg, _ := Load(env(with("ONWARD_PHONE_COUNTRIES", "gb, ie", "ONWARD_MIGRATE_DATABASE_URL", "postgres://owner@db/onward")))
	if got := strings.Join(cfg.PhoneCountryList(), ","); got != "GB,IE" {
		t.Errorf("PhoneCountryList = %s", got)
	}
	if cfg.MigrateURL() != "postgres://owner@db/onward" || cfg.WebTextsPerNumberDaily != 3 || cfg.AuditCheckpointEvery.Hours() != 1 {
		t.Errorf("migrate URL %q, web texts %d, checkpoint every %v", cfg.MigrateURL(), cfg.WebTextsPerNumberDaily, cfg.AuditCheckpointEvery)
	}
}
