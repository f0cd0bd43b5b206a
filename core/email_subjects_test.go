package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// EmailSubjects reads what an email is about, the member of staff, the
// referral and the agency it is with, in one round trip; what is gone is
// nil, not an error.
func TestEmailSubjects(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("subjects"))
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	subj, err := env.Engine.EmailSubjects(ctx, env.Net.Adviser.ID, 0, r.ID)
	if err != nil {
		t.Fatal(err)
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
