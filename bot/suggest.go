package bot

import (
	"context"
	"slices"

	"github.com/onward-network/onward/core"
)

// redirectChoices are core's suggestions for where a referral could go
// instead of the agency it is with (which is left out of the list).
func (b *Bot) redirectChoices(ctx context.Context, r core.Referral) (core.Match, error) {
	var current core.AgencyID
	if r.ToAgencyID != nil {
		current = *r.ToAgencyID
	}
	m, err := b.engine.Suggest(ctx, core.MatchQuery{Needs: r.Needs, District: r.PostcodeDistrict, Exclude: []core.AgencyID{current}})
	if err != nil {
		return core.Match{}, err
	}
	m.Excluded = slices.DeleteFunc(m.Excluded, func(e core.Exclusion) bool { return e.Agency.ID == current })
	return m, nil
}

// assignChoices are core's suggestions for a triage referral; a
// self-referral only goes to agencies that take them.
func (b *Bot) assignChoices(ctx context.Context, r core.Referral) (core.Match, error) {
	return b.engine.Suggest(ctx, core.MatchQuery{Needs: r.Needs, District: r.PostcodeDistrict, SelfReferral: r.SelfReferral()})
}
