package report

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
)

// The National Standards pack gathers, for one agency (or the whole
// network) and a period, what an agency shows its assessors under the
// Scottish National Standards for Information and Advice Providers: the
// volume of advice by type (I information and signposting, II casework,
// III advocacy and representation) and by topic, how quickly referrals
// were acknowledged and clients contacted against the network's targets,
// what became of them, what clients said, and a place for complaints
// (which Onward does not record). Every figure comes from the rollups.
//
// It is one table in sections — Section, Measure, Figure, Target — so
// that it exports to CSV and JSON like every report; the page shows each
// section as a table of its own and prints cleanly.

// Sections of the pack, in order.
const (
	packVolumes   = "Advice given, by type"
	packTopics    = "Advice given, by topic"
	packTimes     = "Acknowledgement and contact against the network's targets"
	packOutcomes  = "Outcomes"
	packFeedback  = "Client feedback"
	packComplaint = "Complaints"
)

// sqlPackAckTarget is agency $1's acknowledgement target in working
// hours (0: none, for the whole network).
const sqlPackAckTarget = `SELECT coalesce((SELECT ack_target_hours FROM agencies WHERE id = $1), 0)`

// workingDays is "1 working day", "3 working days".
func workingDays(n int) string {
	if n == 1 {
		return "1 working day"
	}
	return fmt.Sprintf("%d working days", n)
}

// calendarBeside is the pack's target column beside a time in calendar
// hours: no target of its own, and the targets beside it are in working
// hours.
const calendarBeside = "No target: calendar hours, nights and weekends included (the targets above are in working hours)"

// standardsReport builds the National Standards pack.
func standardsReport(ctx context.Context, q *reportQuery) (Report, error) {
	r := Report{Chart: ChartBar, Unit: "referrals", Sections: true,
		Columns:     []string{"Section", "Measure", "Figure", "Target"},
		TextColumns: []string{"Measure", "Target"}}
	add := func(section, measure string, figure Cell, target string) {
		r.Rows = append(r.Rows, []Cell{textCell(section), textCell(measure), figure, textCell(target)})
	}

	// Advice by type and topic: the legs the agency completed, by what
	// advice it gave.
	groups, err := q.closures(ctx, false, true, "advice_type", "advice_topic")
	if err != nil {
		return Report{}, err
	}
	types, topics := map[string]int64{}, map[string]int64{}
	var completed int64
	for _, g := range groups {
		types[g.keys[0]] += g.n
		topics[g.keys[1]] += g.n
		completed += g.n
	}
	total := q.count(completed)
	s := Series{Name: "Referrals"}
	var typeCells, topicCells []Cell
	for _, t := range []string{"type-1", "type-2", "type-3", ""} {
		c := q.count(types[t])
		typeCells = append(typeCells, c)
		add(packVolumes, adviceTypeLabels[t], c, "")
		s.Points = append(s.Points, point(adviceTypeLabels[t], c))
	}
	add(packVolumes, "Total completed", total, "")
	r.Series = []Series{s}
	topicNames := make([]string, 0, len(topics))
	for t := range topics {
		if t != "" {
			topicNames = append(topicNames, t)
		}
	}
	slices.SortFunc(topicNames, func(a, b string) int { return strings.Compare(adviceTopicLabel(a), adviceTopicLabel(b)) })
	for _, t := range append(topicNames, "") {
		c := q.count(topics[t])
		topicCells = append(topicCells, c)
		add(packTopics, adviceTopicLabel(t), c, "")
	}
	q.adds(total, typeCells...)
	q.adds(total, topicCells...)

	// Times against the targets.
	var ackHours int
	if err := q.db.QueryRow(ctx, sqlPackAckTarget, int64(q.f.Agency)).Scan(&ackHours); err != nil {
		return Report{}, fmt.Errorf("read targets: %w", err)
	}
	cal, err := q.reportCalendar(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("read targets: %w", err)
	}
	timesOf, t, exact, err := q.timesByAgency(ctx)
	if err != nil {
		return Report{}, err
	}
	if q.f.Agency != 0 {
		if t = timesOf[q.f.Agency]; t == nil {
			t = &agencyTimes{}
		}
	}
	breaches, err := q.breachesByAgency(ctx)
	if err != nil {
		return Report{}, err
	}
	var b agencyBreaches
	for id, ab := range breaches {
		if q.f.Agency == 0 || id == q.f.Agency {
			b.due += ab.due
			b.ontime += ab.ontime
			b.late += ab.late
			b.missed += ab.missed
			b.waiting += ab.waiting
		}
	}
	ackTarget := "Each agency's own target, in working hours"
	if ackHours > 0 {
		ackTarget = fmt.Sprintf("Within %d working hours", ackHours)
	}
	add(packTimes, "Referrals received", q.count(t.received), "")
	// Out of the referrals whose acknowledgement is decided: acknowledged,
	// or past their deadline without it (the breaches); one still inside
	// its deadline has neither met nor missed it.
	add(packTimes, "Acknowledged within target (%)", q.share(q.count(b.ontime), q.count(b.ontime+b.breaches())),
		ackTarget+"; crisis referrals "+cal.CrisisTargetText()+"; out of those acknowledged or past their deadline")
	add(packTimes, "Median calendar hours to acknowledge", q.hours(t.ack, 0.5), calendarBeside)
	add(packTimes, "Deadline breaches", q.count(b.breaches()), "None")
	days, crisisDays := cal.AgencyContactDays(false), cal.AgencyContactDays(true)
	contactTarget := fmt.Sprintf("Within %s of reaching the agency", workingDays(days))
	if crisisDays != days {
		contactTarget += fmt.Sprintf(" (crisis referrals: %s)", workingDays(crisisDays))
	}
	contactTarget += ", when the network asks the client whether anyone has been in touch; out of those contacted, not reached, or still waiting for contact when that time ran out"
	contact := emptyCell()
	if exact {
		within, decided, err := q.contactWithin(ctx, cal, q.f.Agency)
		if err != nil {
			return Report{}, err
		}
		contact = q.share(q.count(within), q.count(decided))
	} else {
		contactTarget += fmt.Sprintf(". Not worked out: these dates hold more than %d referrals across the network; choose shorter dates", exactTimesLimit)
	}
	add(packTimes, "Clients contacted within target (%)", contact, contactTarget)
	add(packTimes, "Median calendar hours to contact", q.hours(t.con, 0.5), calendarBeside)

	// Outcomes: every leg sent to the agency that reached an end, by how.
	byAgency, err := q.endings(ctx, false, true, "to_agency")
	if err != nil {
		return Report{}, err
	}
	endings := map[string]int64{}
	seen := map[string]bool{}
	var ended int64
	for _, counts := range byAgency {
		for e, n := range counts {
			endings[e] += n
			seen[e] = true
			ended += n
		}
	}
	endedCell := q.count(ended)
	var endingCells []Cell
	var helped Cell
	for _, e := range endingOrder(seen) {
		c := q.count(endings[e])
		if e == string(core.OutcomeHelpGiven) {
			helped = c
		}
		endingCells = append(endingCells, c)
		add(packOutcomes, endingLabel(e), c, "")
	}
	q.adds(endedCell, endingCells...)
	add(packOutcomes, "Total that reached an end", endedCell, "")
	add(packOutcomes, "Help given (%)", q.share(helped, endedCell), "")

	sat, err := q.satisfactionByAgency(ctx)
	if err != nil {
		return Report{}, err
	}
	var fb satisfaction
	for id, s := range sat {
		if q.f.Agency == 0 || id == q.f.Agency {
			fb.add(*s)
		}
	}
	n, _ := scoreStats(fb.scores)
	scored := q.count(n)
	add(packFeedback, "Clients who scored the help", scored, "")
	add(packFeedback, "Mean score (1–5)", q.meanScore(fb.scores, scored), "")
	add(packFeedback, "Would recommend (%)", q.share(q.count(fb.recYes), q.count(fb.recYes+fb.recNo)), "")
	add(packFeedback, "Comments left", q.count(fb.comments), "")

	add(packComplaint, "Complaints received", emptyCell(), "Not recorded in Onward: add from the agency's complaints log")
	add(packComplaint, "Complaints resolved within the agency's procedure", emptyCell(), "Not recorded in Onward: add from the agency's complaints log")

	r.Notes = append(r.Notes,
		"Advice by type and topic count the referrals the agency completed; outcomes count every referral sent to it that reached an end — completed (by the outcome recorded), could not contact, turned down, redirected or cancelled — and help given (%) is out of all of them. "+endingsNote+" Both count referrals by the day they were made.",
		"Clients contacted within target counts working days on the network's calendar (its working days and bank holidays), from the referral reaching the agency, as the target does; the medians beside it are calendar hours.",
		calendarHoursNote, timesNote(exact))
	return r, nil
}
