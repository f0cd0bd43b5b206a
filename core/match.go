package core

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// MatchQuery is what a referral asks for.
type MatchQuery struct {
	Needs        []Need
	District     string // postcode district, "" when unknown
	Language     string // ISO 639-1, "" = any
	SelfReferral bool   // only agencies that accept self-referrals
	// Exclude are agencies the referral was already with (WhyTriedBefore).
	Exclude []AgencyID
	// Asking is the agency asking where to send a referral (the referring
	// adviser's, or the one redirecting it): it is neither suggested nor
	// listed as left out, since the referral is to go elsewhere.
	Asking AgencyID
	// Consent, when set, is the client's consent the referral would go
	// under: an agency it does not cover is not suggested but listed as
	// outside it (WhyNotConsented), since the move would be refused.
	Consent *Consent
}

// Suggestion is an agency that fits a referral, and why.
type Suggestion struct {
	Agency   Agency
	Services []Service
	Covers   []Need       // which of the asked needs it offers
	Reasons  MatchReasons // why: it offers debt, it serves KY1
	Score    int
}

// Exclusion is an agency that offers a need but was left out, and why.
type Exclusion struct {
	Agency  Agency
	Reasons MatchReasons // why not: at capacity (until a date), does not serve KY12
}

// Match is the ranked result of matching.
type Match struct {
	Suggestions []Suggestion
	Excluded    []Exclusion
}

// Clear reports whether one suggestion stands out: it covers every need
// asked for and ranks strictly above the next. Only then is a
// self-referral routed without a coordinator.
func (m Match) Clear(needs []Need) bool {
	if len(m.Suggestions) == 0 || len(m.Suggestions[0].Covers) < len(uniqueNeeds(needs)) {
		return false
	}
	return len(m.Suggestions) == 1 || m.Suggestions[0].Score > m.Suggestions[1].Score
}

const sqlMatchServices = `
SELECT ` + agencyColumnsPrefixed + `, s.id AS s_id, s.name AS s_name, s.description AS s_description,
       s.needs AS s_needs, s.eligibility AS s_eligibility, s.postcode_districts AS s_postcode_districts,
       s.council_areas AS s_council_areas, s.languages AS s_languages, s.opening_hours AS s_opening_hours,
       s.uuid::text AS s_uuid
FROM services s JOIN agencies a ON a.id = s.agency_id
WHERE s.active AND s.referable AND s.needs && $1 AND a.retired_at IS NULL
ORDER BY a.id, s.id`

const agencyColumnsPrefixed = `a.id, a.slug, a.name, a.description, a.phone, a.email, a.website, a.address,
a.slack_channel_id, a.at_capacity, a.capacity_note, a.ack_target_hours, a.accepts_self_referrals, a.created_at, a.capacity_until,
a.notify_email, a.email_staff`

// Score weights: covering needs matters most, then how closely the area
// fits, then language.
const (
	scorePerNeed      = 10
	scoreDistrictArea = 3
	scoreCouncilArea  = 1
	scoreLanguage     = 2
)

// Suggest ranks agencies for a referral. Every agency offering one of the
// needs is either suggested, with reasons, or excluded, with reasons.
func (e *Engine) Suggest(ctx context.Context, q MatchQuery) (Match, error) {
	districts, err := e.Districts(ctx)
	if err != nil {
		return Match{}, err
	}
	return e.suggest(ctx, e.pool, q, districts)
}

func (e *Engine) suggest(ctx context.Context, db DB, q MatchQuery, districts map[string]District) (Match, error) {
	rows, err := db.Query(ctx, sqlMatchServices, NeedStrings(q.Needs))
	if err != nil {
		return Match{}, fmt.Errorf("match services: %w", err)
	}
	fits, err := readFits(rows)
	if err != nil {
		return Match{}, err
	}
	return rankFits(fits, q, districts), nil
}

// queueSuggest queues the match query in b; m holds the ranking once b's
// results are read.
func queueSuggest(b *pgx.Batch, q MatchQuery, districts map[string]District, m *Match) {
	b.Queue(sqlMatchServices, NeedStrings(q.Needs)).Query(func(rows pgx.Rows) error {
		fits, err := readFits(rows)
		if err != nil {
			return err
		}
		*m = rankFits(fits, q, districts)
		return nil
	})
}

// agencyFit is an agency offering at least one of the needs, with its
// services that do.
type agencyFit struct {
	agency   Agency
	services []Service
}

// readFits reads the match query's rows, one per service, into agencies.
func readFits(rows pgx.Rows) ([]*agencyFit, error) {
	var fits []*agencyFit
	defer rows.Close()
	for rows.Next() {
		var a Agency
		var s Service
		if err := rows.Scan(&a.ID, &a.Slug, &a.Name, &a.Description, &a.Phone, &a.Email, &a.Website, &a.Address,
			&a.SlackChannelID, &a.AtCapacity, &a.CapacityNote, &a.AckTargetHours, &a.AcceptsSelfReferrals, &a.CreatedAt, &a.CapacityUntil,
			&a.NotifyEmail, &a.EmailStaff, &s.ID, &s.Name, &s.Description, &s.Needs, &s.Eligibility, &s.PostcodeDistricts, &s.CouncilAreas,
			&s.Languages, &s.OpeningHours, &s.UUID); err != nil {
			return nil, fmt.Errorf("match services: %w", err)
		}
		s.AgencyID, s.Active = a.ID, true
		if n := len(fits); n > 0 && fits[n-1].agency.ID == a.ID {
			fits[n-1].services = append(fits[n-1].services, s)
		} else {
			fits = append(fits, &agencyFit{agency: a, services: []Service{s}})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("match services: %w", err)
	}
	return fits, nil
}

// rankFits suggests or excludes each agency, with reasons, best first.
func rankFits(fits []*agencyFit, q MatchQuery, districts map[string]District) Match {
	council := districts[q.District].CouncilArea
	var m Match
	wanted := uniqueNeeds(q.Needs)
	for _, f := range fits {
		if q.Asking != 0 && f.agency.ID == q.Asking {
			continue
		}
		// Every reason an agency is left out is given, whichever page
		// asks: the redirect panel (with the client's consent) and the
		// refer-on form (whose consent is given with it) then agree on
		// what they share ("does not serve KY5"), and the first names
		// the consent besides.
		var why, whyNot MatchReasons
		if slices.Contains(q.Exclude, f.agency.ID) {
			whyNot = append(whyNot, MatchReason{Kind: WhyTriedBefore})
		}
		if q.Consent != nil && !q.Consent.Covers(f.agency.ID) {
			whyNot = append(whyNot, MatchReason{Kind: WhyNotConsented})
		}
		var covers []Need
		areaScore, lang := 0, false
		for _, s := range f.services {
			for _, n := range s.Needs {
				if slices.Contains(wanted, n) && !slices.Contains(covers, n) {
					covers = append(covers, n)
				}
			}
			switch {
			case q.District != "" && slices.Contains(s.PostcodeDistricts, q.District):
				areaScore = max(areaScore, scoreDistrictArea)
			case council != "" && slices.Contains(s.CouncilAreas, council):
				areaScore = max(areaScore, scoreCouncilArea)
			}
			if q.Language == "" || q.Language == "en" || slices.Contains(s.Languages, q.Language) {
				lang = true
			}
		}
		slices.SortFunc(covers, func(a, b Need) int { return slices.Index(Needs, a) - slices.Index(Needs, b) })
		for _, n := range covers {
			why = append(why, MatchReason{Kind: WhyOffers, Need: n})
		}
		switch {
		case areaScore == scoreDistrictArea:
			why = append(why, MatchReason{Kind: WhyServes, Area: q.District})
		case areaScore == scoreCouncilArea:
			why = append(why, MatchReason{Kind: WhyServes, Area: CouncilAreaName(council)})
		case q.District != "":
			whyNot = append(whyNot, MatchReason{Kind: WhyNotServed, Area: q.District})
		}
		if q.Language != "" && q.Language != "en" {
			if lang {
				why = append(why, MatchReason{Kind: WhySpeaks, Language: q.Language})
			} else {
				whyNot = append(whyNot, MatchReason{Kind: WhyNoLanguage, Language: q.Language})
			}
		}
		if f.agency.AtCapacity {
			// Not the capacity note: reasons reach the public directory,
			// and the note is for coordinators and staff. The date is
			// the one the agency published for the directory.
			whyNot = append(whyNot, MatchReason{Kind: WhyAtCapacity, Until: f.agency.CapacityUntil})
		}
		if q.SelfReferral && !f.agency.AcceptsSelfReferrals {
			whyNot = append(whyNot, MatchReason{Kind: WhyAgenciesOnly})
		}
		if len(whyNot) > 0 {
			m.Excluded = append(m.Excluded, Exclusion{Agency: f.agency, Reasons: whyNot})
			continue
		}
		score := len(covers)*scorePerNeed + areaScore
		if lang && q.Language != "" && q.Language != "en" {
			score += scoreLanguage
		}
		m.Suggestions = append(m.Suggestions, Suggestion{Agency: f.agency, Services: f.services, Covers: covers, Reasons: why, Score: score})
	}
	slices.SortStableFunc(m.Suggestions, bestFirst)
	return m
}

// bestFirst orders suggestions best first: by score, then by name.
func bestFirst(a, b Suggestion) int {
	return cmp.Or(b.Score-a.Score, cmp.Compare(a.Agency.Name, b.Agency.Name))
}

func uniqueNeeds(ns []Need) []Need {
	out := make([]Need, 0, len(ns))
	for _, n := range ns {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// languageName names a language code in English for staff ("pl" →
// "Polish"), from CLDR; a code CLDR does not know is shown as it is.
func languageName(code string) string {
	tag, err := language.Parse(code)
	if err != nil {
		return code
	}
	if n := display.English.Languages().Name(tag); n != "" {
		return n
	}
	return code
}
