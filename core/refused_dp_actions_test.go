package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// An adviser asking to erase, or to export everything held about, a
// client is refused (only a coordinator may), and the refusal is in the
// audit log like every other: the README's "every disclosure and every
// refusal is an event in the audit log". Found by exploratory testing:
// an adviser's POST to /staff/referrals/{ref}/erase or /export answered
// 403 and left no trace for the data protection officer.
func TestRefusedEraseAndExportAreAudited(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("sms-refused-dp"))
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	if err := env.Engine.EraseClient(ctx, r.ClientID, n.Adviser.Actor(), core.ErasureClientAsked, "web"); !isForbidden(err) {
		t.Fatalf("erasure by an adviser: %v, want refused", err)
	}
	if got := countEvents(t, env, core.EventAccessDenied, r.ID); got != 1 {
		t.Errorf("access denied events after a refused erasure = %d, want 1", got)
	}
	if _, err := env.Engine.ExportClient(ctx, r.ClientID, n.Adviser.Actor(), "web", sarRequest(env)); !isForbidden(err) {
		t.Fatalf("export by an adviser: %v, want refused", err)
	}
	if got := countEvents(t, env, core.EventAccessDenied, r.ID); got != 2 {
		t.Errorf("access denied events after a refused export = %d, want 2", got)
	}
}
