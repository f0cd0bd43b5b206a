package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// On one of the network's bank holidays a service open Monday to Friday
// is closed all day: the "open now" filter leaves it out, and lists it
// again the working day after.
func TestOpenNowOnABankHoliday(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// St Andrew's Day 2026 is a Monday.
	holiday := time.Date(2026, 11, 30, 11, 0, 0, 0, london)
	if err := env.Engine.AddBankHoliday(ctx, env.Pool, holiday, "St Andrew's Day"); err != nil {
		t.Fatal(err)
	}
	svc := serviceOf(t, env, env.Net.CAB)
	if err := env.Engine.UpdateService(ctx, svc.ID, core.NewService{AgencyID: env.Net.CAB, Name: svc.Name, Needs: svc.Needs,
		PostcodeDistricts: svc.PostcodeDistricts, Languages: svc.Languages, OpeningHours: "Monday to Friday 9am to 5pm"},
		env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}

	listed := func() bool {
		t.Helper()
		now, err := env.Engine.OpenNow(ctx)
		if err != nil {
			t.Fatal(err)
		}
		page, err := env.Engine.DirectoryServices(ctx, core.DirectoryQuery{Open: &now, Services: []core.ServiceID{svc.ID}})
		if err != nil {
			t.Fatal(err)
		}
		return page.Total == 1
	}
	for _, c := range []struct {
		name string
		at   time.Time
		open bool
	}{
		{"the Monday before, at 11:00", time.Date(2026, 11, 23, 11, 0, 0, 0, london), true},
		{"St Andrew's Day, at 11:00", holiday, false},
		{"St Andrew's Day, before opening", time.Date(2026, 11, 30, 8, 0, 0, 0, london), false},
		{"the day after, at 11:00", time.Date(2026, 12, 1, 11, 0, 0, 0, london), true},
		{"the Friday before, after closing", time.Date(2026, 11, 27, 18, 0, 0, 0, london), false},
	} {
		env.Clock.Set(c.at)
		if got := listed(); got != c.open {
			t.Errorf("%s: the open-now filter lists it: %v, want %v", c.name, got, c.open)
		}
	}
}

// serviceOf is an agency's first service.
func serviceOf(t *testing.T, env *coretest.Env, a core.AgencyID) core.Service {
	t.Helper()
	ss, err := env.Engine.Services(context.Background(), a)
	if err != nil || len(ss) == 0 {
		t.Fatalf("services of agency %d: %v %v", a, ss, err)
	}
	return ss[0]
}
