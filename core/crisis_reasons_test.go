package core_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestCrisisReasonsAreSealedAndErased: why a referral is a crisis — the
// words an adviser typed, or those found in a client's own texts — is
// free text about the client. It is shown in the referral's story and
// the client's subject access export, kept nowhere in clear (the audit
// log cannot be erased), and gone once the client is erased, with the
// audit log still whole.
func TestCrisisReasonsAreSealedAndErased(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	const typed = "Quillon Drabwick has no gas and her partner has left"
	staff, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "crisis-typed", By: n.Adviser.Actor(),
		Client: core.ClientDetails{Name: "Quillon Drabwick", Phone: "07700 900321", Postcode: "KY1 1AB"},
		Needs:  []core.Need{core.NeedFuel}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion,
		Crisis: true, CrisisReason: "  " + typed + " "})
	if err != nil {
		t.Fatal(err)
	}
	in := coretest.SelfReferral("crisis-words")
	in.Client.Name, in.Client.Phone = "Ysolde Marrowby", "+447700900654"
	const words = `wrote "Yarrowkin eviction notice"`
	in.Crisis, in.CrisisReasons = true, []string{"going without food or heating today", words}
	self, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"Drabwick", "partner has left", "Yarrowkin"}
	dump := dumpDatabase(t, env)
	for _, s := range secrets {
		if strings.Contains(dump, s) {
			t.Errorf("%q is in clear in the database, where erasure cannot reach it", s)
		}
	}

	for _, c := range []struct {
		r    core.Referral
		want []string
	}{{staff, []string{typed}}, {self.Referral, in.CrisisReasons}} {
		tl, err := env.Engine.Timeline(ctx, c.r.ID, n.Coordinator.Actor())
		if err != nil {
			t.Fatal(err)
		}
		if got := core.CrisisReasons(tl); !slices.Equal(got, c.want) {
			t.Errorf("%s: the story's crisis reasons = %q, want %q", c.r.Reference, got, c.want)
		}
		export, err := env.Engine.ExportClient(ctx, c.r.ClientID, n.Coordinator.Actor(), "web", sarRequest(env))
		if err != nil {
			t.Fatal(err)
		}
		if len(export.Referrals) != 1 || !slices.Equal(export.Referrals[0].CrisisReasons, c.want) {
			t.Errorf("%s: the subject access export's crisis reasons = %+v, want %q", c.r.Reference, export.Referrals, c.want)
		}
	}

	for _, r := range []core.Referral{staff, self.Referral} {
		if err := env.Engine.EraseClient(ctx, r.ClientID, n.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
			t.Fatal(err)
		}
		tl, err := env.Engine.Timeline(ctx, r.ID, n.Coordinator.Actor())
		if err != nil {
			t.Fatalf("%s: the story of an erased client's referral: %v", r.Reference, err)
		}
		if got := core.CrisisReasons(tl); len(got) != 0 {
			t.Errorf("%s: crisis reasons after erasure = %q, want none", r.Reference, got)
		}
		got, err := env.Engine.Referral(ctx, r.ID)
		if err != nil || len(got.CrisisEnc) != 0 || !got.Crisis {
			t.Errorf("%s after erasure: sealed reasons %d bytes, crisis %v, %v; want the reasons gone and the referral still a crisis",
				r.Reference, len(got.CrisisEnc), got.Crisis, err)
		}
	}
	if v, err := core.VerifyAuditLog(ctx, env.Pool); err != nil || v.Break != nil {
		t.Errorf("audit log after erasure: %+v, %v", v.Break, err)
	}
}
