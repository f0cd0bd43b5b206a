package notifytest

import (
	"net/http"
	"time"
)

// Reply tells a fake how to answer one request. The zero Reply accepts it.
type Reply struct {
	Status     int           // HTTP status to fail with (e.g. 500, 429)
	RetryAfter int           // seconds, sent as Retry-After with Status
	Code       string        // provider error: Twilio code ("21211") or Slack error ("channel_not_found")
	Hang       time.Duration // hold the request this long, then drop it unanswered and unrecorded
	Delay      time.Duration // accept and record the request, but answer only after this long
}

// Script decides the reply to the n-th request (counting from 1).
type Script func(n int) Reply

// FailFirst fails the first n requests with r, then accepts.
func FailFirst(n int, r Reply) Script {
	return func(i int) Reply {
		if i <= n {
			return r
		}
		return Reply{}
	}
}

// Sequence plays the scripts' failures one after another: the first
// counts requests 1..n1 with r1, and so on; afterwards every request is
// accepted.
func Sequence(steps ...Step) Script {
	return func(i int) Reply {
		for _, s := range steps {
			if i <= s.N {
				return s.Reply
			}
			i -= s.N
		}
		return Reply{}
	}
}

// Step is n requests answered with the same reply.
type Step struct {
	N     int
	Reply Reply
}

// hang holds a request until the client gives up or d passes.
func hang(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-t.C:
	}
}

// wait delays an answer the same way.
func wait(r *http.Request, d time.Duration) { hang(r, d) }
