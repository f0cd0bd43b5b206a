package api

import (
	"context"

	"github.com/onward-network/onward/core"
)

// fitJSON says, in the answer to a new referral, how the agency it was
// sent to fits it by the network's matching (core.Engine.Suggest): a
// referral is made to the agency named whatever the fit, so a partner
// whose client will wait (the agency at capacity) or who chose an agency
// outside the client's area learns it now, not from a rejection days
// later.
type fitJSON struct {
	// Suggested: matching would suggest this agency for the referral's
	// needs and area.
	Suggested bool `json:"suggested"`
	// OffersNeeds is false when the agency offers none of the needs.
	OffersNeeds bool `json:"offers_needs"`
	// Reasons and Why say why it was not suggested (at capacity, does
	// not serve the district), in English and as codes with their facts;
	// empty when it was.
	Reasons []string     `json:"reasons"`
	Why     []reasonJSON `json:"why"`
}

// fit reads how the agency a new referral went to fits it. A referral
// with no agency (sent to triage) has no fit.
func (a *API) fit(ctx context.Context, ref core.Referral) (*fitJSON, error) {
	if ref.ToAgencyID == nil {
		return nil, nil
	}
	m, err := a.engine.Suggest(ctx, core.MatchQuery{Needs: ref.Needs, District: ref.PostcodeDistrict})
	if err != nil {
		return nil, err
	}
	out := &fitJSON{Reasons: []string{}, Why: []reasonJSON{}}
	for _, s := range m.Suggestions {
		if s.Agency.ID == *ref.ToAgencyID {
			out.Suggested, out.OffersNeeds = true, true
			return out, nil
		}
	}
	for _, x := range m.Excluded {
		if x.Agency.ID == *ref.ToAgencyID {
			out.OffersNeeds, out.Reasons, out.Why = true, x.Reasons.Strings(), reasonsOut(x.Reasons)
			return out, nil
		}
	}
	return out, nil
}
