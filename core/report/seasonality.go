package report

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Seasonality compares the years of the filter's dates side by side:
// every year (for weeks, ISO year) the dates touch, counting only new
// referrals (new demand: see new_demand.go) inside the dates, so a range
// from last spring to this autumn compares last year's spring-to-December
// with this year's January-to-autumn. Dates that touch more than
// maxSeasonYears years show the latest of them that had new referrals,
// with a note saying so. Periods outside the dates, and those after
// today, have no value: blank in the table and the exports, and no point
// on the chart, never a 0 that would say nobody was referred. A period
// only partly inside the dates, or not yet over, is partial: the Partial
// column names the days counted ("2025: 6–31 Dec"), and its chart point
// is flagged, so that a month of five days is not read as a slump. Weeks
// are ISO weeks (Monday to Sunday) of ISO years.

// maxSeasonYears is the most years a seasonality report sets side by
// side: more lines than this make a chart nobody can read.
const maxSeasonYears = 10

// seasonalityWeeklyReport counts new referrals per ISO week.
func seasonalityWeeklyReport(ctx context.Context, q *reportQuery) (Report, error) {
	counts, err := q.seasonCounts(ctx, weeklyRollup, "isoyear", "week")
	if err != nil {
		return Report{}, err
	}
	fromYear, fromWeek := q.f.From.ISOWeek()
	toYear, toWeek := q.f.To.ISOWeek()
	todayYear, todayWeek := localDay(q.now, q.loc).ISOWeek()
	years, notes := seasonYears(fromYear, toYear, todayYear, counts, func(y int) periods {
		p := periods{1, isoWeeks(y)}
		if y == fromYear {
			p.first = fromWeek
		}
		if y == toYear {
			p.last = toWeek
		}
		return p.until(y, todayYear, todayWeek)
	})
	weeks := 52
	for _, y := range years {
		weeks = max(weeks, isoWeeks(y.year))
	}
	r := q.seasonality("Week", weeks, years, func(i int) string { return strconv.Itoa(i) },
		func(y, i int) int64 { return counts[[2]int{y, i}] },
		func(y, i int) (time.Time, time.Time) {
			monday := isoYearStart(y).AddDate(0, 0, 7*(i-1))
			return monday, monday.AddDate(0, 0, 6)
		})
	r.Notes = append(r.Notes, notes...)
	return r, nil
}

// seasonalityMonthlyReport counts new referrals per calendar month.
func seasonalityMonthlyReport(ctx context.Context, q *reportQuery) (Report, error) {
	counts, err := q.seasonCounts(ctx, mainRollup, "year", "month")
	if err != nil {
		return Report{}, err
	}
	today := localDay(q.now, q.loc)
	years, notes := seasonYears(q.f.From.Year(), q.f.To.Year(), today.Year(), counts, q.monthsOfYear)
	r := q.seasonality("Month", 12, years, func(i int) string { return time.Month(i).String()[:3] },
		func(y, i int) int64 { return counts[[2]int{y, i}] },
		func(y, i int) (time.Time, time.Time) {
			first := time.Date(y, time.Month(i), 1, 0, 0, 0, 0, time.UTC)
			return first, first.AddDate(0, 1, -1)
		})
	r.Notes = append(r.Notes, notes...)
	return r, nil
}

// monthsOfYear are the months of year y that a report of the filter's
// dates shows: those the dates touch, up to this month (later ones have
// not happened, so they have no figure, never a 0 that would say nobody
// was referred). The one definition of the months of a period: seasonality
// by month and the crisis report both show these, a month with no
// referrals as 0.
func (q *reportQuery) monthsOfYear(y int) periods {
	today := localDay(q.now, q.loc)
	p := periods{1, 12}
	if y == q.f.From.Year() {
		p.first = int(q.f.From.Month())
	}
	if y == q.f.To.Year() {
		p.last = int(q.f.To.Month())
	}
	return p.until(y, today.Year(), int(today.Month()))
}

// seasonCounts counts new referrals inside the filter's dates by year and
// period of the year (yearField and periodField are extract()'s: "year"
// and "month", or "isoyear" and "week").
func (q *reportQuery) seasonCounts(ctx context.Context, src rollup, yearField, periodField string) (map[[2]int]int64, error) {
	counts := map[[2]int]int64{}
	sub, args := q.facts(src, "day, n_new", q.f.From, q.f.To)
	rows, _ := q.db.Query(ctx, `SELECT extract(`+yearField+` FROM day)::int, extract(`+periodField+` FROM day)::int,
		sum(n_new)::bigint FROM `+sub+` f GROUP BY 1, 2`, args...)
	var y, p int
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&y, &p, &n}, func() error {
		counts[[2]int{y, p}] = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("count new referrals by %s: %w", periodField, err)
	}
	return counts, nil
}

// periods are the first and last period of a year inside the filter's
// dates (first > last: none).
type periods struct{ first, last int }

// until ends the periods of year y at today's (period now of year
// thisYear): later ones have not happened yet.
func (p periods) until(y, thisYear, now int) periods {
	switch {
	case y > thisYear:
		p.last = 0
	case y == thisYear:
		p.last = min(p.last, now)
	}
	return p
}

// seasonYear is one year a seasonality report shows, and its periods
// inside the dates.
type seasonYear struct {
	year int
	periods
}

// seasonYears picks the years from..to to show, oldest first: every one of
// them that has begun, when there are no more than maxSeasonYears, with or
// without new referrals (a year the dates touch is never left out for
// having none), and a note naming those still to come.
// Dates over more years show those with new referrals, the latest
// maxSeasonYears of them, with notes saying what was left out; with none
// at all, the dates' last year that has begun (so the table says there
// were none), or the first year of dates all still to come.
func seasonYears(from, to, thisYear int, counts map[[2]int]int64, shown func(y int) periods) ([]seasonYear, []string) {
	if to-from+1 <= maxSeasonYears {
		// Years wholly after today have nothing to show yet (unless every
		// year of the dates is still to come: then the first of them).
		last := min(to, max(from, thisYear))
		years := make([]seasonYear, 0, last-from+1)
		for y := from; y <= last; y++ {
			years = append(years, seasonYear{y, shown(y)})
		}
		var notes []string
		if from > thisYear {
			notes = append(notes, fmt.Sprintf("These dates begin in %d, which has not begun: there are no figures yet.", from))
		}
		if last < to {
			later := strconv.Itoa(last + 1)
			if last+1 < to {
				later += " to " + strconv.Itoa(to)
			}
			notes = append(notes, fmt.Sprintf("These dates reach into %s, which has not begun: it has no figures yet.", later))
		}
		return years, notes
	}
	had := map[int]bool{}
	for k, n := range counts {
		if n > 0 {
			had[k[0]] = true
		}
	}
	var years []seasonYear
	for y := from; y <= to; y++ {
		if had[y] {
			years = append(years, seasonYear{y, shown(y)})
		}
	}
	var notes []string
	if len(years) == 0 {
		y := max(from, min(to, thisYear))
		return []seasonYear{{y, shown(y)}}, nil
	}
	if skipped := to - from + 1 - len(years); skipped > 0 {
		notes = append(notes, "Years in these dates with no new referrals are left out.")
	}
	if len(years) > maxSeasonYears {
		notes = append(notes, fmt.Sprintf("These dates cover %d years with new referrals; the latest %d are shown. Narrow the dates to see %d to %d.",
			len(years), maxSeasonYears, years[0].year, years[len(years)-maxSeasonYears-1].year))
		years = years[len(years)-maxSeasonYears:]
	}
	return years, notes
}

// partialColumn names the column that says which periods of a row are
// partial, and the days of them counted.
const partialColumn = "Partial (days counted)"

// seasonality lays out periods 1..n of each year. Periods a year does not
// have (week 53 of most years) and those outside its periods inside the
// dates (before the start, after the end, after today) have no value. The
// chart keeps a point with no value for the periods before the start, so
// that every line runs over the same periods in order. span gives the
// first and last day of period i of year y, to tell a partial period (see
// partialDays).
func (q *reportQuery) seasonality(period string, n int, years []seasonYear, label func(int) string, count func(y, i int) int64,
	span func(y, i int) (time.Time, time.Time)) Report {
	r := Report{Chart: ChartLine, Unit: "new referrals", Columns: []string{period}, TextColumns: []string{partialColumn}}
	series := make([]Series, len(years))
	for k, y := range years {
		r.Columns = append(r.Columns, strconv.Itoa(y.year))
		series[k].Name = strconv.Itoa(y.year)
	}
	r.Columns = append(r.Columns, partialColumn)
	anyPartial := false
	for i := 1; i <= n; i++ {
		row := []Cell{textCell(label(i))}
		var partial []string
		for k, y := range years {
			c := emptyCell()
			days := ""
			if i >= y.first && i <= y.last {
				c = q.count(count(y.year, i))
				days = q.partialDays(span(y.year, i))
			}
			if days != "" {
				partial = append(partial, fmt.Sprintf("%d: %s", y.year, days))
			}
			row = append(row, c)
			if i <= y.last {
				p := point(label(i), c)
				p.Partial = days != ""
				series[k].Points = append(series[k].Points, p)
			}
		}
		anyPartial = anyPartial || len(partial) > 0
		r.Rows = append(r.Rows, append(row, textCell(strings.Join(partial, "; "))))
	}
	r.Series = series
	if anyPartial {
		r.Notes = append(r.Notes, fmt.Sprintf("A %s named in the Partial column has only some of its days counted — the dates start or end inside it, or it is not over yet — so its figure is not a whole %s's: compare it with care.",
			strings.ToLower(period), strings.ToLower(period)))
	}
	return r
}

// partialDays names the days of the period first..last that are counted,
// when they are not all of it: those inside the filter's dates and not
// after today ("6–31 Dec", "1–5 Dec so far", "30 Nov–2 Dec"). It is ""
// for a whole period, and for one with no day counted (it has no figure).
func (q *reportQuery) partialDays(first, last time.Time) string {
	today := localDay(q.now, q.loc)
	from, to := first, last
	if q.f.From.After(from) {
		from = q.f.From
	}
	if q.f.To.Before(to) {
		to = q.f.To
	}
	// A period that ends today is not over either: its figure is so far.
	soFar := !today.After(to)
	if today.Before(to) {
		to = today
	}
	if to.Before(from) || (!soFar && from.Equal(first) && to.Equal(last)) {
		return ""
	}
	text := daysText(from, to)
	if soFar {
		text += " so far"
	}
	return text
}

// daysText names the days from..to: "5 Dec", "1–5 Dec", "30 Nov–2 Dec".
func daysText(from, to time.Time) string {
	switch {
	case from.Equal(to):
		return to.Format("2 Jan")
	case from.Month() == to.Month() && from.Year() == to.Year():
		return fmt.Sprintf("%d–%s", from.Day(), to.Format("2 Jan"))
	}
	return from.Format("2 Jan") + "–" + to.Format("2 Jan")
}

// isoWeeks is how many ISO weeks year y has (52 or 53).
func isoWeeks(y int) int {
	_, w := isoYearStart(y+1).AddDate(0, 0, -1).ISOWeek()
	return w
}

// isoYearStart is the Monday that starts ISO year y (the week holding 4
// January).
func isoYearStart(y int) time.Time {
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	return jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
}
