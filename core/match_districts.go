package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// DistrictsText names several postcode districts as one area, "KY1/KY2":
// how the directory writes a town that spans them. A slash needs no
// translating.
func DistrictsText(districts []string) string { return strings.Join(districts, "/") }

// SuggestInDistricts is Suggest for a place spread over several postcode
// districts, a town (Kirkcaldy is KY1 and KY2; DistrictPlaces): q's own
// District is not read. An agency is suggested when it fits in any of
// them, with the reasons and score of where it fits best, and left out
// only when it fits in none; "does not serve" then names every district
// (DistrictsText), and is dropped when it serves one of them but is left
// out for another reason. One district is Suggest's answer for it.
func (e *Engine) SuggestInDistricts(ctx context.Context, q MatchQuery, districts []string) (Match, error) {
	if len(districts) <= 1 {
		q.District = ""
		if len(districts) == 1 {
			q.District = districts[0]
		}
		return e.Suggest(ctx, q)
	}
	all, err := e.Districts(ctx)
	if err != nil {
		return Match{}, err
	}
	rows, err := e.pool.Query(ctx, sqlMatchServices, NeedStrings(q.Needs))
	if err != nil {
		return Match{}, fmt.Errorf("match services: %w", err)
	}
	fits, err := readFits(rows)
	if err != nil {
		return Match{}, err
	}

	var m Match
	suggested := map[AgencyID]int{} // index in m.Suggestions
	type leftOut struct {
		exclusion     Exclusion // as the first district left it out
		servedNowhere bool      // "does not serve" in every district so far
	}
	var order []AgencyID
	excluded := map[AgencyID]*leftOut{}
	for _, d := range districts {
		q.District = d
		r := rankFits(fits, q, all)
		for _, s := range r.Suggestions {
			i, seen := suggested[s.Agency.ID]
			switch {
			case !seen:
				suggested[s.Agency.ID] = len(m.Suggestions)
				m.Suggestions = append(m.Suggestions, s)
			case s.Score > m.Suggestions[i].Score:
				m.Suggestions[i] = s
			}
		}
		for _, x := range r.Excluded {
			notServed := slices.ContainsFunc(x.Reasons, func(r MatchReason) bool { return r.Kind == WhyNotServed })
			if l, seen := excluded[x.Agency.ID]; seen {
				l.servedNowhere = l.servedNowhere && notServed
				continue
			}
			order = append(order, x.Agency.ID)
			excluded[x.Agency.ID] = &leftOut{exclusion: x, servedNowhere: notServed}
		}
	}
	slices.SortStableFunc(m.Suggestions, bestFirst)
	area := DistrictsText(districts)
	for _, id := range order {
		if _, ok := suggested[id]; ok {
			continue // it fits in another of the districts
		}
		l := excluded[id]
		var reasons MatchReasons
		for _, r := range l.exclusion.Reasons {
			if r.Kind == WhyNotServed {
				if !l.servedNowhere {
					continue
				}
				r.Area = area
			}
			reasons = append(reasons, r)
		}
		m.Excluded = append(m.Excluded, Exclusion{Agency: l.exclusion.Agency, Reasons: reasons})
	}
	return m, nil
}
