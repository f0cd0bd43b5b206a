package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
)

// histNetwork is what the synthetic history needs to know of the network
// already in the database, whichever network that is.
type histNetwork struct {
	agencies  []histAgency
	byID      map[int64]*histAgency
	referrers []*histAgency // agencies whose staff refer clients on
	districts []core.District
	// areas are the area facts of the postcodes the synthetic clients
	// live at (residentPostcodes).
	areas       map[string]core.PostcodeArea
	leaflets    []string
	wording     string
	wordingHash []byte
	// candidates are the agencies offering a need in a district.
	candidates map[[2]string][]*histAgency
	anywhere   map[core.Need][]*histAgency
}

type histAgency struct {
	id         int64
	slug       string
	targetH    int
	acceptSelf bool
	advisers   []int64
	weight     float64 // more likely for the needs it offers the fewer it offers
}

const (
	sqlHistAgencies = `SELECT id, slug, ack_target_hours, accepts_self_referrals FROM agencies ORDER BY id`
	sqlHistServices = `
SELECT s.agency_id, s.needs, s.postcode_districts, s.council_areas FROM services s WHERE s.active ORDER BY s.id`
	sqlHistStaff     = `SELECT id, agency_id FROM staff WHERE deleted_at IS NULL AND role = 'adviser' ORDER BY id`
	sqlHistDistricts = `SELECT district, council_area, town FROM postcode_districts ORDER BY district`
	sqlHistLeaflets  = `SELECT code FROM leaflets ORDER BY code`
	sqlHistWording   = `SELECT w.version, w.sha256 FROM network_settings n JOIN consent_wordings w ON w.version = n.consent_version`
)

// loadHistNetwork reads agencies, their services, advisers, districts,
// leaflets and the consent wording.
func loadHistNetwork(ctx context.Context, pool *pgxpool.Pool) (*histNetwork, error) {
	n := &histNetwork{byID: map[int64]*histAgency{}, candidates: map[[2]string][]*histAgency{}, anywhere: map[core.Need][]*histAgency{}}
	rows, _ := pool.Query(ctx, sqlHistAgencies)
	var a histAgency
	if _, err := pgx.ForEachRow(rows, []any{&a.id, &a.slug, &a.targetH, &a.acceptSelf}, func() error {
		n.agencies = append(n.agencies, a)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read agencies: %w", err)
	}
	for i := range n.agencies {
		n.byID[n.agencies[i].id] = &n.agencies[i]
	}
	rows, _ = pool.Query(ctx, sqlHistDistricts)
	var d core.District
	if _, err := pgx.ForEachRow(rows, []any{&d.District, &d.CouncilArea, &d.Town}, func() error {
		n.districts = append(n.districts, d)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read postcode districts: %w", err)
	}
	if len(n.districts) == 0 {
		n.districts = districts
	}
	var resident []string
	for _, d := range n.districts {
		resident = append(resident, residentPostcodes(d.District)...)
	}
	areas, err := core.PostcodeAreas(ctx, pool, resident)
	if err != nil {
		return nil, err
	}
	n.areas = areas

	rows, _ = pool.Query(ctx, sqlHistStaff)
	var staffID, agencyID int64
	if _, err := pgx.ForEachRow(rows, []any{&staffID, &agencyID}, func() error {
		if a := n.byID[agencyID]; a != nil {
			a.advisers = append(a.advisers, staffID)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read staff: %w", err)
	}

	type service struct {
		agency            int64
		needs, dists, cas []string
	}
	var services []service
	rows, _ = pool.Query(ctx, sqlHistServices)
	var s service
	if _, err := pgx.ForEachRow(rows, []any{&s.agency, &s.needs, &s.dists, &s.cas}, func() error {
		services = append(services, s)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read services: %w", err)
	}
	// Only agencies with advisers take referrals: a coordinators' team
	// with a helpline in the directory is not where referrals go.
	services = slices.DeleteFunc(services, func(s service) bool { return len(n.byID[s.agency].advisers) == 0 })
	offers := map[int64]map[string]bool{}
	for _, s := range services {
		if offers[s.agency] == nil {
			offers[s.agency] = map[string]bool{}
		}
		for _, nd := range s.needs {
			offers[s.agency][nd] = true
		}
	}
	for id, needs := range offers {
		n.byID[id].weight = 1 / float64(len(needs))
	}
	for _, s := range services {
		a := n.byID[s.agency]
		for _, nd := range s.needs {
			if !slices.Contains(n.anywhere[core.Need(nd)], a) {
				n.anywhere[core.Need(nd)] = append(n.anywhere[core.Need(nd)], a)
			}
			for _, d := range n.districts {
				if slices.Contains(s.dists, d.District) || slices.Contains(s.cas, d.CouncilArea) {
					k := [2]string{nd, d.District}
					if !slices.Contains(n.candidates[k], a) {
						n.candidates[k] = append(n.candidates[k], a)
					}
				}
			}
		}
	}
	if len(n.anywhere) == 0 {
		return nil, fmt.Errorf("the network has no directory services to send referrals to")
	}

	for i := range n.agencies {
		if a := &n.agencies[i]; offers[a.id] != nil && len(a.advisers) > 0 {
			n.referrers = append(n.referrers, a)
		}
	}
	rows, _ = pool.Query(ctx, sqlHistLeaflets)
	var code string
	if _, err := pgx.ForEachRow(rows, []any{&code}, func() error {
		n.leaflets = append(n.leaflets, code)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read leaflets: %w", err)
	}
	if err := pool.QueryRow(ctx, sqlHistWording).Scan(&n.wording, &n.wordingHash); err != nil {
		return nil, fmt.Errorf("read the current consent wording: %w", err)
	}
	return n, nil
}

// pickAgency chooses among candidates, specialists more often, leaving out
// the agencies in exclude; nil when none is left.
func pickAgency(r interface{ Float64() float64 }, cands []*histAgency, exclude ...int64) *histAgency {
	total := 0.0
	for _, c := range cands {
		if !slices.Contains(exclude, c.id) {
			total += c.weight
		}
	}
	if total == 0 {
		return nil
	}
	x := r.Float64() * total
	for _, c := range cands {
		if slices.Contains(exclude, c.id) {
			continue
		}
		if x -= c.weight; x < 0 {
			return c
		}
	}
	for i := len(cands) - 1; i >= 0; i-- {
		if !slices.Contains(exclude, cands[i].id) {
			return cands[i]
		}
	}
	return nil
}

// selfCandidates are the candidates that take self-referrals.
func selfCandidates(cands []*histAgency) []*histAgency {
	var out []*histAgency
	for _, c := range cands {
		if c.acceptSelf {
			out = append(out, c)
		}
	}
	return out
}
