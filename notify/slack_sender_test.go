package notify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

func TestSlackClientPostAndUpdate(t *testing.T) {
	t.Parallel()
	f := notifytest.NewSlack(t, testBotToken)
	s, err := notify.NewSlackClient(config.Config{SlackBotToken: testBotToken, SlackAPIURL: f.URL()}, notify.SenderOptions{Transport: notifytest.Guard(t, f.URL())})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*ONW-1*", false, false), nil, nil)}
	msg, err := s.Post(ctx, "C0CAB", "Referral ONW-1", blocks)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Channel != "C0CAB" || msg.TS == "" {
		t.Fatalf("posted message %+v", msg)
	}
	if _, err := s.Update(ctx, msg, "Referral ONW-1: accepted", nil); err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	if len(calls) != 2 || calls[0].Method != "chat.postMessage" || calls[1].Method != "chat.update" || calls[1].TS != msg.TS {
		t.Fatalf("calls %+v", calls)
	}
	if calls[0].Blocks == "" || calls[0].Text != "Referral ONW-1" {
		t.Errorf("post carried text %q blocks %q", calls[0].Text, calls[0].Blocks)
	}
}

func TestSlackClientFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		reply      notifytest.Reply
		permanent  bool
		retryAfter time.Duration
	}{
		{"channel not found", notifytest.Reply{Code: "channel_not_found"}, true, 0},
		{"not in channel", notifytest.Reply{Code: "not_in_channel"}, true, 0},
		{"archived", notifytest.Reply{Code: "is_archived"}, true, 0},
		// A refused token is waited on, not the row's failure.
		{"bad token", notifytest.Reply{Code: "invalid_auth"}, false, 5 * time.Minute},
		{"revoked token", notifytest.Reply{Code: "token_revoked"}, false, 5 * time.Minute},
		{"internal error", notifytest.Reply{Code: "internal_error"}, false, 0},
		{"429 with Retry-After", notifytest.Reply{Status: 429, RetryAfter: 7}, false, 7 * time.Second},
		{"server error", notifytest.Reply{Status: 502}, false, 0},
		{"timeout", notifytest.Reply{Hang: 2 * time.Second}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := notifytest.NewSlack(t, testBotToken)
			f.SetScript(notifytest.FailFirst(1, tc.reply))
			s, err := notify.NewSlackClient(config.Config{SlackBotToken: testBotToken, SlackAPIURL: f.URL()},
				notify.SenderOptions{Timeout: 200 * time.Millisecond, Transport: notifytest.Guard(t, f.URL())})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Post(context.Background(), "C0CAB", "hello", nil)
			var fl *notify.Failure
			if !errors.As(err, &fl) {
				t.Fatalf("want a *notify.Failure, got %T %v", err, err)
			}
			if fl.Permanent != tc.permanent || fl.RetryAfter != tc.retryAfter {
				t.Errorf("failure %+v, want permanent=%v retryAfter=%s", fl, tc.permanent, tc.retryAfter)
			}
		})
	}
}
