package core

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NoQuietHours is the quiet_hours that texts clients at any hour: for a
// network whose clients asked for that, or a service that runs at night.
const NoQuietHours = "none"

// CalendarSettings is the network's working calendar as an operator writes
// it in the network file. A setting left out (nil) takes its default, the
// schema's: setting the network again from a file that leaves one out puts
// the default back, as it does for the outcomes. SetNetwork reads and
// checks them (workingCalendar), so every way in is held to one rule.
type CalendarSettings struct {
	// WorkingDays are the days advisers work, by name ("mon" or
	// "monday"); due times and reminders count only these. Not ISO
	// numbers: whether 1 is Monday or Sunday depends on who is asked.
	WorkingDays []string `yaml:"working_days"`
	// WorkingHours is the working day, "09:00-17:00", in the network's
	// time zone: acknowledgement targets count only these hours.
	WorkingHours *string `yaml:"working_hours"`
	// QuietHours are when no text goes to a client unless it answers
	// their own message, "21:00-08:00"; they may run past midnight.
	// NoQuietHours ("none") texts clients at any hour.
	QuietHours *string `yaml:"quiet_hours"`
	// ContactCheckDays is the working days after an agency accepts a
	// referral when the client is asked whether it has been in touch (and
	// the wait the acceptance text promises); a crisis referral's are
	// fewer (Network.AgencyContactDays).
	ContactCheckDays *int `yaml:"contact_check_days"`
	// ContactNudgeDays is the working days after acceptance when an
	// agency that has not marked the client contacted is chased (and the
	// wait a client is told to keep before calling the network).
	ContactNudgeDays *int `yaml:"contact_nudge_days"`
	// CrisisAckHours is a crisis referral's acknowledgement target, in
	// working hours.
	CrisisAckHours *int `yaml:"crisis_ack_hours"`
	// CrisisSameDayBefore is the time of day, "15:00", before which a
	// crisis raised on a working day is due that same day.
	CrisisSameDayBefore *string `yaml:"crisis_same_day_before"`
}

// workingCalendar is CalendarSettings read, checked and with every
// default filled in: what network_settings stores.
type workingCalendar struct {
	days                        []int32 // ISO weekdays, Monday = 1
	workingStart, workingEnd    time.Duration
	quietStart, quietEnd        time.Duration
	contactCheckDays, nudgeDays int
	crisisAckHours              int
	crisisSameDayBefore         time.Duration
}

// defaultCalendar is network_settings' column defaults (001_schema.sql,
// 016_email.sql); TestSetNetworkCalendar holds the two together.
var defaultCalendar = workingCalendar{
	days:         []int32{1, 2, 3, 4, 5},
	workingStart: 9 * time.Hour, workingEnd: 17 * time.Hour,
	quietStart: 21 * time.Hour, quietEnd: 8 * time.Hour,
	contactCheckDays: 3, nudgeDays: defaultContactNudgeDays,
	crisisAckHours: 2, crisisSameDayBefore: 15 * time.Hour,
}

// The ranges the calendar's counts may take. crisis_ack_hours' bound is
// the schema's CHECK (016_email.sql); sixty working days is three months,
// past which a reminder about a client waiting is no longer one.
const (
	maxContactDays = 60
	maxCrisisHours = 40
)

// isoWeekday is the ISO number (Monday = 1) of an HSDS day code.
func isoWeekday(code string) int32 { return int32(slices.Index(Days, code)) + 1 }

// workingCalendar checks s and fills in its defaults, naming every
// mistake at once, each with the setting it is in.
func (s CalendarSettings) workingCalendar() (workingCalendar, []FieldError) {
	cal := defaultCalendar
	cal.days = slices.Clone(defaultCalendar.days)
	var fields []FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, FieldError{Field: field, Message: field + ": " + fmt.Sprintf(format, args...)})
	}

	if s.WorkingDays != nil {
		cal.days = nil
		if len(s.WorkingDays) == 0 {
			bad("working_days", "name at least one day advisers work, like [mon, tue, wed, thu, fri]")
		}
		for _, name := range s.WorkingDays {
			code, err := ParseDay(name)
			d := isoWeekday(code)
			switch {
			case err != nil:
				bad("working_days", "%q is not a day of the week; write mon, tue, wed, thu, fri, sat or sun", name)
			case slices.Contains(cal.days, d):
				bad("working_days", "%s is named twice", strings.TrimSpace(name))
			default:
				cal.days = append(cal.days, d)
			}
		}
		slices.Sort(cal.days)
	}

	workingOK := true
	if s.WorkingHours != nil {
		start, end, msg := parseHours(*s.WorkingHours, "09:00-17:00")
		switch {
		case msg != "":
			bad("working_hours", "%s", msg)
			workingOK = false
		case end <= start:
			bad("working_hours", "the end (%s) must be after the start (%s)", clockTime(end), clockTime(start))
			workingOK = false
		default:
			cal.workingStart, cal.workingEnd = start, end
		}
	}

	if s.QuietHours != nil && strings.EqualFold(strings.TrimSpace(*s.QuietHours), NoQuietHours) {
		// Stored as a start equal to its end, which InQuietHours reads
		// as none.
		cal.quietStart, cal.quietEnd = 0, 0
	} else if s.QuietHours != nil {
		start, end, msg := parseHours(*s.QuietHours, "21:00-08:00")
		switch {
		case msg != "":
			bad("quiet_hours", "%s", msg)
		case start == end:
			bad("quiet_hours", "the start and the end are both %s; write the hours when clients are not texted, like 21:00-08:00, or %q to text them at any hour", clockTime(start), NoQuietHours)
		case workingOK && quietCovers(start, end, cal.workingStart, cal.workingEnd):
			bad("quiet_hours", "%s-%s covers all of working hours (%s-%s), so clients would be texted only outside them; quiet hours are the night, like 21:00-08:00",
				clockTime(start), clockTime(end), clockTime(cal.workingStart), clockTime(cal.workingEnd))
		default:
			cal.quietStart, cal.quietEnd = start, end
		}
	}

	// countIn takes a count when it is in lo–hi, reporting whether it is
	// usable (in range, or left out).
	countIn := func(field string, v *int, lo, hi int, unit string, into *int) bool {
		if v == nil {
			return true
		}
		if *v < lo || *v > hi {
			fields = append(fields, FieldError{Field: field,
				Message: fmt.Sprintf("%s must be between %d and %d (%s), not %d", field, lo, hi, unit, *v)})
			return false
		}
		*into = *v
		return true
	}
	checkOK := countIn("contact_check_days", s.ContactCheckDays, 1, maxContactDays, "working days", &cal.contactCheckDays)
	nudgeOK := countIn("contact_nudge_days", s.ContactNudgeDays, 1, maxContactDays, "working days", &cal.nudgeDays)
	// The acceptance text promises contact within contact_check_days, and
	// the client is told to call the network after contact_nudge_days:
	// chasing the agency sooner would tell the client to call before the
	// agency's own time is up.
	if checkOK && nudgeOK && cal.nudgeDays < cal.contactCheckDays {
		bad("contact_nudge_days", "%d%s must be at least contact_check_days (%d%s): the client is promised contact within contact_check_days, so neither is the agency chased nor the client told to call the network before they are over",
			cal.nudgeDays, defaultNote(s.ContactNudgeDays, " (the default)"), cal.contactCheckDays, defaultNote(s.ContactCheckDays, ", the default"))
	}
	_ = countIn("crisis_ack_hours", s.CrisisAckHours, 1, maxCrisisHours, "working hours", &cal.crisisAckHours)

	if s.CrisisSameDayBefore != nil {
		at, msg := parseTimeOfDay(*s.CrisisSameDayBefore)
		switch {
		case msg != "":
			bad("crisis_same_day_before", "%s", msg)
		case workingOK && at > cal.workingEnd:
			bad("crisis_same_day_before", "%s is after the end of working hours (%s): a crisis raised between the two would be due at the end of a working day already over",
				clockTime(at), clockTime(cal.workingEnd))
		default:
			cal.crisisSameDayBefore = at
		}
	} else if workingOK && cal.crisisSameDayBefore > cal.workingEnd {
		bad("crisis_same_day_before", "its default, %s, is after the end of working hours (%s): give a time no later than %s",
			clockTime(cal.crisisSameDayBefore), clockTime(cal.workingEnd), clockTime(cal.workingEnd))
	}
	return cal, fields
}

// defaultNote is note when v was left out (its default was used).
func defaultNote(v *int, note string) string {
	if v == nil {
		return note
	}
	return ""
}

// quietCovers reports whether quiet hours start–end (which may run past
// midnight) hold the whole working day from–to: a range written the wrong
// way round, which would text clients only at night.
func quietCovers(start, end, from, to time.Duration) bool {
	if start < end {
		return start <= from && to <= end
	}
	return to <= end || from >= start
}

var clockShape = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

// parseTimeOfDay reads a time of day written HH:MM, from 00:00 to 23:59;
// msg says what is wrong. It is strict where the opening hours' reading
// (parseClock) is lenient: that one reads what people wrote for other
// people, this one a setting the engine acts on ("afternoon" is not a
// time).
func parseTimeOfDay(s string) (time.Duration, string) {
	s = strings.TrimSpace(s)
	m := clockShape.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Sprintf("%q is not a time of day: write HH:MM, from 00:00 to 23:59", s)
	}
	h, _ := strconv.Atoi(m[1])
	mins, _ := strconv.Atoi(m[2])
	return time.Duration(h)*time.Hour + time.Duration(mins)*time.Minute, ""
}

// parseHours reads a range of the day written HH:MM-HH:MM (an en dash
// will do too); example is the shape shown when it is not one.
func parseHours(s, example string) (start, end time.Duration, msg string) {
	from, to, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
	if !ok {
		return 0, 0, fmt.Sprintf("%q is not a range of hours: write HH:MM-HH:MM, like %s", s, example)
	}
	start, msg = parseTimeOfDay(from)
	if msg == "" {
		end, msg = parseTimeOfDay(to)
	}
	if msg != "" {
		return 0, 0, fmt.Sprintf("in %q, %s", s, msg)
	}
	return start, end, ""
}

// clockTime writes a time of day as HH:MM.
func clockTime(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
