package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestCrisisReferralEmailIgnoresChoices: an adviser who gathers new
// referrals into the digest, or unsubscribed from them, is still emailed
// at once about a crisis referral for their agency, as they are about
// crisis alerts (the unsubscribe page says those still come); an ordinary
// referral waits for their digest, or does not come.
func TestCrisisReferralEmailIgnoresChoices(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	if err := env.Engine.SetMailPrefs(ctx, n.Adviser.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailDigest}); err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.SetMailPrefs(ctx, n.Adviser2.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailOff}); err != nil {
		t.Fatal(err)
	}
	has := func(list []core.EmailRecipient, id core.StaffID) bool {
		for _, r := range list {
			if r.StaffID == id {
				return true
			}
		}
		return false
	}
	for _, crisis := range []bool{false, true} {
		to, err := env.Engine.EmailRecipients(ctx, core.EmailNewReferral, n.CAB, 0, crisis, false, false)
		if err != nil {
			t.Fatal(err)
		}
		if has(to, n.Adviser.ID) != crisis || has(to, n.Adviser2.ID) != crisis {
			t.Errorf("crisis %v: the digest reader emailed now %v, the unsubscribed one %v; want both %v",
				crisis, has(to, n.Adviser.ID), has(to, n.Adviser2.ID), crisis)
		}
	}
}
