package sim

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/sms"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
	shipped "github.com/onward-network/onward/templates"
)

const simTestWhatsApp = "+447700900001"

// newWhatsAppSim is the simulator with WhatsApp on, as `onward dev` sets
// it up: its sender and a made-up template for every kind of status text.
func newWhatsAppSim(t *testing.T) (*simEnv, *Simulator, string, config.Config) {
	t.Helper()
	env := coretest.NewEnv(t)
	rdb, prefix := coretest.NewRedis(t)
	s, err := sms.New(sms.Config{Engine: env.Engine, Redis: rdb, KeyPrefix: prefix, PublicURL: simTestPublicURL,
		AuthToken: simTestToken, SMSRatePerHour: 1000, IPRatePerMinute: 1000})
	if err != nil {
		t.Fatal(err)
	}
	templates, err := DevWhatsAppTemplates()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Routes(mux)
	srvURL := ""
	cfg := config.Config{TwilioAccountSID: simTestAccount, TwilioAuthToken: simTestToken, TwilioFrom: simTestOurNumber,
		PublicURL: simTestPublicURL, WhatsAppFrom: simTestWhatsApp, WhatsAppTemplates: templates}
	// One made-up template for each wording file.
	files, _ := fs.Glob(shipped.FS, "whatsapp/status_*.txt")
	sids, err := cfg.WhatsAppTemplateSIDs()
	if err != nil || len(files) == 0 || len(sids) != len(files) {
		t.Fatalf("dev templates %v: %v", sids, err)
	}
	sim, err := New(Config{SMS: s, Engine: env.Engine, Redis: rdb, KeyPrefix: prefix,
		PublicURL: simTestPublicURL, AccountSID: simTestAccount, AuthToken: simTestToken,
		Number: simTestOurNumber, WhatsAppNumber: simTestWhatsApp, WhatsAppTemplates: sids,
		CallbackDelay: time.Millisecond, Random: &coretest.CountingReader{N: 100}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	sim.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	srvURL = srv.URL
	cfg.TwilioAPIURL = srvURL + "/dev/twilio"
	return &simEnv{t: t, env: env, mux: mux, rdb: rdb, prefix: prefix}, sim, srvURL, cfg
}

// TestSimulatorWhatsApp: the simulator as a WhatsApp client. Messages
// typed on the WhatsApp side reach the webhook as Twilio's WhatsApp form
// and get the conversation's replies; what notify sends back arrives in
// the WhatsApp thread, free text inside the window, the template filled in
// outside it, and free text outside it is refused as WhatsApp does.
func TestSimulatorWhatsApp(t *testing.T) {
	t.Parallel()
	h, sim, srv, cfg := newWhatsAppSim(t)
	ctx := context.Background()
	c := &http.Client{CheckRedirect: noRedirects}
	res, err := c.PostForm(srv+"/dev/phone", url.Values{"n": {"123"}, "c": {"whatsapp"}, "body": {"Hi"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dev/phone?n=123&c=whatsapp" {
		t.Fatalf("status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	wa, err := sim.Thread(ctx, "wa:123")
	if err != nil || len(wa) != 3 || wa[0].Dir != simIn || !strings.Contains(wa[1].Body, "Hello from Kingdom Advice Network") {
		t.Fatalf("WhatsApp thread %+v %v", wa, err)
	}
	if smsThread, _ := sim.Thread(ctx, "123"); len(smsThread) != 0 {
		t.Errorf("a WhatsApp message landed in the SMS thread: %+v", smsThread)
	}
	m, err := h.env.Engine.MessagingOf(ctx, "+447700900123")
	if err != nil || m.Channel != "whatsapp" || !m.WindowOpen(h.env.Clock.Now()) {
		t.Fatalf("messaging %+v %v", m, err)
	}
	page := get(t, srv+"/dev/phone?n=123&c=whatsapp")
	if !strings.Contains(page, `name="c" value="whatsapp"`) || !strings.Contains(page, "WhatsApp message") ||
		!strings.Contains(page, "thread?n=123&amp;c=whatsapp") || strings.Contains(page, "MMS") {
		t.Errorf("WhatsApp page:\n%s", page)
	}

	// The dev templates name only kinds the worker knows.
	if _, err := notify.New(notify.Options{Engine: h.env.Engine, Config: cfg}); err != nil {
		t.Fatalf("the worker refuses the dev WhatsApp templates: %v", err)
	}
	sender, err := notify.NewTwilioSender(cfg, notify.SenderOptions{Transport: notifytest.Guard(t, srv)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sender.SendWhatsApp(ctx, "+447700900123", notify.WhatsAppMessage{Body: "Your reference is ONW-T00001."}); err != nil {
		t.Fatal(err)
	}
	sid := cfgSID(t, cfg, "accepted")
	if _, err := sender.SendWhatsApp(ctx, "+447700900123", notify.WhatsAppMessage{ContentSID: sid,
		Variables: map[string]string{"1": "Kingdom Council Welfare Rights", "2": "3 working days", "3": "ONW-T00001"}}); err != nil {
		t.Fatal(err)
	}
	// A day later the window is closed: free text is accepted, then refused.
	h.env.Clock.Advance(25 * time.Hour)
	if _, err := sender.SendWhatsApp(ctx, "+447700900123", notify.WhatsAppMessage{Body: "Late free text"}); err != nil {
		t.Fatal(err)
	}
	wa, _ = sim.Thread(ctx, "wa:123")
	if len(wa) != 6 {
		t.Fatalf("WhatsApp thread %+v", wa)
	}
	if wa[3].Dir != simOut || wa[3].Body != "Your reference is ONW-T00001." || wa[3].Template || wa[3].Refused != "" {
		t.Errorf("free text in the window: %+v", wa[3])
	}
	if wa[4].Body != "Your referral is with Kingdom Council Welfare Rights, who will contact you within 3 working days. Your reference is ONW-T00001." || !wa[4].Template {
		t.Errorf("template: %+v", wa[4])
	}
	if wa[5].Refused == "" {
		t.Errorf("free text outside the window not refused: %+v", wa[5])
	}
	thread := get(t, srv+"/dev/phone/thread?n=123&c=whatsapp")
	if !strings.Contains(thread, "[approved template]") || !strings.Contains(thread, "63016") {
		t.Errorf("thread page:\n%s", thread)
	}
}

func cfgSID(t *testing.T, cfg config.Config, kind string) string {
	t.Helper()
	sids, err := cfg.WhatsAppTemplateSIDs()
	if err != nil || sids[kind] == "" {
		t.Fatalf("no %s template: %v", kind, err)
	}
	return sids[kind]
}

func get(t *testing.T, u string) string {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return readAll(t, res)
}
