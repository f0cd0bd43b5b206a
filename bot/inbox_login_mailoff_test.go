package bot

import (
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// withMailOff rebuilds tb's bot as a production server with Slack and no
// mail server (config.MailOff).
func (tb *testBot) withMailOff() {
	tb.withConfig(func(cfg *config.Config) {
		cfg.Env, cfg.PublicURL, cfg.SMTPURL = "production", "https://onward.test", ""
	})
}

// withConfig rebuilds tb's bot, on the same database, with its
// configuration changed by change.
func (tb *testBot) withConfig(change func(*config.Config)) {
	t := tb.t
	cfg := tb.cfg
	change(&cfg)
	rdb, prefix := coretest.NewRedis(t)
	log := slog.New(slog.NewTextHandler(syncWriter{tb.logMu, tb.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b, err := New(Options{Engine: tb.Engine, Config: cfg, Log: log, Redis: rdb, KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	b.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); b.Close() })
	tb.bot, tb.srv, tb.cfg = b, srv, cfg
}

// Audit D finding 7 and F finding 4: with no mail server, the sign-in page
// said "a sign-in link is on its way", queued an email nothing would send,
// and logged "sign-in link emailed". It now says sign-in by email is not
// set up here, and what to do instead, queues nothing; and where email
// works the log says the email was queued, which is all it knows.
func TestSignInByEmailWhenEmailIsOff(t *testing.T) {
	t.Parallel()
	words := sayWeb("web.signin.email.off", map[string]any{"Slack": true})
	if strings.HasPrefix(words, "!copy") || !strings.Contains(words, "/onward login") {
		t.Fatalf("the words for email being off are %q: add web.signin.email.off to templates/html/staff/words.tmpl, naming /onward login when Slack is on", words)
	}
	esc := template.HTMLEscapeString(words)

	on := newTestBot(t)
	if resp, body := on.web().post("/staff/login", url.Values{"email": {on.Net.Adviser.Email}}); resp.StatusCode != 200 || !strings.Contains(body, "on its way") {
		t.Fatalf("with email on: %d, want the link on its way", resp.StatusCode)
	}
	if n := len(on.signInRows()); n != 1 {
		t.Fatalf("with email on: %d sign-in emails queued, want 1", n)
	}
	if logs := on.logText(); !strings.Contains(logs, `msg="sign-in email queued"`) || strings.Contains(logs, "emailed") {
		t.Errorf("the log says more than that the email was queued:\n%s", logs)
	}

	off := newTestBot(t)
	off.withMailOff()
	if resp, form := off.web().get("/staff/login"); resp.StatusCode != 200 || !strings.Contains(form, esc) {
		t.Errorf("sign-in page with email off: %d, does not say so:\n%s", resp.StatusCode, form)
	}
	resp, body := off.web().post("/staff/login", url.Values{"email": {off.Net.Adviser.Email}})
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(body, "on its way") || !strings.Contains(body, esc) {
		t.Errorf("asking for a link with email off: %d\n%s\nwant 503 saying sign-in by email is not set up", resp.StatusCode, body)
	}
	if n := len(off.signInRows()); n != 0 {
		t.Errorf("with email off: %d sign-in emails queued, want none", n)
	}
}
