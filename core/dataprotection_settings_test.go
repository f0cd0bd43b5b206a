package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestDataProtectionSettingsAreCheckedAndAudited (audit D 8): a withdraw
// keyword that already means something to a client texting Onward is
// refused, naming what it means, and nothing changes; a change without
// the words to check it against is refused; every change is audited with
// who made it and the old and new value of each setting changed, and a
// change to nothing writes nothing.
func TestDataProtectionSettingsAreCheckedAndAudited(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	coord := env.Net.Coordinator.Actor()
	clashes := func(word string) string {
		switch word {
		case "YES":
			return "a yes or no answer"
		case "STOP":
			return "the stop keyword"
		}
		return ""
	}
	audited := func() []string {
		t.Helper()
		rows, err := env.Pool.Query(ctx, `SELECT actor_kind || ':' || coalesce(actor_id::text, '') || ' ' || data::text FROM events WHERE kind = $1 ORDER BY id`,
			string(core.EventDataProtectionChanged))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	before, err := env.Engine.DataProtection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, word := range []string{"YES", "stop"} {
		d := before
		d.WithdrawKeyword = word
		err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: d, By: coord, Clashes: clashes})
		var ve *core.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Field("withdraw keyword"), "is already") {
			t.Errorf("withdraw keyword %s: %v, want refused naming what it means", word, err)
		}
	}
	d := before
	d.WithdrawKeyword = "OPTOUTDATA"
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: d, By: coord}); err == nil {
		t.Error("a new keyword with nothing to check it against was taken")
	}
	if got, _ := env.Engine.DataProtection(ctx); got != before || len(audited()) != 0 {
		t.Fatalf("refused changes left %+v and %d events, want %+v and none", got, len(audited()), before)
	}

	d = before
	d.RetentionMonths, d.WithdrawKeyword = 24, "leave"
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: d, By: coord, Clashes: clashes}); err != nil {
		t.Fatal(err)
	}
	if got, _ := env.Engine.DataProtection(ctx); got.RetentionMonths != 24 || got.WithdrawKeyword != "LEAVE" {
		t.Errorf("settings after the change: %+v", got)
	}
	// The same again changes nothing and writes nothing.
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: d, By: coord}); err != nil {
		t.Fatal(err)
	}
	got := audited()
	if len(got) != 1 {
		t.Fatalf("audited %d changes, want 1: %v", len(got), got)
	}
	for _, want := range []string{"staff:", fmt.Sprintf(`"retention_months": {"new": 24, "old": %d}`, before.RetentionMonths), `"withdraw_keyword": {"new": "LEAVE", "old": "` + strings.ToUpper(before.WithdrawKeyword) + `"}`} {
		if !strings.Contains(got[0], want) {
			t.Errorf("the change's event %s lacks %s", got[0], want)
		}
	}
	if strings.Contains(got[0], "referrer_details_days") {
		t.Errorf("the change's event names a setting that did not change: %s", got[0])
	}
}

// TestErasureReasonIsAChoice (audit D 6): the reason for an erasure is a
// code from core's one list, never free text; the audit log keeps the
// code, and the withdrawal the erasure records keeps it too.
func TestErasureReasonIsAChoice(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("erase-reason"))
	if err != nil {
		t.Fatal(err)
	}
	client, coord := res.Referral.ClientID, env.Net.Coordinator.Actor()
	codes := map[string]bool{}
	for _, c := range core.ErasureReasons() {
		if c.Code == "" || c.Label == "" || codes[c.Code] || core.ErasureReason(c.Code).Label() != c.Label {
			t.Errorf("erasure reason %+v: want a code and words of its own", c)
		}
		codes[c.Code] = true
	}
	for _, want := range []core.ErasureReason{core.ErasureClientAsked, core.ErasureRetention, core.ErasureWithdrewAndAsked, core.ErasureInError, core.ErasureOther} {
		if !codes[string(want)] {
			t.Errorf("the list lacks %s", want)
		}
	}
	for _, why := range []core.ErasureReason{"", "Morag Baird phoned on 07700 900123 and asked", "client asked"} {
		err := env.Engine.EraseClient(ctx, client, coord, why, "web")
		var ve *core.ValidationError
		if !errors.As(err, &ve) || ve.Field("reason") == "" {
			t.Errorf("reason %q: %v, want refused on the reason", why, err)
		}
	}
	if c, _ := env.Engine.ClientDetailsFor(ctx, client); c.Erased {
		t.Fatal("a refused reason erased the client")
	}
	if err := env.Engine.EraseClient(ctx, client, coord, core.ErasureWithdrewAndAsked, "web"); err != nil {
		t.Fatal(err)
	}
	var why string
	if err := env.Pool.QueryRow(ctx, `SELECT data->>'why' FROM events WHERE kind = $1 AND client_id = $2`, string(core.EventClientErased), client).Scan(&why); err != nil || why != "withdrew-and-asked" {
		t.Errorf("the erasure is audited with %q (%v), want its code", why, err)
	}
}

// TestReferralDatesOf (audit D 17): clients are named by their referrals'
// references and dates, oldest first.
func TestReferralDatesOf(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	a, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("dates-a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("dates-b"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := env.Engine.ReferralDatesOf(ctx, []core.ClientID{a.Referral.ClientID})
	if err != nil {
		t.Fatal(err)
	}
	refs := got[a.Referral.ClientID]
	if len(got) != 1 || len(refs) == 0 || refs[0].Reference != a.Referral.Reference || refs[0].CreatedAt.IsZero() {
		t.Errorf("dates of %s's client = %+v", a.Referral.Reference, got)
	}
	for _, r := range refs {
		if r.Reference == b.Referral.Reference && b.Referral.ClientID != a.Referral.ClientID {
			t.Errorf("another client's referral %s listed", r.Reference)
		}
	}
}
