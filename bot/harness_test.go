package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

const (
	testToken         = "xoxb-test-token"
	testSigningSecret = "test-signing-secret"
	testSessionSecret = "test-session-secret"
)

// slackCall is one request the fake Slack received.
type slackCall struct {
	Method string // "chat.postEphemeral", …, or "response_url"
	Form   url.Values
	JSON   map[string]any
}

// text is the message text of the call, from whichever encoding it used.
func (c slackCall) text() string {
	if t := c.Form.Get("text"); t != "" {
		return t
	}
	if t, ok := c.JSON["text"].(string); ok {
		return t
	}
	return ""
}

// all is everything the call carried, for "does it mention" checks.
func (c slackCall) all() string {
	b, _ := json.Marshal(c.JSON)
	return c.Form.Encode() + string(b) + c.Form.Get("blocks")
}

// fakeSlack speaks the Slack Web API's wire format for the methods the bot
// uses, and records every call. Any other method fails the test.
type fakeSlack struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	calls []slackCall
	// emails is what users.info reports per Slack user id; teams their
	// workspace (fakeTeam when not set) and strangers those Slack marks
	// is_stranger (a user of another organisation).
	emails    map[string]string
	teams     map[string]string
	strangers map[string]bool
	viewSeq   atomic.Int64
	openFail  string // views.open answers this error when set
	// slow holds views.open and users.info back this long (a Slack API
	// having a bad moment).
	slow time.Duration
}

// fakeTeam is the workspace the fake's users are in unless told otherwise.
const fakeTeam = "T0KINGDOM"

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t, emails: map[string]string{}, teams: map[string]string{}, strangers: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	call := slackCall{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &call.JSON); err != nil {
			f.t.Errorf("fake Slack: %s sent unreadable JSON: %v", r.URL.Path, err)
		}
	} else {
		call.Form, _ = url.ParseQuery(string(body))
	}
	if strings.HasPrefix(r.URL.Path, "/response/") {
		call.Method = "response_url"
		f.record(call)
		w.Write([]byte("ok"))
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		f.t.Errorf("fake Slack: unexpected path %s", r.URL.Path)
		http.NotFound(w, r)
		return
	}
	call.Method = method
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = call.Form.Get("token")
	}
	if token != testToken {
		f.t.Errorf("fake Slack: %s called with token %q", method, token)
	}
	f.record(call)
	w.Header().Set("Content-Type", "application/json")
	reply := func(v any) { json.NewEncoder(w).Encode(v) }
	if method == "views.open" || method == "users.info" {
		time.Sleep(f.slow)
	}
	switch method {
	case "chat.postMessage":
		reply(map[string]any{"ok": true, "channel": call.Form.Get("channel"), "ts": "1795428000.000100"})
	case "chat.update":
		reply(map[string]any{"ok": true, "channel": call.Form.Get("channel"), "ts": call.Form.Get("ts")})
	case "chat.postEphemeral":
		reply(map[string]any{"ok": true, "message_ts": "1795428000.000200"})
	case "views.open":
		if f.openFail != "" {
			reply(map[string]any{"ok": false, "error": f.openFail})
			return
		}
		reply(map[string]any{"ok": true, "view": map[string]any{"id": fmt.Sprintf("V%04d", f.viewSeq.Add(1))}})
	case "users.info":
		user := call.Form.Get("user")
		email, known := f.emails[user]
		if !known {
			reply(map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
		f.mu.Lock()
		team, stranger := f.teams[user], f.strangers[user]
		f.mu.Unlock()
		if team == "" {
			team = fakeTeam
		}
		reply(map[string]any{"ok": true, "user": map[string]any{"id": user, "team_id": team, "name": "someone",
			"is_stranger": stranger, "profile": map[string]any{"email": email, "real_name": "Someone"}}})
	case "conversations.open":
		reply(map[string]any{"ok": true, "channel": map[string]any{"id": "D0" + call.Form.Get("users")}})
	default:
		f.t.Errorf("fake Slack: unexpected method %s", method)
		reply(map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (f *fakeSlack) record(c slackCall) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

// called returns the calls of one method, in order.
func (f *fakeSlack) called(method string) []slackCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []slackCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) reset() {
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
}

// testBot is a Bot on a fresh seeded database, a Redis prefix of its own
// and a fake Slack, served by an httptest server.
type testBot struct {
	*coretest.Env
	t     *testing.T
	bot   *Bot
	slack *fakeSlack
	srv   *httptest.Server
	logs  *bytes.Buffer
	logMu *sync.Mutex
	cfg   config.Config
}

type syncWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (s syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func newTestBot(t *testing.T) *testBot {
	t.Helper()
	env := coretest.NewEnv(t)
	rdb, prefix := coretest.NewRedis(t)
	fs := newFakeSlack(t)
	cfg := config.Config{Env: "dev", PublicURL: "http://onward.test", SessionSecret: testSessionSecret,
		SlackBotToken: testToken, SlackSigningSecret: testSigningSecret, SlackTriageChannel: "C0TRIAGE",
		SlackAPIURL: fs.srv.URL + "/api/", SlackCrisisMention: "<!here>"}
	logs, mu := &bytes.Buffer{}, &sync.Mutex{}
	log := slog.New(slog.NewTextHandler(syncWriter{mu, logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b, err := New(Options{Engine: env.Engine, Config: cfg, Log: log, Redis: rdb, KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	b.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); b.Close() })
	return &testBot{Env: env, t: t, bot: b, slack: fs, srv: srv, logs: logs, logMu: mu, cfg: cfg}
}

// logText is everything logged so far.
func (tb *testBot) logText() string {
	tb.logMu.Lock()
	defer tb.logMu.Unlock()
	return tb.logs.String()
}

// slackSign signs a request the way Slack's "Verifying requests from
// Slack" guide does, written here apart from the code under test (which
// verifies with slack-go) and pinned to the guide's own example by
// TestSlackSignMatchesPublishedExample.
func slackSign(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// post sends a form body to path signed the way Slack signs, at the
// real clock's time (as Slack does).
func (tb *testBot) post(path string, form url.Values, headers ...string) *http.Response {
	tb.t.Helper()
	body := []byte(form.Encode())
	// Slack stamps requests with its own (real) clock, and slack-go checks
	// the five-minute window against the real clock, not the engine's.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, tb.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(headerTimestamp, ts)
	req.Header.Set(headerSignature, slackSign(testSigningSecret, ts, body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// interact posts an interaction payload in Slack's wire form: a form with
// one field, payload, holding the JSON.
func (tb *testBot) interact(payload map[string]any, headers ...string) *http.Response {
	tb.t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		tb.t.Fatal(err)
	}
	return tb.post("/slack/interactions", url.Values{"payload": {string(raw)}}, headers...)
}

var slackTeam = map[string]any{"id": "T0KINGDOM", "domain": "kingdom-advice"}

func slackUser(id string) map[string]any {
	return map[string]any{"id": id, "username": strings.ToLower(id), "name": strings.ToLower(id), "team_id": "T0KINGDOM"}
}

// blockAction is Slack's block_actions payload for a button press on a
// card message in a channel.
func (tb *testBot) blockAction(user, channel, actionID, value string) map[string]any {
	ts := fmt.Sprintf("%d.%06d", tb.Clock.Now().Unix(), actionSeq.Add(1))
	return map[string]any{
		"type": "block_actions", "user": slackUser(user), "api_app_id": "A0ONWARD", "token": "legacy-token",
		"container":  map[string]any{"type": "message", "message_ts": "1795428000.000100", "channel_id": channel, "is_ephemeral": false},
		"trigger_id": "1111." + ts, "team": slackTeam, "enterprise": nil, "is_enterprise_install": false,
		"channel":      map[string]any{"id": channel, "name": "referrals"},
		"message":      map[string]any{"type": "message", "text": "Referral", "ts": "1795428000.000100", "bot_id": "B0ONWARD"},
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": tb.slack.srv.URL + "/response/" + ts,
		"actions": []any{map[string]any{"action_id": actionID, "block_id": "card_actions", "value": value,
			"type": "button", "action_ts": ts, "text": map[string]any{"type": "plain_text", "text": actionID, "emoji": true}}},
	}
}

var actionSeq, phoneSeq atomic.Int64

// viewSubmission is Slack's view_submission payload for a modal with
// these state values (block id → action id → value object).
func (tb *testBot) viewSubmission(user, viewID, callbackID, metadata string, values map[string]any) map[string]any {
	state := map[string]any{}
	for block, v := range values {
		state[block] = map[string]any{block: v}
	}
	return map[string]any{
		"type": "view_submission", "team": slackTeam, "user": slackUser(user), "api_app_id": "A0ONWARD",
		"token": "legacy-token", "trigger_id": "2222.1", "is_enterprise_install": false, "enterprise": nil,
		"response_urls": []any{},
		"view": map[string]any{
			"id": viewID, "team_id": "T0KINGDOM", "type": "modal", "blocks": []any{}, "private_metadata": metadata,
			"callback_id": callbackID, "state": map[string]any{"values": state}, "hash": "1795428002.abc",
			"title": map[string]any{"type": "plain_text", "text": "Modal"}, "clear_on_close": false, "notify_on_close": false,
			"root_view_id": viewID, "app_id": "A0ONWARD", "external_id": "", "app_installed_team_id": "T0KINGDOM", "bot_id": "B0ONWARD",
		},
	}
}

// Value objects as Slack puts them in view state.
func selected(v string) map[string]any {
	return map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}}}
}
func radio(v string) map[string]any {
	return map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}}}
}
func typed(v string) map[string]any { return map[string]any{"type": "plain_text_input", "value": v} }
func multi(vs ...string) map[string]any {
	opts := []any{}
	for _, v := range vs {
		opts = append(opts, map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}})
	}
	return map[string]any{"type": "multi_static_select", "selected_options": opts}
}
func checked(vs ...string) map[string]any {
	m := multi(vs...)
	m["type"] = "checkboxes"
	return m
}

// command posts a slash command in Slack's wire form.
func (tb *testBot) command(user, command, text string) *http.Response {
	seq := actionSeq.Add(1)
	return tb.post("/slack/commands", url.Values{
		"token": {"legacy-token"}, "team_id": {"T0KINGDOM"}, "team_domain": {"kingdom-advice"},
		"channel_id": {"C0CAB"}, "channel_name": {"referrals"}, "user_id": {user}, "user_name": {strings.ToLower(user)},
		"command": {command}, "text": {text}, "api_app_id": {"A0ONWARD"}, "is_enterprise_install": {"false"},
		"response_url": {fmt.Sprintf("%s/response/cmd%d", tb.slack.srv.URL, seq)}, "trigger_id": {fmt.Sprintf("3333.%d", seq)},
	})
}

// selfReferral makes an SMS self-referral routed to CAB (distinct phone
// per key).
func (tb *testBot) selfReferral(key string, crisis bool) core.Referral {
	tb.t.Helper()
	return tb.selfReferralWith(key, crisis, core.NeedDebt)
}

// selfReferralNeeds makes an SMS self-referral for other needs.
func (tb *testBot) selfReferralNeeds(key string, needs ...core.Need) core.Referral {
	tb.t.Helper()
	return tb.selfReferralWith(key, false, needs...)
}

func (tb *testBot) selfReferralWith(key string, crisis bool, needs ...core.Need) core.Referral {
	tb.t.Helper()
	in := coretest.SelfReferral(key)
	in.Crisis, in.Needs = crisis, needs
	in.Client.Phone = fmt.Sprintf("07700 9%05d", phoneSeq.Add(1))
	res, err := tb.Engine.SelfRefer(context.Background(), in)
	if err != nil {
		tb.t.Fatal(err)
	}
	return res.Referral
}

func (tb *testBot) referral(id core.ReferralID) core.Referral {
	tb.t.Helper()
	r, err := tb.Engine.Referral(context.Background(), id)
	if err != nil {
		tb.t.Fatal(err)
	}
	return r
}

// events returns the kinds of a referral's audit events.
func (tb *testBot) events(id core.ReferralID) []core.Event {
	tb.t.Helper()
	evs, err := tb.Engine.ReferralEvents(context.Background(), id)
	if err != nil {
		tb.t.Fatal(err)
	}
	return evs
}

func countKind(evs []core.Event, k core.EventKind) int {
	n := 0
	for _, e := range evs {
		if e.Kind == k {
			n++
		}
	}
	return n
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantStatus(t *testing.T, resp *http.Response, want int) string {
	t.Helper()
	body := readBody(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
	return body
}

// agencyCards counts the card.sync rows queued for the referral's card in
// the agency channel.
func agencyCards(t *testing.T, tb *testBot, id core.ReferralID) int {
	t.Helper()
	n := 0
	for _, o := range coretest.OutboxRows(t, tb.Engine) {
		if o.Kind == core.OutboxCard && o.ReferralID != nil && *o.ReferralID == id && o.Payload.Channel == "agency" {
			n++
		}
	}
	return n
}
