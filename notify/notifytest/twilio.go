package notifytest

import (
	"context"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/onward-network/onward/notify/twiliofake"
)

// SMS is one message the fake Twilio accepted, as Twilio received it.
type SMS = twiliofake.Message

// Twilio is the fake of Twilio's Messages API (twiliofake, the one the dev
// phone simulator serves) on an httptest server, recording what it
// accepted.
type Twilio struct {
	*twiliofake.Fake
	Server     *httptest.Server
	AccountSID string
	AuthToken  string

	mu       sync.Mutex
	accepted []SMS
	onAccept func(SMS)
}

// NewTwilio starts a fake Twilio for an account; it stops when the test
// ends. Any request other than the Messages API fails the test.
func NewTwilio(t T, accountSID, authToken string) *Twilio {
	f := &Twilio{AccountSID: accountSID, AuthToken: authToken}
	f.Fake = twiliofake.New(twiliofake.Options{AccountSID: accountSID, AuthToken: authToken, Now: time.Now,
		OnAccept: f.keep,
		Unexpected: func(method, path string) {
			t.Errorf("fake Twilio: unexpected request %s %s", method, path)
		}})
	f.Server = httptest.NewServer(f.Fake)
	t.Cleanup(f.Server.Close)
	return f
}

// keep records an accepted message, then tells the OnAccept function.
func (f *Twilio) keep(_ context.Context, m SMS) error {
	f.mu.Lock()
	f.accepted = append(f.accepted, m)
	cb := f.onAccept
	f.mu.Unlock()
	if cb != nil {
		cb(m)
	}
	return nil
}

// URL is the value for ONWARD_TWILIO_API_URL.
func (f *Twilio) URL() string { return f.Server.URL }

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
