package core

import (
	"context"
	"fmt"
	"time"
)

// OpenTime is a moment as opening hours are read: its HSDS day code and
// time of day in the network's time zone ("MO", "14:05"), and whether
// that day is one of the network's bank holidays. On a bank holiday every
// service is taken as closed all day: regular opening hours do not say
// what a service does on one, and the network's services close, as the
// network itself does (its working days skip them too). The "open now"
// filter (DirectoryQuery.Open) is the one place that rule is applied.
type OpenTime struct {
	Day, Clock  string
	BankHoliday bool
}

// OpenTime reads t on the network's calendar.
func (c Calendar) OpenTime(t time.Time) OpenTime {
	t = t.In(c.Location)
	return OpenTime{Day: Days[(int(t.Weekday())+6)%7], Clock: t.Format("15:04"), BankHoliday: c.Holidays[t.Format(time.DateOnly)]}
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
