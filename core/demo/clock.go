package demo

import (
	"math/rand/v2"
	"sync"
	"time"
)

// clock is the seeding engine's clock. History is written in time order,
// so the seeder moves it forward before each step and every event, consent
// and outbox row carries the moment it would really have happened.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// set moves the clock to t, never backwards: the audit log of one referral
// must read in order.
func (c *clock) set(t time.Time) {
	t = t.UTC().Truncate(time.Microsecond)
	c.mu.Lock()
	if t.After(c.now) {
		c.now = t
	}
	c.mu.Unlock()
}

// referenceAlphabet matches core's references: no 0/O, 1/I/L or U.
const referenceAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// ids makes referral references from the seeded random source, so the
// same seed gives the same references.
type ids struct {
	mu  sync.Mutex
	rng *rand.Rand
}

// Reference returns "ONW-" and seven characters.
func (i *ids) Reference() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	b := make([]byte, 7)
	for k := range b {
		b[k] = referenceAlphabet[i.rng.IntN(len(referenceAlphabet))]
	}
	return "ONW-" + string(b)
}
