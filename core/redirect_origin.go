package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// RedirectOrigin is what the agency a referral was redirected to may know
// of the referral before it: which agency redirected it, and the words its
// adviser gave why. Nothing else of that referral (its reference, status,
// reason code, who held it, when) is theirs to see.
//
// Feedback speaks of the client's case, so it is personal data: the staff
// web shows it to those who may see the referral, and Slack only in the
// audited, ephemeral View details; a Slack card (channel history), an
// email and a log line never carry it (an email only says it was given).
type RedirectOrigin struct {
	// Agency is the agency that redirected the referral: that of the
	// member of staff who did it (a coordinator's own agency when a
	// coordinator did), else the agency that held it (a partner's system
	// acts for it).
	Agency string
	// Feedback is why, as the adviser wrote it; "" when they gave no
	// reason or the client's details were erased since.
	Feedback string
}

// sqlRedirectOrigin reads the origin of a referral ($1) made by a
// redirect: its parent was closed as redirected ($2, $3), and it was made
// by carrying that parent on (its creation event names the parent, $4),
// not by an adviser referring the client on later from the same parent.
const sqlRedirectOrigin = `
SELECT coalesce(sa.name, ha.name, ''), p.feedback
FROM referrals c
JOIN referrals p ON p.id = c.parent_id
LEFT JOIN staff s ON s.id = p.status_by
LEFT JOIN agencies sa ON sa.id = s.agency_id
LEFT JOIN agencies ha ON ha.id = p.to_agency_id
WHERE c.id = $1 AND p.status = $2 AND p.reason = $3
  AND EXISTS (SELECT 1 FROM events ev WHERE ev.referral_id = c.id AND ev.kind = $4
              AND ev.data->>'from_parent' = p.reference)`

// RedirectOrigin says where referral r was redirected from, and false
// when no agency redirected it to where it is: a first referral, one a
// coordinator assigned, one carried on from a rejected self-referral, or
// one an adviser referred on.
func (e *Engine) RedirectOrigin(ctx context.Context, r Referral) (RedirectOrigin, bool, error) {
	if r.ParentID == nil {
		return RedirectOrigin{}, false, nil
	}
	var o RedirectOrigin
	err := e.pool.QueryRow(ctx, sqlRedirectOrigin, r.ID, StatusRejected, ReasonRedirected, EventCreated).Scan(&o.Agency, &o.Feedback)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return RedirectOrigin{}, false, nil
	case err != nil:
		return RedirectOrigin{}, false, fmt.Errorf("where referral %d was redirected from: %w", r.ID, err)
	}
	return o, true, nil
}

// sqlRedirectedTo reads the agency a referral ($1) was last redirected to:
// the one its redirect event ($2, to status $3, action $4) names.
const sqlRedirectedTo = `
SELECT a.name
FROM events ev
JOIN agencies a ON a.id = (ev.data->>'to_agency_id')::bigint
WHERE ev.referral_id = $1 AND ev.kind = $2 AND ev.to_status = $3 AND ev.data->>'action' = $4
ORDER BY ev.id DESC
LIMIT 1`

// RedirectedTo names the agency referral r was redirected to, where the
// client's referral now sits, and false when r was not redirected. It is
// the one answer to "where did it go" that the referrer's email, their
// Slack notice and the staff web's card give; an agency's name is not
// personal data, so every one of them may carry it.
func (e *Engine) RedirectedTo(ctx context.Context, r Referral) (string, bool, error) {
	if r.Status != StatusRejected || r.Reason == nil || *r.Reason != ReasonRedirected {
		return "", false, nil
	}
	var name string
	err := e.pool.QueryRow(ctx, sqlRedirectedTo, r.ID, EventTransition, StatusRejected, string(ActionRedirect)).Scan(&name)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("where referral %d was redirected to: %w", r.ID, err)
	}
	return name, true, nil
}
