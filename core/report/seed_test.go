package report_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// reportSeed writes referrals through the engine, on a clock it moves, so
// the reports have every kind of leg to count: self-referrals by text and
// web (with leaflets), staff referrals between agencies, crisis referrals
// through triage, redirects and reroutes, every status, deadline
// breaches of each kind, and feedback scores, over two calendar years.
type reportSeed struct {
	t   *testing.T
	env *coretest.Env
	ctx context.Context
	n   int
}

func newReportSeed(t *testing.T, env *coretest.Env) *reportSeed {
	s := &reportSeed{t: t, env: env, ctx: context.Background()}
	for _, l := range [][2]string{{"gp1", "GP surgeries"}, {"council", "Council tax bill insert"}} {
		if _, err := env.Pool.Exec(s.ctx, `INSERT INTO leaflets (code, campaign, created_at) VALUES ($1, $2, now())`, l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
	// The area facts of the seed's postcodes: its food texts (KY1 1AB)
	// from the most deprived fifth of data zones, its staff referrals
	// (KY2 5XY) from the second, its crisis texts (KY2 6CD) from the
	// third, in a ward with no name imported; KY1 9AA and KY1 2EF are not
	// in the file (Not known).
	if _, err := env.Engine.ImportPostcodes(s.ctx, strings.NewReader(seedPostcodes)); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.ImportWardNames(s.ctx, strings.NewReader("WD24CD,WD24NM\nS13002881,Kirkton Central\nS13002883,Balgarvie North\n")); err != nil {
		t.Fatal(err)
	}
	return s
}

// seedPostcodes is the seed's postcode file, in the ONS Postcode
// Directory's columns.
const seedPostcodes = `pcds,oslaua,osward,lsoa11,imd,lat,long
KY1 1AB,S12000047,S13002881,S01009001,140,56.1120,-3.1600
KY2 5XY,S12000047,S13002883,S01009002,2000,56.1250,-3.1850
KY2 6CD,S12000047,S13002882,S01009003,3900,56.1260,-3.1860
`

// day returns 10:00 UTC on a date plus offset.
func day(date string, offset time.Duration) time.Time {
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		panic(err)
	}
	return d.Add(10*time.Hour + offset)
}

func (s *reportSeed) key() string {
	s.n++
	return fmt.Sprintf("report-%03d", s.n)
}

// self makes a self-referral at a moment.
func (s *reportSeed) self(at time.Time, src core.Source, needs []core.Need, postcode string, crisis bool, leaflet string) core.Referral {
	s.t.Helper()
	s.env.Clock.Set(at)
	in := coretest.SelfReferral(s.key())
	in.Source, in.Consent.Channel, in.Needs, in.Crisis, in.LeafletCode = src, core.Channel(src), needs, crisis, leaflet
	in.Client.Phone = fmt.Sprintf("07700 900%03d", s.n)
	in.Client.Postcode = postcode
	res, err := s.env.Engine.SelfRefer(s.ctx, in)
	if err != nil {
		s.t.Fatalf("self-referral: %v", err)
	}
	return res.Referral
}

// staff makes a staff referral at a moment.
func (s *reportSeed) staff(at time.Time, by core.Staff, to core.AgencyID, needs ...core.Need) core.Referral {
	s.t.Helper()
	s.env.Clock.Set(at)
	r, err := s.env.Engine.StaffRefer(s.ctx, core.StaffReferral{IdempotencyKey: s.key(), By: by.Actor(),
		Client: core.ClientDetails{Name: "Iain Rennie", Phone: fmt.Sprintf("07700 900%03d", s.n), Postcode: "KY2 5XY"},
		Needs:  needs, ToAgency: to, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		s.t.Fatalf("staff referral: %v", err)
	}
	return r
}

// act applies an action after a delay from the referral's last change and
// returns the result (the child for a redirect or a rejected
// self-referral).
func (s *reportSeed) act(r core.Referral, after time.Duration, a core.Action, by core.Staff, opts ...func(*core.TransitionRequest)) core.TransitionResult {
	s.t.Helper()
	s.env.Clock.Set(r.StatusAt.Add(after))
	req := core.TransitionRequest{Referral: r.ID, Action: a, Actor: by.Actor()}
	if a == core.ActionComplete {
		req.Outcome = core.OutcomeHelpGiven
	}
	for _, o := range opts {
		o(&req)
	}
	res, err := s.env.Engine.Act(s.ctx, req)
	if err != nil {
		s.t.Fatalf("%s referral %s: %v", a, r.Reference, err)
	}
	return res
}

// chain applies actions one after another, each a delay after the last.
func (s *reportSeed) chain(r core.Referral, by core.Staff, steps ...any) core.Referral {
	s.t.Helper()
	for i := 0; i < len(steps); i += 2 {
		r = s.act(r, steps[i].(time.Duration), steps[i+1].(core.Action), by).Referral
	}
	return r
}

func (s *reportSeed) score(r core.Referral, score int) {
	s.t.Helper()
	if _, err := s.env.Pool.Exec(s.ctx, `UPDATE referrals SET feedback_score = $2, feedback_at = $3 WHERE id = $1`,
		r.ID, score, r.StatusAt.Add(24*time.Hour)); err != nil {
		s.t.Fatal(err)
	}
}

func reject(reason core.Reason, feedback string) func(*core.TransitionRequest) {
	return func(r *core.TransitionRequest) { r.Reason, r.Feedback = reason, feedback }
}

func toAgency(a core.AgencyID) func(*core.TransitionRequest) {
	return func(r *core.TransitionRequest) { r.ToAgency = a }
}

const (
	minute = time.Minute
	hour   = time.Hour
	dayDur = 24 * time.Hour
)

// seed writes the data set. The clock ends at 2026-11-20 12:00, which is
// "now" for referrals still waiting past their deadline.
func (s *reportSeed) seed() {
	net := s.env.Net
	coord, cab, welfare, housing := net.Coordinator, net.Adviser, net.WelfareAdviser, net.HousingAdviser
	debt, benefits, food, housingNeed := []core.Need{core.NeedDebt}, []core.Need{core.NeedBenefits}, []core.Need{core.NeedFood}, core.NeedHousing

	// Food by text and web in KY1: the food bank is the one clear match.
	// Spread over last year and this, for seasonality.
	for i, date := range []string{"2025-01-06", "2025-01-07", "2025-01-13", "2025-07-14", "2025-12-01", "2025-12-29",
		"2026-01-05", "2026-01-06", "2026-01-12", "2026-03-02", "2026-07-06", "2026-11-02", "2026-11-03"} {
		src, leaflet := core.SourceSMS, ""
		if i%3 == 1 {
			src, leaflet = core.SourceWeb, "gp1"
		} else if i%3 == 2 {
			src = core.SourceWeb
		}
		r := s.self(day(date, 0), src, food, "KY1 1AB", false, leaflet)
		switch i % 4 {
		case 0:
			r = s.chain(r, coord, 2*hour, core.ActionAccept, 26*hour, core.ActionContact, 3*dayDur, core.ActionComplete)
			s.score(r, 4+i%2)
		case 1:
			s.chain(r, coord, 30*minute, core.ActionAccept, 50*hour, core.ActionContact)
		case 2:
			s.chain(r, coord, 5*dayDur, core.ActionAccept, 2*hour, core.ActionFail) // late: past the 16 working hours
		case 3:
			s.chain(r, coord, 3*hour, core.ActionAccept)
		}
	}

	// Welfare Rights refers 3 clients to Citizens Advice; Housing Options 5.
	r := s.staff(day("2026-11-09", 0), welfare, net.CAB, core.NeedDebt)
	r = s.chain(r, cab, 45*minute, core.ActionAccept, 3*hour, core.ActionContact, 2*dayDur, core.ActionComplete)
	s.score(r, 2)
	r = s.staff(day("2026-11-09", hour), welfare, net.CAB, core.NeedDebt, core.NeedBenefits)
	s.act(r, 4*hour, core.ActionReject, cab, reject(core.ReasonNotEligible, "Outside our area of benefit"))
	s.staff(day("2026-11-10", 0), welfare, net.CAB, core.NeedDebt) // still waiting: past its deadline by now
	for i := range 5 {
		r := s.staff(day("2026-11-11", time.Duration(i)*hour), housing, net.CAB, core.NeedDebt)
		switch i {
		case 0:
			r = s.chain(r, cab, 20*minute, core.ActionAccept, 6*hour, core.ActionContact, 7*dayDur, core.ActionComplete)
			s.score(r, 5)
		case 1:
			s.chain(r, cab, 90*minute, core.ActionAccept, 26*hour, core.ActionContact)
		case 2:
			s.chain(r, cab, 4*dayDur, core.ActionAccept) // late
		case 3:
			s.chain(r, cab, 3*dayDur, core.ActionCancel) // closed unacknowledged after its deadline
		case 4:
			s.chain(r, cab, 2*hour, core.ActionHold) // on hold from requested: not an acknowledgement
		}
	}

	// Citizens Advice refers 4 clients to Welfare Rights.
	for i := range 4 {
		r := s.staff(day("2026-10-05", time.Duration(i)*dayDur), cab, net.Welfare, benefits...)
		switch i {
		case 0:
			s.chain(r, welfare, 10*minute, core.ActionAccept, 5*dayDur, core.ActionContact)
		case 1:
			s.act(r, 2*hour, core.ActionReject, welfare, reject(core.ReasonNoCapacity, "Our benefits caseworkers are full until March"))
		case 2:
			s.act(r, 30*minute, core.ActionReject, welfare, reject(core.ReasonDuplicate, "We already have this client from their own text"))
		case 3:
			s.chain(r, welfare, 20*hour, core.ActionAccept)
		}
	}

	// A web self-referral for benefits from a council tax leaflet, sent to
	// Citizens Advice through triage and redirected on to Welfare Rights.
	r = s.self(day("2026-10-12", 0), core.SourceWeb, []core.Need{core.NeedBenefits, core.NeedDebt}, "KY1 9AA", false, "council")
	if r.ToAgencyID == nil {
		r = s.act(r, 40*minute, core.ActionAssign, coord, toAgency(net.CAB)).Referral
	}
	first, next := cab, welfare
	if *r.ToAgencyID == net.Welfare {
		first, next = welfare, cab
	}
	child := s.act(r, 3*hour, core.ActionRedirect, first, toAgency(next.AgencyID)).Child
	s.chain(*child, next, hour, core.ActionAccept, 2*dayDur, core.ActionContact, 10*dayDur, core.ActionComplete)
	s.score(*child, 3)

	// Crisis texts go to triage; coordinators assign them.
	for i, date := range []string{"2026-02-02", "2026-02-03", "2026-11-16", "2026-11-17"} {
		r := s.self(day(date, 0), core.SourceSMS, []core.Need{housingNeed, core.NeedFood}, "KY2 6CD", true, "")
		switch i {
		case 0:
			r = s.act(r, 25*minute, core.ActionAssign, coord, toAgency(net.Housing)).Referral
			r = s.chain(r, housing, 15*minute, core.ActionAccept, hour, core.ActionContact, 5*dayDur, core.ActionComplete)
			s.score(r, 5)
		case 1:
			r = s.act(r, 3*hour, core.ActionAssign, coord, toAgency(net.Housing)).Referral
			s.chain(r, housing, 2*hour, core.ActionAccept)
		case 2:
			s.act(r, 20*hour, core.ActionCancel, coord)
		case 3: // still in triage
		}
	}

	// A debt text that Citizens Advice turns down: it is rerouted to
	// triage, where a coordinator sends it to Welfare Rights.
	r = s.self(day("2026-11-04", 0), core.SourceSMS, debt, "KY1 2EF", false, "")
	if r.ToAgencyID == nil {
		r = s.act(r, hour, core.ActionAssign, coord, toAgency(net.CAB)).Referral
	}
	first, next = cab, welfare
	if *r.ToAgencyID == net.Welfare {
		first, next = welfare, cab
	}
	rerouted := s.act(r, 5*hour, core.ActionReject, first, reject(core.ReasonInappropriate, "Needs specialist welfare rights advice")).Child
	s.act(*rerouted, 2*hour, core.ActionAssign, coord, toAgency(next.AgencyID))

	s.outcomes()
	s.env.Clock.Set(day("2026-11-20", 2*hour))
}

// sqlSeedOutcomes records what changed for the clients of the completed
// referrals — outcome, advice type and topic, financial gains — and their
// answers after the score, in a fixed pattern by id. (Written straight
// into the table: these are the columns of migration 020, whichever
// channel fills them.) Failed referrals keep no outcome, as the engine
// leaves them: "Could not contact" in Slack and the staff web fails a
// referral and records none.
const sqlSeedOutcomes = `
WITH c AS (SELECT id, row_number() OVER (ORDER BY id)::int AS i FROM referrals WHERE status = 'completed')
UPDATE referrals r SET
    outcome = CASE WHEN c.i % 3 = 2 THEN 'no-longer-needed' ELSE 'help-given' END,
    advice_type = CASE c.i % 4 WHEN 0 THEN NULL ELSE 'type-' || (c.i % 3 + 1) END,
    advice_topic = CASE WHEN c.i % 5 = 0 THEN NULL WHEN c.i % 2 = 0 THEN 'debt-management' ELSE 'benefits-check' END,
    gain_weekly_income_pence = CASE WHEN c.i % 2 = 0 THEN 2500 * c.i END,
    gain_one_off_income_pence = CASE WHEN c.i % 3 = 0 THEN 10000 * c.i END,
    gain_debt_written_off_pence = CASE WHEN c.i % 4 = 1 THEN 150000 + c.i WHEN c.i = 2 THEN 0 END,
    gain_debt_managed_pence = CASE WHEN c.i % 2 = 1 THEN 99 * c.i END,
    feedback_recommend = CASE WHEN r.feedback_score IS NOT NULL THEN r.feedback_score >= 3 END,
    feedback_comment_enc = CASE WHEN r.feedback_score >= 4 THEN '\x00'::bytea END
FROM c WHERE r.id = c.id`

func (s *reportSeed) outcomes() {
	s.t.Helper()
	if _, err := s.env.Pool.Exec(s.ctx, sqlSeedOutcomes); err != nil {
		s.t.Fatalf("seed outcomes: %v", err)
	}
}
