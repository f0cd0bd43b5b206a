package twiliofake_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/notify/twiliofake"
)

const (
	account = "AC0123456789abcdef0123456789abcdef"
	token   = "0123456789abcdef0123456789abcdef"
	path    = "/2010-04-01/Accounts/" + account + "/Messages.json"
)

var at = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// waSID is a Content SID in Twilio's shape.
const waSID = "HX0123456789abcdef0123456789abcdef"

// fixture is a fake on a test server with every hook recorded.
type fixture struct {
	fake *twiliofake.Fake
	srv  *httptest.Server

	mu         sync.Mutex
	accepted   []twiliofake.Message
	callbacks  []url.Values
	unexpected []string
}

func newFixture(t *testing.T, edit func(*twiliofake.Options)) *fixture {
	t.Helper()
	fx := &fixture{}
	sids := 0
	o := twiliofake.Options{AccountSID: account, AuthToken: token, Now: func() time.Time { return at },
		NewSID: func() (string, error) { sids++; return "SM" + strings.Repeat("0", 31) + string(rune('0'+sids)), nil },
		OptedOut: func(_ context.Context, to string) (bool, error) {
			if to == "+447700900666" {
				return false, errors.New("database down")
			}
			return to == "+447700900999", nil
		},
		OnAccept: func(_ context.Context, m twiliofake.Message) error {
			if m.Body == "refuse me" {
				return errors.New("thread store down")
			}
			fx.mu.Lock()
			fx.accepted = append(fx.accepted, m)
			fx.mu.Unlock()
			return nil
		},
		StatusCallback: func(_ context.Context, cb string, form url.Values) error {
			fx.mu.Lock()
			defer fx.mu.Unlock()
			form.Set("callback", cb)
			fx.callbacks = append(fx.callbacks, form)
			return nil
		},
		CallbackDelay: time.Millisecond,
		Segments:      func(body string) int { return 1 + len(body)/160 },
		Unexpected: func(method, path string) {
			fx.mu.Lock()
			fx.unexpected = append(fx.unexpected, method+" "+path)
			fx.mu.Unlock()
		}}
	if edit != nil {
		edit(&o)
	}
	fx.fake = twiliofake.New(o)
	fx.srv = httptest.NewServer(fx.fake)
	t.Cleanup(fx.srv.Close)
	return fx
}

// post sends a form as twilio-go does, with basic auth user:pass.
func (fx *fixture) post(t *testing.T, method, p, user, pass string, form url.Values) (*http.Response, map[string]any, string) {
	t.Helper()
	req, err := http.NewRequest(method, fx.srv.URL+p, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return res, body, string(raw)
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// One line per request Twilio could receive, and what Twilio answers.
func TestMessagesAPI(t *testing.T) {
	ok := form("To", "+447700900123", "From", "+447700900000", "Body", "Your reference is ONW-T00001.")
	for _, tc := range []struct {
		name       string
		method     string
		path       string
		user, pass string
		form       url.Values
		status     int
		code       float64 // Twilio's error code; 0 for none
		accepted   bool
	}{
		{"accepted from a number", "POST", path, account, token, ok, 201, 0, true},
		{"accepted from a messaging service", "POST", path, account, token,
			form("To", "+447700900123", "MessagingServiceSid", "MG0123456789abcdef0123456789abcdef", "Body", "hi"), 201, 0, true},
		{"no credentials", "POST", path, "", "", ok, 401, 20003, false},
		{"wrong token", "POST", path, account, "wrong", ok, 401, 20003, false},
		{"another account's path", "POST", "/2010-04-01/Accounts/AC99/Messages.json", account, token, ok, 401, 20003, false},
		{"not E.164", "POST", path, account, token, form("To", "07700 900123", "From", "+447700900000", "Body", "hi"), 400, 21211, false},
		{"no From", "POST", path, account, token, form("To", "+447700900123", "Body", "hi"), 400, 21603, false},
		{"no Body", "POST", path, account, token, form("To", "+447700900123", "From", "+447700900000"), 400, 21602, false},
		{"opted out", "POST", path, account, token, form("To", "+447700900999", "From", "+447700900000", "Body", "hi"), 400, 21610, false},
		{"opt-out check fails", "POST", path, account, token, form("To", "+447700900666", "From", "+447700900000", "Body", "hi"), 500, 20500, false},
		{"OnAccept fails", "POST", path, account, token, form("To", "+447700900123", "From", "+447700900000", "Body", "refuse me"), 500, 20500, false},
		// WhatsApp: addresses written "whatsapp:+44…", templates by Content SID.
		{"WhatsApp free text", "POST", path, account, token, form("To", "whatsapp:+447700900123", "From", "whatsapp:+447700900001", "Body", "hi"), 201, 0, true},
		{"WhatsApp template", "POST", path, account, token, form("To", "whatsapp:+447700900123", "From", "whatsapp:+447700900001",
			"ContentSid", waSID, "ContentVariables", `{"1":"ONW-T00001","2":"Fife"}`), 201, 0, true},
		{"WhatsApp template without variables", "POST", path, account, token, form("To", "whatsapp:+447700900123", "From", "whatsapp:+447700900001",
			"ContentSid", waSID), 201, 0, true},
		{"WhatsApp has no STOP of Twilio's", "POST", path, account, token, form("To", "whatsapp:+447700900999", "From", "whatsapp:+447700900001", "Body", "hi"), 201, 0, true},
		{"WhatsApp from an SMS number", "POST", path, account, token, form("To", "whatsapp:+447700900123", "From", "+447700900000", "Body", "hi"), 400, 63007, false},
		{"WhatsApp to a bad number", "POST", path, account, token, form("To", "whatsapp:07700900123", "From", "whatsapp:+447700900001", "Body", "hi"), 400, 21211, false},
		{"variables without a template", "POST", path, account, token, form("To", "whatsapp:+447700900123", "From", "whatsapp:+447700900001",
			"Body", "hi", "ContentVariables", `{"1":"x"}`), 400, 21654, false},
		{"template SID misshapen", "POST", path, account, token, form("To", "whatsapp:+447700900123", "From", "whatsapp:+447700900001",
			"ContentSid", "HX123"), 400, 21655, false},
		{"variables not JSON", "POST", path, account, token, form("To", "whatsapp:+447700900123", "From", "whatsapp:+447700900001",
			"ContentSid", waSID, "ContentVariables", `1=ONW`), 400, 21656, false},
		{"an empty variable", "POST", path, account, token, form("To", "whatsapp:+447700900123", "From", "whatsapp:+447700900001",
			"ContentSid", waSID, "ContentVariables", `{"1":""}`), 400, 21656, false},
		{"a null variable", "POST", path, account, token, form("To", "whatsapp:+447700900123", "From", "whatsapp:+447700900001",
			"ContentSid", waSID, "ContentVariables", `{"1":null}`), 400, 21656, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(t, nil)
			res, body, raw := fx.post(t, tc.method, tc.path, tc.user, tc.pass, tc.form)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, raw)
			}
			if got, _ := body["code"].(float64); got != tc.code {
				t.Errorf("code %v, want %v: %s", body["code"], tc.code, raw)
			}
			if tc.code != 0 && body["more_info"] != fmt.Sprintf("https://www.twilio.com/docs/errors/%d", int(tc.code)) {
				t.Errorf("more_info %v", body["more_info"])
			}
			if got := len(fx.accepted); got != map[bool]int{true: 1, false: 0}[tc.accepted] {
				t.Fatalf("%d messages accepted, want accepted=%v", got, tc.accepted)
			}
			if !tc.accepted {
				return
			}
			m := fx.accepted[0]
			if body["sid"] != m.SID || body["status"] != "queued" || body["to"] != m.To || body["body"] != m.Body ||
				body["account_sid"] != account || body["num_segments"] != "1" || body["date_created"] != "Mon, 02 Mar 2026 10:00:00 +0000" {
				t.Errorf("answer %s does not match the message %+v", raw, m)
			}
			if m.Path != path || m.User != account || m.Password != token || !m.At.Equal(at) ||
				m.From != tc.form.Get("From") || m.MessagingServiceSID != tc.form.Get("MessagingServiceSid") {
				t.Errorf("recorded %+v", m)
			}
			if m.ContentSID != tc.form.Get("ContentSid") || m.ContentVariables != tc.form.Get("ContentVariables") || m.To != tc.form.Get("To") {
				t.Errorf("recorded template %q %q to %q", m.ContentSID, m.ContentVariables, m.To)
			}
			if tc.form.Get("From") == "" && body["from"] != nil {
				t.Errorf("from %v, want null for a messaging service", body["from"])
			}
		})
	}
}

// Anything but the Messages API is refused and reported.
func TestUnexpectedRequest(t *testing.T) {
	fx := newFixture(t, nil)
	res, _, _ := fx.post(t, "DELETE", path, account, token, nil)
	if res.StatusCode != 404 {
		t.Errorf("DELETE of the list answered %d", res.StatusCode)
	}
	res, _, _ = fx.post(t, "POST", "/2010-04-01/Accounts/"+account+"/Calls.json", account, token, nil)
	if res.StatusCode != 404 {
		t.Errorf("Calls answered %d", res.StatusCode)
	}
	if got := strings.Join(fx.unexpected, ", "); got != "DELETE "+path+", POST /2010-04-01/Accounts/"+account+"/Calls.json" {
		t.Errorf("unexpected requests reported: %q", got)
	}
}

// Scripted failures answer as Twilio does, and count every request.
func TestScriptedFailures(t *testing.T) {
	ok := form("To", "+447700900123", "From", "+447700900000", "Body", "hi")
	for _, tc := range []struct {
		name       string
		reply      twiliofake.Reply
		status     int
		code       float64
		retryAfter string
		html       bool
	}{
		{"invalid number", twiliofake.Reply{Code: "21211"}, 400, 21211, "", false},
		{"rate limited", twiliofake.Reply{Status: 429, RetryAfter: 7}, 429, 20429, "7", false},
		{"outage", twiliofake.Reply{Status: 503}, 503, 0, "", true},
		{"server error with code", twiliofake.Reply{Status: 503, Code: "20500"}, 503, 20500, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(t, nil)
			fx.fake.SetScript(func(n int) twiliofake.Reply {
				if n == 1 {
					return tc.reply
				}
				return twiliofake.Reply{}
			})
			res, body, raw := fx.post(t, "POST", path, account, token, ok)
			if res.StatusCode != tc.status || res.Header.Get("Retry-After") != tc.retryAfter {
				t.Fatalf("status %d Retry-After %q: %s", res.StatusCode, res.Header.Get("Retry-After"), raw)
			}
			if tc.html != strings.Contains(res.Header.Get("Content-Type"), "text/html") {
				t.Errorf("content type %q", res.Header.Get("Content-Type"))
			}
			if got, _ := body["code"].(float64); got != tc.code {
				t.Errorf("code %v, want %v", body["code"], tc.code)
			}
			if !tc.html && !strings.Contains(raw, "+447700900123") {
				t.Errorf("a scripted error's message should quote the number, as Twilio's do: %s", raw)
			}
			if res, _, _ := fx.post(t, "POST", path, account, token, ok); res.StatusCode != 201 {
				t.Errorf("the second request answered %d, want 201", res.StatusCode)
			}
			if fx.fake.Requests() != 2 || len(fx.accepted) != 1 {
				t.Errorf("requests %d, accepted %d; want 2 and 1", fx.fake.Requests(), len(fx.accepted))
			}
		})
	}
}

// A hanging reply is dropped when the client gives up, and not recorded.
func TestScriptedHang(t *testing.T) {
	fx := newFixture(t, nil)
	fx.fake.SetScript(func(int) twiliofake.Reply { return twiliofake.Reply{Hang: 5 * time.Second} })
	req, err := http.NewRequest("POST", fx.srv.URL+path, strings.NewReader(form("To", "+447700900123", "From", "+447700900000", "Body", "hi").Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(account, token)
	c := &http.Client{Timeout: 100 * time.Millisecond}
	if _, err := c.Do(req); err == nil {
		t.Fatal("a hanging request was answered")
	}
	if len(fx.accepted) != 0 || fx.fake.Requests() != 1 {
		t.Errorf("accepted %d, requests %d", len(fx.accepted), fx.fake.Requests())
	}
}

// An accepted message with a StatusCallback is reported sent, then
// delivered, with Twilio's callback fields; Close waits for them.
func TestStatusCallbacks(t *testing.T) {
	fx := newFixture(t, nil)
	cb := "https://onward.example/twilio/status"
	res, body, raw := fx.post(t, "POST", path, account, token,
		form("To", "+447700900123", "From", "+447700900000", "Body", "hi", "StatusCallback", cb))
	if res.StatusCode != 201 {
		t.Fatalf("status %d: %s", res.StatusCode, raw)
	}
	fx.fake.Close()
	fx.mu.Lock()
	defer fx.mu.Unlock()
	if len(fx.callbacks) != 2 {
		t.Fatalf("%d callbacks, want 2", len(fx.callbacks))
	}
	for i, status := range []string{"sent", "delivered"} {
		want := url.Values{"SmsSid": {body["sid"].(string)}, "SmsStatus": {status}, "MessageStatus": {status},
			"To": {"+447700900123"}, "MessageSid": {body["sid"].(string)}, "AccountSid": {account},
			"From": {"+447700900000"}, "ApiVersion": {"2010-04-01"}, "callback": {cb}}
		if got := fx.callbacks[i].Encode(); got != want.Encode() {
			t.Errorf("callback %d\n got %s\nwant %s", i, got, want.Encode())
		}
	}
	// Without a StatusCallback URL there are none.
	fx.callbacks = nil
	fx.mu.Unlock()
	fx.post(t, "POST", path, account, token, form("To", "+447700900123", "From", "+447700900000", "Body", "hi"))
	fx.fake.Close()
	fx.mu.Lock()
	if len(fx.callbacks) != 0 {
		t.Errorf("%d callbacks for a message without a StatusCallback", len(fx.callbacks))
	}
}

// WhatsApp's delivery callbacks: "read" after "delivered", the channel
// named; a free-form message outside the 24-hour window is accepted, then
// reported failed with 63016; a template renders through Content, and a
// Content SID Content does not know is 21655.
func TestWhatsAppCallbacksAndTemplates(t *testing.T) {
	fx := newFixture(t, func(o *twiliofake.Options) {
		o.WhatsAppWindowOpen = func(_ context.Context, to string) (bool, error) { return to == "+447700900123", nil }
		o.Content = func(sid string, vars map[string]string) (string, bool) {
			return "Your reference is " + vars["1"] + ".", sid == waSID
		}
	})
	send := func(to string, kv ...string) (*http.Response, map[string]any) {
		t.Helper()
		f := form(append([]string{"To", to, "From", "whatsapp:+447700900001", "StatusCallback", "https://onward.example/twilio/status"}, kv...)...)
		res, body, _ := fx.post(t, "POST", path, account, token, f)
		return res, body
	}
	if res, _ := send("whatsapp:+447700900123", "Body", "in the window"); res.StatusCode != 201 {
		t.Fatalf("in the window: %d", res.StatusCode)
	}
	if res, _ := send("whatsapp:+447700900456", "Body", "outside the window"); res.StatusCode != 201 {
		t.Fatalf("outside the window: %d (Twilio accepts, then fails it)", res.StatusCode)
	}
	res, body := send("whatsapp:+447700900456", "ContentSid", waSID, "ContentVariables", `{"1":"ONW-T00001"}`)
	if res.StatusCode != 201 || body["body"] != "Your reference is ONW-T00001." {
		t.Fatalf("template: %d %v", res.StatusCode, body)
	}
	if res, body := send("whatsapp:+447700900456", "ContentSid", "HX"+strings.Repeat("f", 32)); res.StatusCode != 400 || body["code"] != float64(21655) {
		t.Fatalf("unknown template: %d %v", res.StatusCode, body)
	}
	fx.fake.Close()
	got := map[string][]string{}
	for _, cb := range fx.callbacks {
		if cb.Get("ChannelPrefix") != "whatsapp" || cb.Get("ChannelToAddress") != strings.TrimPrefix(cb.Get("To"), "whatsapp:") ||
			cb.Get("From") != "whatsapp:+447700900001" {
			t.Errorf("callback %v", cb)
		}
		s := cb.Get("MessageStatus")
		if c := cb.Get("ErrorCode"); c != "" {
			s += " " + c
		}
		got[cb.Get("MessageSid")] = append(got[cb.Get("MessageSid")], s)
	}
	want := map[string]string{fx.accepted[0].SID: "sent delivered read", fx.accepted[1].SID: "failed 63016", fx.accepted[2].SID: "sent delivered read"}
	for sid, w := range want {
		if g := strings.Join(got[sid], " "); g != w {
			t.Errorf("%s callbacks %q, want %q", sid, g, w)
		}
	}
	if !fx.accepted[1].OutsideWindow || fx.accepted[0].OutsideWindow || fx.accepted[2].Rendered != "Your reference is ONW-T00001." {
		t.Errorf("accepted %+v", fx.accepted)
	}
}

// listFixture is a fake holding four texts: three to one number from two
// senders over two days, one to another number.
func listFixture(t *testing.T) *fixture {
	t.Helper()
	fx := newFixture(t, nil)
	for _, m := range []struct {
		at         time.Time
		to, from   string
		body, kind string
	}{
		{at.AddDate(0, 0, -1), "+447700900123", "+447700900000", "yesterday", "From"},
		{at, "+447700900123", "+447700900000", "today", "From"},
		{at.Add(time.Minute), "+447700900124", "+447700900000", "other number", "From"},
		{at.Add(2 * time.Minute), "+447700900123", "MG0123456789abcdef0123456789abcdef", "by the service", "MessagingServiceSid"},
	} {
		stamp := m.at
		fx.fake.SetClock(func() time.Time { return stamp })
		if res, _, raw := fx.post(t, "POST", path, account, token, form("To", m.to, m.kind, m.from, "Body", m.body)); res.StatusCode != 201 {
			t.Fatalf("send %q: %d %s", m.body, res.StatusCode, raw)
		}
	}
	fx.fake.SetClock(func() time.Time { return at.Add(time.Hour) })
	return fx
}

// GET on the Messages list answers in Twilio's list shape (its published
// example: messages, page, page_size, start, end, uri, first_page_uri,
// next_page_uri, previous_page_uri), most recent first, honouring To,
// From and DateSent (GMT dates, or RFC 3339 as twilio-go writes them)
// and paging by PageSize and Page.
func TestListMessages(t *testing.T) {
	fx := listFixture(t)
	for _, tc := range []struct {
		name, query string
		want        []string // bodies, in order
		next        bool
	}{
		{"all", "", []string{"by the service", "other number", "today", "yesterday"}, false},
		{"to", "To=%2B447700900123", []string{"by the service", "today", "yesterday"}, false},
		{"to and from", "To=%2B447700900123&From=%2B447700900000", []string{"today", "yesterday"}, false},
		{"sent on or after a date", "To=%2B447700900123&DateSent%3E=2026-03-02", []string{"by the service", "today"}, false},
		{"after, as twilio-go writes it", "To=%2B447700900123&DateSent%3E=2026-03-02T09%3A00%3A00Z", []string{"by the service", "today"}, false},
		{"on or before a date", "DateSent%3C=2026-03-01", []string{"yesterday"}, false},
		{"on a date", "DateSent=2026-03-01", []string{"yesterday"}, false},
		{"first page", "To=%2B447700900123&PageSize=2", []string{"by the service", "today"}, true},
		{"second page", "To=%2B447700900123&PageSize=2&Page=1", []string{"yesterday"}, false},
		{"nobody", "To=%2B447700900999", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body, raw := fx.post(t, "GET", path+"?"+tc.query, account, token, nil)
			if res.StatusCode != 200 {
				t.Fatalf("answered %d: %s", res.StatusCode, raw)
			}
			for _, k := range []string{"messages", "page", "page_size", "start", "end", "uri", "first_page_uri", "next_page_uri", "previous_page_uri"} {
				if _, ok := body[k]; !ok {
					t.Errorf("answer lacks %q: %s", k, raw)
				}
			}
			var got []string
			list, _ := body["messages"].([]any)
			for _, m := range list {
				got = append(got, m.(map[string]any)["body"].(string))
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("bodies %q, want %q", got, tc.want)
			}
			if next, _ := body["next_page_uri"].(string); (next != "") != tc.next {
				t.Errorf("next_page_uri %v", body["next_page_uri"])
			} else if next != "" {
				res, page, _ := fx.post(t, "GET", next, account, token, nil)
				if res.StatusCode != 200 || page["page"] != 1.0 || page["previous_page_uri"] == nil {
					t.Errorf("next page: %d %v", res.StatusCode, page)
				}
			}
			if !strings.HasPrefix(body["uri"].(string), path+"?") || !strings.HasPrefix(body["first_page_uri"].(string), path+"?") {
				t.Errorf("uri %v, first_page_uri %v", body["uri"], body["first_page_uri"])
			}
		})
	}
	// One message as the list shows it: Twilio's fields, dates in RFC 2822.
	_, body, _ := fx.post(t, "GET", path+"?DateSent=2026-03-01", account, token, nil)
	m := body["messages"].([]any)[0].(map[string]any)
	want := map[string]any{"account_sid": account, "api_version": "2010-04-01", "body": "yesterday",
		"date_created": "Sun, 01 Mar 2026 10:00:00 +0000", "date_sent": "Sun, 01 Mar 2026 10:00:00 +0000",
		"date_updated": "Mon, 02 Mar 2026 11:00:00 +0000", "direction": "outbound-api", "error_code": nil, "error_message": nil,
		"from": "+447700900000", "messaging_service_sid": nil, "num_media": "0", "num_segments": "1", "price": nil,
		"price_unit": "GBP", "status": "sent", "to": "+447700900123"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if sid, _ := m["sid"].(string); m["uri"] != "/2010-04-01/Accounts/"+account+"/Messages/"+sid+".json" {
		t.Errorf("uri %v for sid %v", m["uri"], m["sid"])
	}
	for _, q := range []string{"PageSize=0", "PageSize=1001", "Page=-1", "DateSent%3E=yesterday"} {
		if res, body, _ := fx.post(t, "GET", path+"?"+q, account, token, nil); res.StatusCode != 400 || body["code"] != 21601.0 {
			t.Errorf("%s: %d %v, want 400", q, res.StatusCode, body)
		}
	}
	if res, _, _ := fx.post(t, "GET", path, account, "wrong", nil); res.StatusCode != 401 {
		t.Errorf("list with a wrong token: %d", res.StatusCode)
	}
}

// GET on one message answers it, or Twilio's 404 (20404).
func TestFetchMessage(t *testing.T) {
	fx := listFixture(t)
	sid := fx.accepted[1].SID
	res, body, raw := fx.post(t, "GET", "/2010-04-01/Accounts/"+account+"/Messages/"+sid+".json", account, token, nil)
	if res.StatusCode != 200 || body["sid"] != sid || body["body"] != "today" || body["status"] != "sent" {
		t.Errorf("fetch: %d %s", res.StatusCode, raw)
	}
	res, body, _ = fx.post(t, "GET", "/2010-04-01/Accounts/"+account+"/Messages/SM"+strings.Repeat("f", 32)+".json", account, token, nil)
	if res.StatusCode != 404 || body["code"] != 20404.0 || body["status"] != 404.0 {
		t.Errorf("fetch of an unknown message: %d %v", res.StatusCode, body)
	}
	if res, _, _ := fx.post(t, "GET", "/2010-04-01/Accounts/"+account+"/Messages/"+sid+".json", account, "wrong", nil); res.StatusCode != 401 {
		t.Errorf("fetch with a wrong token: %d", res.StatusCode)
	}
	if len(fx.unexpected) != 0 {
		t.Errorf("unexpected: %v", fx.unexpected)
	}
}

// DELETE of a message answers as Twilio's Message resource does: 204 and
// the message is gone (a fetch or a second DELETE is 404, 20404), for a
// message sent and for one received from a client alike; a SID the
// account never held is 404; a wrong token is 401; a script answers
// Twilio's refusal of a message still in progress (409, 20009).
func TestDeleteMessage(t *testing.T) {
	fx := listFixture(t)
	sid := fx.accepted[1].SID
	one := "/2010-04-01/Accounts/" + account + "/Messages/" + sid + ".json"
	inboundSID := "SM" + strings.Repeat("1e", 16)
	fx.fake.Received(inboundSID)
	inbound := "/2010-04-01/Accounts/" + account + "/Messages/" + inboundSID + ".json"
	fx.fake.SetScript(func(n int) twiliofake.Reply {
		if n == 1 {
			return twiliofake.Reply{Status: 409, Code: "20009"}
		}
		return twiliofake.Reply{}
	})
	for _, tc := range []struct {
		name   string
		path   string
		pass   string
		status int
		code   float64
	}{
		{"in progress", one, token, 409, 20009},
		{"deleted", one, token, 204, 0},
		{"deleted already", one, token, 404, 20404},
		{"never held", "/2010-04-01/Accounts/" + account + "/Messages/SM" + strings.Repeat("f", 32) + ".json", token, 404, 20404},
		{"wrong token", one, "wrong", 401, 20003},
		{"received", inbound, token, 204, 0},
		{"received, deleted already", inbound, token, 404, 20404},
	} {
		res, body, raw := fx.post(t, "DELETE", tc.path, account, tc.pass, nil)
		if got, _ := body["code"].(float64); res.StatusCode != tc.status || got != tc.code {
			t.Errorf("%s: %d %s, want %d (%v)", tc.name, res.StatusCode, raw, tc.status, tc.code)
		}
	}
	if res, _, _ := fx.post(t, "GET", one, account, token, nil); res.StatusCode != 404 {
		t.Errorf("fetch of a deleted message: %d, want 404", res.StatusCode)
	}
	got := fx.fake.Deleted()
	if len(got) != 5 || got[0].SID != sid || !got[0].Found || got[1].Found || got[0].User != account || got[0].Password != token ||
		got[3].SID != inboundSID || !got[3].Found || got[4].Found {
		t.Errorf("deletions recorded: %+v", got)
	}
	if len(fx.unexpected) != 0 {
		t.Errorf("unexpected: %v", fx.unexpected)
	}
}
