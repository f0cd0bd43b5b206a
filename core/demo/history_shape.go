package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/onward-network/onward/core"
)

// The shape of demand over the synthetic history (HistoryOptions): busiest
// on Mondays and quiet at weekends, a winter peak and a summer dip, a
// spike in the first weeks of January (Christmas bills) and of April (new
// council tax, energy and rent charges), a lull over Christmas and on bank
// holidays, and a little growth year on year.

// historyMonth weights the months, January first.
var historyMonth = [12]float64{1.30, 1.15, 1.05, 1.10, 0.92, 0.85, 0.78, 0.82, 1.00, 1.08, 1.20, 1.15}

// historyWeekday weights the days of the week, Sunday first.
var historyWeekday = [7]float64{0.25, 1.50, 1.15, 1.05, 1.00, 0.85, 0.30}

// historySelfHour weights the hour of day a client texts or fills in the
// web form.
var historySelfHour = [24]float64{0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2.2, 2.4, 2.2, 2, 1.8, 1.7, 1.6, 1.5, 1.3, 1.2, 1.4, 1.5, 1.3, 0.9, 0.5}

// historyGrowth is how much busier each year is than the one before.
const historyGrowth = 0.05

// dayWeight is how busy a local day is.
func dayWeight(d time.Time, start time.Time, holiday bool) float64 {
	w := historyMonth[d.Month()-1] * historyWeekday[d.Weekday()]
	switch m, day := d.Month(), d.Day(); {
	case (m == time.December && day >= 22) || (m == time.January && day == 1):
		w *= 0.5
	case m == time.January && day <= 16:
		w *= 1.3
	case m == time.April && day <= 21:
		w *= 1.2
	}
	if holiday {
		w *= 0.4
	}
	return w * (1 + historyGrowth*d.Sub(start).Hours()/(24*365))
}

// dayBudgets spreads n referrals over the days in proportion to their
// weights, rounding the running total so the budgets add up to exactly n.
func dayBudgets(weights []float64, n int) []int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	out := make([]int, len(weights))
	cum, given := 0.0, 0
	for i, w := range weights {
		cum += w
		upTo := int(math.Round(cum / total * float64(n)))
		out[i] = upTo - given
		given = upTo
	}
	return out
}

// lognormal draws a duration with the given median and spread (the
// standard deviation of its logarithm).
func lognormal(r *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*r.NormFloat64()))
}

// hourOfDay picks a moment of the day, the hour by weight.
func hourOfDay(r *rand.Rand, w []float64) time.Duration {
	total := 0.0
	for _, x := range w {
		total += x
	}
	n := r.Float64() * total
	for h, x := range w {
		if n < x {
			return time.Duration(h)*time.Hour + time.Duration(r.Float64()*float64(time.Hour))
		}
		n -= x
	}
	return 12 * time.Hour
}

// workTime adds working hours quickly: the network's calendar, with every
// day of the history's span looked up once, not once per referral.
type workTime struct {
	loc        *time.Location
	start, end time.Duration // working hours of a working day
	first      int64         // civil day number of days[0]
	days       []workDay
}

type workDay struct {
	midnight time.Time
	working  bool
}

func civilDay(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// newWorkTime tabulates the calendar from the day of from to that of to.
func newWorkTime(cal core.Calendar, from, to time.Time) *workTime {
	w := &workTime{loc: cal.Location, start: cal.WorkingStart, end: cal.WorkingEnd}
	f := from.In(cal.Location)
	w.first = civilDay(f.Date())
	for d := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, cal.Location); !d.After(to); d = d.AddDate(0, 0, 1) {
		w.days = append(w.days, workDay{midnight: d, working: cal.IsWorkingDay(d.Add(12 * time.Hour))})
	}
	return w
}

func (w *workTime) index(t time.Time) int {
	return int(civilDay(t.In(w.loc).Date()) - w.first)
}

// holiday reports whether a day of the span is not a working weekday.
func (w *workTime) holiday(t time.Time) bool {
	i := w.index(t)
	wd := t.In(w.loc).Weekday()
	return i >= 0 && i < len(w.days) && !w.days[i].working && wd != time.Saturday && wd != time.Sunday
}

// add returns the moment h working hours after t. Past the end of the
// table it counts clock hours: those moments are after the history ends
// and never happen anyway.
func (w *workTime) add(t time.Time, h time.Duration) time.Time {
	if w.end <= w.start {
		return t.Add(h)
	}
	for i := w.index(t); i >= 0 && i < len(w.days); i++ {
		d := w.days[i]
		if !d.working {
			continue
		}
		start, end := d.midnight.Add(w.start), d.midnight.Add(w.end)
		if t.Before(start) {
			t = start
		}
		if t.Before(end) {
			avail := end.Sub(t)
			if h <= avail {
				return t.Add(h).UTC()
			}
			h -= avail
		}
	}
	return t.Add(h).UTC()
}
