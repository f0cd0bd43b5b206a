package sim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/sms"
)

// What a developer types on the simulator as a client is kept in Redis
// only encrypted, under a key that names the phone by its keyed hash, for
// a day at most; and erasing the client removes the simulator's threads
// of their phone with their other texts in Redis (ForgetToo around
// sms.Forget, as the dev command wires it for core.Engine.OnErase), and
// no other phone's.
func TestSimulatorThreadIsSealedAndErased(t *testing.T) {
	t.Parallel()
	h, sim, _ := newSimHarness(t)
	ctx := context.Background()
	name := "Philomena Xanthopoulos"
	for _, phone := range []string{"+447700900456", "+447700900123"} {
		if _, err := sim.Text(ctx, core.Phone(phone), "My name is "+name); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := h.rdb.Keys(ctx, h.prefix+"sim:thread:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("thread keys %q, want one for each phone", keys)
	}
	for _, k := range keys {
		if strings.Contains(k, "900456") || strings.Contains(k, "900123") {
			t.Errorf("key %q names the phone", k)
		}
		lines, err := h.rdb.LRange(ctx, k, 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if strings.Contains(l, "Philomena") || strings.Contains(l, "My name") {
				t.Errorf("%s holds a line in clear: %q", k, l)
			}
		}
		if ttl := h.rdb.TTL(ctx, k).Val(); ttl <= 0 || ttl > 24*time.Hour {
			t.Errorf("%s lives %s, want a day at most", k, ttl)
		}
	}
	if entries, err := sim.Thread(ctx, "456"); err != nil || len(entries) < 2 || !strings.Contains(entries[0].Body, name) {
		t.Fatalf("the page's thread: %+v %v", entries, err)
	}

	forget := sim.ForgetToo(sms.Forget(h.rdb, h.prefix))
	if err := forget(ctx, h.env.Engine.Crypter().PhoneHash(core.Phone("+447700900456"))); err != nil {
		t.Fatal(err)
	}
	if entries, err := sim.Thread(ctx, "456"); err != nil || len(entries) != 0 {
		t.Errorf("after the erasure the thread holds %+v (%v)", entries, err)
	}
	if entries, err := sim.Thread(ctx, "123"); err != nil || len(entries) < 2 {
		t.Errorf("another phone's thread went too: %+v (%v)", entries, err)
	}
}

// A process that serves no simulator (the CLI's `client erase` beside the
// dev server) clears a phone's simulator threads, SMS and WhatsApp, with
// ForgetThreads alone, under the same keys the simulator writes; another
// phone's stay.
func TestForgetThreadsWithoutASimulator(t *testing.T) {
	t.Parallel()
	h, sim, _, _ := newWhatsAppSim(t)
	ctx := context.Background()
	for _, phone := range []core.Phone{"+447700900456", "+447700900123"} {
		if _, err := sim.Text(ctx, phone, "Hello"); err != nil {
			t.Fatal(err)
		}
		if _, err := sim.WhatsApp(ctx, phone, "Hi"); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"456", "wa:456"} {
		if entries, err := sim.Thread(ctx, id); err != nil || len(entries) == 0 {
			t.Fatalf("thread %s before the erasure: %+v (%v)", id, entries, err)
		}
	}
	if err := ForgetThreads(ctx, h.rdb, h.prefix, h.env.Engine.Crypter().PhoneHash("+447700900456")); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"456", "wa:456"} {
		if entries, err := sim.Thread(ctx, id); err != nil || len(entries) != 0 {
			t.Errorf("after the erasure thread %s holds %+v (%v)", id, entries, err)
		}
	}
	for _, id := range []string{"123", "wa:123"} {
		if entries, err := sim.Thread(ctx, id); err != nil || len(entries) == 0 {
			t.Errorf("another phone's thread %s went too: %+v (%v)", id, entries, err)
		}
	}
}
