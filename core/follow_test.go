package core_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// Two changes made at the same moment commit in either order: here one
// stamped five seconds before another commits after the follower has
// seen the other (a second server, its clock where the first's was as it
// began). Resuming from the newest change seen misses it; resuming from
// the walk's Resume (the API's next_updated_since) sees it.
func TestAFollowerMissesNoChangeCommittedLate(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	partner := creds.Partner.Actor()
	early := staffReferralToCAB(t, env, "follow-early", "07700 900401")
	late := staffReferralToCAB(t, env, "follow-late", "07700 900402")
	start := env.Clock.Now()
	env.Clock.Advance(time.Minute)

	// The other server's clock: five seconds behind this one's.
	behind := coretest.NewClock()
	behind.Set(env.Clock.Now().Add(-5 * time.Second))
	other := core.NewEngine(env.Pool, env.Crypt, behind, env.IDs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(other.Close)

	accept := func(eng *core.Engine, r core.Referral) core.Referral {
		t.Helper()
		res, err := eng.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: env.Net.Adviser.Actor(), ExpectedVersion: r.Version})
		if err != nil {
			t.Fatal(err)
		}
		return res.Referral
	}
	walk := func(since time.Time) (map[core.ReferralID]int, core.Cursor) {
		t.Helper()
		seen := map[core.ReferralID]int{}
		f := core.ReferralPage{UpdatedSince: since, Limit: 1}
		for {
			rs, next, err := env.Engine.ListVisibleReferrals(ctx, partner, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				seen[r.ID] = r.Version
			}
			if next.ID == 0 {
				return seen, next
			}
			f.After = next
		}
	}

	// This server accepts one referral; the follower walks and sees it.
	seenEarly := accept(env.Engine, early)
	seen, end := walk(start)
	if seen[early.ID] != seenEarly.Version {
		t.Fatalf("the walk saw %v, want %s at version %d", seen, early.Reference, seenEarly.Version)
	}
	// The other commits its change, stamped before the one seen.
	seenLate := accept(other, late)
	if !seenLate.StatusAt.Before(seenEarly.StatusAt) {
		t.Fatalf("the late commit is stamped %s, not before %s", seenLate.StatusAt, seenEarly.StatusAt)
	}
	if again, _ := walk(seenEarly.StatusAt); again[late.ID] != 0 {
		t.Fatalf("resuming from the newest change seen found the late one: the test does not make the race")
	}
	if end.Resume.IsZero() || end.Resume.After(seenLate.StatusAt) {
		t.Fatalf("the walk's resume point %s is after the late change's stamp %s", end.Resume, seenLate.StatusAt)
	}
	again, _ := walk(end.Resume)
	if again[late.ID] != seenLate.Version {
		t.Errorf("resuming from the walk's resume point missed %s: saw %v", late.Reference, again)
	}
}
