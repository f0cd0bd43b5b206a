package report

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// Periods: coordinators report to funders (the Scottish Government, a
// council, the Lottery) by quarter and by financial year, the UK public
// sector's, 1 April to 31 March, its quarters Q1 April–June, Q2
// July–September, Q3 October–December and Q4 January–March. A Period is
// one of those, or a calendar month, named once here: the staff web, its
// downloads and the command line all read and write these names, so
// "2026-27 Q3" means the same days everywhere. Days are the network's
// calendar days, as a Filter's are (UTC midnight standing for the date),
// both ends included.

// PeriodKind is what a period spans.
type PeriodKind int

// Period kinds.
const (
	PeriodMonth   PeriodKind = iota + 1 // a calendar month
	PeriodQuarter                       // a quarter of a financial year
	PeriodYear                          // a financial year, 1 April to 31 March
)

// Period is a month, a quarter of a financial year or a financial year.
// The zero Period is no period. Periods compare with ==.
type Period struct {
	kind PeriodKind
	// year is the calendar year of a month, or the year a financial
	// year starts in (2026 for 2026-27).
	year int
	// n is the month (1–12) or the quarter (1–4); 0 for a year.
	n int
}

// FinancialYear is the financial year that starts on 1 April of start.
func FinancialYear(start int) Period { return Period{kind: PeriodYear, year: start} }

// Quarter is quarter q (1–4) of the financial year that starts in start.
func Quarter(start, q int) Period { return Period{kind: PeriodQuarter, year: start, n: q} }

// Month is a calendar month.
func Month(year int, m time.Month) Period { return Period{kind: PeriodMonth, year: year, n: int(m)} }

// FinancialYearOf is the financial year day falls in.
func FinancialYearOf(day time.Time) Period { return periodOf(PeriodYear, day) }

// Quarters are a financial year's four quarters, in order; none for a
// quarter or a month.
func (p Period) Quarters() []Period {
	if p.kind != PeriodYear {
		return nil
	}
	return []Period{Quarter(p.year, 1), Quarter(p.year, 2), Quarter(p.year, 3), Quarter(p.year, 4)}
}

// IsZero reports whether p is no period.
func (p Period) IsZero() bool { return p.kind == 0 }

// Kind says what p spans.
func (p Period) Kind() PeriodKind { return p.kind }

// First is the period's first day, as UTC midnight.
func (p Period) First() time.Time {
	switch p.kind {
	case PeriodMonth:
		return time.Date(p.year, time.Month(p.n), 1, 0, 0, 0, 0, time.UTC)
	case PeriodQuarter:
		return time.Date(p.year, time.April+time.Month(3*(p.n-1)), 1, 0, 0, 0, 0, time.UTC)
	case PeriodYear:
		return time.Date(p.year, time.April, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// Last is the period's last day, included, as UTC midnight.
func (p Period) Last() time.Time {
	months := map[PeriodKind]int{PeriodMonth: 1, PeriodQuarter: 3, PeriodYear: 12}[p.kind]
	if months == 0 {
		return time.Time{}
	}
	return p.First().AddDate(0, months, -1)
}

// String is the period's name, as the parser reads it: "2026-27" for a
// financial year, "2026-27 Q3" for a quarter, "October 2026" for a month.
func (p Period) String() string {
	switch p.kind {
	case PeriodMonth:
		return fmt.Sprintf("%s %04d", time.Month(p.n), p.year)
	case PeriodQuarter:
		return fmt.Sprintf("%s Q%d", fyName(p.year), p.n)
	case PeriodYear:
		return fyName(p.year)
	}
	return ""
}

// fyName names the financial year starting in start: 2026 is "2026-27".
func fyName(start int) string { return fmt.Sprintf("%04d-%02d", start, (start+1)%100) }

// periodOf is the period of kind k that day falls in.
func periodOf(k PeriodKind, day time.Time) Period {
	y, m := day.Year(), day.Month()
	switch k {
	case PeriodMonth:
		return Month(y, m)
	case PeriodQuarter, PeriodYear:
		start := y
		if m < time.April {
			start--
		}
		if k == PeriodYear {
			return FinancialYear(start)
		}
		return Quarter(start, (int(m)+8)%12/3+1)
	}
	return Period{}
}

// before is the period of the same kind just before p.
func (p Period) before() Period {
	return periodOf(p.kind, p.First().AddDate(0, 0, -1))
}

// PeriodShown is a period as a report counts it on a day: its days, cut
// at that day when the period ends later ("so far").
type PeriodShown struct {
	Period   Period
	From, To time.Time
	// SoFar is true when the period ends after the day it was shown
	// on, so To is that day, not the period's last.
	SoFar bool
}

// On is the period as counted on today (a network calendar day, as UTC
// midnight): the whole period, or, when it ends later, its days up to
// today. A period that starts after today has nothing to count, and is
// refused, saying when it starts; so is one outside the days Onward
// reports on (CheckPeriod, the one rule for every report's dates).
func (p Period) On(today time.Time) (PeriodShown, error) {
	today = dateOnly(today)
	if p.IsZero() {
		return PeriodShown{}, fmt.Errorf("no period given")
	}
	s := PeriodShown{Period: p, From: p.First(), To: p.Last()}
	if s.From.After(today) {
		return s, fmt.Errorf("%s has not begun: it starts on %s", p, s.From.Format("2 January 2006"))
	}
	if s.To.After(today) {
		s.To, s.SoFar = today, true
	}
	if _, msg := CheckPeriod(s.From, s.To); msg != "" {
		return s, fmt.Errorf("%s: %s", p, msg)
	}
	return s, nil
}

// String says which period a report shows and its days: "2026-27 Q3 (1
// October – 31 December 2026)", or "2026-27 Q3 so far (1 October – 23
// November 2026)".
func (s PeriodShown) String() string {
	name := s.Period.String()
	if s.SoFar {
		name += " so far"
	}
	return name + " (" + DaysText(s.From, s.To) + ")"
}

// FileName is the period as a download's file name carries it:
// "2026-27-Q3", or, so far, "2026-27-Q3-to-2026-11-23", so that two
// downloads of a quarter not yet over are told apart.
func (s PeriodShown) FileName() string {
	name := strings.ReplaceAll(s.Period.String(), " ", "-")
	if s.SoFar {
		name += "-to-" + s.To.Format(time.DateOnly)
	}
	return name
}

// DaysText says a span of days, both included, without repeating a
// month or year the ends share: "1 – 31 October 2026", "1 October – 31
// December 2026", "1 April 2026 – 31 March 2027".
func DaysText(from, to time.Time) string {
	switch {
	case from.Year() != to.Year():
		return from.Format("2 January 2006") + " – " + to.Format("2 January 2006")
	case from.Month() != to.Month():
		return from.Format("2 January") + " – " + to.Format("2 January 2006")
	case from.Day() != to.Day():
		return from.Format("2") + " – " + to.Format("2 January 2006")
	}
	return to.Format("2 January 2006")
}

// Preset is a period as a coordinator names it: one that moves with the
// day ("this quarter", "last financial year") or a fixed one ("2026-27
// Q3"). On says which days it is on a given day.
type Preset struct {
	// rel is the relative preset's name, "" for a fixed period.
	rel   string
	fixed Period
}

// relativePresets are the presets that move with the day, in the order
// the pages offer them: the period of which kind, and how many back.
var relativePresets = []struct {
	name string
	kind PeriodKind
	back int
}{
	{"this month", PeriodMonth, 0},
	{"last month", PeriodMonth, 1},
	{"this quarter", PeriodQuarter, 0},
	{"last quarter", PeriodQuarter, 1},
	{"this financial year", PeriodYear, 0},
	{"last financial year", PeriodYear, 1},
}

// RelativePresets are the presets that move with the day: this and last
// month, quarter and financial year.
func RelativePresets() []Preset {
	out := make([]Preset, len(relativePresets))
	for i, r := range relativePresets {
		out[i] = Preset{rel: r.name}
	}
	return out
}

// FixedPreset is the preset naming p itself.
func FixedPreset(p Period) Preset { return Preset{fixed: p} }

// IsZero reports whether no preset was given.
func (p Preset) IsZero() bool { return p.rel == "" && p.fixed.IsZero() }

// String is the preset's name, as ParsePreset reads it.
func (p Preset) String() string {
	if p.rel != "" {
		return p.rel
	}
	return p.fixed.String()
}

// Period is the period the preset names on today (a network calendar
// day, as UTC midnight).
func (p Preset) Period(today time.Time) Period {
	for _, r := range relativePresets {
		if r.name == p.rel {
			q := periodOf(r.kind, dateOnly(today))
			for range r.back {
				q = q.before()
			}
			return q
		}
	}
	return p.fixed
}

// On is the preset's period as counted on today: see Period.On.
func (p Preset) On(today time.Time) (PeriodShown, error) { return p.Period(today).On(today) }

// PeriodForms says, with an example of each, every way a period can be
// named: the end of every parse error, so whoever typed a wrong one sees
// what to type instead.
const PeriodForms = `a period is "this month", "last month", "this quarter", "last quarter", "this financial year" or "last financial year"; ` +
	`a financial year, like "2026-27" (1 April 2026 to 31 March 2027); ` +
	`a quarter of one, like "2026-27 Q3" (Q1 is April to June, Q4 January to March); ` +
	`or a month, like "October 2026"`

var (
	fyRe    = regexp.MustCompile(`^(\d{4})\s*[-/]\s*(\d{2}|\d{4})(?:\s+q(\S*))?$`)
	monthRe = regexp.MustCompile(`^([a-z]+)\s+(\d{4})$`)
)

// ParsePreset reads a period's name: one of the relative presets, a
// financial year ("2026-27", or "2026/27"), a quarter of one ("2026-27
// Q3") or a month ("October 2026", or "Oct 2026"), in any case. A name it
// cannot read is an error saying what was wrong, then PeriodForms.
func ParsePreset(name string) (Preset, error) {
	p, err := parsePreset(strings.ToLower(strings.Join(strings.Fields(name), " ")))
	if err != nil {
		if strings.TrimSpace(name) == "" {
			return Preset{}, fmt.Errorf("no period given: %s", PeriodForms)
		}
		return Preset{}, fmt.Errorf("%q is not a period: %s; %s", name, err, PeriodForms)
	}
	return p, nil
}

func parsePreset(s string) (Preset, error) {
	for _, r := range relativePresets {
		if s == r.name {
			return Preset{rel: r.name}, nil
		}
	}
	if m := fyRe.FindStringSubmatch(s); m != nil {
		start, _ := strconv.Atoi(m[1])
		end, _ := strconv.Atoi(m[2])
		if len(m[2]) == 2 && end != (start+1)%100 || len(m[2]) == 4 && end != start+1 {
			return Preset{}, fmt.Errorf("a financial year ends in the year after it starts, so %04d is followed by %02d (%s)", start, (start+1)%100, fyName(start))
		}
		if strings.Contains(s, "q") {
			q, err := strconv.Atoi(m[3])
			if err != nil || q < 1 || q > 4 {
				return Preset{}, fmt.Errorf("there is no quarter %q: a financial year's quarters are Q1 (April to June), Q2, Q3 and Q4 (January to March)", "Q"+m[3])
			}
			return Preset{fixed: Quarter(start, q)}, nil
		}
		return Preset{fixed: FinancialYear(start)}, nil
	}
	if m := monthRe.FindStringSubmatch(s); m != nil {
		month, ok := monthNamed(m[1])
		if !ok {
			return Preset{}, fmt.Errorf("%q is not a month", m[1])
		}
		y, _ := strconv.Atoi(m[2])
		return Preset{fixed: Month(y, month)}, nil
	}
	return Preset{}, fmt.Errorf("not a name Onward knows")
}

// monthNamed reads an English month's name, whole or its first three
// letters, in lower case.
func monthNamed(s string) (time.Month, bool) {
	for m := time.January; m <= time.December; m++ {
		full := strings.ToLower(m.String())
		if s == full || s == full[:3] {
			return m, true
		}
	}
	return 0, false
}

// Today is the network's calendar day now, on the reports' clock, as UTC
// midnight: the day a preset is read on and a period cut at, so that the
// command line's "this quarter" is the network's, whatever the time zone
// of the machine it runs on.
func (rp *Reports) Today(ctx context.Context) (time.Time, error) {
	var zone string
	if err := rp.readers.Read(ctx, func(db core.DB) error {
		return db.QueryRow(ctx, sqlNetworkZone).Scan(&zone)
	}); err != nil {
		return time.Time{}, fmt.Errorf("read network time zone: %w", err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("network time zone %q: %w", zone, err)
	}
	return localDay(rp.clock.Now(), loc), nil
}
