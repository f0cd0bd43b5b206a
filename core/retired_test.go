package core_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestRetirementEndsItsStaffsAccess: what retiring will do is counted
// beforehand for the confirmation page; retiring ends the access of the
// agency's staff in the same change (audited, each), tells them apart
// from staff who left before, publishes its services as defunct, and
// refuses it as a partner system's agency.
func TestRetirementEndsItsStaffsAccess(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	coord := env.Net.Coordinator.Actor()
	referralIn(t, env, core.StatusRequested, "left-waiting")
	referralIn(t, env, core.StatusAccepted, "left-accepted")
	referralIn(t, env, core.StatusOnHold, "left-held")
	// Callum left the CAB before it closed.
	if err := env.Engine.DeactivateStaff(ctx, env.Net.Adviser2.ID, coord); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour)
	if _, err := env.Engine.RetirementOf(ctx, env.Net.CAB, env.Net.Adviser.Actor()); err == nil {
		t.Error("an adviser was told what retiring their agency does: want refused")
	}
	ret, err := env.Engine.RetirementOf(ctx, env.Net.CAB, coord)
	if err != nil {
		t.Fatal(err)
	}
	if ret.Agency.ID != env.Net.CAB || ret.Waiting != 1 || ret.Kept != 2 || ret.Staff != 1 {
		t.Fatalf("retirement %+v: want 1 waiting, 2 kept, 1 member of staff", ret)
	}

	if err := env.Engine.RetireAgency(ctx, env.Net.CAB, coord); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.StaffByID(ctx, env.Net.Adviser.ID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the retired agency's adviser is still found (%v): their sessions and links would still work", err)
	}
	if _, err := env.Engine.StaffByEmail(ctx, env.Net.Adviser.Email); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the retired agency's adviser still gets sign-in links (%v)", err)
	}
	if a, err := env.Engine.LeftWithAgency(ctx, env.Net.Adviser.ID); err != nil || a.ID != env.Net.CAB {
		t.Errorf("Ailsa left with %+v, %v: want the CAB", a, err)
	}
	for _, other := range []core.Staff{env.Net.Adviser2, env.Net.Coordinator} {
		if _, err := env.Engine.LeftWithAgency(ctx, other.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%s did not leave with a retiring agency, yet LeftWithAgency says %v", other.Name, err)
		}
	}
	if ids, err := env.Engine.RetiredStaff(ctx, env.Net.CAB); err != nil || !slices.Equal(ids, []core.StaffID{env.Net.Adviser.ID}) {
		t.Errorf("retired staff %v, %v: want only Ailsa", ids, err)
	}
	var audited int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1 AND (data->>'staff_id')::bigint = $2`,
		string(core.EventStaffDeactivated), int64(env.Net.Adviser.ID)).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("Ailsa's loss of access audited %d times (%v), want once", audited, err)
	}

	page, err := env.Engine.DirectoryServices(ctx, core.DirectoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range page.Services {
		want := "active"
		if s.AgencyID == env.Net.CAB {
			want = "defunct"
		}
		if s.Status() != want {
			t.Errorf("service %q of agency %d: status %q, want %q", s.Name, s.AgencyID, s.Status(), want)
		}
	}

	if _, err := env.Engine.AgencyInNetwork(ctx, env.Net.CAB, "agency"); err == nil || !strings.Contains(err.Error(), "has left the network") {
		t.Errorf("the retired agency as a partner's: %v, want refused as having left the network", err)
	}
	if a, err := env.Engine.AgencyInNetwork(ctx, env.Net.Welfare, "agency"); err != nil || a.ID != env.Net.Welfare {
		t.Errorf("an agency in the network: %+v, %v", a, err)
	}
}
