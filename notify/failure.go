package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// Failure is why a delivery did not happen, in words safe for logs, the
// outbox's last_error and coordinator alerts: it never carries the
// provider's own message, which can quote the phone number.
type Failure struct {
	Provider   string        // "twilio", "slack", or "" for our own side
	Status     int           // HTTP status, when the provider answered
	Code       string        // provider error code: "21211", "channel_not_found"
	Permanent  bool          // retrying cannot help
	RetryAfter time.Duration // the provider asked us to wait this long
	OptedOut   bool          // the carrier says the phone unsubscribed (Twilio 21610)
	// OutsideWindow: WhatsApp refused a free-form message as outside the
	// client's 24-hour window (Twilio 63016).
	OutsideWindow bool
	// Interrupted: a text found "sending" that Twilio could not confirm
	// either way (interrupted.go); its retry keeps the mark, so it is
	// checked again, never sent blind.
	Interrupted bool
	// InProgress: Twilio cannot delete a message yet because it is still
	// in progress (20009), or a text is still on its way to it; the
	// twilio.erase row is asked again later (stillErasing).
	InProgress bool
	// Credentials: the provider refused Onward's own credentials (a bot
	// token revoked, an auth token rotated and not updated). Nothing is
	// wrong with the row, and every row through the provider fails alike
	// until someone fixes the setting: the row waits (RetryAfter) and is
	// tried again past its attempts within rateLimitWindow, and the
	// worker says so once (credentialsRefused).
	Credentials bool
	Reason      string // plain words
}

func (f *Failure) Error() string {
	s := f.Provider
	if s != "" {
		s += ": "
	}
	if f.Status != 0 {
		s += fmt.Sprintf("status %d ", f.Status)
	}
	if f.Code != "" {
		s += "error " + f.Code + " "
	}
	if f.Reason != "" {
		s += "(" + f.Reason + ")"
	}
	if f.Permanent {
		s += " [permanent]"
	}
	return s
}

// credentialsRecheck is how long a row whose provider refused Onward's
// credentials waits before it is tried again.
const credentialsRecheck = 5 * time.Minute

// permanent wraps a failure of our own that no retry will fix (a missing
// template, a referral that no longer exists).
func permanent(reason string, err error) *Failure {
	f := &Failure{Permanent: true, Reason: reason}
	if err != nil {
		f.Reason += ": " + err.Error()
	}
	return f
}

// asFailure turns any delivery error into a Failure. Errors that are not
// already one (network trouble, timeouts, database hiccups) are transient:
// retrying is the safe default, and the attempt limit bounds it.
func asFailure(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return &Failure{Reason: "timed out"}
	case errors.As(err, &ne):
		return &Failure{Reason: "network error"}
	}
	return &Failure{Reason: err.Error()}
}
