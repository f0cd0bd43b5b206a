package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/onward-network/onward/core"
)

// histRow is one synthetic referral row, as COPY writes it.
type histRow struct {
	id, client, consent int64
	parent, from        *int64
	fromStaff, to       *int64
	source              core.Source
	leaflet             string
	needs               []string
	district            string
	area                core.PostcodeArea
	crisis, triaged     bool
	status              core.Status
	heldFrom, reason    *string
	feedback            string
	version             int
	createdAt, statusAt time.Time
	acked, contacted    *time.Time
	closed, ackDue      *time.Time
	assigned, fbAt      *time.Time
	score               *int
}

// histClient is one of the pool of synthetic clients referrals reuse.
type histClient struct {
	id, consent int64
	district    string
	area        core.PostcodeArea // of the client's postcode
}

// histGen plays each synthetic referral's life forward from when it was
// made to the end of the history: what would have happened later does not
// happen, so the newest referrals are still open, as in real life.
type histGen struct {
	rng     *rand.Rand
	net     *histNetwork
	work    *workTime
	end     time.Time
	clients []histClient
	ids     []int64 // reserved referral ids, used in order
	next    int
	pending []histRow // a referral and the onward legs it led to
}

// weighted picks an index by weight.
func weighted(r *rand.Rand, w ...float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	x := r.Float64() * total
	for i, v := range w {
		if x -= v; x < 0 {
			return i
		}
	}
	return len(w) - 1
}

var histReasons = []core.Reason{core.ReasonNotEligible, core.ReasonNoCapacity, core.ReasonDuplicate,
	core.ReasonInappropriate, core.ReasonClientDeclined, core.ReasonOther, core.ReasonRedirected}

var histReasonWeights = []float64{30, 20, 8, 12, 10, 5, 15}

func ptr[T any](v T) *T { return &v }

// newReferral makes a referral on the day starting at midnight and plays
// its life. It queues the referral and any onward legs in g.pending; room
// is how many rows the history still has (onward legs beyond it are not
// made). quiet days are weekends and bank holidays.
func (g *histGen) newReferral(midnight time.Time, quiet bool, room int) {
	r := g.rng
	c := g.clients[r.IntN(len(g.clients))]
	row := histRow{client: c.id, consent: c.consent, district: c.district, area: c.area}
	if r.Float64() < 0.05 {
		row.district, row.area = "", core.PostcodeArea{} // no postcode given with this one
	}
	staffShare := 0.44
	if quiet {
		staffShare = 0.05
	}
	switch weighted(r, 0.28, 0.24, staffShare, 0.04) {
	case 0:
		row.source = core.SourceSMS
		if r.Float64() < 0.1 && len(g.net.leaflets) > 0 {
			row.leaflet = pickOne(r, g.net.leaflets)
		}
	case 1:
		row.source = core.SourceWeb
		if r.Float64() < 0.6 && len(g.net.leaflets) > 0 {
			row.leaflet = pickOne(r, g.net.leaflets)
		}
	case 2:
		row.source = core.SourceStaff
	default:
		row.source = core.SourceAPI
	}
	self := row.source == core.SourceSMS || row.source == core.SourceWeb
	// Clients write at any hour, by weight; staff and partner systems in
	// the working day.
	t := midnight.Add(9*time.Hour + time.Duration(r.Float64()*8*float64(time.Hour)))
	if self {
		t = midnight.Add(hourOfDay(r, historySelfHour[:]))
	}
	if t.After(g.end) {
		t = g.end.Add(-time.Duration(r.Float64() * float64(6*time.Hour)))
	}
	row.createdAt = t.UTC().Truncate(time.Microsecond)
	if self && r.Float64() < 0.05 {
		row.crisis = true
		row.needs = []string{string(pickOne(r, crisisNeeds))}
	} else {
		row.needs = g.pickNeeds()
	}
	cands := g.candidates(row)
	switch {
	case row.crisis:
	case self:
		cands = selfCandidates(cands)
		if len(cands) > 0 && (len(cands) == 1 || r.Float64() < 0.8) {
			row.to = &pickAgency(r, cands).id
		}
	case row.source == core.SourceStaff && len(g.net.referrers) > 0:
		from := pickAgency(r, g.net.referrers)
		row.from, row.fromStaff = &from.id, ptr(pickOne(r, from.advisers))
		if to := pickAgency(r, cands, from.id); to != nil {
			row.to = &to.id
		} else {
			row.source, row.from, row.fromStaff = core.SourceAPI, nil, nil
			row.to = &pickAgency(r, cands).id
		}
	default:
		row.source = core.SourceAPI
		row.to = &pickAgency(r, cands).id
	}
	g.play(row, room, 0)
}

// pickNeeds draws one need, or two that often go together.
func (g *histGen) pickNeeds() []string {
	w := make([]float64, len(needWeight))
	for i, nw := range needWeight {
		w[i] = float64(nw.weight)
	}
	first := needWeight[weighted(g.rng, w...)].need
	needs := []string{string(first)}
	if c := companions[first]; len(c) > 0 && g.rng.Float64() < 0.3 {
		needs = append(needs, string(pickOne(g.rng, c)))
	}
	if len(g.net.anywhere[first]) == 0 { // a network without that service: ask for one it has
		for _, nw := range needWeight {
			if len(g.net.anywhere[nw.need]) > 0 {
				return []string{string(nw.need)}
			}
		}
	}
	return needs
}

// candidates are the agencies for the referral's first need in its
// district, else anywhere.
func (g *histGen) candidates(row histRow) []*histAgency {
	need := core.Need(row.needs[0])
	if c := g.net.candidates[[2]string{string(need), row.district}]; len(c) > 0 {
		return c
	}
	return g.net.anywhere[need]
}

// play runs a referral leg's life and queues it (and its onward legs).
func (g *histGen) play(row histRow, room, depth int) {
	r := g.rng
	row.id = g.ids[g.next]
	g.next++
	row.status, row.statusAt, row.version = core.StatusRequested, row.createdAt, 1
	queued := false
	defer func() {
		if !queued {
			g.pending = append(g.pending, row)
		}
	}()
	happens := func(at time.Time) bool { return !at.After(g.end) }
	move := func(at time.Time, s core.Status) {
		row.status, row.statusAt = s, at
		row.version++
		if !s.Open() {
			row.closed = ptr(at)
		}
	}

	reach := row.createdAt
	if row.to == nil {
		row.triaged = true
		if r.Float64() < 0.04 {
			if at := row.createdAt.Add(lognormal(r, 6*time.Hour, 1)); happens(at) {
				move(at, core.StatusCancelled)
				row.feedback = pickOne(r, triageCancelNotes)
			}
			return
		}
		at := row.createdAt.Add(lognormal(r, 40*time.Minute, 0.9))
		if !row.crisis {
			at = g.work.add(row.createdAt, lognormal(r, 3*time.Hour, 1))
		}
		to := pickAgency(r, g.candidates(row))
		if !happens(at) || to == nil {
			return // still waiting in triage
		}
		row.to, row.assigned = &to.id, ptr(at)
		row.statusAt = at
		row.version++
		reach = at
	}
	agency := g.net.byID[*row.to]
	row.ackDue = ptr(g.work.add(reach, time.Duration(agency.targetH)*time.Hour))

	switch u := r.Float64(); {
	case u < 0.003:
		return // never acknowledged: a referral that slipped through
	case u < 0.008:
		if at := g.work.add(reach, lognormal(r, 2*time.Hour, 0.8)); happens(at) {
			move(at, core.StatusOnHold)
			row.heldFrom = ptr(string(core.StatusRequested))
		}
		return
	case u < 0.028:
		if at := reach.Add(lognormal(r, 30*time.Hour, 1)); happens(at) {
			move(at, core.StatusCancelled)
			row.feedback = pickOne(r, cancelNotes)
		}
		return
	}
	ackAt := g.work.add(reach, lognormal(r, 3*time.Hour, 1.25))
	if !happens(ackAt) {
		return
	}
	row.acked = ptr(ackAt)
	if r.Float64() < 0.13 {
		reason := histReasons[weighted(r, histReasonWeights...)]
		move(ackAt, core.StatusRejected)
		row.reason = ptr(string(reason))
		switch {
		case reason == core.ReasonRedirected:
			row.feedback = pickOne(r, redirectNotes)
		case reason.NeedsFeedback():
			for _, rj := range rejections {
				if rj.reason == reason {
					row.feedback = rj.feedback
					break
				}
			}
		}
		if depth >= 2 || room <= 1 {
			return
		}
		child := histRow{parent: ptr(row.id), client: row.client, consent: row.consent, source: row.source,
			leaflet: row.leaflet, from: row.from, fromStaff: row.fromStaff, needs: row.needs, district: row.district,
			area: row.area, crisis: row.crisis, createdAt: ackAt}
		switch {
		case reason == core.ReasonRedirected:
			to := pickAgency(r, g.candidates(row), *row.to)
			if to == nil {
				to = pickAgency(r, g.net.anywhere[core.Need(row.needs[0])], *row.to)
			}
			if to == nil {
				return
			}
			child.to = &to.id
		case row.source == core.SourceSMS || row.source == core.SourceWeb:
			// A self-referral never ends at a rejection: back to triage.
		default:
			return
		}
		g.pending, queued = append(g.pending, row), true // the parent goes in first
		g.play(child, room-1, depth+1)
		return
	}
	move(ackAt, core.StatusAccepted)
	at := ackAt
	if r.Float64() < 0.04 { // on the waiting list for a while
		hold := g.work.add(at, lognormal(r, time.Hour, 0.5))
		if !happens(hold) {
			return
		}
		move(hold, core.StatusOnHold)
		row.heldFrom = ptr(string(core.StatusAccepted))
		resume := hold.Add(lognormal(r, 10*24*time.Hour, 0.6))
		if !happens(resume) {
			return
		}
		move(resume, core.StatusAccepted)
		row.heldFrom = nil
		at = resume
	}
	switch u := r.Float64(); {
	case u < 0.004:
		return // accepted and forgotten
	case u < 0.06:
		if fail := at.Add(lognormal(r, 6*24*time.Hour, 0.5)); happens(fail) {
			move(fail, core.StatusFailed)
		}
		return
	case u < 0.08:
		if cancel := at.Add(lognormal(r, 3*24*time.Hour, 0.7)); happens(cancel) {
			move(cancel, core.StatusCancelled)
			row.feedback = pickOne(r, cancelNotes)
		}
		return
	}
	contact := g.work.add(at, lognormal(r, 14*time.Hour, 0.9))
	if !happens(contact) {
		return
	}
	move(contact, core.StatusInProgress)
	row.contacted = ptr(contact)
	switch u := r.Float64(); {
	case u < 0.003:
		return // still being helped, long after
	case u < 0.043:
		// The client stopped answering: they were reached, so the help
		// ends as a completion, early (never Could not contact, which is
		// for a client never reached).
		if stopped := contact.Add(lognormal(r, 9*24*time.Hour, 0.6)); happens(stopped) {
			move(stopped, core.StatusCompleted)
		}
		return
	}
	done := contact.Add(lognormal(r, 12*24*time.Hour, 0.8))
	if !happens(done) {
		return
	}
	move(done, core.StatusCompleted)
	if (row.source == core.SourceSMS || row.source == core.SourceWeb) && r.Float64() < 0.35 {
		if fb := done.Add(time.Duration(1+r.IntN(3)) * 24 * time.Hour); happens(fb) {
			row.score, row.fbAt = ptr(pickOne(r, scores)), ptr(fb)
		}
	}
}

// reference is the reference people would see: eight characters after
// "ONW-", so it can never equal the engine's seven-character ones.
func (row histRow) reference() string { return fmt.Sprintf("ONW-H%07d", row.id) }
