package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
)

// HistoryOptions shape a synthetic referral history: years of referrals,
// in bulk, for reports and their benchmark.
type HistoryOptions struct {
	// N is how many referral rows to add, onward legs included.
	N int
	// Years the history spans, ending at Now; 0 means 5.
	Years int
	// Seed makes the history repeatable.
	Seed int64
	// Now is where the history ends; zero means the real current time.
	Now time.Time
	// PublicURL and SeedMonths are used only when the database is empty
	// and the demo network is seeded first (see Options).
	PublicURL  string
	SeedMonths int
}

// historyClients bounds the pool of synthetic clients the referrals reuse.
const historyClients = 3000

// historyChunk is how many referrals one COPY statement writes, so the
// foreign key checks Postgres queues until the end of a statement stay
// bounded.
const historyChunk = 100_000

// History adds a synthetic history of opts.N referrals to the network in
// the database (seeding the demo network first when the database is
// empty), with a progress bar on progress.
//
// Unlike Seed, it does not go through the engine: a million referrals
// through the engine would take hours. It writes referrals straight into
// the table with COPY, for a pool of a few thousand synthetic clients
// whose personal details are real ciphertext from crypt. Decision: these
// referrals get no events and no outbox rows. The audit log records what
// happened in this system, and this history did not happen; it exists to
// give reports and their benchmark years of realistic data. Everything
// the reports read is there: statuses, reasons, acknowledgement, contact,
// triage and closing times, deadlines, feedback scores, redirect chains,
// and the SIMD decile and ward of the client's postcode (each client lives
// in one of the streets the demo's postcode file has). The report rollups
// are marked for a full rebuild afterwards.
//
// Synthetic clients have encrypted names, phone numbers from Ofcom's drama
// range and postcodes, but no phone lookup hash, so a real text from one
// of those numbers never lands on a synthetic client.
func History(ctx context.Context, pool *pgxpool.Pool, crypt *core.Crypter, opts HistoryOptions, progress io.Writer) error {
	if opts.N < 1 || opts.N > 20_000_000 {
		return fmt.Errorf("history must be 1 to 20,000,000 referrals, not %d", opts.N)
	}
	if opts.Years == 0 {
		opts.Years = 5
	}
	if opts.Years < 1 || opts.Years > 20 {
		return fmt.Errorf("history must span 1 to 20 years, not %d", opts.Years)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC().Truncate(time.Microsecond)
	if progress == nil {
		progress = io.Discard
	}
	var has bool
	if err := pool.QueryRow(ctx, sqlHasNetwork).Scan(&has); err != nil {
		return fmt.Errorf("check for a network: %w", err)
	}
	if !has {
		fmt.Fprintln(progress, "history: the database is empty; seeding the demo network first")
		sum, err := Seed(ctx, pool, crypt, Options{PublicURL: opts.PublicURL, Months: opts.SeedMonths, Seed: opts.Seed, Now: opts.Now}, progress)
		if err != nil {
			return err
		}
		fmt.Fprintln(progress, sum)
	}

	eng := core.NewEngine(pool, crypt, &clock{now: opts.Now}, core.RandomIDs{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	cal, err := eng.Calendar(ctx)
	eng.Close()
	if err != nil {
		return err
	}
	net, err := loadHistNetwork(ctx, pool)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	start := opts.Now.AddDate(-opts.Years, 0, 0)
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x68697374)) //nolint:gosec // demo data, not security
	g := &histGen{rng: rng, net: net, work: newWorkTime(cal, start, opts.Now.AddDate(0, 3, 0)), end: opts.Now}

	began := time.Now()
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		nClients := min(historyClients, max(20, opts.N/5))
		if g.clients, err = copyClients(ctx, tx, crypt, net, rng, nClients, start); err != nil {
			return err
		}
		if g.ids, err = reserveIDs(ctx, tx, "referrals", opts.N); err != nil {
			return err
		}
		src := newHistSource(g, start, opts.Now, opts.N, progress)
		for src.queued < opts.N || len(g.pending) > 0 {
			src.limit = src.written + historyChunk
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"referrals"}, histColumns, src); err != nil {
				return fmt.Errorf("copy referrals: %w", err)
			}
		}
		src.draw(true)
		return nil
	})
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if err := report.Invalidate(ctx, pool); err != nil {
		return err
	}
	for _, t := range []string{"clients", "consents", "referrals"} {
		if _, err := pool.Exec(ctx, "ANALYZE "+t); err != nil {
			return fmt.Errorf("analyze %s: %w", t, err)
		}
	}
	fmt.Fprintf(progress, "history: %d referrals over %d years (%s to %s) for %d synthetic clients in %s\n",
		opts.N, opts.Years, start.Format("2 Jan 2006"), opts.Now.Format("2 Jan 2006"), len(g.clients),
		time.Since(began).Round(100*time.Millisecond))
	return nil
}

// reserveIDs takes n values from a table's identity sequence, so rows
// written with COPY can point at each other (a redirect at its parent)
// without colliding with rows the engine writes meanwhile.
func reserveIDs(ctx context.Context, tx pgx.Tx, table string, n int) ([]int64, error) {
	rows, _ := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("reserve %s ids: %w", table, err)
	}
	return ids, nil
}

// copyClients writes the pool of synthetic clients and a network-wide
// consent for each.
func copyClients(ctx context.Context, tx pgx.Tx, crypt *core.Crypter, net *histNetwork, rng *rand.Rand, n int, at time.Time) ([]histClient, error) {
	ids, err := reserveIDs(ctx, tx, "clients", n)
	if err != nil {
		return nil, err
	}
	consentIDs, err := reserveIDs(ctx, tx, "consents", n)
	if err != nil {
		return nil, err
	}
	dw := make([]float64, len(net.districts))
	for i, d := range net.districts {
		dw[i] = float64(max(districtWeight[d.District], 1))
	}
	clients := make([]histClient, n)
	clientRows := make([][]any, n)
	consentRows := make([][]any, n)
	channels := []core.Channel{core.ChannelSMS, core.ChannelWeb, core.ChannelStaff}
	for i := range clients {
		d := net.districts[weighted(rng, dw...)]
		first, last := pickOne(rng, firstNames), pickOne(rng, lastNames)
		phone, _ := core.ParsePhone(clientPhone(i))
		enc := func(field, v string) []byte {
			if err != nil {
				return nil
			}
			var b []byte
			b, err = crypt.Encrypt(field, v)
			return b
		}
		name := enc("client.name", first+" "+last)
		phoneEnc := enc("client.phone", string(phone))
		plainPostcode := residentPostcode(d.District, rng.IntN(10), rng.IntN(len(streetCodes)), rng.IntN(len(streetCodes)))
		postcode := enc("client.postcode", plainPostcode)
		var email []byte
		if rng.Float64() < 0.2 {
			email = enc("client.email", fmt.Sprintf("%s.%s%d@example.net", strings.ToLower(first), strings.ToLower(last), rng.IntN(90)+10))
		}
		if err != nil {
			return nil, fmt.Errorf("encrypt synthetic client: %w", err)
		}
		clients[i] = histClient{id: ids[i], consent: consentIDs[i], district: d.District, area: net.areas[plainPostcode]}
		clientRows[i] = []any{ids[i], name, phoneEnc, email, postcode, d.District, d.Town, "text",
			pickOne(rng, contactTimes), "en", at, at}
		consentRows[i] = []any{consentIDs[i], ids[i], "network", []int64{}, net.wording, net.wordingHash,
			string(channels[i%len(channels)]), fmt.Sprintf("history:%d", ids[i]), at}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"clients"}, []string{"id", "name_enc", "phone_enc", "email_enc",
		"postcode_enc", "postcode_district", "town", "preferred_contact", "contact_time", "language", "created_at",
		"updated_at"}, pgx.CopyFromRows(clientRows)); err != nil {
		return nil, fmt.Errorf("copy synthetic clients: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"consents"}, []string{"id", "client_id", "scope", "agency_ids",
		"wording_version", "wording_sha256", "channel", "evidence", "given_at"}, pgx.CopyFromRows(consentRows)); err != nil {
		return nil, fmt.Errorf("copy synthetic consents: %w", err)
	}
	return clients, nil
}

var histColumns = []string{"id", "reference", "parent_id", "client_id", "consent_id", "source", "leaflet_code",
	"from_agency_id", "from_staff_id", "to_agency_id", "needs", "postcode_district", "simd_decile", "ward_code", "crisis", "triaged", "status",
	"held_from", "reason", "feedback", "status_at", "version", "created_at", "acknowledged_at", "contacted_at",
	"closed_at", "ack_due_at", "assigned_at", "feedback_score", "feedback_at"}

// histSource feeds COPY: it makes referrals day by day, each day's share
// of N by its weight, and hands out their rows, stopping at limit so each
// COPY statement stays a chunk.
type histSource struct {
	g        *histGen
	days     []time.Time // local midnights
	quiet    []bool      // weekends and bank holidays
	targets  []int       // referrals made by the end of each day
	day      int
	n        int
	queued   int
	written  int
	limit    int
	row      histRow
	progress io.Writer
	drawnAt  time.Time
	began    time.Time
}

func newHistSource(g *histGen, start, end time.Time, n int, progress io.Writer) *histSource {
	s := &histSource{g: g, n: n, progress: progress, began: time.Now()}
	loc := g.work.loc
	first := start.In(loc)
	var weights []float64
	for d := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc); d.Before(end); d = d.AddDate(0, 0, 1) {
		hol := g.work.holiday(d.Add(12 * time.Hour))
		s.days = append(s.days, d)
		s.quiet = append(s.quiet, hol || d.Weekday() == time.Saturday || d.Weekday() == time.Sunday)
		weights = append(weights, dayWeight(d, start, hol))
	}
	cum := 0
	for _, b := range dayBudgets(weights, n) {
		cum += b
		s.targets = append(s.targets, cum)
	}
	return s
}

// Next makes the next row, drawing new referrals as the queue empties.
func (s *histSource) Next() bool {
	if s.written >= s.limit {
		return false
	}
	for len(s.g.pending) == 0 {
		if s.queued >= s.n {
			return false
		}
		for s.day < len(s.days)-1 && s.queued >= s.targets[s.day] {
			s.day++
		}
		s.g.newReferral(s.days[s.day], s.quiet[s.day], s.n-s.queued)
		s.queued += len(s.g.pending)
	}
	s.row, s.g.pending = s.g.pending[0], s.g.pending[1:]
	s.written++
	if s.written%1024 == 0 && time.Since(s.drawnAt) > 200*time.Millisecond {
		s.draw(false)
	}
	return true
}

// Values are the row's columns in histColumns order.
func (s *histSource) Values() ([]any, error) {
	r := &s.row
	var score *int32
	if r.score != nil {
		v := int32(*r.score)
		score = &v
	}
	return []any{r.id, r.reference(), r.parent, r.client, r.consent, string(r.source), r.leaflet,
		r.from, r.fromStaff, r.to, r.needs, r.district, r.area.SIMDDecile, r.area.WardCode, r.crisis, r.triaged, string(r.status),
		r.heldFrom, r.reason, r.feedback, r.statusAt, int32(r.version), r.createdAt, r.acked, r.contacted,
		r.closed, r.ackDue, r.assigned, score, r.fbAt}, nil
}

// Err reports nothing: making rows cannot fail.
func (s *histSource) Err() error { return nil }

// draw paints the progress bar; done ends its line.
func (s *histSource) draw(done bool) {
	s.drawnAt = time.Now()
	const width = 30
	filled := width * s.written / max(s.n, 1)
	fmt.Fprintf(s.progress, "\rhistory: [%s%s] %3d%%  %d/%d referrals  %s", strings.Repeat("#", filled),
		strings.Repeat(".", width-filled), 100*s.written/max(s.n, 1), s.written, s.n,
		time.Since(s.began).Round(time.Second))
	if done {
		fmt.Fprintln(s.progress)
	}
}
