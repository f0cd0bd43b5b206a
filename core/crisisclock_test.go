package core_test

import (
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

func TestCrisisClock(t *testing.T) {
	t.Parallel()
	loc, _ := time.LoadLocation("Europe/London")
	cal := core.Calendar{Location: loc, Holidays: map[string]bool{}, Network: core.Network{
		WorkingDays: []int32{1, 2, 3, 4, 5}, WorkingStart: 9 * time.Hour, WorkingEnd: 17 * time.Hour,
		CrisisAckHours: 2, CrisisSameDayBefore: 15 * time.Hour}}
	routine := core.Agency{AckTargetHours: 16}
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, loc) }
	cases := []struct {
		name   string
		now    time.Time
		crisis bool
		want   time.Time
	}{
		{"routine: 16 working hours", at(23, 10, 0), false, at(25, 10, 0)},
		{"crisis at 10:00: two working hours", at(23, 10, 0), true, at(23, 12, 0)},
		{"crisis at 14:30: same day", at(23, 14, 30), true, at(23, 16, 30)},
		{"crisis before work: two hours into the day", at(23, 7, 0), true, at(23, 11, 0)},
		{"crisis at 16:00: next working morning", at(23, 16, 0), true, at(24, 10, 0)},
		{"crisis on Saturday: Monday", at(28, 11, 0), true, at(30, 11, 0)},
	}
	for _, c := range cases {
		if got := cal.AckDue(c.now, routine, c.crisis); !got.Equal(c.want) {
			t.Errorf("%s: due %v, want %v", c.name, got.In(loc), c.want)
		}
	}
	// A longer crisis target is still due the same day when raised before 3pm.
	cal.CrisisAckHours = 4
	if got, want := cal.AckDue(at(23, 14, 0), routine, true), at(23, 17, 0); !got.Equal(want) {
		t.Errorf("4-hour crisis target at 14:00: due %v, want end of day %v", got.In(loc), want)
	}
}
