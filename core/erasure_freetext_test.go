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

// referMorag has the CAB adviser refer the same client (the adviser saw
// her, so one client record) to agency, the key naming the referral.
func referMorag(t *testing.T, env *coretest.Env, key string, to core.AgencyID) core.Referral {
	t.Helper()
	r, err := env.Engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: key, By: env.Net.Adviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123", Postcode: "KY1 1AB"},
		Needs:  []core.Need{core.NeedBenefits}, ToAgency: to, ConsentConfirmed: true, WordingVersion: env.Net.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestErasureLeavesNoStaffFreeText (audit B 2): what staff typed about a
// client — the evidence of their withdrawal, why a referral was rejected,
// why one was cancelled — is not left readable by erasure. The evidence
// never reaches the append-only audit log in clear (it is sealed there
// under the client's key); the words kept in clear on the referrals are
// cleared; the audit log still verifies.
func TestErasureLeavesNoStaffFreeText(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	rejected := referMorag(t, env, "ft-rejected", n.Welfare)
	cancelled := referMorag(t, env, "ft-cancelled", n.Housing)
	if rejected.ClientID != cancelled.ClientID {
		t.Fatalf("two referrals of one client made two clients (%d, %d)", rejected.ClientID, cancelled.ClientID)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: rejected.ID, Action: core.ActionReject, Actor: n.WelfareAdviser.Actor(),
		Reason: core.ReasonNotEligible, Feedback: "Wibbleton Flarg needs family support not food"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: cancelled.ID, Action: core.ActionCancel, Actor: n.Adviser.Actor(),
		Feedback: "Quimby Vorlax moved to Fife"}); err != nil {
		t.Fatal(err)
	}
	const evidence = "Zebedee Quux rang from 07700 900999"
	if _, err := env.Engine.WithdrawByReference(ctx, rejected.Reference, n.Adviser.Actor(), "web", evidence); err != nil {
		t.Fatal(err)
	}
	if dump := dumpDatabase(t, env); strings.Contains(dump, "Zebedee") || strings.Contains(dump, "900999") {
		t.Error("the withdrawal's evidence is in clear in the database, where erasure cannot reach it")
	}
	if got, err := env.Engine.WithdrawalEvidence(ctx, rejected.ClientID); err != nil || len(got) != 1 || got[0] != evidence {
		t.Errorf("withdrawal evidence before erasure = %q, %v; want it kept, readable", got, err)
	}

	if err := env.Engine.EraseClient(ctx, rejected.ClientID, n.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	dump := dumpDatabase(t, env)
	for _, typed := range []string{"Zebedee", "Quux", "900999", "Wibbleton", "Flarg", "Quimby", "Vorlax", "Morag"} {
		if strings.Contains(dump, typed) {
			t.Errorf("database still holds %q after erasure", typed)
		}
	}
	if _, err := env.Engine.WithdrawalEvidence(ctx, rejected.ClientID); !errors.Is(err, core.ErrErased) {
		t.Errorf("withdrawal evidence after erasure: %v, want ErrErased", err)
	}
	for _, r := range []core.Referral{rejected, cancelled} {
		got, err := env.Engine.Referral(ctx, r.ID)
		if err != nil || got.Feedback != "" || got.Reason == nil && r.ID == rejected.ID {
			t.Errorf("%s after erasure: feedback %q, reason kept %v, %v; want the words gone, the reason kept", r.Reference, got.Feedback, got.Reason != nil, err)
		}
	}
	if v, err := core.VerifyAuditLog(ctx, env.Pool); err != nil || v.Break != nil {
		t.Errorf("audit log after erasure: %+v, %v", v.Break, err)
	}
}

// TestWithdrawalEvidenceIsBounded: the evidence of a withdrawal is
// refused past its limit, counted in characters (not bytes), with a
// message naming the limit, and an erasure's reason typed as free text is
// refused (it is a code from a list); nothing is recorded.
func TestWithdrawalEvidenceIsBounded(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	r := referMorag(t, env, "bounded", n.Welfare)
	refused := func(what string, err error, field string, limit int) {
		t.Helper()
		var ve *core.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Field(field), fmt.Sprintf("at most %d characters", limit)) {
			t.Errorf("%s: %v, want refused on %s naming %d characters", what, err, field, limit)
		}
	}
	long := strings.Repeat("é", core.MaxWithdrawalEvidence+1)
	_, err := env.Engine.WithdrawByReference(ctx, r.Reference, n.Adviser.Actor(), "web", long)
	refused("evidence one character too long", err, "evidence", core.MaxWithdrawalEvidence)
	_, err = env.Engine.WithdrawConsent(ctx, r.ClientID, n.Adviser.Actor(), strings.Repeat("x", 100_000))
	refused("100,000 characters of evidence", err, "evidence", core.MaxWithdrawalEvidence)
	err = env.Engine.EraseClient(ctx, r.ClientID, n.Coordinator.Actor(), "Morag Baird phoned on 07700 900123 and asked", "web")
	if ve := (*core.ValidationError)(nil); !errors.As(err, &ve) || !strings.Contains(ve.Field("reason"), "choose one of") {
		t.Errorf("an erasure reason in free text: %v, want it refused with the list of reasons", err)
	}
	if got, _ := env.Engine.Referral(ctx, r.ID); got.Status != core.StatusRequested {
		t.Fatalf("a refused withdrawal or erasure changed the referral: %s", got.Status)
	}
	var events int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind IN ('consent.withdrawn', 'client.erased')`).Scan(&events); err != nil || events != 0 {
		t.Errorf("%d withdrawal or erasure events after refusals, %v", events, err)
	}
	// At the limit, in two-byte characters, it is accepted.
	atLimit := strings.Repeat("é", core.MaxWithdrawalEvidence)
	if res, err := env.Engine.WithdrawByReference(ctx, r.Reference, n.Adviser.Actor(), "web", atLimit); err != nil || res.Cancelled != 1 {
		t.Fatalf("evidence of exactly %d characters: %+v, %v", core.MaxWithdrawalEvidence, res, err)
	}
	if got, err := env.Engine.WithdrawalEvidence(ctx, r.ClientID); err != nil || len(got) != 1 || got[0] != atLimit {
		t.Errorf("evidence kept: %d entries, %v", len(got), err)
	}
}
