package report

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Seasonality compares this year with last: "this year" is the year of the
// filter's end date, and both years count only referrals inside the
// filter's dates, so a range that starts this spring shows no last year at
// all. Weeks are ISO weeks (Monday to Sunday) of ISO years.

// seasonalityWeeklyReport counts new referrals per ISO week.
func seasonalityWeeklyReport(ctx context.Context, q *reportQuery) (Report, error) {
	year, _ := q.f.To.ISOWeek()
	from := later(q.f.From, isoYearStart(year-1))
	counts := map[[2]int]int64{} // {iso year, week}
	weeks := 52
	for _, y := range []int{year - 1, year} {
		if _, w := isoYearStart(y+1).AddDate(0, 0, -1).ISOWeek(); w == 53 {
			weeks = 53
		}
	}
	if !from.After(q.f.To) {
		sub, args := q.facts(weeklyRollup, "day, n_new", from, q.f.To)
		rows, _ := q.db.Query(ctx, `SELECT extract(isoyear FROM day)::int, extract(week FROM day)::int,
			sum(n_new)::bigint FROM `+sub+` f GROUP BY 1, 2`, args...)
		var y, w int
		var n int64
		if _, err := pgx.ForEachRow(rows, []any{&y, &w, &n}, func() error {
			counts[[2]int{y, w}] = n
			return nil
		}); err != nil {
			return Report{}, err
		}
	}
	fromYear, fromWeek := from.ISOWeek()
	_, lastWeek := q.f.To.ISOWeek()
	shown := [2]periods{{fromWeek, isoWeeks(year - 1)}, {1, lastWeek}}
	if fromYear == year {
		shown = [2]periods{{isoWeeks(year-1) + 1, isoWeeks(year - 1)}, {fromWeek, lastWeek}}
	}
	return q.seasonality("Week", year, weeks, shown, func(i int) string { return strconv.Itoa(i) },
		func(y, i int) int64 { return counts[[2]int{y, i}] }), nil
}

// seasonalityMonthlyReport counts new referrals per calendar month.
func seasonalityMonthlyReport(ctx context.Context, q *reportQuery) (Report, error) {
	year := q.f.To.Year()
	from := later(q.f.From, time.Date(year-1, 1, 1, 0, 0, 0, 0, time.UTC))
	counts := map[[2]int]int64{}
	if !from.After(q.f.To) {
		sub, args := q.facts(mainRollup, "day, n_new", from, q.f.To)
		rows, _ := q.db.Query(ctx, `SELECT extract(year FROM day)::int, extract(month FROM day)::int,
			sum(n_new)::bigint FROM `+sub+` f GROUP BY 1, 2`, args...)
		var y, m int
		var n int64
		if _, err := pgx.ForEachRow(rows, []any{&y, &m, &n}, func() error {
			counts[[2]int{y, m}] = n
			return nil
		}); err != nil {
			return Report{}, err
		}
	}
	shown := [2]periods{{int(from.Month()), 12}, {1, int(q.f.To.Month())}}
	if from.Year() == year {
		shown = [2]periods{{13, 12}, {int(from.Month()), int(q.f.To.Month())}}
	}
	return q.seasonality("Month", year, 12, shown, func(i int) string { return time.Month(i).String()[:3] },
		func(y, i int) int64 { return counts[[2]int{y, i}] }), nil
}

// periods are the first and last period of a year inside the filter's
// dates (first > last: none).
type periods struct{ first, last int }

// seasonality lays out periods 1..n of last year and this year. Periods a
// year does not have (week 53 of most years) and those before the
// filter's start or after its end have no value: shown gives the first
// and last period of each year that do. The chart keeps a point with no
// value for the periods before the start, so that both lines run over
// the same periods in order.
func (q *reportQuery) seasonality(period string, year, n int, shown [2]periods, label func(int) string, count func(y, i int) int64) Report {
	r := Report{Chart: ChartLine, Unit: "new referrals",
		Columns: []string{period, fmt.Sprint(year - 1), fmt.Sprint(year)}}
	series := []Series{{Name: fmt.Sprint(year - 1)}, {Name: fmt.Sprint(year)}}
	for i := 1; i <= n; i++ {
		row := []Cell{textCell(label(i))}
		for k, y := range []int{year - 1, year} {
			c := emptyCell()
			if i >= shown[k].first && i <= shown[k].last {
				c = q.count(count(y, i))
			}
			row = append(row, c)
			if i <= shown[k].last {
				series[k].Points = append(series[k].Points, point(label(i), c))
			}
		}
		r.Rows = append(r.Rows, row)
	}
	r.Series = series
	return r
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

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
