package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// OpenTime is a moment as opening hours are read: its HSDS day code and
// time of day in the network's time zone ("MO", "14:05"), and whether
// that day is one of the network's bank holidays. On a bank holiday every
// service is taken as closed all day: regular opening hours do not say
// what a service does on one, and the network's services close, as the
// network itself does (its working days skip them too).
type OpenTime struct {
	Day, Clock  string
	BankHoliday bool
}

// OpenTime reads t on the network's calendar.
func (c Calendar) OpenTime(t time.Time) OpenTime {
	t = t.In(c.Location)
	return OpenTime{Day: Days[(int(t.Weekday())+6)%7], Clock: t.Format("15:04"), BankHoliday: c.Holidays[t.Format(time.DateOnly)]}
}

// Open reports whether schedules ss have their service open at o: never
// on a bank holiday, else as its regular hours say (OpenAt). It is the
// one rule for "open now": the directory's filter asks the same of the
// database (DirectoryQuery.Open).
func (o OpenTime) Open(ss []Schedule) bool {
	return !o.BankHoliday && OpenAt(ss, o.Day, o.Clock)
}

// OpenNow is the moment now as opening hours read it, on the network's
// calendar and the engine's clock: what the "open now" filter asks
// schedules for.
func (e *Engine) OpenNow(ctx context.Context) (OpenTime, error) {
	cal, err := e.calendar(ctx)
	if err != nil {
		return OpenTime{}, fmt.Errorf("open now: %w", err)
	}
	return cal.OpenTime(e.clock.Now()), nil
}

// IsOpen reports whether schedules ss have their service open at t.
func (c Calendar) IsOpen(ss []Schedule, t time.Time) bool { return c.OpenTime(t).Open(ss) }

// nextOpeningDays bounds the search for a next opening: a year holds
// every day of the week many times over, whatever the bank holidays.
const nextOpeningDays = 366

// NextOpening is when a service with schedules ss next opens after t:
// the first of its regular opening times later than t on a day that is
// not a bank holiday, so a service open Monday to Friday that is closed
// for a bank holiday Monday next opens on Tuesday. ok is false when its
// schedules hold no regular time (only words the directory shows as
// written).
func (c Calendar) NextOpening(ss []Schedule, t time.Time) (at time.Time, ok bool) {
	local := t.In(c.Location)
	y, m, d := local.Date()
	for i := 0; i < nextOpeningDays; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, c.Location)
		o := c.OpenTime(day)
		if o.BankHoliday {
			continue
		}
		var first time.Time
		for _, s := range ss {
			if s.ByDay == "" || !strings.Contains(","+s.ByDay+",", ","+o.Day+",") {
				continue
			}
			opens, msg := parseTimeOfDay(s.OpensAt)
			if msg != "" {
				continue
			}
			h, mins := int(opens/time.Hour), int(opens%time.Hour/time.Minute)
			if at := time.Date(y, m, d+i, h, mins, 0, 0, c.Location); at.After(t) && (first.IsZero() || at.Before(first)) {
				first = at
			}
		}
		if !first.IsZero() {
			return first, true
		}
	}
	return time.Time{}, false
}
