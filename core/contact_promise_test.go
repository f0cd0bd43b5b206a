package core_test

import (
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// The wait a client is promised follows the network's settings: the
// contact nudge for a routine referral, the working days the crisis
// acknowledgement target spans for a crisis (never longer than routine).
func TestClientWaitDays(t *testing.T) {
	t.Parallel()
	day := func(nudge, crisisHours int, start, end time.Duration) core.Network {
		return core.Network{ContactCheckDays: 3, ContactNudgeDays: nudge, CrisisAckHours: crisisHours,
			WorkingStart: start, WorkingEnd: end}
	}
	nineToFive := func(nudge, crisisHours int) core.Network { return day(nudge, crisisHours, 9*time.Hour, 17*time.Hour) }
	cases := []struct {
		name   string
		n      core.Network
		crisis bool
		want   int
	}{
		{"routine: the schema's defaults", nineToFive(5, 2), false, 5},
		{"routine: the nudge, not the contact check", nineToFive(7, 2), false, 7},
		{"routine: one day", nineToFive(1, 2), false, 1},
		{"crisis: two hours is one working day", nineToFive(5, 2), true, 1},
		{"crisis: a full working day is one", nineToFive(5, 8), true, 1},
		{"crisis: nine hours spans two working days", nineToFive(5, 9), true, 2},
		{"crisis: the longest target in short days", day(10, 40, 10*time.Hour, 14*time.Hour), true, 10},
		{"crisis: never longer than routine", nineToFive(3, 40), true, 3},
		{"crisis: unaffected by a longer nudge", nineToFive(7, 2), true, 1},
		{"crisis: no working hours known", day(5, 2, 0, 0), true, 1},
		{"settings not read: the schema's default", core.Network{}, false, 5},
		{"settings not read, crisis", core.Network{}, true, 1},
	}
	for _, c := range cases {
		if got := c.n.ClientWaitDays(c.crisis); got != c.want {
			t.Errorf("%s: %d working days, want %d", c.name, got, c.want)
		}
	}
}

// The acceptance text's promise and the contact check are the contact
// check days for a routine referral, and the crisis wait, when shorter,
// for a crisis.
func TestAgencyContactDays(t *testing.T) {
	t.Parallel()
	n := func(check, nudge, crisisHours int) core.Network {
		return core.Network{ContactCheckDays: check, ContactNudgeDays: nudge, CrisisAckHours: crisisHours,
			WorkingStart: 9 * time.Hour, WorkingEnd: 17 * time.Hour}
	}
	cases := []struct {
		name   string
		n      core.Network
		crisis bool
		want   int
	}{
		{"routine: the contact check days", n(3, 5, 2), false, 3},
		{"routine: not the nudge", n(4, 9, 2), false, 4},
		{"crisis: the crisis wait", n(3, 5, 2), true, 1},
		{"crisis: a two-day target", n(3, 5, 12), true, 2},
		{"crisis: never longer than routine", n(2, 5, 40), true, 2},
		{"settings not read", core.Network{}, false, 3},
		{"settings not read, crisis", core.Network{}, true, 1},
	}
	for _, c := range cases {
		if got := c.n.AgencyContactDays(c.crisis); got != c.want {
			t.Errorf("%s: %d working days, want %d", c.name, got, c.want)
		}
	}
}
