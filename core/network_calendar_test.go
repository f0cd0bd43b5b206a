package core_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func ref[T any](v T) *T { return &v }

// workingCalendar is the calendar part of the network settings, to
// compare as one value.
// Its fields are exported so that %+v prints durations as 8h30m0s.
type workingCalendar struct {
	Days                                             string
	WorkingStart, WorkingEnd, QuietStart, QuietEnd   time.Duration
	ContactCheckDays, ContactNudgeDays, CrisisAckHrs int
	CrisisSameDayBefore                              time.Duration
}

func calendarOf(t *testing.T, eng *core.Engine) workingCalendar {
	t.Helper()
	n, err := eng.Network(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	days := make([]string, len(n.WorkingDays))
	for i, d := range n.WorkingDays {
		days[i] = time.Weekday(d % 7).String()[:3]
	}
	return workingCalendar{strings.Join(days, ","), n.WorkingStart, n.WorkingEnd, n.QuietStart, n.QuietEnd,
		n.ContactCheckDays, n.ContactNudgeDays, n.CrisisAckHours, n.CrisisSameDayBefore}
}

// schemaCalendar is the calendar a network_settings row gets from the
// schema's defaults alone.
func schemaCalendar(t *testing.T) workingCalendar {
	t.Helper()
	pool := coretest.NewPool(t)
	if _, err := pool.Exec(context.Background(), `INSERT INTO network_settings (name) VALUES ('N')`); err != nil {
		t.Fatal(err)
	}
	eng, _, _, _ := coretest.NewEngine(t, pool)
	return calendarOf(t, eng)
}

// TestSetNetworkCalendar: the working calendar SetNetwork is given is the
// one the engine then works by, and setting the network again without it
// puts back the schema's defaults, the rest of the settings with it.
func TestSetNetworkCalendar(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	settings := core.NetworkSettings{Name: "Kingdom Advice Network", Phone: "0800 000 0000", Timezone: "Europe/London",
		CalendarSettings: core.CalendarSettings{
			WorkingDays:         []string{"Mon", "tue", "wednesday", "THU"},
			WorkingHours:        ref("08:30-16:30"),
			QuietHours:          ref("20:00 - 09:00"),
			ContactCheckDays:    ref(2),
			ContactNudgeDays:    ref(4),
			CrisisAckHours:      ref(3),
			CrisisSameDayBefore: ref("12:30"),
		}}
	if err := env.Engine.SetNetwork(ctx, env.Pool, settings); err != nil {
		t.Fatal(err)
	}
	want := workingCalendar{"Mon,Tue,Wed,Thu", 8*time.Hour + 30*time.Minute, 16*time.Hour + 30*time.Minute,
		20 * time.Hour, 9 * time.Hour, 2, 4, 3, 12*time.Hour + 30*time.Minute}
	if got := calendarOf(t, env.Engine); got != want {
		t.Errorf("after setting the calendar:\n got %+v\nwant %+v", got, want)
	}
	cal, err := env.Engine.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	thursday := time.Date(2026, 11, 26, 16, 0, 0, 0, cal.Location)
	if due := cal.AddWorkingHours(thursday, time.Hour); !due.Equal(time.Date(2026, 11, 30, 9, 0, 0, 0, cal.Location)) {
		t.Errorf("an hour from 16:00 on Thursday is due %s, want 09:00 on Monday (days end at 16:30 and start at 08:30; no Friday)", due.In(cal.Location))
	}

	// "none" turns quiet hours off: a client is texted at any hour.
	settings.CalendarSettings = core.CalendarSettings{QuietHours: ref(" None ")}
	if err := env.Engine.SetNetwork(ctx, env.Pool, settings); err != nil {
		t.Fatal(err)
	}
	if cal, err = env.Engine.Calendar(ctx); err != nil {
		t.Fatal(err)
	}
	if night := time.Date(2026, 11, 26, 23, 30, 0, 0, cal.Location); cal.InQuietHours(night) {
		t.Errorf("with quiet_hours %q, 23:30 is still in quiet hours (%s-%s)", "none", cal.QuietStart, cal.QuietEnd)
	}

	settings.CalendarSettings = core.CalendarSettings{}
	if err := env.Engine.SetNetwork(ctx, env.Pool, settings); err != nil {
		t.Fatal(err)
	}
	if got, want := calendarOf(t, env.Engine), schemaCalendar(t); got != want {
		t.Errorf("set again without a calendar:\n got %+v\nwant the schema's defaults %+v", got, want)
	}
}

// TestSetNetworkCalendarRefusals: each bad setting is refused with a
// message naming it, every one at once, and nothing is written.
func TestSetNetworkCalendarRefusals(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	before := calendarOf(t, env.Engine)
	base := core.NetworkSettings{Name: "Kingdom Advice Network"}
	cases := []struct {
		name string
		cal  core.CalendarSettings
		want string
	}{
		{"a day misspelt", core.CalendarSettings{WorkingDays: []string{"mon", "fry"}}, `working_days: "fry" is not a day of the week`},
		{"a day as a number", core.CalendarSettings{WorkingDays: []string{"1"}}, `working_days: "1" is not a day of the week`},
		{"no days", core.CalendarSettings{WorkingDays: []string{}}, "working_days: name at least one day"},
		{"a day twice", core.CalendarSettings{WorkingDays: []string{"mon", "Monday"}}, "working_days: Monday is named twice"},
		{"hours backwards", core.CalendarSettings{WorkingHours: ref("17:00-09:00")}, "working_hours: the end (09:00) must be after the start (17:00)"},
		{"hours in words", core.CalendarSettings{WorkingHours: ref("9 to 5")}, `working_hours: "9 to 5" is not a range of hours: write HH:MM-HH:MM`},
		{"an hour past the day", core.CalendarSettings{WorkingHours: ref("09:00-25:00")}, `working_hours: in "09:00-25:00", "25:00" is not a time of day`},
		{"quiet hours of no length", core.CalendarSettings{QuietHours: ref("21:00-21:00")}, "quiet_hours: the start and the end are both 21:00"},
		{"quiet hours the wrong way round", core.CalendarSettings{QuietHours: ref("08:00-21:00")}, "quiet_hours: 08:00-21:00 covers all of working hours (09:00-17:00)"},
		{"no contact check", core.CalendarSettings{ContactCheckDays: ref(0)}, "contact_check_days must be between 1 and 60 (working days), not 0"},
		{"a nudge too late", core.CalendarSettings{ContactNudgeDays: ref(61)}, "contact_nudge_days must be between 1 and 60 (working days), not 61"},
		{"a nudge before the check", core.CalendarSettings{ContactCheckDays: ref(4), ContactNudgeDays: ref(2)}, "contact_nudge_days: 2 must be at least contact_check_days (4)"},
		{"a check after the default nudge", core.CalendarSettings{ContactCheckDays: ref(7)}, "contact_nudge_days: 5 (the default) must be at least contact_check_days (7)"},
		{"no crisis target", core.CalendarSettings{CrisisAckHours: ref(0)}, "crisis_ack_hours must be between 1 and 40 (working hours), not 0"},
		{"a crisis cut-off past the day", core.CalendarSettings{CrisisSameDayBefore: ref("24:00")}, `crisis_same_day_before: "24:00" is not a time of day`},
		{"a crisis cut-off after work", core.CalendarSettings{CrisisSameDayBefore: ref("18:00")}, "crisis_same_day_before: 18:00 is after the end of working hours (17:00)"},
		{"a short day under the default cut-off", core.CalendarSettings{WorkingHours: ref("08:00-14:00")}, "crisis_same_day_before: its default, 15:00, is after the end of working hours (14:00)"},
	}
	for _, c := range cases {
		s := base
		s.CalendarSettings = c.cal
		err := env.Engine.SetNetwork(ctx, env.Pool, s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to say %q", c.name, err, c.want)
		}
	}

	// Every mistake at once, each under its setting.
	s := base
	s.Phone = strings.Repeat("0", 41)
	s.CalendarSettings = core.CalendarSettings{WorkingDays: []string{"fry"}, WorkingHours: ref("17:00-09:00"),
		QuietHours: ref("late"), ContactCheckDays: ref(0), ContactNudgeDays: ref(61), CrisisAckHours: ref(41),
		CrisisSameDayBefore: ref("noonish")}
	err := env.Engine.SetNetwork(ctx, env.Pool, s)
	var ve *core.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("all wrong: err = %v, want a validation error", err)
	}
	var named []string
	for _, f := range ve.Fields {
		named = append(named, f.Field)
		if !strings.HasPrefix(f.Message, f.Field) {
			t.Errorf("%q does not start with the setting it is about, %s", f.Message, f.Field)
		}
	}
	wantNamed := []string{"phone", "working_days", "working_hours", "quiet_hours", "contact_check_days",
		"contact_nudge_days", "crisis_ack_hours", "crisis_same_day_before"}
	slices.Sort(named)
	slices.Sort(wantNamed)
	if !slices.Equal(named, wantNamed) {
		t.Errorf("all wrong: named %v, want %v\n%v", named, wantNamed, err)
	}
	if got := calendarOf(t, env.Engine); got != before {
		t.Errorf("a refused calendar was written: %+v, was %+v", got, before)
	}
}

// TestChangeSettingsForgetsAfterCommit: a reader between SetNetwork and
// the commit reads, and caches, the old settings; once ChangeSettings
// returns the engine serves the new ones, not that cached row.
func TestChangeSettingsForgetsAfterCommit(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if got := calendarOf(t, env.Engine); got.ContactCheckDays != 3 {
		t.Fatalf("seeded contact check: %d days, want the default 3", got.ContactCheckDays)
	}
	err := env.Engine.ChangeSettings(ctx, func(tx pgx.Tx) error {
		if err := env.Engine.SetNetwork(ctx, tx, core.NetworkSettings{Name: "Kingdom Advice Network",
			CalendarSettings: core.CalendarSettings{ContactCheckDays: ref(2)}}); err != nil {
			return err
		}
		// Another request, on another connection, before the commit.
		if got := calendarOf(t, env.Engine); got.ContactCheckDays != 3 {
			t.Errorf("before the commit a reader sees %d days, want the old 3", got.ContactCheckDays)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := calendarOf(t, env.Engine); got.ContactCheckDays != 2 {
		t.Errorf("after the commit the engine serves %d contact check days, want the new 2", got.ContactCheckDays)
	}
}
