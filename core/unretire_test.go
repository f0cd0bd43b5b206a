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

// TestUnretireAgency: a coordinator brings a retired agency back.
// Referrals can be sent to it again and the service it offered when it
// retired returns to matching, but a service closed before it retired
// stays closed, and its staff stay deactivated until they are given
// access again. It is audited under the coordinator's name, and the
// agency can be retired again.
func TestUnretireAgency(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	co := env.Net.Coordinator.Actor()
	closed, err := env.Engine.AddService(ctx, env.Pool, core.NewService{AgencyID: env.Net.CAB, Name: "Pension advice",
		Needs: []core.Need{core.NeedDebt}, PostcodeDistricts: []string{"KY1"}, Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	// A service that closed before the agency retired (fixture).
	if _, err := env.Pool.Exec(ctx, `UPDATE services SET active = false WHERE id = $1`, closed); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour)
	if err := env.Engine.RetireAgency(ctx, env.Net.CAB, co); err != nil {
		t.Fatal(err)
	}
	back, err := env.Engine.UnretirementOf(ctx, env.Net.CAB, co)
	if err != nil {
		t.Fatal(err)
	}
	if back.Services != 1 || back.Staff != 2 {
		t.Errorf("bringing it back would revive %d services and leave %d staff deactivated, want 1 and 2", back.Services, back.Staff)
	}
	env.Clock.Advance(24 * time.Hour)
	if err := env.Engine.UnretireAgency(ctx, env.Net.CAB, co); err != nil {
		t.Fatal(err)
	}
	a, err := env.Engine.Agency(ctx, env.Net.CAB)
	if err != nil {
		t.Fatal(err)
	}
	if a.RetiredAt != nil {
		t.Fatalf("the agency is still retired: %v", a.RetiredAt)
	}
	services, err := env.Engine.Services(ctx, env.Net.CAB)
	if err != nil {
		t.Fatal(err)
	}
	if len(services) != 1 || services[0].Name != "Debt and money advice" {
		t.Errorf("the agency's active services after it came back: %+v, want only the one it offered when it retired", services)
	}
	m, err := env.Engine.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedDebt}, District: "KY1"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range m.Suggestions {
		found = found || s.Agency.ID == env.Net.CAB
	}
	if !found {
		t.Errorf("matching does not offer the agency brought back")
	}
	for _, s := range []core.Staff{env.Net.Adviser, env.Net.Adviser2} {
		if _, err := env.Engine.StaffByID(ctx, s.ID); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%s has access again after the agency came back: %v", s.Name, err)
		}
	}
	var by int64
	if err := env.Pool.QueryRow(ctx, `SELECT actor_id FROM events WHERE kind = $1 AND agency_id = $2`,
		string(core.EventAgencyUnretired), int64(env.Net.CAB)).Scan(&by); err != nil || by != int64(env.Net.Coordinator.ID) {
		t.Errorf("bringing it back is audited as by %d (%v), want the coordinator %d", by, err, env.Net.Coordinator.ID)
	}
	if _, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "back", By: env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Morven Fictional", Phone: "07700 900778", Postcode: "KY1 1AB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
		t.Errorf("a referral to the agency brought back: %v", err)
	}
	if err := env.Engine.RetireAgency(ctx, env.Net.CAB, co); err != nil {
		t.Errorf("retiring it again: %v", err)
	}
}

// TestUnretireRefusals: only a retired agency can be brought back, only
// by a coordinator, and not under a name another agency in the network
// has taken since; each refusal says so and changes nothing.
func TestUnretireRefusals(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	co := env.Net.Coordinator.Actor()
	if err := env.Engine.UnretireAgency(ctx, env.Net.Welfare, co); !fieldError("agency")(err) ||
		!strings.Contains(err.Error(), "Kingdom Council Welfare Rights has not retired") {
		t.Errorf("bringing back an agency in the network: %v, want refused saying it has not retired", err)
	}
	if _, err := env.Engine.UnretirementOf(ctx, env.Net.Welfare, co); !fieldError("agency")(err) {
		t.Errorf("asking what bringing back an agency in the network does: %v, want refused", err)
	}
	if err := env.Engine.UnretireAgency(ctx, core.AgencyID(999999), co); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("bringing back an unknown agency: %v, want ErrNotFound", err)
	}
	if err := env.Engine.RetireAgency(ctx, env.Net.Housing, co); err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.UnretireAgency(ctx, env.Net.Housing, env.Net.WelfareAdviser.Actor()); !isForbidden(err) {
		t.Errorf("an adviser bringing an agency back: %v, want ForbiddenError", err)
	}
	if _, err := env.Engine.CreateAgency(ctx, core.NewAgency{Slug: "housing-options-2", Name: "Kingdom Housing Options",
		Description: "Housing advice for Fife", AckTargetHours: 16}, nil, co); err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.UnretireAgency(ctx, env.Net.Housing, co); !fieldError("agency")(err) ||
		!strings.Contains(err.Error(), "housing-options-2") {
		t.Errorf("bringing back an agency whose name was taken: %v, want refused naming the other agency", err)
	}
	if a, _ := env.Engine.Agency(ctx, env.Net.Housing); a.RetiredAt == nil {
		t.Errorf("a refused bringing back brought the agency back")
	}
}
