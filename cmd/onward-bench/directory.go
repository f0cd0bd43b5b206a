package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/openreferral"
)

// The directory benchmark: 10,000 services, each delivered at a location
// with coordinates, published as the Open Referral UK feed; 32
// connections search services by words and need term, page through them,
// and ask for the services nearest a postcode within a distance, as the
// councils, helplines and validators that read the feed do.
const (
	benchDirAgencies  = 1_000
	benchDirPerAgency = 10
	benchDirConns     = 32
	benchDirWarm      = 200
	benchDirDuration  = 8 * time.Second
	// benchDirCachedAnswers is the feed's answers cache as served
	// (ONWARD_OPENREFERRAL_CACHED_ANSWERS's default).
	benchDirCachedAnswers = 256
)

func init() { registerBench("directory", benchDirectory) }

// sqlBenchDirAgencies writes the agencies in one statement; the schema's
// trigger gives each its main location from the address text. Towns and
// districts are the test network's, postcodes made up within them.
const sqlBenchDirAgencies = `
INSERT INTO agencies (slug, name, description, phone, email, website, address)
SELECT 'bench-agency-' || g,
    (ARRAY['Kirkcaldy', 'Dunfermline', 'St Andrews', 'Kinghorn'])[1 + g % 4] || ' ' ||
    (ARRAY['Advice Centre', 'Community Trust', 'Food Bank', 'Housing Aid', 'Family Centre'])[1 + g / 4 % 5] || ' ' || g,
    'A bench agency serving its town.', '01592 000' || lpad((g % 1000)::text, 3, '0'), '', '',
    g || ' High Street, ' || (ARRAY['Kirkcaldy', 'Dunfermline', 'St Andrews', 'Kirkcaldy'])[1 + g % 4] || ' ' ||
    (ARRAY['KY1', 'KY11', 'KY16', 'KY2'])[1 + g % 4] || ' ' || (1 + g % 9) || chr(65 + g % 26) || chr(65 + g / 26 % 26)
FROM generate_series(1, $1::int) g`

// sqlBenchDirPlaces puts the bench agencies' locations on the map,
// spread over Fife (about 44 km by 68 km).
const sqlBenchDirPlaces = `
UPDATE locations l SET latitude = 56.0 + (a.id * 7919 % 1000) / 2500.0, longitude = -3.7 + (a.id * 104729 % 1000) / 909.0
FROM agencies a WHERE a.id = l.agency_id AND a.slug LIKE 'bench-agency-%'`

// sqlBenchDirServices writes the services, ten to an agency; the schema's
// trigger links each to its agency's main location.
const sqlBenchDirServices = `
INSERT INTO services (agency_id, name, description, needs, postcode_districts, council_areas, languages, opening_hours, schedules, minimum_age)
SELECT a.id, k.name || ' ' || split_part(a.name, ' ', 1) || ' ' || n, k.description, k.needs,
    ARRAY[split_part(a.address, ' ', array_length(string_to_array(a.address, ' '), 1) - 1)], '{Fife}',
    CASE WHEN n % 3 = 0 THEN '{en,pl}'::text[] ELSE '{en}' END, 'Monday to Friday 9am to 5pm',
    '[{"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}]', CASE WHEN n % 5 = 0 THEN 16 END
FROM agencies a CROSS JOIN generate_series(1, $1::int) n
JOIN (VALUES
    (1, 'Debt advice', 'Free confidential help with debt, arrears and money worries.', '{debt,benefits}'::text[]),
    (2, 'Benefits check', 'Check you get every benefit you are entitled to and get help to claim.', '{benefits,income-maximisation}'),
    (3, 'Housing support', 'Advice on tenancies, rent arrears, repairs and homelessness.', '{housing}'),
    (4, 'Food parcels', 'Emergency food parcels and a weekly community pantry.', '{food}'),
    (5, 'Fuel vouchers', 'Help with energy bills, prepayment top-ups and warm homes.', '{fuel,debt}'),
    (6, 'Employability coaching', 'One-to-one support into work, training and volunteering.', '{employability,education}'),
    (7, 'Family support', 'Practical and emotional support for parents and carers.', '{family}'),
    (8, 'Health walks', 'Friendly group walks and wellbeing support.', '{health}'),
    (9, 'Adult learning', 'Classes in digital skills, English and maths.', '{education}'),
    (10, 'Money advice', 'Budgeting help and income maximisation advice.', '{income-maximisation,debt}')
) AS k(i, name, description, needs) ON k.i = 1 + (a.id + n) % 10
WHERE a.slug LIKE 'bench-agency-%'`

// benchDirPostcodes are the places searches start from.
const benchDirPostcodes = `pcds,oslaua,lat,long
KY1 1AB,S12000047,56.1120,-3.1620
KY2 5AA,S12000047,56.1300,-3.1900
KY11 8AA,S12000047,56.0710,-3.4520
KY16 9AA,S12000047,56.3400,-2.7960
`

func benchDirectory(ctx context.Context, stdout io.Writer) error {
	env, err := openBenchEnv(ctx, benchDirConns+4, benchDirConns+4)
	if err != nil {
		return err
	}
	defer env.Close()
	start := time.Now()
	for _, step := range []struct {
		name string
		sql  string
		args []any
	}{
		{"agencies", sqlBenchDirAgencies, []any{benchDirAgencies}},
		{"locations", sqlBenchDirPlaces, nil},
		{"services", sqlBenchDirServices, []any{benchDirPerAgency}},
		{"statistics", `ANALYZE agencies, services, locations, service_locations`, nil},
	} {
		if _, err := env.pool.Exec(ctx, step.sql, step.args...); err != nil {
			return fmt.Errorf("seed directory %s: %w", step.name, err)
		}
	}
	if _, err := env.engine.ImportPostcodes(ctx, strings.NewReader(benchDirPostcodes)); err != nil {
		return fmt.Errorf("seed postcodes: %w", err)
	}
	var services, links int
	if err := env.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM services), (SELECT count(*) FROM service_locations sl
		JOIN locations l ON l.id = sl.location_id WHERE l.latitude IS NOT NULL)`).Scan(&services, &links); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "directory: %d services (%d placed at locations with coordinates) written in %s\n",
		services, links, time.Since(start).Round(time.Millisecond))

	// The feed is measured twice: every answer worked out afresh (the
	// searches themselves), then as served, with the answers cache.
	bases := map[int]string{}
	for _, cached := range []int{0, benchDirCachedAnswers} {
		feed, err := openreferral.New(openreferral.Config{Engine: env.engine, Redis: env.rdb, KeyPrefix: env.prefix, Log: env.quiet,
			Base: "/openreferral", PublicURL: "https://onward.example.org", RatePerMinute: 10_000_000, CachedAnswers: cached})
		if err != nil {
			return err
		}
		mux := http.NewServeMux()
		feed.Routes(mux)
		srv, base, err := serveLocal(mux)
		if err != nil {
			return err
		}
		defer srv.Close()
		bases[cached] = base
	}
	client := &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: benchDirConns, MaxConnsPerHost: benchDirConns}}

	words := []string{"advice", "debt", "food", "support", "Kirkcaldy", "money", "housing", "St Andrews"}
	needs := []core.Need{core.NeedDebt, core.NeedBenefits, core.NeedFood, core.NeedHousing, core.NeedIncomeMax, core.NeedFamily}
	postcodes := []string{"KY1 1AB", "KY2 5AA", "KY11 8AA", "KY16 9AA"}
	proximities := []string{"2000", "5000", "10000", "20000"}
	kinds := []struct {
		name string
		path func(r *rand.Rand) string
	}{
		{"services", func(r *rand.Rand) string {
			return "/openreferral/services?" + url.Values{"search": {words[r.IntN(len(words))]},
				"taxonomy_term_id": {core.NeedTermID(needs[r.IntN(len(needs))])}, "page": {fmt.Sprint(1 + r.IntN(3))}}.Encode()
		}},
		{"service_at_locations", func(r *rand.Rand) string {
			return "/openreferral/service_at_locations?" + url.Values{"postcode": {postcodes[r.IntN(len(postcodes))]},
				"proximity": {proximities[r.IntN(len(proximities))]}}.Encode()
		}},
	}
	// one asks for a page and returns how many items the search found.
	one := func(base, path string) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		var page struct {
			TotalItems int `json:"total_items"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return 0, fmt.Errorf("GET %s: %w", path, err)
		}
		return page.TotalItems, nil
	}
	var (
		mu       sync.Mutex
		perKind  = map[string][]time.Duration{}
		found    = map[string]int{}
		all      []time.Duration
		firstErr error
	)
	run := func(base string, until time.Time, limit int, record bool) time.Duration {
		var wg sync.WaitGroup
		var n int
		t0 := time.Now()
		for w := range benchDirConns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(w), uint64(t0.UnixNano())))
				for i := 0; ctx.Err() == nil && time.Now().Before(until); i++ {
					mu.Lock()
					if firstErr != nil || (limit > 0 && n >= limit) {
						mu.Unlock()
						return
					}
					n++
					mu.Unlock()
					k := kinds[(w+i)%len(kinds)]
					path := k.path(r)
					t := time.Now()
					total, err := one(base, path)
					d := time.Since(t)
					mu.Lock()
					if err != nil && firstErr == nil {
						firstErr = fmt.Errorf("directory %s: %w", k.name, err)
					}
					if record && err == nil {
						perKind[k.name] = append(perKind[k.name], d)
						all = append(all, d)
						if total > 0 {
							found[k.name]++
						}
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return time.Since(t0)
	}
	for _, phase := range []struct {
		name   string
		cached int
	}{{"directory uncached", 0}, {"directory", benchDirCachedAnswers}} {
		clear(perKind)
		clear(found)
		all = all[:0]
		// Warm the connections, the plans and the feed's directory version.
		run(bases[phase.cached], time.Now().Add(time.Minute), benchDirWarm, false)
		if firstErr != nil {
			return firstErr
		}
		elapsed := run(bases[phase.cached], time.Now().Add(benchDirDuration), 0, true)
		if firstErr != nil {
			return firstErr
		}
		for _, k := range kinds {
			ds := perKind[k.name]
			if found[k.name]*2 < len(ds) {
				return fmt.Errorf("directory %s: only %d of %d searches found anything; the benchmark would measure empty answers", k.name, found[k.name], len(ds))
			}
			slices.Sort(ds)
			fmt.Fprintf(stdout, "%s %s: n=%d found=%d p50=%sms p99=%sms\n", phase.name, k.name, len(ds), found[k.name], ms(percentile(ds, 50)), ms(percentile(ds, 99)))
		}
		slices.Sort(all)
		fmt.Fprintf(stdout, "%s: services=%d p50=%sms p99=%sms rps=%.0f\n", phase.name, services, ms(percentile(all, 50)), ms(percentile(all, 99)),
			float64(len(all))/elapsed.Seconds())
	}
	return nil
}
