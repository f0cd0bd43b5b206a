package chaos_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faulty stands in front of one of the repo's provider fakes
// (notifytest's Twilio and Slack) and fails a share of the calls the way
// providers fail: a 500, a 429 with Retry-After, or a request held
// unanswered until the client gives up. Each message (keyed by what it
// says and to whom) fails at most maxFailsPerMessage times, so the retry
// schedule, not luck, decides how long the drain takes.
type faulty struct {
	name    string
	share   float64
	next    http.Handler
	keyOf   func(path string, form url.Values) string
	twilio  bool // answers errors in Twilio's JSON shape
	passing func(path string) bool

	mu        sync.Mutex
	rnd       *rand.Rand
	failures  map[string]int
	count     [3]atomic.Int64 // 500, 429, hang
	passed    atomic.Int64
	ephemeral atomic.Int64
}

const maxFailsPerMessage = 2

func newFaulty(t *testing.T, name string, share float64, seed uint64, next http.Handler, twilio bool,
	keyOf func(path string, form url.Values) string) (*faulty, *httptest.Server) {
	f := &faulty{name: name, share: share, next: next, keyOf: keyOf, twilio: twilio,
		rnd: rand.New(rand.NewPCG(seed, 18)), failures: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *faulty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !f.twilio && r.URL.Path == "/api/chat.postEphemeral" {
		// A press that went wrong is explained to the presser; counted,
		// never failed.
		f.ephemeral.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true,"message_ts":"1.1"}`)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	form, _ := url.ParseQuery(string(body))
	key := f.keyOf(r.URL.Path, form)
	f.mu.Lock()
	fail := -1
	if f.failures[key] < maxFailsPerMessage && f.rnd.Float64() < f.share {
		fail = f.rnd.IntN(3)
		f.failures[key]++
	}
	f.mu.Unlock()
	switch fail {
	case 0:
		f.count[0].Add(1)
		f.fail(w, http.StatusInternalServerError, 20500, "Internal Server Error")
	case 1:
		f.count[1].Add(1)
		w.Header().Set("Retry-After", "1")
		f.fail(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
	case 2:
		f.count[2].Add(1)
		// Held until the client's timeout gives up on it.
		select {
		case <-r.Context().Done():
		case <-time.After(60 * time.Second):
		}
	default:
		f.passed.Add(1)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		f.next.ServeHTTP(w, r)
	}
}

func (f *faulty) fail(w http.ResponseWriter, status, code int, msg string) {
	if f.twilio {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"code":`+strconv.Itoa(code)+`,"message":"`+msg+`","more_info":"https://www.twilio.com/docs/errors/`+strconv.Itoa(code)+`","status":`+strconv.Itoa(status)+`}`)
		return
	}
	w.WriteHeader(status)
}

func (f *faulty) summary() string {
	return f.name + ": " + strconv.Itoa(int(f.passed.Load())) + " passed, " + strconv.Itoa(int(f.count[0].Load())) + " answered 500, " +
		strconv.Itoa(int(f.count[1].Load())) + " answered 429, " + strconv.Itoa(int(f.count[2].Load())) + " held until the client gave up"
}

// twilioKey and slackKey name one message across its retries.
func twilioKey(_ string, form url.Values) string { return form.Get("To") + "\x00" + form.Get("Body") }

func slackKey(path string, form url.Values) string {
	return path + "\x00" + form.Get("channel") + "\x00" + form.Get("ts") + "\x00" + strings.TrimSpace(form.Get("text"))
}
