package sms

import (
	"fmt"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// An on-call review found a PostgreSQL outage logging an error a text
// ("sms settings"), and the texts answered from the engine's cached
// settings one line each for the client's language, their channel and
// their opt-out. Each spell is now one line when it starts and one when
// PostgreSQL answers again, whichever read failed first.
func TestSMSPostgresOutageIsLoggedOnceEachWay(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	pool, p := coretest.PoolThroughProxy(t, env.URL)
	proxied := *env
	proxied.Pool = pool
	proxied.Engine, _, _, _ = coretest.NewEngine(t, pool)
	rdb, prefix := coretest.NewRedis(t)
	h := newSMSHarnessOn(t, &proxied, rdb, prefix)
	phone := 0
	texts := func(n int) {
		for range n {
			phone++
			h.text(fmt.Sprintf("+4477009002%02d", phone), "Hi")
		}
	}

	// Down before anything was read: every text fails at the settings.
	p.SetUp(false)
	texts(3)
	p.SetUp(true)
	texts(2)
	// Down with the settings cached: the client's language, channel and
	// opt-out fail instead.
	p.SetUp(false)
	texts(3)
	p.SetUp(true)
	texts(2)

	log := h.logs.String()
	if n := strings.Count(log, `msg="sms replies (PostgreSQL) unavailable"`); n != 2 {
		t.Errorf("logged %d outage starts, want 2 (one a spell):\n%s", n, log)
	}
	if n := strings.Count(log, `msg="sms replies (PostgreSQL) available again"`); n != 2 {
		t.Errorf("logged %d outage ends, want 2 (one a spell):\n%s", n, log)
	}
	for _, line := range []string{`msg="sms settings"`, `msg="sms client language"`, `msg="record messaging channel"`, `msg="sms opt-out check"`} {
		if strings.Contains(log, line) {
			t.Errorf("a line a text (%s):\n%s", line, log)
		}
	}
}
