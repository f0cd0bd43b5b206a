package notify_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

const childEnv = "NOTIFY_TEST_WORKER_CHILD"

// killTimeout bounds the kill test's provider calls: a text whose send
// was cut short is checked with Twilio that long after its mark.
const killTimeout = 2 * time.Second

// TestWorkerChildProcess is the worker the SIGKILL test runs in a child
// process (the test binary re-executed); on its own it does nothing.
func TestWorkerChildProcess(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("runs only as the child of TestWorkerKilledMidBatch")
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("NOTIFY_TEST_DB"))
	if err != nil {
		t.Fatal(err)
	}
	crypt, err := core.NewCrypter(coretest.TestKey, nil, []byte("test-hash-key"))
	if err != nil {
		t.Fatal(err)
	}
	eng := core.NewEngine(pool, crypt, core.SystemClock{}, &coretest.IDs{}, slog.New(slog.DiscardHandler))
	cfg := config.Config{PublicURL: "https://onward.example", TwilioAccountSID: testAccountSID, TwilioAuthToken: testAuthToken,
		TwilioFrom: testFrom, TwilioAPIURL: os.Getenv("NOTIFY_TEST_TWILIO"), SlackBotToken: testBotToken,
		SlackSigningSecret: "s", SlackAPIURL: os.Getenv("NOTIFY_TEST_SLACK"), SlackTriageChannel: triageChannel,
		WorkerBatch: 20, WorkerMaxAttempts: 8, WorkerPoll: time.Second}
	sms, err := notify.NewTwilioSender(cfg, notify.SenderOptions{Timeout: killTimeout})
	if err != nil {
		t.Fatal(err)
	}
	slk, err := notify.NewSlackClient(cfg, notify.SenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := notify.New(notify.Options{Engine: eng, Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		SMS: sms, Slack: slk, Lease: time.Second, Concurrency: 8, DisableDigest: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Run(ctx) // until killed
}

// A worker process killed with SIGKILL in the middle of its batches loses
// nothing: its leased rows are claimed again when the lease runs out.
// Slack posts in flight may be repeated (at-least-once); a text in flight
// is never sent twice (at-most-once): the next worker finds it at Twilio
// and marks it sent, or, when Twilio never took it, sends it once.
// Nothing is dead-lettered as interrupted, and repeated posts are at most
// as many as the child had deliveries in flight.
func TestWorkerKilledMidBatch(t *testing.T) {
	t.Parallel()
	if os.Getenv(childEnv) == "1" {
		t.Skip("this is the child")
	}
	h := newHarness(t, harnessOpts{realClock: true, timeout: killTimeout})
	seqs := queueSequences(t, h, 10, 6)
	queueBulk(t, h, 300)
	// Texts are slow to answer, so the child is killed while the fifth
	// text it sent is accepted by Twilio but not yet answered: that text
	// is in the crash window.
	h.slack.SetScript(func(int) notifytest.Reply { return notifytest.Reply{Delay: 5 * time.Millisecond} })
	h.twilio.SetScript(func(int) notifytest.Reply { return notifytest.Reply{Delay: 300 * time.Millisecond} })
	killNow := make(chan struct{})
	var texts atomic.Int64
	h.twilio.OnAccept(func(notifytest.SMS) {
		if texts.Add(1) == 5 {
			close(killNow)
		}
	})

	cmd := exec.Command(os.Args[0], "-test.run=^TestWorkerChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1", "NOTIFY_TEST_DB="+h.env.URL,
		"NOTIFY_TEST_TWILIO="+h.twilio.URL(), "NOTIFY_TEST_SLACK="+h.slack.URL())
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-killNow:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child worker sent too few texts; its output:\n%s", out.String())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
	before := len(h.slack.Calls()) + len(h.twilio.Accepted())
	var inFlight int
	for _, r := range h.rows(t) {
		if !r.Sent && !r.Dead && r.Attempts > 0 {
			inFlight++
		}
	}
	t.Logf("killed the child after %d deliveries, with %d rows leased", before, inFlight)

	h.slack.SetScript(nil)
	h.twilio.SetScript(nil)
	h.twilio.OnAccept(nil)
	stop := runWorker(t, h.worker(t, func(o *notify.Options) { o.Concurrency = 8 }))
	waitDelivered(t, h, 30*time.Second)
	stop()

	got := collect(t, h)
	rows := h.rows(t)
	found, dupes := 0, 0
	for _, r := range rows {
		if !r.Sent && !r.Dead {
			t.Errorf("row %d lost: neither sent nor dead", r.ID)
		}
		if r.Dead {
			t.Errorf("row %d (%s) dead-lettered: %s", r.ID, r.Kind, r.LastError)
		}
		if r.DeliveryStatus == "sms accepted, found at Twilio after an interruption" {
			found++
		}
	}
	for text, times := range got.slack {
		if len(times) > 1 {
			dupes += len(times) - 1
		}
		if len(times) == 0 {
			t.Errorf("%s never posted", text)
		}
	}
	for key, times := range got.sms {
		if len(times) > 1 {
			t.Errorf("text %s sent %d times: texts must be at most once", key, len(times))
		}
	}
	for i := 1; i <= 300; i++ {
		if len(got.slack[fmt.Sprintf("bulk %d", i)]) == 0 {
			t.Errorf("bulk %d lost", i)
		}
	}
	for _, s := range seqs {
		for _, step := range s.steps {
			if text, ok := strings.CutPrefix(step, "slack:"); ok && len(got.slack[text]) == 0 {
				t.Errorf("%s lost", step)
			}
		}
	}
	// The text Twilio took as the child was killed is found there;
	// texts found and repeated posts are bounded by what the child had in
	// flight (8 at once).
	if found == 0 {
		t.Error("the text in flight at the kill was not found at Twilio")
	}
	if found+dupes > 8 {
		t.Errorf("%d texts found at Twilio and %d repeated posts: more than the child's 8 deliveries in flight", found, dupes)
	}
	t.Logf("after recovery: %d texts found at Twilio after the kill, %d Slack posts repeated", found, dupes)
}
