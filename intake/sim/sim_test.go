package sim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

const simTestAccount = "ACdev00000000000000000000000000000"

// simTestToken is alphanumeric: twilio-go refuses any other auth token
// before it sends (error 21224), so a token with dashes would stop notify
// from sending to the simulator.
const simTestToken = "devsimulatortoken"

// Test settings: a public URL Twilio would call, and the network's number.
const (
	simTestPublicURL = "https://onward.example.org"
	simTestOurNumber = "+447700900000"
)

// simEnv is the SMS webhook the simulator texts through, on a fresh
// database and a private Redis prefix.
type simEnv struct {
	t      *testing.T
	env    *coretest.Env
	mux    *http.ServeMux
	rdb    redis.UniversalClient
	prefix string
}

// newSimHarness wires the simulator to the real SMS webhook with the dev
// command's simulator credentials, served over a real listener.
func newSimHarness(t *testing.T) (*simEnv, *Simulator, *httptest.Server) {
	t.Helper()
	env := coretest.NewEnv(t)
	rdb, prefix := coretest.NewRedis(t)
	s, err := sms.New(sms.Config{Engine: env.Engine, Redis: rdb, KeyPrefix: prefix, PublicURL: simTestPublicURL,
		AuthToken: simTestToken, SMSRatePerHour: 1000, IPRatePerMinute: 1000})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Routes(mux)
	sim, err := New(Config{SMS: s, Engine: env.Engine, Redis: rdb, KeyPrefix: prefix,
		PublicURL: simTestPublicURL, AccountSID: simTestAccount, AuthToken: simTestToken,
		Number: simTestOurNumber, CallbackDelay: time.Millisecond, Random: &coretest.CountingReader{N: 100}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	sim.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &simEnv{t: t, env: env, mux: mux, rdb: rdb, prefix: prefix}, sim, srv
}

// sentSMS records a text as sent with a provider id, as notify does.
func (h *simEnv) sentSMS(dedupe, sid string) {
	h.t.Helper()
	coretest.SentSMS(h.t, h.env.Engine, dedupe, sid)
}

// delivery is the delivery status and error code recorded for a provider id.
func (h *simEnv) delivery(sid string) (string, string) {
	h.t.Helper()
	return coretest.Delivery(h.t, h.env.Engine, sid)
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func TestSimulatorPage(t *testing.T) {
	t.Parallel()
	_, _, srv := newSimHarness(t)
	res, err := http.Get(srv.URL + "/dev/phone?n=456")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `action="/dev/phone"`) || !strings.Contains(body, "07700 900456") ||
		!strings.Contains(body, "Kingdom Advice Network") || !strings.Contains(body, `/dev/phone/thread?n=456`) {
		t.Fatalf("status %d:\n%s", res.StatusCode, body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q", csp)
	}
	res, err = http.Get(srv.URL + "/dev/phone?n=07911123456")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); !strings.Contains(body, "drama") {
		t.Errorf("a real-looking number was not refused:\n%s", body)
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, res.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSimulatorTextsThroughTheWebhook: a text typed on the page reaches the
// real, signed webhook and the reply lands in the thread.
func TestSimulatorTextsThroughTheWebhook(t *testing.T) {
	t.Parallel()
	_, sim, srv := newSimHarness(t)
	c := &http.Client{CheckRedirect: noRedirects}
	for _, body := range []string{"Hi", "1 3"} {
		res, err := c.PostForm(srv.URL+"/dev/phone", url.Values{"n": {"123"}, "body": {body}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dev/phone?n=123" {
			t.Fatalf("status %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
	}
	entries, err := sim.Thread(context.Background(), "123")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		dirs = append(dirs, string(e.Dir))
	}
	if got := strings.Join(dirs, " "); got != "in reply reply in reply" {
		t.Fatalf("thread %s", got)
	}
	if !strings.Contains(entries[1].Body, "Hello from Kingdom Advice Network") {
		t.Errorf("reply %q", entries[1].Body)
	}
	// The webhook took "1 3" as the needs and asks the next question.
	if !strings.Contains(entries[4].Body, "postcode") {
		t.Errorf("after the needs, reply %q, want the postcode question", entries[4].Body)
	}
	res, err := http.Get(srv.URL + "/dev/phone/thread?n=123")
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, res)
	if !strings.Contains(page, `http-equiv="refresh"`) || !strings.Contains(page, "What is your postcode?") {
		t.Fatalf("thread page:\n%s", page)
	}
	// A picture with no words.
	msgs, err := sim.Text(context.Background(), "+447700900123", "", "https://example.org/p.jpg")
	if err != nil || len(msgs) == 0 || !strings.Contains(msgs[0], "pictures") {
		t.Fatalf("MMS: %q %v", msgs, err)
	}
}

// TestSimulatorFakeTwilio drives the fake Messages API with notify's real
// twilio-go sender, as `onward dev` wires them.
func TestSimulatorFakeTwilio(t *testing.T) {
	t.Parallel()
	h, sim, srv := newSimHarness(t)
	cfg := config.Config{TwilioAccountSID: simTestAccount, TwilioAuthToken: simTestToken, TwilioFrom: simTestOurNumber,
		TwilioAPIURL: srv.URL + "/dev/twilio", PublicURL: simTestPublicURL}
	sender, err := notify.NewTwilioSender(cfg, notify.SenderOptions{Transport: notifytest.Guard(t, srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rec, err := sender.SendSMS(ctx, 0, "+447700900789", "Your referral ONW-T00001 was accepted.")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^SM[0-9a-f]{32}$`).MatchString(rec.SID) || rec.Status != "queued" {
		t.Fatalf("receipt %+v", rec)
	}
	entries, err := sim.Thread(ctx, "789")
	if err != nil || len(entries) != 1 || entries[0].Dir != simOut || entries[0].SID != rec.SID || !strings.Contains(entries[0].Body, "ONW-T00001") {
		t.Fatalf("thread %+v %v", entries, err)
	}

	// The status callback reaches the real status handler, signed.
	h.sentSMS("sim-1", rec.SID)
	sim.Close()
	if s, _ := h.delivery(rec.SID); s != "delivered" {
		t.Fatalf("delivery status %q, want delivered", s)
	}

	// An opted-out phone is refused the way Twilio refuses it.
	if err := h.env.Engine.OptOut(ctx, "+447700900789", "sms"); err != nil {
		t.Fatal(err)
	}
	_, err = sender.SendSMS(ctx, 0, "+447700900789", "Another text")
	var f *notify.Failure
	if !errors.As(err, &f) || f.Code != "21610" || !f.OptedOut {
		t.Fatalf("to an opted-out phone: %v", err)
	}
	// A number outside the drama range never "sends".
	if _, err := sender.SendSMS(ctx, 0, "+447400123456", "Hello"); !errors.As(err, &f) || f.Code != "21211" {
		t.Fatalf("to a real-looking number: %v", err)
	}
	// Wrong credentials.
	cfg.TwilioAuthToken = "wrong"
	bad, _ := notify.NewTwilioSender(cfg, notify.SenderOptions{Transport: notifytest.Guard(t, srv.URL)})
	if _, err := bad.SendSMS(ctx, 0, "+447700900789", "Hello"); !errors.As(err, &f) || f.Code != "20003" {
		t.Fatalf("wrong token: %v", err)
	}
}
