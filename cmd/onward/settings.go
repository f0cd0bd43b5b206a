package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

// The settings are read and checked in one go: every problem is reported
// at once, one a line, each naming its setting (config.Load finds the
// values that do not parse, Validate the ones that do not fit, and the
// edge the rest: the phone countries libphonenumber knows, the addresses
// serve listens on). Fixing one problem never reveals the next.

// loadConfig reads and checks the environment for serve (serving) or a
// worker.
func loadConfig(serving bool) (config.Config, error) {
	return readSettings(os.Getenv, func(c config.Config) []error {
		errs := splitErrors(c.Validate())
		if serving {
			errs = append(errs, checkAddresses(c)...)
		} else if c.MetricsAddr != "" {
			errs = append(errs, checkAddress("ONWARD_METRICS_ADDR", c.MetricsAddr))
		}
		return errs
	})
}

// loadDBConfig reads the config for commands that only touch the
// database, without the secrets serve requires.
func loadDBConfig() (config.Config, error) {
	return readSettings(getenvDevDefaults, func(c config.Config) []error {
		return splitErrors(c.ValidateDatabaseURLs())
	})
}

// readSettings loads the settings through getenv and checks them with
// check, then the phone countries, and returns every problem found,
// joined. A setting that does not load is checked no further: the others
// are checked with its default in its place, so its zero value is not
// reported again in other words (ONWARD_WORKER_LEASE=1x is "must be a
// duration", not also "must be at least 15s").
func readSettings(getenv func(string) string, check func(config.Config) []error) (config.Config, error) {
	cfg, err := config.Load(getenv)
	problems := splitErrors(err)
	broken := map[string]bool{}
	for _, p := range problems {
		if name := settingOf(p); name != "" {
			broken[name] = true
		}
	}
	if len(broken) > 0 {
		cfg, _ = config.Load(func(k string) string {
			if broken[strings.TrimSuffix(k, "_FILE")] {
				return ""
			}
			return getenv(k)
		})
	}
	for _, p := range check(cfg) {
		if p != nil && !broken[settingOf(p)] {
			problems = append(problems, p)
		}
	}
	if !mentions(problems, "ONWARD_PHONE_COUNTRIES") {
		if err := core.SetPhoneCountries(cfg.PhoneCountryList()); err != nil {
			problems = append(problems, fmt.Errorf("ONWARD_PHONE_COUNTRIES: %s", strings.TrimPrefix(err.Error(), "phone countries: ")))
		}
	}
	return cfg, errors.Join(problems...)
}

// settingName is the first setting a problem names.
var settingName = regexp.MustCompile(`ONWARD_[A-Z0-9_]+`)

// settingOf is the setting a problem is about (the first it names, its
// _FILE form read as the setting), "" when it names none.
func settingOf(err error) string {
	return strings.TrimSuffix(settingName.FindString(err.Error()), "_FILE")
}

// mentions reports whether one of problems is about setting.
func mentions(problems []error, setting string) bool {
	for _, p := range problems {
		if settingOf(p) == setting {
			return true
		}
	}
	return false
}

// splitErrors is err's parts when it is a join (nested ones too), else
// err alone; nothing for nil.
func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, splitErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// checkAddresses checks the addresses serve listens on: each one an
// address to listen on, and /metrics's own not the one the site is
// served on (serve would start the site, then fail to take it).
func checkAddresses(c config.Config) []error {
	var errs []error
	httpErr := checkAddress("ONWARD_HTTP_ADDR", c.HTTPAddr)
	if httpErr != nil {
		errs = append(errs, httpErr)
	}
	if c.MetricsAddr == "" {
		return errs
	}
	if err := checkAddress("ONWARD_METRICS_ADDR", c.MetricsAddr); err != nil {
		return append(errs, err)
	}
	if httpErr == nil && sameListen(c.HTTPAddr, c.MetricsAddr) {
		errs = append(errs, fmt.Errorf("ONWARD_METRICS_ADDR (%s) is where ONWARD_HTTP_ADDR (%s) listens: give /metrics another port, "+
			"or unset ONWARD_METRICS_ADDR and set ONWARD_METRICS_TOKEN to serve it on the site's address behind a token", c.MetricsAddr, c.HTTPAddr))
	}
	return errs
}

// checkAddress checks that addr is an address to listen on, host:port.
func checkAddress(setting, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil && port != "" {
		_, err = net.LookupPort("tcp", port)
	}
	if err != nil || port == "" {
		return fmt.Errorf("%s must be an address to listen on like :8080 or 127.0.0.1:8080 (host:port), got %q", setting, addr)
	}
	return nil
}

// sameListen reports whether two addresses to listen on would take the
// same port: the same port number on the same host, or on any host when
// either listens on every interface.
func sameListen(a, b string) bool {
	ha, pa, _ := net.SplitHostPort(a)
	hb, pb, _ := net.SplitHostPort(b)
	na, _ := net.LookupPort("tcp", pa)
	nb, _ := net.LookupPort("tcp", pb)
	if na == 0 || na != nb {
		return false
	}
	every := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return every(ha) || every(hb) || strings.EqualFold(ha, hb)
}
