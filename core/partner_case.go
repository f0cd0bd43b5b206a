package core

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// CaseOpenError refuses a partner's new referral for a case (its own
// case id) that already has a referral of the partner's open: a second
// would have the client contacted, and the agency work, twice. Reference
// names the open referral, for the partner's casework system to attach to
// instead. A case whose referrals are all closed may be referred again.
type CaseOpenError struct {
	Reference string
	Status    Status
}

func (e *CaseOpenError) Error() string {
	return fmt.Sprintf("this case already has a referral open, %s (%s), and nothing was made: follow that referral rather than "+
		"referring the client again, or cancel it first", e.Reference, e.Status)
}

// sqlOpenCaseReferral finds the newest open referral of a partner's case
// (sqlCaseChain: one it made, or one that carried it on).
const sqlOpenCaseReferral = sqlCaseChain + `
SELECT r.reference, r.status FROM chain JOIN referrals r ON r.id = chain.id
WHERE r.status = ANY($3::text[])
ORDER BY r.id DESC LIMIT 1`

// caseClaim is a partner's claim, in the transaction that makes a new
// referral, of the case (its own case id) the referral is for.
type caseClaim struct {
	partner PartnerID
	caseID  string
}

// newCaseClaim is the claim of a referral made with caseID, or nil when
// the partner gave none.
func newCaseClaim(partner PartnerID, caseID string) *caseClaim {
	caseID = strings.TrimSpace(caseID)
	if caseID == "" {
		return nil
	}
	return &caseClaim{partner: partner, caseID: caseID}
}

// lock queues, to travel with the transaction's next statement, a lock
// on the case held until the transaction ends. Two referrals of one case
// made at once would each miss the other in check, so the second waits
// for the first to commit, then sees it. (The open state lives in
// referrals, and follows the chain a redirect makes, so no unique index
// on partner_referrals can hold it.)
func (c *caseClaim) lock(ctx context.Context, tx pgx.Tx) error {
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended('onward.partner-case:' || $1::bigint || ':' || $2, 0))`, c.partner, c.caseID)
	return sendWithNext(ctx, tx, b)
}

// check refuses, with a *CaseOpenError, a new referral of a case the
// partner has one open for. It runs after lock, once the new referral is
// inserted, so a replay of the referral's key is answered as a replay.
func (c *caseClaim) check(ctx context.Context, tx pgx.Tx) error {
	var open CaseOpenError
	err := tx.QueryRow(ctx, sqlOpenCaseReferral, []string{c.caseID}, c.partner, openStatuses).Scan(&open.Reference, &open.Status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("open referral of a case of partner %d: %w", c.partner, err)
	}
	return &open
}
