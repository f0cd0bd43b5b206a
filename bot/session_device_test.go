package bot

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Real User-Agent strings of the browsers staff use, as they send them.
const (
	uaFirefoxWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
	uaSafariIPhone   = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

func TestDeviceName(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ ua, want string }{
		{uaFirefoxWindows, "Firefox on Windows"},
		{uaSafariIPhone, "Safari on iPhone"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", "Chrome on Android"},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Chrome on Linux"},
		{"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"},
		{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Chrome on ChromeOS"},
		{"Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1", "Chrome on iPad"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0", "Opera on Windows"},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Unknown browser"},
		{"curl/8.0", "Unknown browser"},
		{"Go-http-client/1.1", "Unknown browser"},
		{"<script>alert(1)</script>", "Unknown browser"},
		{"", "Unknown browser"},
	} {
		if got := deviceName(c.ua); got != c.want {
			t.Errorf("deviceName(%q) = %q, want %q", c.ua, got, c.want)
		}
	}
}

// userAgentTransport sends every request with one User-Agent, as a
// browser does.
type userAgentTransport struct{ ua string }

func (u userAgentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.ua)
	return http.DefaultTransport.RoundTrip(r)
}

// signedInWith is signedIn from a browser sending userAgent.
func (tb *testBot) signedInWith(userAgent string) *webClient {
	tb.t.Helper()
	c := tb.web()
	c.http.Transport = userAgentTransport{userAgent}
	if err := c.signIn(tb.link(tb.Net.Adviser)); err != nil {
		tb.t.Fatal(err)
	}
	return c
}

// TestSessionsSayTheirDevice: the settings page tells a person's sessions
// apart: each names the browser and system it signed in with, when it
// signed in and when it was last used, and this one is marked as this
// device. Redis keeps the description only encrypted, and no User-Agent.
func TestSessionsSayTheirDevice(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	signedInAt := tb.Clock.Now().UTC()
	phone := tb.signedInWith(uaSafariIPhone)
	tb.Clock.Advance(30 * time.Minute)
	desk := tb.signedInWith(uaFirefoxWindows)
	tb.Clock.Advance(time.Hour)
	phone.get("/staff/") // the phone opens a page an hour later
	usedAt := tb.Clock.Now().UTC()
	tb.Clock.Advance(20 * time.Minute)

	_, page := desk.get("/staff/settings/email")
	at := func(t time.Time) string { return t.Format("15:04 on 2 January 2006") }
	for _, want := range []string{
		"<strong>Firefox on Windows</strong> (this device)",
		"<strong>Safari on iPhone</strong><br>\n  Signed in " + at(signedInAt) + ", last used " + at(usedAt) + " (UTC)",
		`Sign out of this<span class="visually-hidden">: Safari on iPhone, signed in ` + at(signedInAt),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the sessions list lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<strong>Safari on iPhone</strong> (this device)") {
		t.Errorf("the other device is marked as this one")
	}

	ctx := context.Background()
	keys, err := tb.bot.rdb.Keys(ctx, tb.bot.prefix+"bot:session:*").Result()
	if err != nil || len(keys) != 2 {
		t.Fatalf("session keys %v, %v: want 2", keys, err)
	}
	for _, k := range keys {
		v, _ := tb.bot.rdb.Get(ctx, k).Result()
		for _, clear := range []string{"Firefox", "Safari", "Windows", "iPhone", "Mozilla", `"staff"`} {
			if strings.Contains(v, clear) {
				t.Errorf("Redis holds %q in clear under %s", clear, k)
			}
		}
	}
}

// TestSessionFromBeforeDevices: a session signed in before sessions kept
// their device (its value the staff id alone) still signs in until it
// expires, and is listed with its device unknown.
func TestSessionFromBeforeDevices(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	id := strings.Repeat("A", sessionIDLen)
	hash := tb.bot.sessionHash(id)
	staff := tb.Net.Adviser.ID
	if err := tb.bot.rdb.Set(ctx, sessionKey(tb.bot.prefix, hash), strconv.FormatInt(int64(staff), 10), sessionTTL).Err(); err != nil {
		t.Fatal(err)
	}
	if err := tb.bot.rdb.ZAdd(ctx, tb.bot.staffSessionsKey(staff), redis.Z{Score: float64(tb.Clock.Now().Unix()), Member: hash}).Err(); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, tb.srv.URL+"/staff/", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: id})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a session from before devices: %d, want 200", resp.StatusCode)
	}
	ss, err := tb.bot.StaffSessions(ctx, staff)
	if err != nil || len(ss) != 1 || ss[0].Device != unknownBrowser || !ss[0].Used.IsZero() {
		t.Errorf("sessions %+v, %v: want the one, its device unknown", ss, err)
	}
}
