package sms

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkSMSInbound is the webhook's full path in process (no network
// between client and handler): signature, limits, dedupe, lock, a
// conversation step in Redis, the opt-out check in Postgres, TwiML.
// `onward-bench sms` measures it over HTTP against a bare handler.
func BenchmarkSMSInbound(b *testing.B) {
	h := newSMSHarness(b, func(c *Config) { c.IPRatePerMinute = 1 << 30; c.SMSRatePerHour = 1 << 30 })
	script := []string{"1 3", "KY1 1AB", "no", "no", "Ailsa Fictional", "1", "1", "RESTART"}
	var next atomic.Int64
	b.SetParallelism(32)
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
}
