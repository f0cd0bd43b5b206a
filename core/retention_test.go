package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestRetentionErasesClientsLongClosed(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	old, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("old"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: old.Referral.ID, Action: core.ActionCancel, Actor: core.ClientActor}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(200 * 24 * time.Hour)
	recent := coretest.SelfReferral("recent")
	recent.Client.Phone = "07700 900456"
	if _, err := env.Engine.SelfRefer(ctx, recent); err != nil { // open: never due
		t.Fatal(err)
	}
	if res, err := env.Engine.ApplyRetention(ctx, core.SystemActor, false); err != nil || len(res.Clients) != 0 {
		t.Fatalf("with no retention set: %+v, %v", res, err)
	}
	dp, _ := env.Engine.DataProtection(ctx)
	dp.RetentionMonths = 6
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: dp, By: env.Net.Coordinator.Actor()}); err != nil {
		t.Fatal(err)
	}
	dry, err := env.Engine.ApplyRetention(ctx, core.SystemActor, true)
	if err != nil || len(dry.Clients) != 1 || dry.Clients[0] != old.Referral.ClientID {
		t.Fatalf("dry run = %+v, %v", dry, err)
	}
	if c, _ := env.Engine.ClientDetailsFor(ctx, old.Referral.ClientID); c.Erased {
		t.Fatal("dry run erased")
	}
	// Retention leaves Redis's copies to their own expiry; an erasure a
	// person asks for removes them.
	var forgot int
	env.Engine.OnErase(func(context.Context, []byte) error { forgot++; return nil })
	res, err := env.Engine.ApplyRetention(ctx, core.SystemActor, false)
	if err != nil || len(res.Clients) != 1 {
		t.Fatalf("retention = %+v, %v", res, err)
	}
	if forgot != 0 {
		t.Errorf("retention swept Redis for %d clients, want none", forgot)
	}
	if c, _ := env.Engine.ClientDetailsFor(ctx, old.Referral.ClientID); !c.Erased {
		t.Error("client due under retention not erased")
	}
	var audited int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = 'client.erased' AND data->>'why' LIKE 'retention%'`).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("retention erasures audited: %d, %v", audited, err)
	}
	// The register says the retention schedule did it.
	reg, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{Via: "web"}, env.Net.Coordinator.Actor())
	if err != nil || len(reg.Rows) != 1 || reg.Rows[0].Through() != "the retention schedule" {
		t.Errorf("the register's retention row: %+v (%v), want one through the retention schedule", reg.Rows, err)
	}
	recentRef, err := env.Engine.ReferralByReference(ctx, "ONW-T00002")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.EraseClient(ctx, recentRef.ClientID, env.Net.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil || forgot != 1 {
		t.Errorf("an erasure asked for: %v, Redis swept %d times, want once", err, forgot)
	}
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: core.DataProtection{RetentionMonths: -1, WithdrawKeyword: "x"}}); err == nil {
		t.Error("bad settings accepted")
	}
}

// A data protection review: the web form's daily count of texts to a
// number kept the number's hash for good, past erasure. The retention run
// drops past days' counts, and erasing a client drops their phone's.
func TestWebTextCountsDoNotOutliveTheirDayOrTheClient(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("web-counts"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.Engine.ClientDetailsFor(ctx, res.Referral.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	theirs := env.Engine.Crypter().PhoneHash(c.Phone)
	other := env.Engine.Crypter().PhoneHash("+447700900999")
	now := env.Clock.Now()
	for _, at := range []time.Time{now.AddDate(0, 0, -3), now} {
		if _, err := env.Engine.AllowWebText(ctx, env.Pool, other, at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Pool.Exec(ctx, `INSERT INTO web_text_counts (phone_hash, day, n) VALUES ($1, $2, 1)`,
		other, now.AddDate(0, 0, -5).Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.AllowWebText(ctx, env.Pool, theirs, now); err != nil {
		t.Fatal(err)
	}
	count := func(hash []byte) (n int) {
		t.Helper()
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM web_text_counts WHERE phone_hash = $1`, hash).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := env.Engine.ApplyRetention(ctx, core.SystemActor, false); err != nil {
		t.Fatal(err)
	}
	if n := count(other); n != 1 {
		t.Errorf("after the retention run the other number has %d days of counts, want today's alone", n)
	}
	if err := env.Engine.EraseClient(ctx, res.Referral.ClientID, env.Net.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	if n := count(theirs); n != 0 {
		t.Errorf("after erasure the client's phone still has %d counts", n)
	}
	if n := count(other); n != 1 {
		t.Errorf("erasing one client took another number's count (%d left)", n)
	}
}

// TestRetentionByHandNamesWhoRanIt: retention run by a coordinator by
// hand is recorded as theirs, through the command line, on the data
// protection officer's list; an adviser is refused and nothing erased.
func TestRetentionByHandNamesWhoRanIt(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	old, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("by-hand"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: old.Referral.ID, Action: core.ActionCancel, Actor: core.ClientActor}); err != nil {
		t.Fatal(err)
	}
	dp, _ := env.Engine.DataProtection(ctx)
	dp.RetentionMonths = 6
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: dp, By: env.Net.Coordinator.Actor()}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(200 * 24 * time.Hour)
	if _, err := env.Engine.ApplyRetention(ctx, env.Net.Adviser.Actor(), false); !isForbidden(err) {
		t.Errorf("an adviser's retention run: %v, want refused", err)
	}
	if c, _ := env.Engine.ClientDetailsFor(ctx, old.Referral.ClientID); c.Erased {
		t.Fatal("an adviser's refused run erased the client")
	}
	if res, err := env.Engine.ApplyRetention(ctx, env.Net.Coordinator.Actor(), false); err != nil || len(res.Clients) != 1 {
		t.Fatalf("the coordinator's run = %+v, %v", res, err)
	}
	reg, err := env.Engine.DataProtectionRequests(ctx, core.DataProtectionQuery{Via: "web"}, env.Net.Coordinator.Actor())
	if err != nil || len(reg.Rows) != 1 || reg.Rows[0].By != env.Net.Coordinator.Name || reg.Rows[0].Through() != "the command line" ||
		reg.Rows[0].Reason != core.ErasureRetention {
		t.Errorf("the register's row: %+v (%v), want the coordinator's, through the command line, for retention", reg.Rows, err)
	}
}

// Retention never erases a client whose referral is open, however old:
// the referrals open longer than the period are listed instead, by
// reference, status, agency and age, by the dry run, the real run and
// RetentionKeptOpen alike, so someone can close them.
func TestRetentionListsReferralsKeptOpen(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	old, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("kept-open"))
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(100 * 24 * time.Hour)
	recent := coretest.SelfReferral("recent-open")
	recent.Client.Phone = "07700 900456"
	if _, err := env.Engine.SelfRefer(ctx, recent); err != nil {
		t.Fatal(err)
	}
	dp, _ := env.Engine.DataProtection(ctx)
	dp.RetentionMonths = 2
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: dp, By: env.Net.Coordinator.Actor()}); err != nil {
		t.Fatal(err)
	}
	if old.Agency == nil {
		t.Fatal("the self-referral waits in triage; want it held by an agency")
	}
	want := core.OpenPastRetention{Reference: old.Referral.Reference, Status: core.StatusRequested,
		Agency: old.Agency.Name, CreatedAt: old.Referral.CreatedAt, Days: 100}
	check := func(what string, res core.RetentionResult, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(res.Clients) != 0 || len(res.KeptOpen) != 1 || res.KeptOpen[0].Reference != want.Reference ||
			res.KeptOpen[0].Status != want.Status || res.KeptOpen[0].Agency != want.Agency || res.KeptOpen[0].Days != want.Days ||
			!res.KeptOpen[0].CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("%s: erases %v, kept open %+v, want none erased and %+v", what, res.Clients, res.KeptOpen, want)
		}
	}
	res, err := env.Engine.ApplyRetention(ctx, core.SystemActor, true)
	check("dry run", res, err)
	res, err = env.Engine.ApplyRetention(ctx, core.SystemActor, false)
	check("run", res, err)
	res, err = env.Engine.RetentionKeptOpen(ctx)
	check("the data protection page's list", res, err)
	if c, _ := env.Engine.ClientDetailsFor(ctx, old.Referral.ClientID); c.Erased {
		t.Error("retention erased a client whose referral is open")
	}
}
