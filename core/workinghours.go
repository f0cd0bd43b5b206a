package core

import (
	"slices"
	"time"
)

// IsWorkingDay reports whether the day of t (in the network's zone) is a
// working day: a working weekday that is not a bank holiday.
func (c Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(c.Location)
	wd := int32(t.Weekday())
	if wd == 0 {
		wd = 7
	}
	return slices.Contains(c.WorkingDays, wd) && !c.Holidays[t.Format(time.DateOnly)]
}

func (c Calendar) dayAt(t time.Time, offset time.Duration) time.Time {
	t = t.In(c.Location)
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.Location).Add(offset)
}

func (c Calendar) nextDay(t time.Time) time.Time {
	t = t.In(c.Location)
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, c.Location)
}

// AddWorkingHours returns the moment that is h working hours after t:
// only time inside working hours on working days counts. A referral made on
// Friday evening with a 16-hour target is due at the end of Tuesday.
func (c Calendar) AddWorkingHours(t time.Time, h time.Duration) time.Time {
	if len(c.WorkingDays) == 0 || c.WorkingEnd <= c.WorkingStart {
		return t.Add(h) // a calendar with no working time: count clock hours
	}
	left := h
	cur := t
	for i := 0; i < 3660; i++ { // ten years of days bounds a broken calendar
		if c.IsWorkingDay(cur) {
			start, end := c.dayAt(cur, c.WorkingStart), c.dayAt(cur, c.WorkingEnd)
			if cur.Before(start) {
				cur = start
			}
			if cur.Before(end) {
				avail := end.Sub(cur)
				if left <= avail {
					return cur.Add(left).UTC()
				}
				left -= avail
			}
		}
		cur = c.nextDay(cur)
	}
	return t.Add(h)
}

// AddWorkingDays returns the same time of day n working days after t (moved
// to the start of working hours if that lands outside them). A calendar
// with no working days counts calendar days, as AddWorkingHours counts
// clock hours, and one whose every working day is a holiday stops after
// ten years of days rather than looking for ever.
func (c Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	if len(c.WorkingDays) == 0 {
		return t.AddDate(0, 0, n)
	}
	cur := t.In(c.Location)
	for added, days := 0, 0; added < n && days < 3660+n; days++ {
		cur = cur.AddDate(0, 0, 1)
		if c.IsWorkingDay(cur) {
			added++
		}
	}
	return c.NextWorkingMoment(cur)
}

// NextWorkingMoment returns t when it is inside working hours, else the
// start of the next working period.
func (c Calendar) NextWorkingMoment(t time.Time) time.Time {
	if len(c.WorkingDays) == 0 {
		return t
	}
	cur := t
	for i := 0; i < 3660; i++ {
		if c.IsWorkingDay(cur) {
			start, end := c.dayAt(cur, c.WorkingStart), c.dayAt(cur, c.WorkingEnd)
			if cur.Before(start) {
				return start.UTC()
			}
			if cur.Before(end) {
				return cur.UTC()
			}
		}
		cur = c.nextDay(cur)
	}
	return t
}

// InQuietHours reports whether t falls in the network's quiet hours, when
// no text is sent to a client unless it answers their own message.
func (c Calendar) InQuietHours(t time.Time) bool {
	if c.QuietStart == c.QuietEnd {
		return false
	}
	tod := t.In(c.Location).Sub(c.dayAt(t, 0))
	if c.QuietStart < c.QuietEnd {
		return tod >= c.QuietStart && tod < c.QuietEnd
	}
	return tod >= c.QuietStart || tod < c.QuietEnd
}

// QuietHoursEnd returns t when it is outside quiet hours, else the moment
// quiet hours end.
func (c Calendar) QuietHoursEnd(t time.Time) time.Time {
	if !c.InQuietHours(t) {
		return t
	}
	end := c.dayAt(t, c.QuietEnd)
	if !end.After(t) {
		end = c.dayAt(c.nextDay(t), c.QuietEnd)
	}
	return end.UTC()
}
