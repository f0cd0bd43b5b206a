package core

import (
	"fmt"
	"time"
)

// AckTarget is how many working hours an agency has to acknowledge a
// referral: the network's crisis target for a crisis, else the agency's own.
func (c Calendar) AckTarget(a Agency, crisis bool) time.Duration {
	if crisis && c.CrisisAckHours > 0 {
		return time.Duration(c.CrisisAckHours) * time.Hour
	}
	return time.Duration(a.AckTargetHours) * time.Hour
}

// AckDue is when a referral reaching agency a at now should be
// acknowledged. A crisis is due after the network's crisis target in
// working hours, and, when raised on a working day before the crisis
// cut-off (default 3pm), no later than the end of that working day.
func (c Calendar) AckDue(now time.Time, a Agency, crisis bool) time.Time {
	due := c.AddWorkingHours(now, c.AckTarget(a, crisis))
	if !crisis || c.CrisisSameDayBefore <= 0 || !c.IsWorkingDay(now) {
		return due
	}
	if now.Before(c.dayAt(now, c.CrisisSameDayBefore)) {
		if end := c.dayAt(now, c.WorkingEnd); due.After(end) {
			return end.UTC()
		}
	}
	return due
}

// CrisisTargetText says in words what AckTarget and AckDue make of a
// crisis, for pages and reports that show the target beside figures
// measured against it: "within 2 working hours, and by the end of the
// working day when it arrives on one before 15:00". With no crisis target
// set, a crisis has the agency's own target, and the text says so.
func (n Network) CrisisTargetText() string {
	if n.CrisisAckHours <= 0 {
		return "the agency's own target, as for any referral"
	}
	unit := "working hours"
	if n.CrisisAckHours == 1 {
		unit = "working hour"
	}
	text := fmt.Sprintf("within %d %s", n.CrisisAckHours, unit)
	if n.CrisisSameDayBefore > 0 {
		h, m := int(n.CrisisSameDayBefore/time.Hour), int(n.CrisisSameDayBefore%time.Hour/time.Minute)
		text += fmt.Sprintf(", and by the end of the working day when it arrives on one before %02d:%02d", h, m)
	}
	return text
}
