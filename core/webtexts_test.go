package core_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestWebFormTextsCappedPerNumberPerDay reproduces finding 6's
// harassment case: submitting the web form again and again with one
// number queued a text each time. Now the day's cap holds, the referrals
// are still made, and the next day the number can be texted again.
func TestWebFormTextsCappedPerNumberPerDay(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	env.Engine.SetWebTextsPerDay(2)
	webRefer := func(key string) {
		in := coretest.SelfReferral(key)
		in.Source, in.Consent.Channel, in.Consent.Evidence = core.SourceWeb, core.ChannelWeb, "web session "+key
		in.ConfirmBySMS = true
		if _, err := env.Engine.SelfRefer(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	texts := func() int {
		n := 0
		for _, r := range coretest.OutboxRows(t, env.Engine) {
			if r.Kind == core.OutboxClientSMS {
				n++
			}
		}
		return n
	}
	for i := range 5 {
		webRefer(fmt.Sprintf("web-cap-%d", i))
	}
	var referrals int
	env.Pool.QueryRow(ctx, "SELECT count(*) FROM referrals WHERE source = 'web'").Scan(&referrals)
	if got := texts(); got != 2 || referrals != 5 {
		t.Fatalf("5 web referrals from one number queued %d texts and made %d referrals; want 2 texts and 5 referrals", got, referrals)
	}
	env.Clock.Advance(24 * time.Hour)
	webRefer("web-cap-next-day")
	if got := texts(); got != 3 {
		t.Fatalf("the next day: %d texts, want 3", got)
	}
}
