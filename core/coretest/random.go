package coretest

import "sync"

// CountingReader is a random source that counts: each byte one more than
// the last, from N. Tests pin conversation ids, tokens and message SIDs
// with it.
type CountingReader struct {
	mu sync.Mutex
	N  byte
}

// Read fills p with the next bytes of the count.
func (c *CountingReader) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range p {
		c.N++
		p[i] = c.N
	}
	return len(p), nil
}
