package coretest

import (
	"fmt"
	"sync"
	"time"
)

// Clock is a fixed clock that moves only when told to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Epoch is where test clocks start: a Monday morning, inside working hours.
var Epoch = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// NewClock returns a clock stopped at Epoch.
func NewClock() *Clock { return &Clock{now: Epoch} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// IDs makes references in sequence: ONW-T00001, ONW-T00002, …
type IDs struct {
	mu sync.Mutex
	n  int
}

// Reference returns the next reference.
func (i *IDs) Reference() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.n++
	return fmt.Sprintf("ONW-T%05d", i.n)
}
