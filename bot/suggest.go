package bot

import (
	"context"
	"slices"

	"github.com/onward-network/onward/core"
)

// redirectChoices are core's suggestions for where a referral could go
// when by redirects it, services that help in the client's language
// first: only agencies the client's consent covers, the others listed as
// outside it, since a redirect beyond the consent is refused. Left out
// are the agencies core.RedirectSuggests leaves out: the one it is with,
// the one that sent it, and a coordinator's own when another holds it.
func (b *Bot) redirectChoices(ctx context.Context, r core.Referral, by core.Actor) (core.Match, error) {
	var current core.AgencyID
	if r.ToAgencyID != nil {
		current = *r.ToAgencyID
	}
	c, err := b.engine.Consent(ctx, r.ConsentID)
	if err != nil {
		return core.Match{}, err
	}
	language, _, err := b.engine.ClientLanguage(ctx, r.ClientID)
	if err != nil {
		return core.Match{}, err
	}
	m, err := b.engine.Suggest(ctx, core.MatchQuery{Needs: r.Needs, District: r.PostcodeDistrict, Language: language, Asking: current, Consent: &c})
	if err != nil {
		return core.Match{}, err
	}
	m.Suggestions = slices.DeleteFunc(m.Suggestions, func(s core.Suggestion) bool { return !core.RedirectSuggests(r, by, s.Agency.ID) })
	m.Excluded = slices.DeleteFunc(m.Excluded, func(x core.Exclusion) bool { return !core.RedirectSuggests(r, by, x.Agency.ID) })
	return m, nil
}

// assignChoices are core's suggestions for a triage referral, services
// that help in the client's language first; a self-referral only goes to
// agencies that take them. What the crisis
// reasons say the client lacks today (no food) is matched too, and an
// agency that already turned this client's referral down is offered last,
// with why.
func (b *Bot) assignChoices(ctx context.Context, r core.Referral) (core.Match, error) {
	needs := r.Needs
	if r.Crisis {
		reasons, err := b.engine.ChainCrisisReasons(ctx, r.ID)
		if err != nil {
			return core.Match{}, err
		}
		needs = core.CrisisNeeds(needs, reasons)
	}
	language, _, err := b.engine.ClientLanguage(ctx, r.ClientID)
	if err != nil {
		return core.Match{}, err
	}
	m, err := b.engine.Suggest(ctx, core.MatchQuery{Needs: needs, District: r.PostcodeDistrict, Language: language, SelfReferral: r.SelfReferral()})
	if err != nil {
		return core.Match{}, err
	}
	rejected, err := b.rejectedBefore(ctx, r)
	if err != nil || len(rejected) == 0 {
		return m, err
	}
	var first, last []core.Suggestion
	for _, s := range m.Suggestions {
		if why, ok := rejected[s.Agency.ID]; ok {
			s.Reasons = append(slices.Clone(s.Reasons), why)
			last = append(last, s)
		} else {
			first = append(first, s)
		}
	}
	m.Suggestions = append(first, last...)
	return m, nil
}
