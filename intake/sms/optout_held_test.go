package sms

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core/coretest"
)

// An on-call review: STOP while PostgreSQL was down got "we couldn't save
// your reply" and the opt-out was lost. It is held in Redis and confirmed;
// the phone counts as opted out meanwhile; ReplayHeldOptOuts records it
// once PostgreSQL answers; a START after it is not overridden by the
// replay.
func TestSMSStopWhileDatabaseDownIsHeldAndReplayed(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	rdb, prefix := coretest.NewRedis(t)
	pool, err := pgxpool.New(context.Background(), env.URL)
	if err != nil {
		t.Fatal(err)
	}
	downEnv := *env
	downEnv.Pool = pool
	downEnv.Engine, _, _, _ = coretest.NewEngine(t, pool)
	down := newSMSHarnessOn(t, &downEnv, rdb, prefix)
	up := newSMSHarnessOn(t, env, rdb, prefix) // PostgreSQL as it is
	down.text(smsTestPhone, "Hi")
	pool.Close() // the database is gone for this engine
	for range 2 {
		if got := down.text(smsTestPhone, "STOP"); len(got) != 1 || !strings.Contains(got[0], "won't get any more texts") {
			t.Fatalf("STOP with PostgreSQL down: %q, want the confirmation", got)
		}
	}
	if got := down.text(smsTestPhone, "Hi again"); len(got) != 0 {
		t.Errorf("a text after the held STOP got %q, want nothing", got)
	}
	if up.optedOut(smsTestPhone) {
		t.Fatal("the opt-out reached PostgreSQL while it was down")
	}
	if n := strings.Count(down.logs.String(), `msg="sms opt-outs (PostgreSQL) unavailable"`); n != 1 {
		t.Errorf("the outage logged %d times, want once:\n%s", n, down.logs.String())
	}
	n, err := ReplayHeldOptOuts(context.Background(), env.Engine, rdb, prefix)
	if err != nil || n != 1 {
		t.Fatalf("replay: %d, %v; want 1 recorded", n, err)
	}
	if !up.optedOut(smsTestPhone) {
		t.Fatal("the held opt-out was not recorded when PostgreSQL answered")
	}
	if n, err := ReplayHeldOptOuts(context.Background(), env.Engine, rdb, prefix); err != nil || n != 0 {
		t.Errorf("second replay: %d, %v; want nothing left", n, err)
	}

	// A START after a held STOP wins over the replay.
	other := "+447700900124"
	pool2, err := pgxpool.New(context.Background(), env.URL)
	if err != nil {
		t.Fatal(err)
	}
	downEnv.Pool = pool2
	downEnv.Engine, _, _, _ = coretest.NewEngine(t, pool2)
	down2 := newSMSHarnessOn(t, &downEnv, rdb, prefix)
	down2.seq = down.seq + 100
	pool2.Close()
	down2.text(other, "STOP")
	up.seq = down2.seq + 100
	up.text(other, "START")
	if n, err := ReplayHeldOptOuts(context.Background(), env.Engine, rdb, prefix); err != nil || n != 0 || up.optedOut(other) {
		t.Errorf("replay after START: %d, %v, opted out %v; want the START kept", n, err, up.optedOut(other))
	}
}

// An on-call review: every text during a Redis outage logged an error
// and a warning about the phone's lock. The outage is one line.
func TestSMSRedisDownIsLoggedOnce(t *testing.T) {
	t.Parallel()
	h := newSMSHarnessOn(t, coretest.NewEnv(t), coretest.UnreachableRedis(t), "onward-test-down:")
	for _, body := range []string{"Hi", "1", "STOP", "help"} {
		h.text(smsTestPhone, body)
	}
	log := h.logs.String()
	if n := strings.Count(log, `msg="sms conversations (Redis) unavailable"`); n != 1 {
		t.Errorf("the outage logged %d times, want once:\n%s", n, log)
	}
	if strings.Contains(log, "release sms phone lock") || strings.Contains(log, "conversation store unavailable") {
		t.Errorf("a line a text:\n%s", log)
	}
}
