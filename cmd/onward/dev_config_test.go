package main

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core/config"
)

// Without ONWARD_PUBLIC_URL, `onward dev` on another address used to
// print links to http://localhost:8080 and send every text to a phone
// simulator there, so none arrived.
func TestDevConfigFollowsTheListenAddress(t *testing.T) {
	for _, tc := range []struct {
		addr, publicURL string
		wantPublic      string
		wantTwilio      string
	}{
		{"127.0.0.1:8191", "", "http://127.0.0.1:8191", "http://127.0.0.1:8191/dev/twilio"},
		{":8080", "", "http://localhost:8080", "http://localhost:8080/dev/twilio"},
		{"0.0.0.0:8080", "", "http://localhost:8080", "http://localhost:8080/dev/twilio"},
		{"[::]:8193", "", "http://localhost:8193", "http://localhost:8193/dev/twilio"},
		{"[::1]:8193", "", "http://[::1]:8193", "http://[::1]:8193/dev/twilio"},
		{"localhost:8193", "", "http://localhost:8193", "http://localhost:8193/dev/twilio"},
		// A public URL that is set wins; the simulator still answers here.
		{"127.0.0.1:8191", "https://onward-dev.example.org", "https://onward-dev.example.org", "http://127.0.0.1:8191/dev/twilio"},
	} {
		t.Run(tc.addr+" "+tc.publicURL, func(t *testing.T) {
			cfg, err := devConfig(devTestEnv(map[string]string{"ONWARD_HTTP_ADDR": tc.addr, "ONWARD_PUBLIC_URL": tc.publicURL}))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.PublicURL != tc.wantPublic || cfg.TwilioAPIURL != tc.wantTwilio {
				t.Errorf("public URL %q, Twilio API URL %q; want %q, %q", cfg.PublicURL, cfg.TwilioAPIURL, tc.wantPublic, tc.wantTwilio)
			}
			if cfg.TwilioAccountSID != devSimulatorSID || cfg.WhatsAppFrom != devSimulatorWhatsApp {
				t.Errorf("Twilio account %q, WhatsApp number %q: not the simulator's", cfg.TwilioAccountSID, cfg.WhatsAppFrom)
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("the dev configuration does not validate: %v", err)
			}
		})
	}
}

// A real Twilio account is left alone: its texts go to Twilio.
func TestDevConfigKeepsARealTwilioAccount(t *testing.T) {
	cfg, err := devConfig(devTestEnv(map[string]string{"ONWARD_HTTP_ADDR": "127.0.0.1:8191",
		"ONWARD_TWILIO_ACCOUNT_SID": "AC" + strings.Repeat("1", 32), "ONWARD_TWILIO_AUTH_TOKEN": strings.Repeat("a", 32),
		"ONWARD_TWILIO_FROM": "+447700900000"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TwilioAPIURL != "" || cfg.TwilioAccountSID == devSimulatorSID || cfg.PublicURL != "http://127.0.0.1:8191" {
		t.Errorf("Twilio API URL %q, account %q, public URL %q", cfg.TwilioAPIURL, cfg.TwilioAccountSID, cfg.PublicURL)
	}
}

// A port chosen by the system cannot be linked to before it is chosen.
func TestDevConfigRefusesPortZero(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "8080"} {
		if _, err := devConfig(devTestEnv(map[string]string{"ONWARD_HTTP_ADDR": addr})); err == nil || !strings.Contains(err.Error(), "ONWARD_HTTP_ADDR") {
			t.Errorf("%q: err = %v, want one naming ONWARD_HTTP_ADDR", addr, err)
		}
	}
}

// devTestEnv is the environment `onward dev` builds, with env on top.
func devTestEnv(env map[string]string) func(string) string {
	base := map[string]string{"ONWARD_ENV": "dev", "ONWARD_DATABASE_URL": "postgres://localhost/onward_devf3",
		"ONWARD_REDIS_URL": "redis://localhost:6379/9", "ONWARD_ENCRYPTION_KEY": config.NewKey(), "ONWARD_SESSION_SECRET": config.NewKey()}
	return func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return base[k]
	}
}

// TestCommandsWithDevKeysRunAsDev: `onward staff login-link EMAIL`, as
// the dev banner says, in a second shell beside `make run`: a command
// that runs with the keys `onward dev` keeps (none of its own, or the
// same from a shell that sourced the file) is a dev command, whose events
// are chained with dev's stand-in audit key; one with keys of its own is
// not, and needs ONWARD_AUDIT_KEY as production does.
func TestCommandsWithDevKeysRunAsDev(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONWARD_STATE_DIR", dir)
	t.Setenv("ONWARD_ENV", "")
	t.Setenv("ONWARD_ENCRYPTION_KEY", "")
	if got := getenvDevDefaults("ONWARD_ENV"); got != "" {
		t.Fatalf("no dev keys kept: ONWARD_ENV %q, want none", got)
	}
	secrets, err := devSecrets(dir, "", func(m string) { t.Error(m) })
	if err != nil {
		t.Fatal(err)
	}
	if got := getenvDevDefaults("ONWARD_ENV"); got != "dev" {
		t.Errorf("with dev's keys from the file: ONWARD_ENV %q, want dev", got)
	}
	t.Setenv("ONWARD_ENCRYPTION_KEY", secrets["ONWARD_ENCRYPTION_KEY"])
	if got := getenvDevDefaults("ONWARD_ENV"); got != "dev" {
		t.Errorf("with dev's keys sourced: ONWARD_ENV %q, want dev", got)
	}
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	if got := getenvDevDefaults("ONWARD_ENV"); got != "" {
		t.Errorf("with a key of its own: ONWARD_ENV %q, want none", got)
	}
}

// Review R1 finding 16: `onward staff login-link` beside `onward dev` on
// 127.0.0.1:8191 printed a link to http://localhost:8080. A dev command
// links to the address dev last served on with its state folder; a
// public URL set in the environment wins, and a command with keys of its
// own (production) is never given dev's address.
func TestDevCommandsLinkToTheDevServer(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONWARD_STATE_DIR", dir)
	t.Setenv("ONWARD_ENV", "")
	t.Setenv("ONWARD_ENCRYPTION_KEY", "")
	t.Setenv("ONWARD_PUBLIC_URL", "")
	if _, err := devSecrets(dir, "", func(m string) { t.Error(m) }); err != nil {
		t.Fatal(err)
	}
	if got := getenvDevDefaults("ONWARD_PUBLIC_URL"); got != "" {
		t.Errorf("before dev has run: public URL %q, want none (the default)", got)
	}
	if err := rememberDevURL(dir, "http://127.0.0.1:8191"); err != nil {
		t.Fatal(err)
	}
	if got := getenvDevDefaults("ONWARD_PUBLIC_URL"); got != "http://127.0.0.1:8191" {
		t.Errorf("after dev served on 127.0.0.1:8191: public URL %q", got)
	}
	cfg, err := config.Load(getenvDevDefaults)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PublicURL != "http://127.0.0.1:8191" {
		t.Errorf("a dev command's configuration links to %q", cfg.PublicURL)
	}
	t.Setenv("ONWARD_PUBLIC_URL", "https://onward-dev.example.org")
	if got := getenvDevDefaults("ONWARD_PUBLIC_URL"); got != "https://onward-dev.example.org" {
		t.Errorf("with ONWARD_PUBLIC_URL set: %q", got)
	}
	t.Setenv("ONWARD_PUBLIC_URL", "")
	t.Setenv("ONWARD_ENCRYPTION_KEY", config.NewKey())
	if got := getenvDevDefaults("ONWARD_PUBLIC_URL"); got != "" {
		t.Errorf("a command with keys of its own got dev's address %q", got)
	}
}

// With ONWARD_METRICS_ADDR set, `onward dev` printed the metrics link on
// the site's address, where /metrics is a 404.
func TestDevBannerNamesTheMetricsAddress(t *testing.T) {
	var notifyInfo func(*app) []string
	for _, m := range mounts {
		if m.name == "notify" && m.devInfo != nil {
			notifyInfo = func(a *app) []string { return m.devInfo(t.Context(), a) }
		}
	}
	if notifyInfo == nil {
		t.Fatal("no notify mount with dev lines")
	}
	for _, tc := range []struct{ metricsAddr, want string }{
		{"", "http://127.0.0.1:18130/metrics"},
		{"127.0.0.1:18131", "http://127.0.0.1:18131/metrics"},
		{":9091", "http://localhost:9091/metrics"},
	} {
		a := &app{cfg: config.Config{PublicURL: "http://127.0.0.1:18130/", MetricsAddr: tc.metricsAddr}}
		got := strings.Join(notifyInfo(a), "\n")
		if !strings.Contains(got, "metrics:    "+tc.want+" ") {
			t.Errorf("ONWARD_METRICS_ADDR %q: dev printed %q, want the metrics link %s", tc.metricsAddr, got, tc.want)
		}
	}
}
