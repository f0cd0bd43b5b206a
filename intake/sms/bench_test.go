package sms

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core/coretest"
)

// BenchmarkSMSInbound is the webhook's full path in process (no network
// between client and handler): signature, limits, dedupe, lock, a
// conversation step in Redis, the opt-out check in Postgres, TwiML.
// `onward-bench sms` measures it over HTTP against a bare handler.
//
// Besides the time, it reports the CPU a text costs this process
// (cpu-µs/op, building and signing the request included) and Redis
// (redis-µs/op, read from INFO, so anything else using the same Redis
// counts too): on two shared cores those, not the wall time, say what a
// change saved.
func BenchmarkSMSInbound(b *testing.B) {
	h := newSMSHarness(b, func(c *Config) { c.IPRatePerMinute = 1 << 30; c.SMSRatePerHour = 1 << 30 })
	script := []string{"1 3", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1", "RESTART"}
	var next atomic.Int64
	b.SetParallelism(32)
	self, rds := processCPU(), redisCPU(b, h.rdb)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		phone := fmt.Sprintf("+447700900%03d", next.Add(1))
		h.post(inboundForm(h.nextSID(), phone, "Hi"), postOpt{})
		i := 0
		for pb.Next() {
			rec := h.post(inboundForm(h.nextSID(), phone, script[i%len(script)]), postOpt{})
			i++
			if rec.Code != 200 || rec.Body.Len() < 80 {
				b.Fatal(rec.Code, rec.Body.String())
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-self).Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64((redisCPU(b, h.rdb)-rds).Microseconds())/float64(b.N), "redis-µs/op")
}

// processCPU is the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU is the CPU time the Redis server has used.
func redisCPU(b *testing.B, rdb redis.UniversalClient) time.Duration {
	d, err := coretest.RedisCPU(context.Background(), rdb)
	if err != nil {
		b.Fatal(err)
	}
	return d
}
