package report

// New demand is what the demand reports count — demand by postcode
// district and by need, seasonality, crisis referrals, self-referral
// sources: the new requests for help a network was asked for, as a funder
// reads them. This file is its one definition.
//
// A referral leg is new demand when someone chose to make it (legMade,
// see referrer.go):
//   - a client's first referral, whoever made it: the client's own text
//     or web form, an adviser, a partner system;
//   - a referral an agency makes with "Refer this client on" from one it
//     holds: a new referral, under the client's consent of its own,
//     usually for a need the first did not ask for (debt advice for a
//     client who came for food).
//
// A redirect, and Onward's re-route after an agency turns a self-referral
// down, are the same request moving to another agency: they are referral
// legs, which the partners and outcomes reports count, but not new
// demand. So the demand reports' total is the partners report's total
// less its rows of redirects and of re-routes.
//
// sqlNewDemand reads the leg as r and its parent as p (see referrer.go);
// the rollups' n_new counters are the legs for which it is true, and every
// demand report reads n_new.
var sqlNewDemand = "(" + sqlLegKind + " = '" + string(legMade) + "')"

// newDemandCounts says in plain words what a demand report counts and
// leaves out, for the line every report carries (Spec.Counts).
const newDemandCounts = "New requests for help made in these dates: each client's first referral, and each referral an agency made with “Refer this client on”. Redirects and Onward's re-routes after a rejection are the same request moving on and are not counted again; the partners and outcomes reports count them, so their totals are higher."
