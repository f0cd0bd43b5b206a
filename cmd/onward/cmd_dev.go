package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/onward-network/onward/cmd/onward/localsvc"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/demo"
	"github.com/onward-network/onward/intake/sim"
)

const devUsage = `Usage: onward dev   (what ` + "`make run`" + ` runs)

Run the whole product locally: find or start PostgreSQL and Redis, migrate,
seed the demo network when the database is empty, and serve on
ONWARD_HTTP_ADDR (:8080) with the outbox worker. Unless ONWARD_PUBLIC_URL is
set, links point at that address (http://localhost:8080). Without Twilio
credentials a phone simulator stands in for Twilio at /dev/phone; without
Slack credentials staff use the web inbox (login links are printed). Keys are generated once and kept under .onward/ (and, once serving, for
the database under the user's configuration folder, for other checkouts).
`

func init() {
	register(command{name: "dev", summary: "run everything locally with the demo network (make run)", run: runDev})
}

// seedDemo seeds the demo network; set by cmd_demo.go.
var seedDemo func(ctx context.Context, a *app, stdout io.Writer) error

// devSimulatorSID and devSimulatorToken are the credentials of the local
// Twilio simulator: not secret, they only ever sign requests to ourselves.
const (
	devSimulatorSID   = "ACdev00000000000000000000000000000"
	devSimulatorToken = "devsimulatortoken0000000000000000" // letters and digits only: twilio-go refuses others
	devSimulatorFrom  = "+447700900000"
	// devSimulatorWhatsApp is the simulator's WhatsApp sender.
	devSimulatorWhatsApp = "+447700900001"
)

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dev", devUsage, stdout, stderr)
	if err := onlyFlags(fs, args, devUsage); err != nil {
		return err
	}
	stateDir := envOr("ONWARD_STATE_DIR", ".onward")
	svc, err := localsvc.Ensure(ctx, localsvc.Options{Dir: stateDir, DatabaseURL: os.Getenv("ONWARD_DATABASE_URL"),
		RedisURL: os.Getenv("ONWARD_REDIS_URL"), DBName: "onward"})
	if err != nil {
		return err
	}
	defer func() {
		if err := svc.Stop(context.Background()); err != nil {
			fmt.Fprintln(stderr, "stop private services:", err)
		}
	}()
	sharedSecrets := databaseSecretsPath(svc.DatabaseURL)
	secrets, err := devSecrets(stateDir, sharedSecrets, func(msg string) { fmt.Fprintln(stderr, msg) })
	if err != nil {
		return err
	}
	overlay := map[string]string{
		"ONWARD_ENV": "dev", "ONWARD_DATABASE_URL": svc.DatabaseURL, "ONWARD_REDIS_URL": svc.RedisURL,
		"ONWARD_ENCRYPTION_KEY": secrets["ONWARD_ENCRYPTION_KEY"], "ONWARD_SESSION_SECRET": secrets["ONWARD_SESSION_SECRET"],
	}
	cfg, err := devConfig(func(k string) string {
		if v := os.Getenv(k); v != "" && k != "ONWARD_ENV" && k != "ONWARD_DATABASE_URL" && k != "ONWARD_REDIS_URL" {
			return v
		}
		return overlay[k]
	})
	if err != nil {
		return err
	}
	if err := rememberDevURL(stateDir, cfg.PublicURL); err != nil {
		return err
	}
	stopCatcher, err := startMailCatcher(&cfg)
	if err != nil {
		return err
	}
	defer stopCatcher()
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := newLogger(cfg)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := core.Migrate(ctx, a.pool); err != nil {
		return err
	}
	if _, err := a.engine.Network(ctx); errors.Is(err, core.ErrNoNetwork) {
		if seedDemo == nil {
			return errors.New("the database is empty and this binary has no demo network to seed")
		}
		fmt.Fprintln(stdout, "Seeding the demo network (first run only)…")
		if err := seedDemo(ctx, a, stdout); err != nil {
			return fmt.Errorf("seed demo network: %w", err)
		}
	} else if err != nil {
		return err
	}
	if changed, err := demo.FollowPublicURL(ctx, a.engine, cfg.PublicURL); err != nil {
		return err
	} else if changed {
		fmt.Fprintf(stdout, "The demo network's directory and data-sharing links now point at %s.\n", strings.TrimRight(cfg.PublicURL, "/"))
	}
	err = serveHTTP(ctx, a, true, func(addr string) {
		// Serving means the start's checks found these keys open the
		// database: the next checkout on this machine may take them.
		if err := keepDatabaseSecrets(sharedSecrets, secrets); err != nil {
			fmt.Fprintln(stderr, "the dev keys were not kept for other checkouts of Onward on this machine:", err)
		}
		base := strings.TrimRight(cfg.PublicURL, "/")
		fmt.Fprintf(stdout, "\nOnward is running at %s  (Ctrl-C stops it)\n", base)
		fmt.Fprintf(stdout, "  health:     %s/healthz   readiness: %s/readyz\n", base, base)
		for _, m := range mounts {
			if m.devInfo != nil {
				for _, line := range m.devInfo(ctx, a) {
					fmt.Fprintln(stdout, "  "+line)
				}
			}
		}
		fmt.Fprintln(stdout)
	}, nil)
	if errors.Is(err, core.ErrKeysDoNotOpen) {
		return devKeysRefused(stateDir, svc.DatabaseURL)
	}
	return err
}

// devKeysRefused says why `onward dev` cannot open its database and what
// to do: the demo network there was seeded with other keys, by another
// checkout on this machine or before the state folder's keys were lost.
func devKeysRefused(stateDir, dbURL string) error {
	db := "the database"
	if u, err := url.Parse(dbURL); err == nil {
		db = fmt.Sprintf("the database %s on %s", strings.TrimPrefix(u.Path, "/"), u.Host)
	}
	return fmt.Errorf("the keys in %s do not open %s: its demo network was seeded with other keys, "+
		"by another checkout of Onward on this machine or before %s was deleted. "+
		"Copy that checkout's %s into %s, or drop the database to seed the demo afresh "+
		"(PostgreSQL's `dropdb`, as the user that owns it), then run `make run` again",
		filepath.Join(stateDir, devSecretsFile), db, stateDir, filepath.Join(".onward", devSecretsFile), stateDir)
}

// devConfig loads the configuration `onward dev` runs with. Unless
// ONWARD_PUBLIC_URL is set, the public URL is the address it listens on,
// so the links it prints, texts and emails reach it on any
// ONWARD_HTTP_ADDR. Without a Twilio account the worker sends its texts to
// the phone simulator on that same address, whatever the public URL.
func devConfig(getenv func(string) string) (config.Config, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return config.Config{}, err
	}
	local, err := devLocalURL(cfg.HTTPAddr)
	if err != nil {
		return config.Config{}, err
	}
	if getenv("ONWARD_PUBLIC_URL") == "" {
		cfg.PublicURL = local
	}
	if !cfg.TwilioEnabled() {
		cfg.TwilioAccountSID, cfg.TwilioAuthToken, cfg.TwilioFrom = devSimulatorSID, devSimulatorToken, devSimulatorFrom
		cfg.TwilioAPIURL = local + "/dev/twilio"
		if cfg.WhatsAppFrom == "" {
			// The simulator is a WhatsApp client too, with a made-up
			// approved template for every kind of status text.
			cfg.WhatsAppFrom = devSimulatorWhatsApp
			if cfg.WhatsAppTemplates, err = sim.DevWhatsAppTemplates(); err != nil {
				return config.Config{}, err
			}
		}
	}
	return cfg, nil
}

// devLocalURL is the base URL of the address `onward dev` listens on,
// as this machine reaches it: a host left out or a wildcard (":8080",
// "0.0.0.0:8080", "[::]:8080") is localhost.
func devLocalURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("ONWARD_HTTP_ADDR %q is not a host:port address: %w", addr, err)
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("ONWARD_HTTP_ADDR %q: onward dev needs a fixed port, as its links and phone simulator point at it", addr)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// getenvDevDefaults reads the environment, falling back to the keys kept
// under .onward/ by `onward dev`, so maintenance commands work against the
// local dev database without extra setup. A command that runs with dev's
// keys (none of its own, or the same, from a shell that sourced the file)
// runs as dev too, as
// `onward dev` does: its events are chained with dev's stand-in audit
// key, not refused for want of ONWARD_AUDIT_KEY.
func getenvDevDefaults(k string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	switch k {
	case "ONWARD_ENCRYPTION_KEY", "ONWARD_SESSION_SECRET":
		if s, err := readEnvFile(filepath.Join(envOr("ONWARD_STATE_DIR", ".onward"), devSecretsFile)); err == nil {
			return s[k]
		}
	case "ONWARD_PUBLIC_URL":
		if getenvDevDefaults("ONWARD_ENV") == "dev" {
			return devURL(envOr("ONWARD_STATE_DIR", ".onward"))
		}
	case "ONWARD_ENV":
		s, err := readEnvFile(filepath.Join(envOr("ONWARD_STATE_DIR", ".onward"), devSecretsFile))
		if err != nil || s["ONWARD_ENCRYPTION_KEY"] == "" {
			return ""
		}
		if own := os.Getenv("ONWARD_ENCRYPTION_KEY"); own == "" || own == s["ONWARD_ENCRYPTION_KEY"] {
			return "dev" // dev's keys, from the file or a shell that sourced it
		}
	}
	return ""
}

// devURLFile, in the state folder, holds the address `onward dev` last
// served on, so a command run beside it (`onward staff login-link`)
// prints links to that server, not to the default localhost:8080.
const devURLFile = "dev-public-url"

// rememberDevURL keeps the public URL `onward dev` serves on in the state
// folder.
func rememberDevURL(dir, url string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, devURLFile)
	if err := os.WriteFile(path, []byte(url+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// devURL is the public URL `onward dev` last served on with this state
// folder, or "" when it has not run.
func devURL(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, devURLFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out, sc.Err()
}
