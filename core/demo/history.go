package demo

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/onward-network/onward/core"
)

// sim plays the network's history forward in time order: arrivals of
// referrals and what people did with them, each a step at a moment. A step
// may schedule later steps (an accepted referral is contacted days later);
// steps falling after the end of history never happen, which leaves the
// newest referrals open as they would be in real life.
type sim struct {
	ctx   context.Context
	eng   *core.Engine
	clock *clock
	rng   *rand.Rand
	net   *network
	cal   core.Calendar

	start, end, cutoff time.Time

	people *people
	queue  stepQueue
	seq    int
	n      int // referrals asked for, for idempotency keys
	texts  int // SMS self-referrals

	tried      map[core.ReferralID][]core.AgencyID // agencies a referral's chain has been to
	phones     map[core.ReferralID]core.Phone      // the client's phone, for their text replies
	atCapacity map[core.AgencyID]bool
	askedOnce  map[core.ReferralID]bool // contact check answered "no" already
}

func newSim(ctx context.Context, eng *core.Engine, clk *clock, rng *rand.Rand, net *network, start, end time.Time) *sim {
	return &sim{ctx: ctx, eng: eng, clock: clk, rng: rng, net: net, start: start, end: end,
		cutoff: end.Add(-recentWindow), people: newPeople(rng),
		tried: map[core.ReferralID][]core.AgencyID{}, phones: map[core.ReferralID]core.Phone{},
		atCapacity: map[core.AgencyID]bool{}, askedOnce: map[core.ReferralID]bool{}}
}

// step is something that happens at a moment.
type step struct {
	at  time.Time
	seq int
	run func() error
}

type stepQueue []step

func (q stepQueue) Len() int { return len(q) }
func (q stepQueue) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].seq < q[j].seq
	}
	return q[i].at.Before(q[j].at)
}
func (q stepQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *stepQueue) Push(x any)   { *q = append(*q, x.(step)) }
func (q *stepQueue) Pop() any {
	old := *q
	s := old[len(old)-1]
	*q = old[:len(old)-1]
	return s
}

// at schedules fn at t, unless t is past the end of history.
func (s *sim) at(t time.Time, fn func() error) {
	if t.After(s.end) {
		return
	}
	s.seq++
	heap.Push(&s.queue, step{at: t, seq: s.seq, run: fn})
}

// now is the simulated time.
func (s *sim) now() time.Time { return s.clock.Now() }

// run schedules the arrivals and plays every step in time order.
func (s *sim) run() error {
	cal, err := s.eng.Calendar(s.ctx)
	if err != nil {
		return err
	}
	s.cal = cal
	s.scheduleArrivals()
	s.scheduleCapacity()
	s.scheduleRecent()
	for s.queue.Len() > 0 {
		st := heap.Pop(&s.queue).(step)
		s.clock.set(st.at)
		if err := st.run(); err != nil {
			return fmt.Errorf("at %s: %w", st.at.Format(time.RFC3339), err)
		}
	}
	return nil
}

// seasonal is how busy a month is: advice needs peak in winter, when
// energy bills and Christmas bite, and dip in summer.
var seasonal = map[time.Month]float64{
	time.January: 1.35, time.February: 1.25, time.March: 1.1, time.April: 1.0, time.May: 0.9, time.June: 0.85,
	time.July: 0.8, time.August: 0.85, time.September: 1.0, time.October: 1.1, time.November: 1.25, time.December: 1.3,
}

// Self-referrals come every day, most on Mondays; staff refer on working
// days only.
var (
	selfByWeekday  = [7]float64{0.45, 1.45, 1.05, 1.0, 1.0, 0.9, 0.5} // Sunday first
	staffByWeekday = [7]float64{0, 1.35, 1.05, 1.0, 1.0, 0.8, 0}
	// selfByHour weights the hour of day a client texts or fills in the form.
	selfByHour = [24]float64{0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2.2, 2.4, 2.2, 2, 1.8, 1.7, 1.6, 1.5, 1.3, 1.2, 1.4, 1.5, 1.3, 0.9, 0.5}
)

const (
	selfPerDay  = 2.3
	staffPerDay = 1.5
)

// scheduleArrivals lays out when referrals arrive, day by day, up to the
// start of the recent window (whose referrals are placed by hand).
func (s *sim) scheduleArrivals() {
	loc := s.cal.Location
	day := time.Date(s.start.In(loc).Year(), s.start.In(loc).Month(), s.start.In(loc).Day(), 0, 0, 0, 0, loc)
	for ; day.Before(s.cutoff); day = day.AddDate(0, 0, 1) {
		wd, season := day.Weekday(), seasonal[day.Month()]
		for range poisson(s.rng, selfPerDay*season*selfByWeekday[wd]) {
			t := day.Add(weightedHour(s.rng, selfByHour[:]))
			if t.Before(s.start) || !t.Before(s.cutoff) {
				continue
			}
			web := s.rng.Float64() < 0.42
			s.at(t, func() error { return s.selfReferral(web, false) })
		}
		if !s.cal.IsWorkingDay(day) {
			continue
		}
		for range poisson(s.rng, staffPerDay*season*staffByWeekday[wd]) {
			t := day.Add(9*time.Hour + time.Duration(s.rng.Float64()*8*float64(time.Hour)))
			if t.Before(s.start) || !t.Before(s.cutoff) {
				continue
			}
			s.at(t, s.staffReferral)
		}
	}
}

// scheduleRecent places a few referrals in the last hour. Nobody has acted
// on them yet and their messages are still to be delivered: the demo user
// finds them waiting in the triage queue and the agencies' inboxes.
func (s *sim) scheduleRecent() {
	s.at(s.end.Add(-52*time.Minute), func() error { return s.selfReferral(false, true) })
	s.at(s.end.Add(-34*time.Minute), func() error { return s.selfReferral(true, false, core.NeedFamily) })
	s.at(s.end.Add(-21*time.Minute), s.staffReferral)
	s.at(s.end.Add(-15*time.Minute), func() error { return s.selfReferral(true, false) })
	s.at(s.end.Add(-6*time.Minute), func() error { return s.selfReferral(false, false, core.NeedDebt) })
}

// scheduleCapacity closes an agency's waiting list for a while, and
// another's for the last weeks, so matching and reports show it.
func (s *sim) scheduleCapacity() {
	ww, minds := s.net.agencies[slugWorkWise], s.net.agencies[slugMinds]
	span := s.end.Sub(s.start)
	from := s.start.Add(span * 2 / 5)
	s.at(s.cal.NextWorkingMoment(from), func() error {
		return s.setCapacity(ww, true, "Keyworkers fully booked until the new intake; ESOL classes still open.")
	})
	s.at(s.cal.NextWorkingMoment(from.Add(11*24*time.Hour)), func() error { return s.setCapacity(ww, false, "") })
	s.at(s.cal.NextWorkingMoment(s.end.Add(-19*24*time.Hour)), func() error {
		return s.setCapacity(minds, true, "Waiting list of about six weeks for one-to-one support.")
	})
}

func (s *sim) setCapacity(a core.Agency, full bool, note string) error {
	by := s.adviser(a.ID)
	if err := s.eng.SetCapacity(s.ctx, a.ID, full, note, by.Actor()); err != nil {
		return err
	}
	s.atCapacity[a.ID] = full
	return nil
}

// poisson draws how many things happen when lambda are expected.
func poisson(r *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// weightedHour picks a moment of the day, the hour by weight.
func weightedHour(r *rand.Rand, w []float64) time.Duration {
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

// staffTime is when staff get to something that takes them about h
// working hours from now: inside working hours, on working days.
func (s *sim) staffTime(h float64) time.Time {
	d := time.Duration(h * float64(time.Hour))
	return s.cal.AddWorkingHours(s.now(), max(d, 4*time.Minute))
}

// clientTime is when a client replies, some hours after now, in waking
// hours.
func (s *sim) clientTime(minHours, maxHours float64) time.Time {
	t := s.now().Add(time.Duration((minHours + s.rng.Float64()*(maxHours-minHours)) * float64(time.Hour)))
	local := t.In(s.cal.Location)
	if h := local.Hour(); h < 8 {
		t = t.Add(time.Duration(8-h) * time.Hour)
	} else if h >= 22 {
		t = t.Add(time.Duration(32-h) * time.Hour)
	}
	return t
}

// adviser picks a member of an agency's staff.
func (s *sim) adviser(a core.AgencyID) core.Staff {
	return pickOne(s.rng, s.net.advisers[a])
}

func (s *sim) coordinator() core.Staff { return pickOne(s.rng, s.net.coordinators) }

// referral reads a referral's current state.
func (s *sim) referral(id core.ReferralID) (core.Referral, error) { return s.eng.Referral(s.ctx, id) }
