package notifytest

import (
	"net/http"
	"time"

	"github.com/onward-network/onward/notify/twiliofake"
)

// Reply tells a fake how to answer one request. The zero Reply accepts it.
// It is twiliofake's, so one script type drives the fake Twilio and Slack.
type Reply = twiliofake.Reply

// Script decides the reply to the n-th request (counting from 1).
type Script = twiliofake.Script

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
