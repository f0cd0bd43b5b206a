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
	t.Parallel()
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
	if subj.Referrer != nil || subj.FromAgency != nil {
		t.Errorf("a self-referral has no referrer: %+v, %+v", subj.Referrer, subj.FromAgency)
	}

	// A referral a member of staff made: who made it, and their agency.
	n := env.Net
	made, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "subjects-staff", By: n.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Subjects", Phone: "07700 900581"}, Needs: []core.Need{core.NeedDebt},
		ToAgency: n.CAB, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	subj, err = env.Engine.EmailSubjects(ctx, 0, 0, made.ID)
	if err != nil || subj.Referrer == nil || subj.Referrer.ID != n.WelfareAdviser.ID || subj.FromAgency == nil || subj.FromAgency.ID != n.Welfare {
		t.Errorf("a staff referral's referrer: %+v, %+v, %v", subj.Referrer, subj.FromAgency, err)
	}

	// Gone is nil, not an error: a deactivated member of staff, an
	// agency or referral that does not exist.
	if err := env.Engine.DeactivateStaff(ctx, env.Net.Adviser2.ID, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	subj, err = env.Engine.EmailSubjects(ctx, env.Net.Adviser2.ID, 999999, 999999)
	if err != nil || subj.Staff != nil || subj.Agency != nil || subj.Referral != nil || subj.ToAgency != nil || subj.Referrer != nil || subj.FromAgency != nil {
		t.Errorf("gone: %+v, %v", subj, err)
	}
}
