package wiring

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestRequestDeadline: a handler's work ends by the deadline however
// long what it waits on hangs, and a caller's earlier deadline still
// wins.
func TestRequestDeadline(t *testing.T) {
	var left time.Duration
	h := RequestDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := r.Context().Deadline()
		if !ok {
			t.Error("the request has no deadline")
			return
		}
		left = time.Until(d)
		<-r.Context().Done() // a database that hangs
		w.WriteHeader(http.StatusServiceUnavailable)
	}), 200*time.Millisecond)
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/directory", nil))
	if took := time.Since(start); rec.Code != http.StatusServiceUnavailable || took > 2*time.Second {
		t.Errorf("a hanging handler answered %d after %s", rec.Code, took)
	}
	if left <= 0 || left > 200*time.Millisecond {
		t.Errorf("the deadline was %s away, want 200ms at most", left)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil).WithContext(ctx))
	if left > 50*time.Millisecond {
		t.Errorf("the caller's earlier deadline lost: %s left", left)
	}
}
