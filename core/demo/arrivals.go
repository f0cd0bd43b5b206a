package demo

import (
	"fmt"
	"slices"

	"github.com/onward-network/onward/core"
)

// needWeight is how often each need is asked for.
var needWeight = []struct {
	need   core.Need
	weight int
}{
	{core.NeedDebt, 25}, {core.NeedBenefits, 20}, {core.NeedFood, 15}, {core.NeedFuel, 11}, {core.NeedHousing, 10},
	{core.NeedIncomeMax, 5}, {core.NeedHealth, 5}, {core.NeedEmployability, 4}, {core.NeedFamily, 4},
	{core.NeedEducation, 1}, {core.NeedOther, 2},
}

// companions are needs that often come together.
var companions = map[core.Need][]core.Need{
	core.NeedDebt:     {core.NeedBenefits, core.NeedIncomeMax, core.NeedHousing, core.NeedFuel},
	core.NeedBenefits: {core.NeedDebt, core.NeedIncomeMax},
	core.NeedFood:     {core.NeedFuel, core.NeedBenefits, core.NeedDebt},
	core.NeedFuel:     {core.NeedDebt, core.NeedFood},
	core.NeedHousing:  {core.NeedDebt, core.NeedBenefits},
	core.NeedHealth:   {core.NeedBenefits, core.NeedFamily},
	core.NeedFamily:   {core.NeedHousing, core.NeedBenefits},
}

func (s *sim) pickNeed() core.Need {
	total := 0
	for _, w := range needWeight {
		total += w.weight
	}
	n := s.rng.IntN(total)
	for _, w := range needWeight {
		n -= w.weight
		if n < 0 {
			return w.need
		}
	}
	return core.NeedDebt
}

// pickNeeds returns one need, or two that often go together.
func (s *sim) pickNeeds() []core.Need {
	first := s.pickNeed()
	needs := []core.Need{first}
	if c := companions[first]; len(c) > 0 && s.rng.Float64() < 0.3 {
		needs = append(needs, pickOne(s.rng, c))
	}
	return needs
}

// crisisNeeds are what a crisis is usually about.
var crisisNeeds = []core.Need{core.NeedFood, core.NeedFood, core.NeedFuel, core.NeedHousing, core.NeedFamily, core.NeedHealth}

// selfReferral is a client texting in or filling in the web form.
// needs, when given, are what the client asks for; else they are drawn.
func (s *sim) selfReferral(web, crisis bool, needs ...core.Need) error {
	p := s.people.pick()
	if !web && p.phone == "" {
		web = true // no mobile: they used the form
	}
	crisis = crisis || s.rng.Float64() < 0.07
	if len(needs) == 0 {
		needs = s.pickNeeds()
	}
	var reasons []string
	if crisis {
		needs = []core.Need{pickOne(s.rng, crisisNeeds)}
		reasons = []string{crisisReasons[needs[0]]}
	}
	s.n++
	in := core.SelfReferral{
		IdempotencyKey: fmt.Sprintf("demo-self-%d", s.n),
		Client:         p.details,
		Needs:          needs,
		Crisis:         crisis,
		CrisisReasons:  reasons,
		Source:         core.SourceSMS,
		Consent:        core.ConsentInput{WordingVersion: consentVersion, Channel: core.ChannelSMS, Evidence: s.messageSID()},
	}
	in.Client.Notes = pickOne(s.rng, notesByNeed[needs[0]])
	if web {
		in.Source, in.ConfirmBySMS = core.SourceWeb, p.phone != ""
		in.Consent.Channel, in.Consent.Evidence = core.ChannelWeb, fmt.Sprintf("web-form:%016x", s.rng.Uint64())
	}
	if (web && s.rng.Float64() < 0.4) || (!web && s.rng.Float64() < 0.08) {
		in.LeafletCode = pickOne(s.rng, s.net.leaflets)
	}
	res, err := s.eng.SelfRefer(s.ctx, in)
	if err != nil {
		return err
	}
	r := res.Referral
	s.phones[r.ID] = p.phone
	if p.phone != "" && !web {
		s.texts++
	}
	if p.phone != "" && !web && s.texts%60 == 30 {
		// Now and then a client calls the helpline a few days later to
		// withdraw consent.
		s.at(s.clientTime(24, 24*8), func() error { return s.withdraw(r.ClientID, p.phone) })
	}
	if res.Agency != nil {
		s.routed(r)
	} else {
		s.triage(r)
	}
	return nil
}

// messageSID is shaped like a Twilio message SID.
func (s *sim) messageSID() string {
	return fmt.Sprintf("SM%016x%016x", s.rng.Uint64(), s.rng.Uint64())
}

// referrerWeight is how often each agency refers clients on.
var referrerWeight = map[string]int{
	slugKirktonCAB: 4, slugDunmarnock: 2, slugStrathcraig: 1, slugWelfare: 2, slugMoneyAdvice: 2, slugHousing: 4,
	slugLochgairFood: 3, slugLarder: 1, slugCreditUnion: 1, slugWorkWise: 1, slugWarmHomes: 1, slugNHS: 3,
	slugMinds: 2, slugCarers: 1, slugHarbour: 2,
}

// staffReferral is an adviser referring a client on to a partner, with
// the client's agreement.
func (s *sim) staffReferral() error {
	slugs := make([]string, 0, len(referrerWeight))
	total := 0
	for _, a := range s.sortedAgencies() {
		if w := referrerWeight[a.Slug]; w > 0 {
			slugs = append(slugs, a.Slug)
			total += w
		}
	}
	n := s.rng.IntN(total)
	from := s.net.agencies[slugs[0]]
	for _, slug := range slugs {
		n -= referrerWeight[slug]
		if n < 0 {
			from = s.net.agencies[slug]
			break
		}
	}
	p := s.people.pick()
	needs := s.pickNeeds()
	district := p.details.District
	if pc, err := core.ParsePostcode(p.details.Postcode); err == nil {
		district = pc.District()
	}
	to, ok, err := s.target(needs, district, []core.AgencyID{from.ID})
	if err != nil || !ok {
		return err
	}
	by := s.adviser(from.ID)
	s.n++
	details := p.details
	details.Notes = pickOne(s.rng, notesByNeed[needs[0]])
	r, err := s.eng.StaffRefer(s.ctx, core.StaffReferral{
		IdempotencyKey: fmt.Sprintf("demo-staff-%d", s.n), By: by.Actor(), Client: details, Needs: needs,
		ToAgency: to, ConsentConfirmed: true, WordingVersion: consentVersion, Crisis: s.rng.Float64() < 0.03,
	})
	if err != nil {
		return err
	}
	s.phones[r.ID] = p.phone
	s.routed(r)
	return nil
}

// preferred are the agencies referrers choose for a need, with how
// often, before asking the matcher: staff send housing cases to Housing
// Options and benefit appeals to the council's welfare rights team even
// where a Citizens Advice would match as well.
var preferred = map[core.Need][]struct {
	slug   string
	chance float64
}{
	core.NeedHousing:  {{slugHousing, 0.75}},
	core.NeedBenefits: {{slugWelfare, 0.45}},
	core.NeedDebt:     {{slugMoneyAdvice, 0.25}, {slugCreditUnion, 0.08}},
	core.NeedHealth:   {{slugMinds, 0.4}},
}

// target chooses an agency for needs in a district as staff and
// coordinators would: now and then a preferred agency for the first need;
// otherwise the best match, now and then the second best. Agencies in
// exclude, the network team and agencies at capacity are left out.
func (s *sim) target(needs []core.Need, district string, exclude []core.AgencyID) (core.AgencyID, bool, error) {
	exclude = append(slices.Clone(exclude), s.net.team)
	for _, p := range preferred[needs[0]] {
		id := s.net.agencies[p.slug].ID
		if !slices.Contains(exclude, id) && !s.atCapacity[id] && s.rng.Float64() < p.chance {
			return id, true, nil
		}
	}
	for _, d := range []string{district, ""} { // then anywhere: a coordinator stretches a service
		m, err := s.eng.Suggest(s.ctx, core.MatchQuery{Needs: needs, District: d, Exclude: exclude})
		if err != nil {
			return 0, false, err
		}
		if len(m.Suggestions) == 0 {
			continue
		}
		if len(m.Suggestions) > 1 && s.rng.Float64() < 0.2 {
			return m.Suggestions[1].Agency.ID, true, nil
		}
		return m.Suggestions[0].Agency.ID, true, nil
	}
	return 0, false, nil
}

func (s *sim) sortedAgencies() []core.Agency {
	out := make([]core.Agency, 0, len(s.net.byID))
	for _, a := range s.net.byID {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b core.Agency) int { return int(a.ID - b.ID) })
	return out
}
