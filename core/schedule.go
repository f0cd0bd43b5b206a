package core

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Schedule is one regular opening time of a service, shaped after the HSDS
// schedule: weekly on the days in ByDay ("MO,TU"), from OpensAt to
// ClosesAt ("09:30", network time). A schedule with only a Description is
// words the opening hours said that are not a regular time ("drop-in
// Tuesday mornings").
type Schedule struct {
	ByDay       string `json:"byday,omitempty"`
	OpensAt     string `json:"opens_at,omitempty"`
	ClosesAt    string `json:"closes_at,omitempty"`
	Description string `json:"description,omitempty"`
}

// Days are the HSDS (iCalendar) day codes, Monday first.
var Days = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

var dayNames = map[string]int{
	"monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
	"thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
	"sunday": 6, "sun": 6,
}

// ParseDay reads a day as people or HSDS write it ("Monday", "mon", "MO")
// and returns its HSDS code.
func ParseDay(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, d := range Days {
		if s == strings.ToLower(d) {
			return d, nil
		}
	}
	if i, ok := dayNames[s]; ok {
		return Days[i], nil
	}
	return "", fmt.Errorf("%q is not a day; use MO, TU, WE, TH, FR, SA or SU", s)
}

const (
	dayRe  = `(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)`
	timeRe = `(?:\d{1,2}(?:[.:]\d{2})?\s*(?:am|pm)|12\s*noon|noon|midday|\d{1,2}[.:]\d{2})`
)

var (
	openingRe = regexp.MustCompile(`(?i)\b(` + dayRe + `(?:\s*(?:,|and|to|-|–)\s*` + dayRe + `)*)\s*,?\s*(` + timeRe + `)\s*(?:to|-|–|until)\s*(` + timeRe + `)`)
	dayWordRe = regexp.MustCompile(`(?i)` + dayRe + `|to|-|–`)
	clockRe   = regexp.MustCompile(`(?i)^(\d{1,2})(?:[.:](\d{2}))?\s*(am|pm)?$`)
	fillerRe  = regexp.MustCompile(`^[\s,;.]*$`)
)

// ParseOpeningHours reads opening hours as people write them ("Monday to
// Friday 9.30am to 4pm; Saturday 10am to 12 noon") into schedules. Words
// that are not a regular time are kept, trimmed, as one schedule with only
// a description, so nothing said is lost. It is the one reading of opening
// hours text: directory edits, the feed and the migration of older text
// all use it.
func ParseOpeningHours(text string) []Schedule {
	text = strings.TrimSpace(text)
	if text == "" {
		return []Schedule{}
	}
	var out []Schedule
	var rest strings.Builder
	last := 0
	for _, m := range openingRe.FindAllStringSubmatchIndex(text, -1) {
		days := parseDayList(text[m[2]:m[3]])
		opens, ok1 := parseClock(text[m[4]:m[5]])
		closes, ok2 := parseClock(text[m[6]:m[7]])
		if days == "" || !ok1 || !ok2 || closes <= opens {
			continue
		}
		rest.WriteString(text[last:m[0]])
		rest.WriteString(" ")
		last = m[1]
		out = append(out, Schedule{ByDay: days, OpensAt: opens, ClosesAt: closes})
	}
	rest.WriteString(text[last:])
	if r := strings.Trim(strings.Join(strings.Fields(rest.String()), " "), " ,;."); r != "" && !fillerRe.MatchString(r) {
		r = strings.TrimPrefix(strings.TrimPrefix(r, "and "), "with ")
		out = append(out, Schedule{Description: r})
	}
	if out == nil {
		return []Schedule{}
	}
	return out
}

// leftTimeRe finds a time of day among words ParseOpeningHours kept as a
// description: hours it could not read, where a note ("drop-in Tuesday
// mornings", "by appointment") names none.
var leftTimeRe = regexp.MustCompile(`(?i)\b` + timeRe)

// OpeningHoursUnread reports whether ParseOpeningHours could not read
// opening hours as days and times, so the directory shows them as
// written and cannot say whether the service is open now: it found no
// regular time in them ("Tuesdays", "Mon–Fri 9–5"), or left a time of day
// among the words it kept ("Monday 9am to 12pm, 1pm to 5pm" reads
// Monday's morning only). No hours at all are not unread.
func OpeningHoursUnread(text string) bool {
	ss := ParseOpeningHours(text)
	if len(ss) == 0 {
		return false
	}
	regular := false
	for _, s := range ss {
		if s.ByDay != "" {
			regular = true
		} else if leftTimeRe.MatchString(s.Description) {
			return true
		}
	}
	return !regular
}

// parseDayList turns "Monday to Friday" or "Monday, Wednesday and Friday"
// into "MO,TU,WE,TH,FR" or "MO,WE,FR".
func parseDayList(s string) string {
	words := dayWordRe.FindAllString(strings.ToLower(s), -1)
	var on [7]bool
	prev, ranging := -1, false
	for _, w := range words {
		if w == "to" || w == "-" || w == "–" {
			ranging = prev >= 0
			continue
		}
		d, ok := dayNames[w]
		if !ok {
			continue
		}
		if ranging {
			for i := prev; i != d; i = (i + 1) % 7 {
				on[i] = true
			}
		}
		on[d] = true
		prev, ranging = d, false
	}
	var codes []string
	for i, set := range on {
		if set {
			codes = append(codes, Days[i])
		}
	}
	return strings.Join(codes, ",")
}

// parseClock reads "9.30am", "4pm", "12 noon", "17:00" as "HH:MM".
func parseClock(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(s, "noon") || s == "midday" {
		return "12:00", true
	}
	m := clockRe.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	h, _ := strconv.Atoi(m[1])
	mins := 0
	if m[2] != "" {
		mins, _ = strconv.Atoi(m[2])
	}
	switch m[3] {
	case "pm":
		if h < 12 {
			h += 12
		}
	case "am":
		if h == 12 {
			h = 0
		}
	case "":
		if m[2] == "" {
			return "", false
		}
	}
	if h > 23 || mins > 59 {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", h, mins), true
}

// ScheduleText writes schedules back as words ("Monday to Friday 09:30 to
// 16:00"), for services whose hours came structured from another
// directory.
func ScheduleText(ss []Schedule) string {
	var parts []string
	for _, s := range ss {
		if s.ByDay == "" {
			if s.Description != "" {
				parts = append(parts, s.Description)
			}
			continue
		}
		parts = append(parts, dayListText(s.ByDay)+" "+s.OpensAt+" to "+s.ClosesAt)
	}
	return strings.Join(parts, "; ")
}

var dayWords = map[string]string{"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
	"FR": "Friday", "SA": "Saturday", "SU": "Sunday"}

func dayListText(byday string) string {
	codes := strings.Split(byday, ",")
	idx := make([]int, 0, len(codes))
	for _, c := range codes {
		for i, d := range Days {
			if d == c {
				idx = append(idx, i)
			}
		}
	}
	if len(idx) > 2 && idx[len(idx)-1]-idx[0] == len(idx)-1 {
		return dayWords[Days[idx[0]]] + " to " + dayWords[Days[idx[len(idx)-1]]]
	}
	names := make([]string, len(idx))
	for i, d := range idx {
		names[i] = dayWords[Days[d]]
	}
	return joinWords(names)
}

// OpenAt reports whether schedules say a service is open on day (an HSDS
// code) at clock ("14:05") by its regular hours alone; OpenTime.Open adds
// the network's bank holidays, and is what "open now" asks.
func OpenAt(ss []Schedule, day, clock string) bool {
	for _, s := range ss {
		if s.ByDay == "" {
			continue
		}
		for _, d := range strings.Split(s.ByDay, ",") {
			if d == day && s.OpensAt <= clock && clock < s.ClosesAt {
				return true
			}
		}
	}
	return false
}
