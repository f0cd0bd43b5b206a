package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// SendingEmail marks the row and reads what the email is about in one
// round trip; with the lease lost it marks nothing and says so.
func TestSendingEmail(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	o := env.Engine.Outbox()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("subjects"))
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	coretest.MarkOutboxSent(t, env.Pool)
	if err := o.Enqueue(ctx, core.OutboxEmailSend, 0, core.OutboxPayload{ReferralID: r.ID, Email: core.EmailNewReferral,
		StaffID: env.Net.Adviser.ID}, "subjects:1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	now := env.Clock.Now()
	claimed, err := o.Claim(ctx, now, time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %+v, %v", claimed, err)
	}
	c := claimed[0]

	// A second worker takes the row over once the first one's lease ran
	// out: the first may no longer send it.
	later, err := o.Claim(ctx, now.Add(2*time.Minute), time.Minute, 10)
	if err != nil || len(later) != 1 {
		t.Fatalf("claim after the lease: %+v, %v", later, err)
	}
	if _, err := env.Engine.SendingEmail(ctx, c, env.Net.Adviser.ID, 0, r.ID); !errors.Is(err, core.ErrLeaseLost) {
		t.Fatalf("with the lease lost: %v, want ErrLeaseLost", err)
	}
	if e := entry(t, o, c.ID); e.DeliveryStatus == core.DeliverySending {
		t.Fatal("a worker without the lease marked the row sending")
	}

	subj, err := env.Engine.SendingEmail(ctx, later[0], env.Net.Adviser.ID, 0, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e := entry(t, o, c.ID); e.DeliveryStatus != core.DeliverySending {
		t.Errorf("status %q, want sending", e.DeliveryStatus)
	}
	if subj.Staff == nil || subj.Staff.ID != env.Net.Adviser.ID || subj.Agency != nil ||
		subj.Referral == nil || subj.Referral.Reference != r.Reference ||
		subj.ToAgency == nil || r.ToAgencyID == nil || subj.ToAgency.ID != *r.ToAgencyID {
		t.Errorf("subjects %+v", subj)
	}

	// Gone is nil, not an error: a deactivated member of staff, an
	// agency or referral that does not exist.
	if err := env.Engine.DeactivateStaff(ctx, env.Net.Adviser2.ID, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	subj, err = env.Engine.EmailSubjects(ctx, env.Net.Adviser2.ID, 999999, 999999)
	if err != nil || subj.Staff != nil || subj.Agency != nil || subj.Referral != nil || subj.ToAgency != nil {
		t.Errorf("gone: %+v, %v", subj, err)
	}
}
