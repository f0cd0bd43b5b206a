package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core/coretest"
)

// cpuMeter adds up the CPU time used by this process, by the PostgreSQL
// backends serving one pool and by the Redis server. Divided by the
// operations done, it says what an operation costs on each side: a figure
// that other work on a shared machine moves far less than it moves a
// rate. It reads the backends' /proc entries, so it counts PostgreSQL only
// when the server runs on this machine; Redis reports its own CPU in
// INFO, for the whole server, so other clients of the same Redis count
// too.
type cpuMeter struct {
	mu   sync.Mutex
	pids []uint32
	rdb  redis.UniversalClient // nil until the environment has one
}

// afterConnect records each new connection's backend; set it as the
// pool's AfterConnect.
func (m *cpuMeter) afterConnect(_ context.Context, c *pgx.Conn) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pids = append(m.pids, c.PgConn().PID())
	return nil
}

// cpuTimes are CPU times read at one moment.
type cpuTimes struct {
	self, pg, redis     time.Duration
	pgKnown, redisKnown bool
}

func (m *cpuMeter) read() cpuTimes {
	var t cpuTimes
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		t.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	m.mu.Lock()
	pids := append([]uint32(nil), m.pids...)
	m.mu.Unlock()
	t.redis, t.redisKnown = m.redisCPU()
	t.pgKnown = len(pids) > 0
	for _, pid := range pids {
		d, ok := procCPU(pid)
		if !ok {
			t.pgKnown = false
			continue
		}
		t.pg += d
	}
	return t
}

// redisCPU is the Redis server's user and system CPU time.
func (m *cpuMeter) redisCPU() (time.Duration, bool) {
	if m.rdb == nil {
		return 0, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	d, err := coretest.RedisCPU(ctx, m.rdb)
	return d, err == nil
}

// knownCPU is the zero to add cpuTimes to: every side known until a
// reading says otherwise.
func knownCPU() cpuTimes { return cpuTimes{pgKnown: true, redisKnown: true} }

func (t cpuTimes) sub(u cpuTimes) cpuTimes {
	return cpuTimes{self: t.self - u.self, pg: t.pg - u.pg, redis: t.redis - u.redis,
		pgKnown: t.pgKnown && u.pgKnown, redisKnown: t.redisKnown && u.redisKnown}
}

func (t cpuTimes) add(u cpuTimes) cpuTimes {
	return cpuTimes{self: t.self + u.self, pg: t.pg + u.pg, redis: t.redis + u.redis,
		pgKnown: t.pgKnown && u.pgKnown, redisKnown: t.redisKnown && u.redisKnown}
}

// perOp formats the CPU time per operation on each side.
func (t cpuTimes) perOp(n int64) string {
	if n == 0 {
		return "no operations"
	}
	per := func(d time.Duration) string {
		return fmt.Sprintf("%.3fms", float64(d)/float64(n)/float64(time.Millisecond))
	}
	pg := "unknown (PostgreSQL is not on this machine)"
	if t.pgKnown {
		pg = per(t.pg)
	}
	rds := "unknown"
	if t.redisKnown {
		rds = per(t.redis)
	}
	return "postgres=" + pg + " redis=" + rds + " go=" + per(t.self)
}

// clockTick is Linux's USER_HZ, the unit of /proc/PID/stat's CPU times:
// 100 on every architecture Go builds for.
const clockTick = 10 * time.Millisecond

// procCPU reads a process's user and system CPU time from /proc.
func procCPU(pid uint32) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name may hold spaces; the fields follow its ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+st) * clockTick, true
}
