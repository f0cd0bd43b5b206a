package report

import (
	"fmt"
	"strings"

	"github.com/onward-network/onward/core"
)

// Who referred a referral leg: the one definition the rollups, the
// listings and every agency filter use.
//
// A leg is referred by whoever chose to make it:
//   - a referral an agency made (by its staff, or its casework system
//     through the partner API) is that agency's: its from_agency_id. So is
//     a referral its staff made to refer a client on from an earlier one;
//   - a referral no agency made is its source's: the client's own text or
//     web form, or a partner system acting for no agency;
//   - when an agency redirects a referral it holds, the new leg is that
//     agency's choice of where the client goes: it is the redirecting
//     agency's referral, told apart from the ones it made itself
//     (legRedirected);
//   - when an agency turns a self-referral down, Onward itself carries the
//     client on, to the next suggestion or back to triage: that leg is
//     nobody's referral, least of all the agency's that turned the client
//     down, and counts as re-routed by Onward (legRerouted).
//
// Onward carries a client on under the consent they gave for the referral
// turned down (core's referOn), whereas a referral staff make records a
// consent of its own; so a leg with its parent's consent is one Onward
// made when the parent was redirected or turned down, and the parent's
// reason says which.
//
// The fragments read the leg as r and its parent as p:
//
//	FROM referrals r LEFT JOIN referrals p ON p.id = r.parent_id

// legKind is how a referral leg came about: the rollups' leg_kind
// (migration 034), a dimension of its own beside source, which only ever
// holds where the referral came from (core.Source).
type legKind string

// How a leg came about.
const (
	// legMade is a leg its referrer made: a new request for help, or a
	// referral an agency's staff made on from an earlier one.
	legMade legKind = "made"
	// legRedirected is a leg Onward made when an agency redirected its
	// parent: the redirecting agency's referral.
	legRedirected legKind = "redirected"
	// legRerouted is a leg Onward made when an agency turned its parent
	// down: nobody's referral.
	legRerouted legKind = "rerouted"
)

// sqlLegRedirected and sqlLegRerouted are true for a leg Onward made when
// its parent was redirected, or turned down (see above).
const (
	sqlLegRedirected = `(p.consent_id = r.consent_id AND p.reason = 'redirected')`
	sqlLegRerouted   = `(p.consent_id = r.consent_id AND p.reason IS DISTINCT FROM 'redirected')`
)

// sqlLegReferrer is the agency that referred leg r, NULL when none did:
// the agency that redirected it, none for a leg Onward re-routed, else the
// agency that made it.
const sqlLegReferrer = `(CASE WHEN ` + sqlLegRedirected + ` THEN p.to_agency_id WHEN ` + sqlLegRerouted +
	` THEN NULL ELSE r.from_agency_id END)`

// sqlLegKind is how leg r came about: legRedirected, legRerouted, or
// legMade for a leg someone made.
var sqlLegKind = fmt.Sprintf(`(CASE WHEN %s THEN '%s' WHEN %s THEN '%s' ELSE '%s' END)`,
	sqlLegRedirected, legRedirected, sqlLegRerouted, legRerouted, legMade)

// sqlLegReferredBy is true when agency $n referred leg r.
func sqlLegReferredBy(n int) string { return fmt.Sprintf("%s = $%d", sqlLegReferrer, n) }

// referrerKey is who referred a leg, as the reports list referrers: an
// agency, for the referrals it made (legMade) and apart from those for
// its redirects (legRedirected); or, for legs no agency referred, where
// they came from (source) when someone made them, and Onward's re-routes
// (legRerouted) as one referrer whatever their source.
type referrerKey struct {
	agency core.AgencyID
	leg    legKind
	source core.Source
}

// referrerOf keys a rollup row's from_agency, leg_kind and source: an
// agency's own referrals are one row whatever their source, and so are
// its redirects, and Onward's re-routes.
func referrerOf(agency core.AgencyID, leg legKind, source core.Source) referrerKey {
	if agency != 0 || leg != legMade {
		source = ""
	}
	return referrerKey{agency: agency, leg: leg, source: source}
}

// referrerName names a referrer as a report's row does.
func (q *reportQuery) referrerName(k referrerKey) string {
	switch {
	case k.agency == 0 && k.leg == legMade:
		return referrerLabel(k.source)
	case k.agency == 0 && k.leg == legRerouted:
		return "Re-routed by Onward after a rejection"
	case k.agency == 0:
		return fmt.Sprintf("Other (%s)", k.leg)
	case k.leg == legRedirected:
		return q.agencyName(k.agency) + " (redirects)"
	}
	return q.agencyName(k.agency)
}

// referrerLess orders referrers as a report lists them: agencies by name,
// each one's redirects after its own referrals, and the legs no agency
// referred before them (sourcesFirst) or after.
func (q *reportQuery) referrerLess(a, b referrerKey, sourcesFirst bool) int {
	first := 1
	if sourcesFirst {
		first = -1
	}
	switch {
	case a.agency == 0 && b.agency == 0:
		if d := unreferredOrder(a) - unreferredOrder(b); d != 0 {
			return d
		}
		return strings.Compare(string(a.source), string(b.source))
	case a.agency == 0:
		return first
	case b.agency == 0:
		return -first
	case a.agency != b.agency:
		return q.agencyLess(a.agency, b.agency)
	}
	return legOrder(a.leg) - legOrder(b.leg)
}

// legOrder orders how legs came about: made, redirected, re-routed.
func legOrder(l legKind) int {
	switch l {
	case legMade:
		return 0
	case legRedirected:
		return 1
	case legRerouted:
		return 2
	}
	return 3
}

// unreferredOrder orders the legs no agency referred: the clients' own
// first, then partner systems and staff, then Onward's re-routes, then
// anything else.
func unreferredOrder(k referrerKey) int {
	switch {
	case k.leg == legRerouted:
		return 4
	case k.leg != legMade:
		return 6
	}
	switch k.source {
	case core.SourceSMS:
		return 0
	case core.SourceWeb:
		return 1
	case core.SourceAPI:
		return 2
	case core.SourceStaff:
		return 3
	}
	return 5
}

// referrerLabel names where a leg someone made, but no agency, came from.
func referrerLabel(s core.Source) string {
	switch s {
	case core.SourceSMS:
		return "Self-referral (SMS)"
	case core.SourceWeb:
		return "Self-referral (web)"
	case core.SourceAPI:
		return "Partner system (API)"
	case core.SourceStaff:
		return "Staff (no agency recorded)"
	}
	return fmt.Sprintf("Other (%s)", s)
}
