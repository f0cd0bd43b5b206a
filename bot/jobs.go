package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// jobTimeout bounds one piece of work run after an acknowledgement.
const jobTimeout = 30 * time.Second

// jobQueue runs the bot's slow work after Slack has had its
// acknowledgement, first come first served, at most max pieces at once.
// Work waiting its turn is a closure in a queue, not a parked goroutine:
// under a burst of presses thousands may wait, and parked goroutines'
// stacks would be scanned by every garbage collection, slowing the very
// acknowledgements the queue is there to keep fast.
type jobQueue struct {
	max     int
	mu      sync.Mutex
	waiting []job // oldest first
	workers int   // goroutines taking work from waiting
	all     sync.WaitGroup
}

type job struct {
	name string
	fn   func(ctx context.Context)
}

// async runs slow work after Slack has had its acknowledgement: Slack
// wants an answer within three seconds, and core calls plus Slack API
// calls must not hold it up. At most MaxJobs run at once; work queued
// when the bot closes is dropped.
func (b *Bot) async(name string, fn func(ctx context.Context)) {
	q := &b.jobs
	q.all.Add(1)
	q.mu.Lock()
	q.waiting = append(q.waiting, job{name: name, fn: fn})
	start := q.workers < max(q.max, 1)
	if start {
		q.workers++
	}
	q.mu.Unlock()
	if start {
		go b.work()
	}
}

// work runs queued jobs until the queue is empty.
func (b *Bot) work() {
	q := &b.jobs
	for {
		q.mu.Lock()
		if len(q.waiting) == 0 {
			q.workers--
			q.waiting = nil // let the drained backing array go
			q.mu.Unlock()
			return
		}
		j := q.waiting[0]
		q.waiting[0] = job{}
		q.waiting = q.waiting[1:]
		q.mu.Unlock()
		b.run(j)
		q.all.Done()
	}
}

// run runs one job with its own deadline, unless the bot has closed.
func (b *Bot) run(j job) {
	if b.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, jobTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			// The stack says where, for the engineer on call; it holds
			// function names and addresses, not what people typed.
			b.log.Error("bot job panicked", "job", j.name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	j.fn(ctx)
}

// wait blocks until every job queued so far has run or been dropped.
func (q *jobQueue) wait() { q.all.Wait() }
