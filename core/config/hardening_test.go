package config

import (
	"strings"
	"testing"
)

func TestHardeningSettings(t *testing.T) {
	checkValidate(t, []validateCase{
		{"production needs an audit key", production("ONWARD_AUDIT_KEY", ""), "ONWARD_AUDIT_KEY is required"},
		{"a bad audit key", production("ONWARD_AUDIT_KEY", "short"), "ONWARD_AUDIT_KEY"},
		{"a short metrics token", production("ONWARD_METRICS_TOKEN", "letmein"), "ONWARD_METRICS_TOKEN must be at least 32"},
		{"a country that is not a code", production("ONWARD_PHONE_COUNTRIES", "GB,United Kingdom"), "ONWARD_PHONE_COUNTRIES"},
		{"all good", production("ONWARD_METRICS_TOKEN", NewKey(), "ONWARD_PHONE_COUNTRIES", "gb, ie"), ""},
		{"dev runs without an audit key", map[string]string{"ONWARD_ENV": "dev"}, ""},
	})
	cfg, _ := Load(env(production("ONWARD_PHONE_COUNTRIES", "gb, ie", "ONWARD_MIGRATE_DATABASE_URL", "postgres://owner@db/onward")))
	if got := strings.Join(cfg.PhoneCountryList(), ","); got != "GB,IE" {
		t.Errorf("PhoneCountryList = %s", got)
	}
	if cfg.MigrateURL() != "postgres://owner@db/onward" || cfg.WebTextsPerNumberDaily != 3 || cfg.AuditCheckpointEvery.Hours() != 1 {
		t.Errorf("migrate URL %q, web texts %d, checkpoint every %v", cfg.MigrateURL(), cfg.WebTextsPerNumberDaily, cfg.AuditCheckpointEvery)
	}
}
