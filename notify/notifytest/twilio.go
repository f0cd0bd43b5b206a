package notifytest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// SMS is one message the fake Twilio accepted, as Twilio received it.
type SMS struct {
	SID                 string
	Path                string
	User, Password      string // basic auth
	To                  string
	From                string
	MessagingServiceSID string
	Body                string
	StatusCallback      string
	At                  time.Time
}

// Twilio is a fake of Twilio's Messages API.
type Twilio struct {
	Server     *httptest.Server
	AccountSID string
	AuthToken  string

	t        T
	mu       sync.Mutex
	requests int
	script   Script
	accepted []SMS
	onAccept func(SMS)
}

var messagesPath = regexp.MustCompile(`^/2010-04-01/Accounts/(AC[0-9a-zA-Z]+)/Messages\.json$`)

// NewTwilio starts a fake Twilio for an account; it stops when the test ends.
func NewTwilio(t T, accountSID, authToken string) *Twilio {
	f := &Twilio{t: t, AccountSID: accountSID, AuthToken: authToken}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	return f
}

// URL is the value for ONWARD_TWILIO_API_URL.
func (f *Twilio) URL() string { return f.Server.URL }

// SetScript decides how later requests are answered (nil accepts all).
func (f *Twilio) SetScript(s Script) {
	f.mu.Lock()
	f.script, f.requests = s, 0
	f.mu.Unlock()
}

// OnAccept is called with every accepted message (the benchmark times it).
func (f *Twilio) OnAccept(fn func(SMS)) {
	f.mu.Lock()
	f.onAccept = fn
	f.mu.Unlock()
}

// Accepted returns the messages accepted so far, in order.
func (f *Twilio) Accepted() []SMS {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SMS(nil), f.accepted...)
}

// Requests counts every request, accepted or not.
func (f *Twilio) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func (f *Twilio) serve(w http.ResponseWriter, r *http.Request) {
	m := messagesPath.FindStringSubmatch(r.URL.Path)
	if r.Method != http.MethodPost || m == nil {
		f.t.Errorf("fake Twilio: unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user != f.AccountSID || pass != f.AuthToken || m[1] != f.AccountSID {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests++
	var reply Reply
	if f.script != nil {
		reply = f.script(f.requests)
	}
	f.mu.Unlock()
	if reply.Hang > 0 {
		hang(r, reply.Hang)
		return
	}
	if reply.Status != 0 || reply.Code != "" {
		status := reply.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		if reply.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(reply.RetryAfter))
		}
		if status >= 500 && reply.Code == "" {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			fmt.Fprint(w, "<html><body>Service Unavailable</body></html>")
			return
		}
		code, _ := strconv.Atoi(reply.Code)
		if code == 0 && status == http.StatusTooManyRequests {
			code = 20429
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		// Twilio's own messages quote the number, as the real API does.
		_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "status": status,
			"message":   "The 'To' number " + r.PostForm.Get("To") + " is not valid.",
			"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code)})
		return
	}
	sms := SMS{SID: "SM" + randomHex(16), Path: r.URL.Path, User: user, Password: pass, To: r.PostForm.Get("To"),
		From: r.PostForm.Get("From"), MessagingServiceSID: r.PostForm.Get("MessagingServiceSid"),
		Body: r.PostForm.Get("Body"), StatusCallback: r.PostForm.Get("StatusCallback"), At: time.Now()}
	f.mu.Lock()
	f.accepted = append(f.accepted, sms)
	cb := f.onAccept
	f.mu.Unlock()
	if cb != nil {
		cb(sms)
	}
	if reply.Delay > 0 {
		wait(r, reply.Delay)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"sid": sms.SID, "account_sid": f.AccountSID, "to": sms.To, "from": sms.From,
		"messaging_service_sid": nilIfEmpty(sms.MessagingServiceSID), "body": sms.Body, "status": "queued",
		"num_segments": "1", "direction": "outbound-api", "api_version": "2010-04-01",
		"date_created": time.Now().UTC().Format(time.RFC1123Z),
		"uri":          fmt.Sprintf("/2010-04-01/Accounts/%s/Messages/%s.json", f.AccountSID, sms.SID),
	})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
