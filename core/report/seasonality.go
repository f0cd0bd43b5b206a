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
	_, lastWeek := q.f.To.ISOWeek()
	return q.seasonality("Week", year, weeks, [2]int{isoWeeks(year - 1), lastWeek}, func(i int) string { return strconv.Itoa(i) },
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
	return q.seasonality("Month", year, 12, [2]int{12, int(q.f.To.Month())}, func(i int) string { return time.Month(i).String()[:3] },
		func(y, i int) int64 { return counts[[2]int{y, i}] }), nil
}

// seasonality lays out periods 1..n of last year and this year. Periods a
// year does not have (week 53 of most years) and this year's periods after
// the filter's end have no value: upTo gives the last period of each.
func (q *reportQuery) seasonality(period string, year, n int, upTo [2]int, label func(int) string, count func(y, i int) int64) Report {
	r := Report{Chart: ChartLine, Unit: "new referrals",
		Columns: []string{period, fmt.Sprint(year - 1), fmt.Sprint(year)}}
	series := []Series{{Name: fmt.Sprint(year - 1)}, {Name: fmt.Sprint(year)}}
	for i := 1; i <= n; i++ {
		row := []Cell{textCell(label(i))}
		for k, y := range []int{year - 1, year} {
			if i > upTo[k] {
				row = append(row, emptyCell())
				continue
			}
			row = append(row, q.count(count(y, i)))
			series[k].Points = append(series[k].Points, q.countPoint(label(i), count(y, i)))
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
