package notify

import (
	"sync"
	"time"
)

// Random is the source of jitter. *math/rand/v2.Rand satisfies it; tests
// pass a seeded one so retry times are reproducible.
type Random interface{ Float64() float64 }

// lockedRandom makes a Random safe for the worker's delivery goroutines.
type lockedRandom struct {
	mu sync.Mutex
	r  Random
}

func (l *lockedRandom) Float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

// Backoff says how long to wait before the next attempt.
type Backoff struct {
	Base time.Duration // wait after the first failed attempt
	Max  time.Duration // the wait never grows past this
	Rand Random
}

// Delay returns the wait after the given number of attempts (1 = the first
// failed): Base·2^(attempts-1), capped at Max, with "equal jitter" — half
// fixed, half random — so rows that failed together do not all come back
// at the same instant. A provider's Retry-After is honoured as a floor.
func (b Backoff) Delay(attempts int, retryAfter time.Duration) time.Duration {
	d := b.Base
	for i := 1; i < attempts && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max {
		d = b.Max
	}
	d = d/2 + time.Duration(b.Rand.Float64()*float64(d/2))
	if retryAfter > 0 {
		// Wait what was asked, plus a little spread so a burst of rows
		// does not hit the limit again together.
		spread := retryAfter / 10
		if spread > time.Second {
			spread = time.Second
		}
		d = retryAfter + time.Duration(b.Rand.Float64()*float64(spread))
	}
	return d
}
