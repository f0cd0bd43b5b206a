package outage

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Through a spell of failures, many requests at once, a part's outage is
// two lines: its start with the cause, and its end; another part's spells
// are its own.
func TestASpellIsTwoLines(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&buf, &mu}, nil))
	var l Log
	l.Answered(log, "redis") // nothing down: nothing said
	refused := errors.New("dial tcp 127.0.0.1:6379: connect:\n connection refused")
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Failed(log, slog.LevelError, "web directory", refused)
			l.Failed(log, slog.LevelWarn, "web rate limit", refused, "requests", "allowed")
		}()
	}
	wg.Wait()
	if !l.Down("web directory") || l.Down("sms") {
		t.Error("Down does not follow the spells")
	}
	for range 5 {
		l.Answered(log, "web directory")
	}
	l.Failed(log, slog.LevelError, "web directory", refused)
	got := buf.String()
	for want, n := range map[string]int{
		`level=ERROR msg="web directory unavailable" err="dial tcp 127.0.0.1:6379: connect: connection refused"`: 2,
		`level=WARN msg="web rate limit unavailable"`:                                                            1,
		`requests=allowed`: 1,
		`level=INFO msg="web directory available again" after=`: 1,
		"\n": 4,
	} {
		if c := strings.Count(got, want); c != n {
			t.Errorf("%q %d times, want %d:\n%s", want, c, n, got)
		}
	}
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
