package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestDirectoryRulesForTheStaffWeb: the rules the network file keeps are
// core's, so the staff web's forms keep them too: a service's languages
// are language codes and its districts the network's; an agency's phone
// is a number, its description is given, and its name is not another
// agency's.
func TestDirectoryRulesForTheStaffWeb(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	co := env.Net.Coordinator.Actor()
	svcs, err := env.Engine.Services(ctx, env.Net.CAB)
	if err != nil || len(svcs) == 0 {
		t.Fatalf("services %v, %v", svcs, err)
	}
	s := svcs[0]
	edit := func(langs, districts []string) error {
		return env.Engine.UpdateService(ctx, s.ID, core.NewService{AgencyID: s.AgencyID, Name: s.Name, Needs: s.Needs,
			PostcodeDistricts: districts, Languages: langs}, co)
	}
	for _, c := range []struct {
		langs, districts []string
		field, want      string
	}{
		{[]string{"en", "xx"}, []string{"KY1"}, "languages", `"xx" is not a language code`},
		{[]string{"Polish"}, []string{"KY1"}, "languages", `"Polish" is not a language code`},
		{[]string{"en"}, []string{"KY1", "KY8"}, "postcode districts", "KY8 is not one of the network's districts (KY1, KY11, KY16, KY2)"},
	} {
		var verr *core.ValidationError
		if err := edit(c.langs, c.districts); !errors.As(err, &verr) || !strings.Contains(verr.Field(c.field), c.want) {
			t.Errorf("%v in %v: %v, want %s to say %q", c.langs, c.districts, err, c.field, c.want)
		}
	}
	if err := edit([]string{"EN", "pl-PL", "fr"}, []string{"ky1"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := env.Engine.Service(ctx, s.ID); strings.Join(got.Languages, " ") != "en pl fr" {
		t.Errorf("languages stored as %v, want en pl fr", got.Languages)
	}

	details := core.AgencyDetails{Name: "Kirkton Citizens Advice", Description: "Advice on money and more.", Phone: "01592 000000", AckTargetHours: 16}
	if err := env.Engine.UpdateAgencyDetails(ctx, env.Net.CAB, details, co); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		change      func(*core.AgencyDetails)
		field, want string
	}{
		{func(d *core.AgencyDetails) { d.Phone = "call us" }, "phone", "phone must be a phone number people can call"},
		{func(d *core.AgencyDetails) { d.Description = " " }, "description", "description is required"},
		{func(d *core.AgencyDetails) { d.Name = "kingdom food bank" }, "name", "another agency, Kingdom Food Bank (short name kingdom-food-bank), already has this name"},
	} {
		d := details
		c.change(&d)
		var verr *core.ValidationError
		if err := env.Engine.UpdateAgencyDetails(ctx, env.Net.CAB, d, co); !errors.As(err, &verr) || !strings.Contains(verr.Field(c.field), c.want) {
			t.Errorf("%+v: %v, want %s to say %q", d, err, c.field, c.want)
		}
	}
	_, err = env.Engine.CreateAgency(ctx, core.NewAgency{Slug: "kingdom-food-bank-2", Name: "Kingdom Food Bank", Description: "Food.", AckTargetHours: 16}, nil, co)
	var verr *core.ValidationError
	if !errors.As(err, &verr) || !strings.Contains(verr.Field("name"), "short name kingdom-food-bank") {
		t.Errorf("a second agency of the same name: %v", err)
	}
}

// TestReactivateStaff: a deactivated member of staff's address cannot be
// added again, and the refusal says why and what to run; reactivating
// gives them access again, at another agency if asked, and moving a
// current member of staff changes their agency; each is audited.
func TestReactivateStaff(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	co := env.Net.Coordinator.Actor()
	isla := env.Net.WelfareAdviser
	if err := env.Engine.DeactivateStaff(ctx, isla.ID, co); err != nil {
		t.Fatal(err)
	}
	_, err := env.Engine.RegisterStaff(ctx, core.NewStaff{AgencyID: env.Net.CAB, Name: "Isla Moffat", Role: core.RoleAdviser, Email: "ISLA@welfare.example"}, co)
	var verr *core.ValidationError
	if !errors.As(err, &verr) || !strings.Contains(verr.Field("email"), "was a member of staff of Kingdom Council Welfare Rights and was deactivated") ||
		!strings.Contains(verr.Field("email"), "`onward staff reactivate isla@welfare.example --agency SLUG`") {
		t.Fatalf("adding a deactivated member of staff again: %v", err)
	}
	if _, err := env.Engine.MoveStaff(ctx, isla.Email, env.Net.CAB, co); !errors.As(err, &verr) || !strings.Contains(verr.Field("email"), "onward staff reactivate") {
		t.Errorf("moving a deactivated member of staff: %v", err)
	}
	if _, err := env.Engine.ReactivateStaff(ctx, isla.Email, env.Net.CAB, env.Net.Adviser.Actor()); err == nil {
		t.Error("an adviser reactivated a member of staff")
	}
	was, err := env.Engine.ReactivateStaff(ctx, isla.Email, env.Net.CAB, co)
	if err != nil || was.AgencyID != env.Net.Welfare {
		t.Fatalf("reactivate: %+v, %v", was, err)
	}
	now, err := env.Engine.StaffByID(ctx, isla.ID)
	if err != nil || now.AgencyID != env.Net.CAB || now.Role != core.RoleAdviser {
		t.Fatalf("after reactivating: %+v, %v", now, err)
	}
	if _, err := env.Engine.ReactivateStaff(ctx, isla.Email, 0, co); !errors.As(err, &verr) || !strings.Contains(verr.Field("email"), "onward staff move") {
		t.Errorf("reactivating a current member of staff: %v", err)
	}
	if _, err := env.Engine.MoveStaff(ctx, isla.Email, env.Net.Welfare, co); err != nil {
		t.Fatal(err)
	}
	if now, _ := env.Engine.StaffByID(ctx, isla.ID); now.AgencyID != env.Net.Welfare {
		t.Errorf("after moving: agency %d, want %d", now.AgencyID, env.Net.Welfare)
	}
	rows, _ := env.Pool.Query(ctx, `SELECT kind FROM events WHERE kind IN ('staff.reactivated', 'staff.moved') AND (data->>'staff_id')::bigint = $1 ORDER BY id`, int64(isla.ID))
	kinds, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || strings.Join(kinds, " ") != "staff.reactivated staff.moved" {
		t.Errorf("events %v, %v; want staff.reactivated then staff.moved", kinds, err)
	}
}
