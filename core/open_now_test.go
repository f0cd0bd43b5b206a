package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// On one of the network's bank holidays a service open Monday to Friday
// is closed all day, the "open now" filter leaves it out, and it next
// opens the working day after.
func TestOpenNowOnABankHoliday(t *testing.T) {
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
	ss := core.ParseOpeningHours("Monday to Friday 9am to 5pm")

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
		next time.Time
	}{
		{"the Monday before, at 11:00", time.Date(2026, 11, 23, 11, 0, 0, 0, london), true, time.Date(2026, 11, 24, 9, 0, 0, 0, london)},
		{"St Andrew's Day, at 11:00", holiday, false, time.Date(2026, 12, 1, 9, 0, 0, 0, london)},
		{"St Andrew's Day, before opening", time.Date(2026, 11, 30, 8, 0, 0, 0, london), false, time.Date(2026, 12, 1, 9, 0, 0, 0, london)},
		{"the day after, at 11:00", time.Date(2026, 12, 1, 11, 0, 0, 0, london), true, time.Date(2026, 12, 2, 9, 0, 0, 0, london)},
		{"the Friday before, after closing", time.Date(2026, 11, 27, 18, 0, 0, 0, london), false, time.Date(2026, 12, 1, 9, 0, 0, 0, london)},
	} {
		env.Clock.Set(c.at)
		cal, err := env.Engine.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := cal.IsOpen(ss, c.at); got != c.open {
			t.Errorf("%s: open %v, want %v", c.name, got, c.open)
		}
		if got := listed(); got != c.open {
			t.Errorf("%s: the open-now filter lists it: %v, want %v", c.name, got, c.open)
		}
		if next, ok := cal.NextOpening(ss, c.at); !ok || !next.Equal(c.next) {
			t.Errorf("%s: next opens %v (%v), want %v", c.name, next.In(london), ok, c.next)
		}
	}

	// Hours that are only words never say when the service opens.
	cal, err := env.Engine.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cal.NextOpening(core.ParseOpeningHours("Tuesdays"), holiday); ok {
		t.Error("a next opening from hours with no regular time")
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
