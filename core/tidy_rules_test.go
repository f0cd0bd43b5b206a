package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestAddPartnerRefusesARetiredAgency: core itself refuses a partner
// system for an agency that has left the network, or that does not
// exist, in plain words on the "agency" field, and registers nothing;
// the CLI and the staff web only render the refusal.
func TestAddPartnerRefusesARetiredAgency(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	coord := env.Net.Coordinator.Actor()
	if err := env.Engine.RetireAgency(ctx, env.Net.Housing, coord); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		agency core.AgencyID
		want   string
	}{
		{env.Net.Housing, "has left the network (retired on "},
		{999999, "that agency does not exist"},
	} {
		_, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Housing casework", AgencyID: c.agency,
			Scopes: []core.PartnerScope{core.ScopeRead}}, coord)
		var invalid *core.ValidationError
		if !errors.As(err, &invalid) || !strings.Contains(invalid.Field("agency"), c.want) {
			t.Errorf("a partner for agency %d: %v, want a refusal on agency saying %q", c.agency, err, c.want)
		}
	}
	if ps, err := env.Engine.Partners(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("%d partners registered after the refusals (%v), want none", len(ps), err)
	}
	var audited int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1`, string(core.EventPartnerAdded)).Scan(&audited); err != nil || audited != 0 {
		t.Errorf("%d partner additions audited (%v), want none", audited, err)
	}
	for _, agency := range []core.AgencyID{env.Net.Welfare, 0} {
		if _, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: agency,
			Scopes: []core.PartnerScope{core.ScopeRead}}, coord); err != nil {
			t.Errorf("a partner for agency %d (0: the network) refused: %v", agency, err)
		}
	}
}

// TestAddStaffRefusesARetiredAgency: a member of staff cannot be added to
// an agency that has left the network (its staff lost their access when
// it retired, and a newcomer there would see the client details of the
// referrals it kept), nor to one that does not exist, whether invited on
// the staff web or added from the command line: core refuses on the
// "agency" field, as it refuses moving or reactivating staff there, and
// adds nobody.
func TestAddStaffRefusesARetiredAgency(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	coord := env.Net.Coordinator.Actor()
	if err := env.Engine.RetireAgency(ctx, env.Net.Housing, coord); err != nil {
		t.Fatal(err)
	}
	noLink := func(core.StaffID) (string, string, error) {
		return "https://onward.example/staff/login?token=x", "jti", nil
	}
	for _, c := range []struct {
		agency core.AgencyID
		want   string
	}{
		{env.Net.Housing, "has left the network (retired on "},
		{999999, "that agency does not exist"},
	} {
		for name, add := range map[string]func(core.NewStaff) error{
			"invited": func(s core.NewStaff) error { _, err := env.Engine.InviteStaff(ctx, s, coord, noLink); return err },
			"added":   func(s core.NewStaff) error { _, err := env.Engine.RegisterStaff(ctx, s, core.SystemActor); return err },
		} {
			err := add(core.NewStaff{AgencyID: c.agency, Name: "New Starter", Role: core.RoleAdviser, Email: name + "@housing.example"})
			var invalid *core.ValidationError
			if !errors.As(err, &invalid) || !strings.Contains(invalid.Field("agency"), c.want) {
				t.Errorf("staff %s at agency %d: %v, want a refusal on agency saying %q", name, c.agency, err, c.want)
			}
		}
	}
	var added int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM staff WHERE email IN ('invited@housing.example', 'added@housing.example')`).Scan(&added); err != nil || added != 0 {
		t.Errorf("%d members of staff added after the refusals (%v), want none", added, err)
	}
	if _, err := env.Engine.InviteStaff(ctx, core.NewStaff{AgencyID: env.Net.Welfare, Name: "New Starter", Role: core.RoleAdviser,
		Email: "starter@welfare.example"}, coord, noLink); err != nil {
		t.Errorf("a member of staff invited to an agency in the network refused: %v", err)
	}
}

// TestRetentionErasureCarriesTheReasonCode: retention's erasures are
// audited with the code from the fixed list of erasure reasons
// (core.ErasureRetention), the same one a coordinator gives, never a
// sentence of their own.
func TestRetentionErasureCarriesTheReasonCode(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	old, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("long-closed"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: old.Referral.ID, Action: core.ActionCancel, Actor: core.ClientActor}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(200 * 24 * time.Hour)
	dp, err := env.Engine.DataProtection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dp.RetentionMonths = 6
	if err := env.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: dp, By: env.Net.Coordinator.Actor()}); err != nil {
		t.Fatal(err)
	}
	if res, err := env.Engine.ApplyRetention(ctx, core.SystemActor, false); err != nil || len(res.Clients) != 1 {
		t.Fatalf("retention = %+v, %v: want the one client erased", res, err)
	}
	var why string
	if err := env.Pool.QueryRow(ctx, `SELECT data->>'why' FROM events WHERE kind = $1 AND client_id = $2`,
		string(core.EventClientErased), old.Referral.ClientID).Scan(&why); err != nil {
		t.Fatal(err)
	}
	if why != string(core.ErasureRetention) || core.ErasureReason(why).Label() == "" {
		t.Errorf("retention's erasure is audited as %q, want the reason code %q from core.ErasureReasons", why, core.ErasureRetention)
	}
}

// TestCallsCoordinators: a crisis referral calls the coordinators while
// it waits in triage, or while a self-referral waits unacknowledged at an
// agency; never one an adviser or partner sent to an agency, one that has
// moved on, or one that is no crisis.
func TestCallsCoordinators(t *testing.T) {
	t.Parallel()
	agency := core.AgencyID(7)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		r    core.Referral
		want bool
	}{
		{"a crisis self-referral in triage", core.Referral{Crisis: true, Source: core.SourceSMS, Status: core.StatusRequested}, true},
		{"a crisis web self-referral at an agency", core.Referral{Crisis: true, Source: core.SourceWeb, Status: core.StatusRequested, ToAgencyID: &agency}, true},
		{"an adviser's crisis referral in triage", core.Referral{Crisis: true, Source: core.SourceStaff, Status: core.StatusRequested}, true},
		{"an adviser's crisis referral at an agency", core.Referral{Crisis: true, Source: core.SourceStaff, Status: core.StatusRequested, ToAgencyID: &agency}, false},
		{"a self-referral that is no crisis", core.Referral{Source: core.SourceSMS, Status: core.StatusRequested}, false},
		{"a crisis self-referral accepted", core.Referral{Crisis: true, Source: core.SourceSMS, Status: core.StatusAccepted, ToAgencyID: &agency, AcknowledgedAt: &now}, false},
		{"a crisis self-referral acknowledged", core.Referral{Crisis: true, Source: core.SourceSMS, Status: core.StatusRequested, ToAgencyID: &agency, AcknowledgedAt: &now}, false},
		{"a crisis self-referral cancelled", core.Referral{Crisis: true, Source: core.SourceSMS, Status: core.StatusCancelled}, false},
	} {
		if got := c.r.CallsCoordinators(); got != c.want {
			t.Errorf("%s: CallsCoordinators = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestRecordByKeyNotFound: a service read by its key that is not there
// is ErrNotFound, and a partner ErrPartnerRevoked, naming what was asked
// for; one that is there is read whole.
func TestRecordByKeyNotFound(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if _, err := env.Engine.ServiceByUUID(ctx, "7d0f3c52-0000-4000-8000-000000000000"); !errors.Is(err, core.ErrNotFound) ||
		!strings.Contains(err.Error(), "service 7d0f3c52-") {
		t.Errorf("an unknown service: %v, want ErrNotFound naming it", err)
	}
	if _, err := env.Engine.ActingPartner(ctx, 424242); !errors.Is(err, core.ErrPartnerRevoked) || !strings.Contains(err.Error(), "partner 424242") {
		t.Errorf("an unknown partner: %v, want ErrPartnerRevoked naming it", err)
	}
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: env.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	if p, err := env.Engine.ActingPartner(ctx, creds.Partner.ID); err != nil || p.Name != "Casework" || p.AgencyID == nil || *p.AgencyID != env.Net.CAB {
		t.Errorf("the partner read back: %+v, %v", p, err)
	}
	page, err := env.Engine.DirectoryServices(ctx, core.DirectoryQuery{})
	if err != nil || len(page.Services) == 0 {
		t.Fatalf("directory: %+v, %v", page, err)
	}
	want := page.Services[0]
	if s, err := env.Engine.ServiceByUUID(ctx, want.UUID); err != nil || s.ID != want.ID || s.Name != want.Name {
		t.Errorf("service %s read back: %+v, %v", want.UUID, s, err)
	}
}
