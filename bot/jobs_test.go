package bot

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// jobsBot is a Bot with only what its job queue needs.
func jobsBot(t *testing.T, maxJobs int, log *bytes.Buffer) *Bot {
	t.Helper()
	b := &Bot{jobs: jobQueue{max: maxJobs}, log: slog.New(slog.DiscardHandler)}
	if log != nil {
		b.log = slog.New(slog.NewTextHandler(log, nil))
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	t.Cleanup(b.cancel)
	return b
}

func TestJobsRunAtMostMaxJobsAtOnce(t *testing.T) {
	t.Parallel()
	b := jobsBot(t, 3, nil)
	var running, peak, ran atomic.Int32
	for range 60 {
		b.async("count", func(context.Context) {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(time.Millisecond)
			running.Add(-1)
			ran.Add(1)
		})
	}
	b.wait()
	if ran.Load() != 60 {
		t.Fatalf("%d of 60 jobs ran", ran.Load())
	}
	if peak.Load() != 3 {
		t.Fatalf("at most %d jobs ran at once, want 3 (MaxJobs)", peak.Load())
	}
	// A worker finds the queue empty just after its last job counts as
	// done, so it is given a moment to go.
	for deadline := time.Now().Add(time.Second); ; time.Sleep(time.Millisecond) {
		b.jobs.mu.Lock()
		workers, left := b.jobs.workers, b.jobs.waiting
		b.jobs.mu.Unlock()
		if workers == 0 && left == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a second after the queue drained: %d workers and %d jobs left", workers, len(left))
		}
	}
}

func TestJobsStartInTheOrderTheyCame(t *testing.T) {
	t.Parallel()
	b := jobsBot(t, 1, nil)
	var mu sync.Mutex
	var order []int
	for i := range 40 {
		b.async("order", func(context.Context) { mu.Lock(); order = append(order, i); mu.Unlock() })
	}
	b.wait()
	want := make([]int, 40)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(order, want) {
		t.Fatalf("jobs ran in order %v", order)
	}
}

func TestJobsWaitingWhenTheBotClosesAreDropped(t *testing.T) {
	t.Parallel()
	b := jobsBot(t, 1, nil)
	started, release := make(chan struct{}), make(chan struct{})
	var cancelled atomic.Bool
	b.async("first", func(ctx context.Context) {
		close(started)
		<-release
		cancelled.Store(ctx.Err() != nil)
	})
	var late atomic.Int32
	for range 5 {
		b.async("late", func(context.Context) { late.Add(1) })
	}
	<-started
	b.cancel()
	close(release)
	b.wait()
	if !cancelled.Load() {
		t.Fatal("the running job's context was not cancelled when the bot closed")
	}
	if late.Load() != 0 {
		t.Fatalf("%d jobs queued before the close ran after it", late.Load())
	}
}

func TestAJobThatPanicsIsLoggedAndTheRestRun(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	b := jobsBot(t, 1, &log)
	var after atomic.Bool
	b.async("explodes", func(context.Context) { panic("boom") })
	b.async("after", func(context.Context) { after.Store(true) })
	b.wait()
	if !after.Load() {
		t.Fatal("the job after a panic did not run")
	}
	if !strings.Contains(log.String(), "job=explodes") || !strings.Contains(log.String(), "boom") {
		t.Fatalf("the panic was not logged with its job: %q", log.String())
	}
	// Where it happened, for the engineer on call.
	if !strings.Contains(log.String(), "stack=") || !strings.Contains(log.String(), "TestAJobThatPanicsIsLoggedAndTheRestRun") {
		t.Fatalf("the panic was logged without its stack: %q", log.String())
	}
}

func TestDrainStopsWaitingWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	b := jobsBot(t, 1, nil)
	release := make(chan struct{})
	b.async("slow", func(context.Context) { <-release })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := b.Drain(ctx); err == nil {
		t.Fatal("Drain returned nil while a job was still running")
	}
	close(release)
	if err := b.Drain(context.Background()); err != nil {
		t.Fatalf("Drain after the job finished: %v", err)
	}
}
