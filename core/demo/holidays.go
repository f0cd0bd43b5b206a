package demo

import (
	"slices"
	"time"
)

// holiday is a day the network does not work.
type holiday struct {
	day  time.Time
	name string
}

// scottishBankHolidays returns the bank holidays of Scotland in a year:
// 1 and 2 January, Good Friday, the first and last Mondays of May, the
// first Monday of August, St Andrew's Day, Christmas and Boxing Day. A
// fixed-date holiday on a weekend moves to the next weekday that is not
// already a holiday, as the substitute days do.
func scottishBankHolidays(year int) []holiday {
	d := func(m time.Month, day int) time.Time { return time.Date(year, m, day, 0, 0, 0, 0, time.UTC) }
	easter := easterSunday(year)
	fixed := []holiday{
		{d(time.January, 1), "New Year's Day"},
		{d(time.January, 2), "2nd January"},
		{easter.AddDate(0, 0, -2), "Good Friday"},
		{firstMonday(year, time.May), "Early May bank holiday"},
		{lastMonday(year, time.May), "Spring bank holiday"},
		{firstMonday(year, time.August), "Summer bank holiday"},
		{d(time.November, 30), "St Andrew's Day"},
		{d(time.December, 25), "Christmas Day"},
		{d(time.December, 26), "Boxing Day"},
	}
	var out []holiday
	taken := func(t time.Time) bool {
		return slices.ContainsFunc(out, func(h holiday) bool { return h.day.Equal(t) })
	}
	for _, h := range fixed {
		day := h.day
		name := h.name
		for weekend(day) || taken(day) {
			day = day.AddDate(0, 0, 1)
			name = h.name + " (substitute day)"
		}
		out = append(out, holiday{day, name})
	}
	return out
}

func weekend(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }

func firstMonday(year int, m time.Month) time.Time {
	t := time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)
	for t.Weekday() != time.Monday {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

func lastMonday(year int, m time.Month) time.Time {
	t := time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC)
	for t.Weekday() != time.Monday {
		t = t.AddDate(0, 0, -1)
	}
	return t
}

// easterSunday is the anonymous Gregorian computus.
func easterSunday(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
