package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDeliveriesMeasureFromCommitToReceipt(t *testing.T) {
	rep := &benchReporter{}
	d := newDeliveries(3, rep)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	d.commit([]string{"a", "b"}, t0)
	d.commit([]string{"c"}, t0.Add(time.Second))
	d.receive("b", "b", t0.Add(30*time.Millisecond))
	// A clock step makes a row look received before it was committed:
	// that counts as no time, not as negative time.
	d.receive("c", "c", t0.Add(time.Second-time.Millisecond))
	d.receive("a", "a", t0.Add(10*time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.wait(ctx, time.Minute, "rows"); err != nil {
		t.Fatalf("wait after every row arrived = %v", err)
	}
	lat, err := d.latencies("provider")
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{0, 10 * time.Millisecond, 30 * time.Millisecond}
	if !slices.Equal(lat, want) {
		t.Errorf("latencies = %v, want %v", lat, want)
	}
	if err := rep.err("fakes"); err != nil {
		t.Errorf("nothing went wrong, yet %v", err)
	}
}

func TestDeliveriesReportDuplicatesAndStrangers(t *testing.T) {
	rep := &benchReporter{}
	d := newDeliveries(5, rep)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	d.commit([]string{"k1"}, t0)
	d.receive("k1", "<msg.k1@example.org>", t0)
	d.receive("k1", "<msg.k1@example.org>", t0)
	err := rep.err("the mail server")
	if err == nil || err.Error() != "the mail server reported: <msg.k1@example.org> delivered twice" {
		t.Errorf("reporter error = %v, want the duplicate named as shown", err)
	}

	d.receive("k9", "k9", t0)
	if _, err := d.latencies("provider"); err == nil || err.Error() != `provider got "k9", which was never queued` {
		t.Errorf("latencies error = %v, want k9 named as never queued", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.wait(ctx, time.Minute, "rows"); err == nil {
		t.Error("wait with 3 of 5 rows and a cancelled context returned nil")
	}
	err = d.wait(context.Background(), time.Millisecond, "emails")
	if err == nil || !strings.HasPrefix(err.Error(), "only 3 of 5 emails delivered in ") {
		t.Errorf("wait past its limit = %v, want it to say 3 of 5 emails arrived", err)
	}
}
