package config

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// validateHardening checks the data-protection settings: the audit key
// (required outside dev, like the encryption key), the metrics token's
// length, the phone countries' shape.
func (c Config) validateHardening() []error {
	var errs []error
	if c.AuditKey == "" && !c.Dev() {
		errs = append(errs, errors.New("ONWARD_AUDIT_KEY is required: generate one with `onward keygen` and keep it out of the database"))
	}
	if c.AuditKey != "" {
		if _, err := ParseKey(c.AuditKey); err != nil {
			errs = append(errs, fmt.Errorf("ONWARD_AUDIT_KEY: %w", err))
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 32 {
		errs = append(errs, errors.New("ONWARD_METRICS_TOKEN must be at least 32 characters: generate one with `onward keygen`"))
	}
	if len(c.PhoneCountryList()) == 0 {
		errs = append(errs, errors.New("ONWARD_PHONE_COUNTRIES must name at least one country, like GB"))
	}
	for _, cc := range c.PhoneCountryList() {
		if !countryCode.MatchString(cc) {
			errs = append(errs, fmt.Errorf("ONWARD_PHONE_COUNTRIES: %q is not a two-letter ISO 3166 country code like GB", cc))
		}
	}
	return errs
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// PhoneCountryList is ONWARD_PHONE_COUNTRIES split and upper-cased.
func (c Config) PhoneCountryList() []string {
	var out []string
	for _, f := range strings.Split(c.PhoneCountries, ",") {
		if f = strings.ToUpper(strings.TrimSpace(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// AuditKeyBytes decodes ONWARD_AUDIT_KEY; nil when it is not set (dev and
// tests, where core uses its stand-in key).
func (c Config) AuditKeyBytes() ([]byte, error) {
	if c.AuditKey == "" {
		return nil, nil
	}
	k, err := ParseKey(c.AuditKey)
	if err != nil {
		return nil, fmt.Errorf("ONWARD_AUDIT_KEY: %w", err)
	}
	return k, nil
}

// MigrateURL is the database URL `onward migrate` uses: the schema
// owner's when set, else the server's own.
func (c Config) MigrateURL() string {
	if c.MigrateDatabaseURL != "" {
		return c.MigrateDatabaseURL
	}
	return c.DatabaseURL
}
