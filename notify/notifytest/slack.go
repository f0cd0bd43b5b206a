package notifytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// SlackCall is one chat.postMessage or chat.update the fake Slack accepted.
type SlackCall struct {
	Method  string // "chat.postMessage" or "chat.update"
	Channel string
	TS      string // the message's ts (new for a post)
	Text    string
	Blocks  string // the blocks JSON as sent
	At      time.Time
}

// Slack is a fake of Slack's Web API chat methods.
type Slack struct {
	Server *httptest.Server
	Token  string

	t        T
	seq      atomic.Int64
	mu       sync.Mutex
	requests int
	script   Script
	calls    []SlackCall
	messages map[string]SlackCall // channel/ts → current message
	onAccept func(SlackCall)
}

// NewSlack starts a fake Slack accepting the bot token; it stops when the
// test ends.
func NewSlack(t T, token string) *Slack {
	f := &Slack{t: t, Token: token, messages: map[string]SlackCall{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	return f
}

// URL is the value for ONWARD_SLACK_API_URL.
func (f *Slack) URL() string { return f.Server.URL + "/api" }

// SetScript decides how later requests are answered (nil accepts all).
func (f *Slack) SetScript(s Script) {
	f.mu.Lock()
	f.script, f.requests = s, 0
	f.mu.Unlock()
}

// OnAccept is called with every accepted call.
func (f *Slack) OnAccept(fn func(SlackCall)) {
	f.mu.Lock()
	f.onAccept = fn
	f.mu.Unlock()
}

// Calls returns the accepted calls, in order.
func (f *Slack) Calls() []SlackCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SlackCall(nil), f.calls...)
}

// Message returns the current state of a posted message.
func (f *Slack) Message(channel, ts string) (SlackCall, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.messages[channel+"/"+ts]
	return m, ok
}

// Requests counts every request, accepted or not.
func (f *Slack) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func (f *Slack) serve(w http.ResponseWriter, r *http.Request) {
	var method string
	switch r.URL.Path {
	case "/api/chat.postMessage":
		method = "chat.postMessage"
	case "/api/chat.update":
		method = "chat.update"
	default:
		f.t.Errorf("fake Slack: unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	token := r.PostForm.Get("token")
	if h := r.Header.Get("Authorization"); h != "" {
		token = h[len("Bearer "):]
	}
	if token != f.Token {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f.mu.Lock()
	f.requests++
	var reply Reply
	if f.script != nil {
		reply = f.script(f.requests)
	}
	f.mu.Unlock()
	switch {
	case reply.Hang > 0:
		hang(r, reply.Hang)
		return
	case reply.Status != 0:
		if reply.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(reply.RetryAfter))
		}
		w.WriteHeader(reply.Status)
		return
	case reply.Code != "":
		writeJSON(w, map[string]any{"ok": false, "error": reply.Code})
		return
	}
	call := SlackCall{Method: method, Channel: r.PostForm.Get("channel"), TS: r.PostForm.Get("ts"),
		Text: r.PostForm.Get("text"), Blocks: r.PostForm.Get("blocks"), At: time.Now()}
	f.mu.Lock()
	if method == "chat.update" {
		if _, ok := f.messages[call.Channel+"/"+call.TS]; !ok {
			f.mu.Unlock()
			writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
			return
		}
	} else {
		call.TS = fmt.Sprintf("1764000000.%06d", f.seq.Add(1))
	}
	f.messages[call.Channel+"/"+call.TS] = call
	f.calls = append(f.calls, call)
	cb := f.onAccept
	f.mu.Unlock()
	if cb != nil {
		cb(call)
	}
	if reply.Delay > 0 {
		wait(r, reply.Delay)
	}
	writeJSON(w, map[string]any{"ok": true, "channel": call.Channel, "ts": call.TS, "text": call.Text,
		"message": map[string]any{"type": "message", "text": call.Text, "ts": call.TS}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
