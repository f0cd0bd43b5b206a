package core

import (
	"testing"
	"time"
)

func testCalendar(t *testing.T) Calendar {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return Calendar{
		Network: Network{WorkingDays: []int32{1, 2, 3, 4, 5}, WorkingStart: 9 * time.Hour, WorkingEnd: 17 * time.Hour,
			QuietStart: 21 * time.Hour, QuietEnd: 8 * time.Hour},
		Location: loc,
		Holidays: map[string]bool{"2026-12-25": true, "2026-12-28": true},
	}
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.UTC)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAddWorkingHours(t *testing.T) {
	t.Parallel()
	c := testCalendar(t)
	cases := []struct {
		from  string
		hours int
		want  string
	}{
		{"2026-11-23 10:00", 2, "2026-11-23 12:00"},  // Monday, inside hours (GMT = UTC in winter)
		{"2026-11-23 16:00", 2, "2026-11-24 10:00"},  // runs into Tuesday
		{"2026-11-27 18:00", 16, "2026-12-01 17:00"}, // Friday evening: Monday and Tuesday
		{"2026-11-28 12:00", 1, "2026-11-30 10:00"},  // Saturday counts nothing
		{"2026-12-24 16:00", 4, "2026-12-29 12:00"},  // skips Christmas Day, the weekend and the 28th
		{"2026-11-23 07:00", 8, "2026-11-23 17:00"},  // before opening
	}
	for _, tc := range cases {
		got := c.AddWorkingHours(at(tc.from), time.Duration(tc.hours)*time.Hour)
		if !got.Equal(at(tc.want)) {
			t.Errorf("AddWorkingHours(%s, %dh) = %s, want %s", tc.from, tc.hours, got.Format("2006-01-02 15:04 Mon"), tc.want)
		}
	}
	// Summer time: 09:00 London is 08:00 UTC.
	if got := c.AddWorkingHours(at("2026-07-06 07:00"), time.Hour); !got.Equal(at("2026-07-06 09:00")) {
		t.Errorf("summer time: got %s, want 09:00 UTC (10:00 BST)", got)
	}
}

func TestAddWorkingDaysAndQuietHours(t *testing.T) {
	t.Parallel()
	c := testCalendar(t)
	if got := c.AddWorkingDays(at("2026-11-26 11:00"), 3); !got.Equal(at("2026-12-01 11:00")) {
		t.Errorf("AddWorkingDays Thu + 3 = %s, want Tue 11:00", got)
	}
	if got := c.AddWorkingDays(at("2026-11-26 19:00"), 1); !got.Equal(at("2026-11-30 09:00")) {
		t.Errorf("AddWorkingDays evening: %s, want next working morning", got)
	}
	for s, want := range map[string]bool{"2026-11-23 21:30": true, "2026-11-23 07:59": true, "2026-11-23 08:00": false, "2026-11-23 20:59": false} {
		if got := c.InQuietHours(at(s)); got != want {
			t.Errorf("InQuietHours(%s) = %v, want %v", s, got, want)
		}
	}
	if got := c.QuietHoursEnd(at("2026-11-23 22:00")); !got.Equal(at("2026-11-24 08:00")) {
		t.Errorf("QuietHoursEnd(22:00) = %s, want next 08:00", got)
	}
	if got := c.QuietHoursEnd(at("2026-11-23 06:00")); !got.Equal(at("2026-11-23 08:00")) {
		t.Errorf("QuietHoursEnd(06:00) = %s, want 08:00 same day", got)
	}
}

// TestAddWorkingDaysOnABrokenCalendar: a calendar with no working days
// (a network not set up yet) counts calendar days, and one whose every
// working day is a holiday still answers, rather than looping for ever
// (the open-as-at report and the contact targets both ask it).
func TestAddWorkingDaysOnABrokenCalendar(t *testing.T) {
	t.Parallel()
	answer := func(c Calendar, from time.Time, n int) time.Time {
		t.Helper()
		done := make(chan time.Time, 1)
		go func() { done <- c.AddWorkingDays(from, n) }()
		select {
		case got := <-done:
			return got
		case <-time.After(5 * time.Second):
			t.Fatal("AddWorkingDays did not answer within 5 s")
			return time.Time{}
		}
	}
	c := testCalendar(t)
	c.WorkingDays = nil
	if got := answer(c, at("2026-11-26 11:00"), 3); !got.Equal(at("2026-11-29 11:00")) {
		t.Errorf("no working days: Thu + 3 = %s, want Sun 11:00 (calendar days)", got)
	}
	c = testCalendar(t)
	c.WorkingDays = []int32{3}
	c.Holidays = map[string]bool{}
	for d := at("2026-01-01 00:00"); d.Before(at("2040-01-01 00:00")); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Wednesday {
			c.Holidays[d.Format(time.DateOnly)] = true
		}
	}
	if got := answer(c, at("2026-11-26 11:00"), 2); got.Before(at("2036-01-01 00:00")) {
		t.Errorf("every working day a holiday: answered %s, want about ten years on", got)
	}
}
