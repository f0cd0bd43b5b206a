// Package report answers the network's performance reports — referrals
// between partners, outcomes, response times, seasonality, demand, crisis
// triage, deadline breaches, feedback — from rollup tables it keeps up to
// date from the engine's referrals. It reads core's tables and types; core
// knows nothing of it.
package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
)

// Reports answers the network's performance reports from rollups that a
// refresher keeps up to date (see Refresh), so a report over a million
// referrals reads thousands of pre-summed rows, not a million referrals.
type Reports struct {
	pool *pgxpool.Pool // the primary: the refresher writes the rollups
	// readers answer the reports themselves, from a read replica when
	// one is configured and fresh (see ReadFrom).
	readers *core.Readers
	clock   core.Clock
	// segmentCost is the estimated price of an SMS segment in pounds
	// (see WithSMSSegmentCost).
	segmentCost float64
}

// New returns the reports of the database behind pool. The clock
// decides what "waiting past its deadline now" means.
func New(pool *pgxpool.Pool, clock core.Clock) *Reports {
	return &Reports{pool: pool, readers: core.NewReaders(pool, nil, 0), clock: clock, segmentCost: DefaultSMSSegmentCost}
}

// ReadFrom answers reports through readers, so they can come from a read
// replica; the rollups are still refreshed on the primary.
func (rp *Reports) ReadFrom(readers *core.Readers) *Reports {
	c := *rp
	c.readers = readers
	return &c
}

// Filter picks the referrals a report counts. Dates are days in the
// network's time zone, both inclusive, on when the referral was made.
type Filter struct {
	From, To time.Time
	// Agency restricts to referrals sent to one agency or referred by it
	// (made, or redirected on: see referrer.go); 0 = the whole network.
	Agency core.AgencyID
	// Need restricts to referrals asking for one need; "" = all.
	Need core.Need
}

// Viewer is who will see a report, which decides small-number
// suppression. Inside the network figures are exact: coordinators and
// admins see every figure as it is, and an agency's staff see their own
// agency's reports exactly (every referral those count was sent to or by
// their agency, so it is already theirs to know). Anything else — a
// reader with no network role (a funder's or the public's copy), an
// agency's staff asking for the network's or another agency's figures,
// and any export marked for publication — is suppressed: counts of 1 to 4
// show as "<5", with whatever else would give them back withheld (see
// cells.go).
type Viewer struct {
	// Agency is the viewer's own agency; 0 for none.
	Agency core.AgencyID
	// Network is a coordinator or admin of the network, or its operator
	// on the command line: they see exact figures.
	Network bool
	// Publish marks a report for publication beyond the network: it is
	// suppressed whoever asks for it.
	Publish bool
}

// ViewerFor returns the viewer a member of staff is.
func ViewerFor(s core.Staff) Viewer {
	return Viewer{Agency: s.AgencyID, Network: s.Role == core.RoleCoordinator || s.Role == core.RoleAdmin}
}

// Published returns the viewer reading a copy marked for publication.
func (v Viewer) Published() Viewer { v.Publish = true; return v }

// Suppressed reports whether a report with this filter is suppressed for
// the viewer.
func (v Viewer) Suppressed(f Filter) bool {
	switch {
	case v.Publish:
		return true
	case v.Network:
		return false
	case v.Agency != 0 && f.Agency == v.Agency:
		return false
	}
	return true
}

// ScopeFilter applies what a member of staff may see: coordinators and
// admins see the network or any agency; everyone else sees only their own
// agency's figures, whatever they asked for.
func ScopeFilter(s core.Staff, f Filter) Filter {
	if s.Role != core.RoleCoordinator && s.Role != core.RoleAdmin {
		f.Agency = s.AgencyID
	}
	return f
}

// ChartKind says how a report is best drawn.
type ChartKind string

// Chart kinds.
const (
	ChartBar    ChartKind = "bar"    // one bar per row, a group per series
	ChartLine   ChartKind = "line"   // series over an ordered axis (weeks, months)
	ChartMatrix ChartKind = "matrix" // the table itself, shaded by value (a heat table)
)

// Report is a finished report in one generic shape — a title, column
// headers, rows of cells, and series for a chart — so that every report
// renders to CSV, JSON, a text table and an SVG chart by the same code.
type Report struct {
	Name        string
	Title       string
	Description string
	Filter      Filter
	// AgencySlug and AgencyName name the filter's agency, if any.
	AgencySlug, AgencyName string
	// Suppressed says small numbers are hidden (see Viewer).
	Suppressed bool
	Columns    []string
	// TextColumns names the columns that hold words rather than figures
	// besides the first (which always names its row); exports add a
	// suppression flag after every other column.
	TextColumns []string
	Rows        [][]Cell
	Chart       ChartKind
	// Unit is what the series' values measure ("referrals", "hours").
	Unit   string
	Series []Series
	// Listing is a second table of words under the figures, where a
	// report has one (the feedback on referrals sent back).
	Listing *Listing
	// Sections means the first column names a section, and pages show
	// each section as a table of its own (the National Standards pack).
	Sections bool
	Notes    []string
	// Counts says in one plain line what the report's figures count and
	// what they leave out (see Spec.Counts).
	Counts string
	// At is the moment a report of what stood open counts at (the
	// open-as-at report: see AtText), in the network's time zone; zero
	// for the reports that count what happened in their dates.
	At time.Time
	// AsOf is when the figures were counted: the start of the refresh of
	// the rollups the report was read from, in the network's time zone.
	// Changes made since are not in them yet. Zero before the first
	// refresh.
	AsOf time.Time
}

// Listing is a table of words that goes with a report's figures.
type Listing struct {
	// Name is what a download of the listing is named after
	// ("feedback").
	Name    string     `json:"-"`
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// Cell is one value of a report table.
type Cell struct {
	// Text is the value as shown on screen and in a terminal: "12", "<5",
	// "14.2", "too few to show", "Kirkton Citizens Advice"; "" when
	// there is no value.
	Text string
	// Value is the number, when the cell is a number that may be shown.
	Value *float64
	// Suppressed marks a figure hidden by small-number suppression: a
	// count of 1 to 4 ("<5"), a count withheld so that one of those cannot
	// be worked out from a total ("withheld"), or a rate, median or mean
	// from fewer than 5 referrals or that would give a hidden count back
	// (TooFew, "too few to show"). It never carries a Value.
	Suppressed bool
	// TooFew marks a suppressed rate, median or mean.
	TooFew bool
	// ref is the cell's entry in the query that made it (0 for a label):
	// how protect finds it again.
	ref int
}

// Series is one line or set of bars of a chart.
type Series struct {
	Name   string  `json:"name"`
	Points []Point `json:"points"`
}

// Point is one value of a series: a table cell as the chart draws it (see
// point). A suppressed point has Value 0 and is drawn as withheld ("<5",
// or TooFew: "too few to show"), never at its true height; in JSON its
// value is null, as is a point with no figure (a period outside the
// dates, a median of no referrals), so that no chart made from the export
// shows a false zero.
type Point struct {
	Label      string  `json:"label"`
	Value      float64 `json:"value"`
	Suppressed bool    `json:"suppressed,omitempty"`
	TooFew     bool    `json:"too_few,omitempty"`
	// Partial marks a period only some of whose days are counted (see
	// seasonality.go).
	Partial bool `json:"partial,omitempty"`
	ref     int  // the cell the point shows
	none    bool // no figure
}

// HasValue reports whether the point has a figure to draw: false when it
// is suppressed or there is no figure.
func (p Point) HasValue() bool { return !p.Suppressed && !p.none }

// MarshalJSON writes a point, its value null when it has none to show.
func (p Point) MarshalJSON() ([]byte, error) {
	out := struct {
		Label      string   `json:"label"`
		Value      *float64 `json:"value"`
		Suppressed bool     `json:"suppressed,omitempty"`
		TooFew     bool     `json:"too_few,omitempty"`
		Partial    bool     `json:"partial,omitempty"`
	}{Label: p.Label, Suppressed: p.Suppressed, TooFew: p.TooFew, Partial: p.Partial}
	if p.HasValue() {
		out.Value = &p.Value
	}
	return marshalPlain(out)
}

// Spec describes one report.
type Spec struct {
	Name        string
	Title       string
	Description string
	// Counts says in one plain line what the report's figures (its total,
	// where it has one) count and what they leave out. Every page and
	// export shows it, so that a coordinator can explain to a funder why
	// two reports' totals differ: the demand reports count new requests
	// for help (new_demand.go), the partners and outcomes reports every
	// referral, redirects and re-routes included.
	Counts string
	run    func(ctx context.Context, q *reportQuery) (Report, error)
}

// specs lists every report in the order pages and `onward report
// list` show them.
var specs = []Spec{
	{Name: "partners", Title: "Referrals between partners", run: partnersReport,
		Description: "How many referrals went from each referrer (agency, or the client themselves) to each agency. An agency's row counts the referrals it made; its redirects (a referral it held, sent on to another agency) are on a row of their own. When an agency turns down a client's own referral, Onward itself sends the client on, to the next agency or back to triage: those count as re-routed by Onward, not as that agency's referrals.",
		Counts:      "Every referral made in these dates, each time a client was sent to an agency or to triage: first referrals, referrals on, redirects and Onward's re-routes after a rejection. So the total is higher than the demand reports' total, which counts new requests for help only."},
	{Name: "outcomes", Title: "Outcomes", run: outcomesReport,
		Description: "Referrals by status now, those an agency turned down apart from those it redirected to another agency.",
		Counts:      "Every referral made in these dates, by its status now: first referrals, referrals on, redirects and Onward's re-routes after a rejection each count once. A referral an agency redirected counts under Redirected to another agency, not under Rejected (turned down); the new referral it made counts too, by its own status. So the total is higher than the demand reports' total, which counts new requests for help only."},
	{Name: "rejections", Title: "Rejection reasons", run: rejectionsReport,
		Description: "Referrals an agency turned down, by the reason it gave, and those it redirected to another agency.",
		Counts:      "Every referral made in these dates that an agency turned down or redirected: redirects are counted here, as the reason Redirected to another agency, and are in the total and its shares; referrals still open, or closed another way, are not counted."},
	{Name: "response-times", Title: "Time to acknowledge and to contact", run: responseTimesReport,
		Description: "Median and 90th percentile calendar hours (not working hours) from a referral reaching an agency to the agency acknowledging it, and to the client being contacted.",
		Counts:      "Every referral made in these dates that reached an agency (those still in triage are left out). Hours are calendar hours, nights, weekends and holidays included, from the referral reaching the agency: not the working hours the agencies' targets are set in."},
	{Name: "whole-wait", Title: "How long clients waited in all", run: wholeWaitReport,
		Description: "For each new request for help, how long the client waited in all: median and 90th percentile calendar hours from the request being made to the client first being contacted, and to the request first being acknowledged, by any agency it went to — through triage, redirects and Onward's re-routes after a rejection — with how many are still waiting for contact and how many ended without it, and the same for requests that stayed where they were first sent and those that moved on.",
		Counts:      wholeWaitCounts},
	{Name: "open-as-at", Title: "Open referrals as at a date", run: openAsAtReport,
		Description: "The referrals open at the end of the dates (as at 23:59 on their last day; while that day is not over, as at the latest count), per agency holding them: where each stood then — in triage, waiting for the agency's answer, on its waiting list, accepted, or with the client contacted — and how long it had been open, in working days. Read from each referral's history, so a referral open then and closed since still counts.",
		Counts:      openAsAtCounts},
	{Name: "seasonality-weekly", Title: "Seasonality by week", run: seasonalityWeeklyReport,
		Description: "New referrals per ISO week, each year of the dates beside the others.",
		Counts:      newDemandCounts},
	{Name: "seasonality-monthly", Title: "Seasonality by month", run: seasonalityMonthlyReport,
		Description: "New referrals per month, each year of the dates beside the others.",
		Counts:      newDemandCounts},
	{Name: "demand-district", Title: "Demand by postcode district", run: demandDistrictReport,
		Description: "New referrals by the client's postcode district.",
		Counts:      newDemandCounts + " A client with no postcode district counts under Not known."},
	{Name: "demand-simd", Title: "Demand by deprivation (SIMD quintile)", run: demandSIMDReport,
		Description: "New referrals by the Scottish Index of Multiple Deprivation (SIMD 2020) quintile of the client's postcode, quintile 1 the most deprived fifth of Scotland's data zones, and the share that came from the most deprived 20%.",
		Counts:      newDemandCounts + " A client with no postcode, or one the postcode file does not have, counts under Not known."},
	{Name: "demand-ward", Title: "Demand by council ward", run: demandWardReport,
		Description: "New referrals by the electoral ward of the client's postcode.",
		Counts:      newDemandCounts + " A client with no postcode, or one the postcode file does not have, counts under Not known."},
	{Name: "demand-need", Title: "Demand by need", run: demandNeedReport,
		Description: "New referrals by need; a referral asking for two needs counts under both.",
		Counts:      newDemandCounts + " A referral asking for two needs counts under both, so the needs add up to more than the total."},
	{Name: "self-referral", Title: "Self-referral sources", run: selfReferralReport,
		Description: "Self-referrals by text message and by web form, per leaflet code.",
		Counts:      "Clients' own first referrals made in these dates, by text message and by web form; referrals made by staff or partner systems, and the redirects and re-routes of a self-referral, are not counted."},
	{Name: "crisis", Title: "Crisis referrals and triage", run: crisisReport,
		Description: "New referrals per month and how many were crisis referrals — from every source: a client's own text or web form flagged by its words, and referrals staff or a partner system marked as a crisis — and calendar hours from a referral arriving to a coordinator assigning it from triage.",
		Counts:      newDemandCounts + " Through triage and assigned from triage count every referral that went through triage, and hours to assign are calendar hours. Every month of the dates has a row, 0 when nobody was referred in it."},
	{Name: "breaches", Title: "Acknowledgement deadline breaches", run: breachesReport,
		Description: "Referrals acknowledged after the agency's deadline, or not acknowledged by it.",
		Counts:      "Every referral made in these dates that reached an agency with an acknowledgement deadline (the agency's target, in working hours); referrals still in triage are left out. Waiting past deadline now is counted at the moment the report is made."},
	{Name: "feedback", Title: "Client feedback scores", run: feedbackReport,
		Description: "Clients' 1–5 ratings of the help they got: how many gave each score, and the mean.",
		Counts:      "The scores clients gave for referrals made in these dates (by the day the referral was made, not the day of the score), under the agency it was sent to; clients who referred themselves are asked, by text, so a referral made by staff has no score; referrals with no score are not counted."},
	{Name: "outcomes-by-agency", Title: "Outcomes by agency and need", run: outcomesByAgencyReport,
		Description: "What became of the clients: every referral that reached an end, by how it ended — completed (by the outcome recorded), could not contact, turned down, redirected or cancelled — per agency it was sent to and per need. Client declined and Not eligible count referrals turned down for those reasons as well as those completed with them. Help given (%) is out of every referral that reached an end, not only the completed ones.",
		Counts:      "Every referral made in these dates that has reached an end (completed, could not contact, turned down, redirected or cancelled), under the agency it was sent to; referrals still open are not counted."},
	{Name: "financial-gains", Title: "Financial gains", run: gainsReport,
		Description: "Money clients gained from money, benefits and debt advice — income (weekly and one-off) and debt written off or managed — in total, per client, by agency, need and month.",
		Counts:      "The gains recorded when referrals made in these dates were completed; a client counts once however many referrals brought them a gain (debt managed included), and referrals not completed, or completed with no gain, add nothing."},
	{Name: "satisfaction", Title: "Client satisfaction", run: satisfactionReport,
		Description: "What clients said after their referral: scores, how many would recommend the agency, and how many left a comment.",
		Counts:      "What clients said about referrals made in these dates, under the agency the referral was sent to; clients who referred themselves are asked, by text, so a referral made by staff has no answer; referrals with no answer are not counted."},
	{Name: "sent-back", Title: "Inappropriate referrals by referrer", run: sentBackReport,
		Description: "Referrals turned down as not eligible or inappropriate, counted against whoever referred them, with the feedback the agency gave, so referrers learn what each service takes. An agency's redirects are counted apart from the referrals it made, and a referral Onward re-routed after an agency turned a client down counts as Onward's, never against that agency.",
		Counts:      "Every referral made in these dates, under whoever referred it (an agency's redirects on a row of their own, Onward's re-routes as Onward's), and how many the agency it went to turned down as not eligible or inappropriate."},
	{Name: "national-standards", Title: "National Standards pack", run: standardsReport,
		Description: "For one agency and a period: advice by National Standards type and by topic, acknowledgement and contact against the network's targets, outcomes, client feedback and a place for complaints. Printable.",
		Counts:      "Advice by type and topic counts the referrals the agency completed; outcomes, every referral sent to it that reached an end; all by the day the referral was made. Medians are calendar hours from the referral reaching the agency, beside targets set in working hours; contact within target is counted in working days, as its target is."},
	{Name: "texts", Title: "Texts sent and their cost", run: textsReport,
		Description: "SMS sent to clients per month and language: how many, how many in UCS-2 (any Polish, Ukrainian, Arabic or Urdu letter makes a text UCS-2, 70 characters a segment), the segments billed and their estimated cost.",
		Counts:      "Every text message Onward sent to clients in these dates, by the month it was sent and the client's language; WhatsApp messages are not counted."},
}

// List returns every report's name, title and description.
func List() []Spec { return slices.Clone(specs) }

// Lookup returns the report named name.
func Lookup(name string) (Spec, bool) {
	for _, s := range specs {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// Run answers one report from the rollups as they stand (call Refresh
// first for up-to-the-second figures; the background refresher keeps them
// within a minute).
func (rp *Reports) Run(ctx context.Context, name string, f Filter, v Viewer) (Report, error) {
	spec, ok := Lookup(name)
	if !ok {
		return Report{}, fmt.Errorf("report %q: %w", name, core.ErrNotFound)
	}
	if err := validateFilter(f); err != nil {
		return Report{}, err
	}
	var q *reportQuery
	var r Report
	// Run as a whole on the replica or, if it fails there, as a whole on
	// the primary: never half from each, and every query of it in one
	// snapshot (readSnapshot).
	err := rp.readers.Read(ctx, func(db core.DB) error {
		return readSnapshot(ctx, db, func(db core.DB) error {
			var err error
			if q, err = rp.newQuery(ctx, db, f, v); err != nil {
				return err
			}
			if r, err = spec.run(ctx, q); err != nil {
				return err
			}
			q.protect(&r)
			return nil
		})
	})
	if err != nil {
		return Report{}, fmt.Errorf("report %s: %w", name, err)
	}
	r.Name, r.Title, r.Description, r.Filter, r.Suppressed = spec.Name, spec.Title, spec.Description, f, q.suppress
	r.Counts, r.AsOf = spec.Counts, q.asOf
	if f.Agency != 0 {
		r.AgencySlug, r.AgencyName = q.agencies[f.Agency].Slug, q.agencyName(f.Agency)
	}
	if q.suppress {
		r.Notes = append(r.Notes, "Counts from 1 to 4 are shown as <5, so that no one can be identified. Where a total would let one be worked out from the figures beside it, another count (5 or more) is withheld as well, and a rate, median or mean worked out from fewer than 5 referrals, or that would give a hidden count back, is \"too few to show\": no hidden count in this report can be worked out from what it shows. In CSV and JSON hidden figures are empty, with a _suppressed column saying so.")
	}
	return r, nil
}

// beginner is a database a transaction can be begun on: a pool.
type beginner interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// readSnapshot runs fn in one read-only REPEATABLE READ transaction on db,
// so that every query of a report sees the database at one moment: a
// total and the rows listed under it, or the rollups and the refresh
// state that says what they hold, can never come from either side of a
// commit (on a pool, each query would otherwise take whichever connection
// is free, at its own moment). The transaction plans each query for its
// own period and without JIT (sqlReportSettings). A db that is already a
// transaction is used as it is.
func readSnapshot(ctx context.Context, db core.DB, fn func(db core.DB) error) error {
	b, ok := db.(beginner)
	if !ok {
		return fn(db)
	}
	return pgx.BeginTxFunc(ctx, b, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, sqlReportSettings); err != nil {
				return fmt.Errorf("set the report's planner settings: %w", err)
			}
			return fn(tx)
		})
}

// sqlReportSettings sets two planner settings for one report's
// transaction (set_config's true: they end with it, so they hold behind
// a connection pooler in transaction mode, and nothing else Onward runs
// is changed). Both were found at ten million referrals, where the
// financial gains report took 3.3 s against 0.04 s at one million:
//
//   - plan_cache_mode = force_custom_plan: a report's queries are
//     prepared statements, and PostgreSQL may plan one once for any
//     period. A period of five years and one of ninety days want
//     different plans: the plan made for "some period" counted the
//     clients with a financial gain by reading every referral of the
//     period (3.5 s) where the index of referrals with gains holds five.
//   - jit = off: a report's queries read rollups or an index's few rows,
//     but over millions of referrals the planner's estimates pass
//     jit_above_cost, and compiling then takes longer than the query:
//     the count above ran in 7 ms and compiled for 364 ms.
const sqlReportSettings = `SELECT set_config('plan_cache_mode', 'force_custom_plan', true), set_config('jit', 'off', true)`

// Earliest and Latest are the first and last days a report's period may
// start or end: Onward holds nothing older, and a date centuries back or
// ahead is a slip of the keys.
var (
	Earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	Latest   = time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
)

// CheckPeriod says what is wrong with a report's period from–to, naming
// the field to fix ("from" or "to"), or returns "", "" when nothing is.
// It is the one rule for every report: the pages, the downloads and the
// command line all ask it (through Run).
func CheckPeriod(from, to time.Time) (field, message string) {
	limits := fmt.Sprintf("Onward reports on days from %s to %s", Earliest.Format(time.DateOnly), Latest.Format(time.DateOnly))
	for _, d := range []struct {
		field, name string
		day         time.Time
	}{{"from", "start", from}, {"to", "end", to}} {
		// A date typed as 0001-01-01 reads as the zero time, as does a
		// date not given at all: both are before Earliest.
		switch day := dateOnly(d.day); {
		case day.Before(Earliest):
			return d.field, fmt.Sprintf("the %s date must be %s or later (%s)", d.name, Earliest.Format(time.DateOnly), limits)
		case day.After(Latest):
			return d.field, fmt.Sprintf("the %s date must be %s or earlier (%s)", d.name, Latest.Format(time.DateOnly), limits)
		}
	}
	if to.Before(from) {
		return "to", "the end date must not be before the start date"
	}
	return "", ""
}

func validateFilter(f Filter) error {
	var fields []core.FieldError
	if field, msg := CheckPeriod(f.From, f.To); field != "" {
		fields = append(fields, core.FieldError{Field: field, Message: msg})
	}
	if f.Need != "" && !f.Need.Valid() {
		fields = append(fields, core.FieldError{Field: "need", Message: fmt.Sprintf("%q is not a need code", f.Need)})
	}
	if len(fields) > 0 {
		return &core.ValidationError{Fields: fields}
	}
	return nil
}

const sqlAgencyBySlug = `SELECT id FROM agencies WHERE slug = $1`

// AgencyID finds an agency by its short name, for filters given by slug
// (the command line, page links).
func (rp *Reports) AgencyID(ctx context.Context, slug string) (core.AgencyID, error) {
	var id core.AgencyID
	err := rp.readers.Read(ctx, func(db core.DB) error {
		return db.QueryRow(ctx, sqlAgencyBySlug, slug).Scan(&id)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("agency %q: %w", slug, core.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("agency %q: %w", slug, err)
	}
	return id, nil
}
