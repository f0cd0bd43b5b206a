package core

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ReferralLinks tie a referral to the rest of its client's story, for a
// partner's casework system to file it without anyone typing it in again:
// the case it belongs to, and the referrals either side of it when one
// agency sent the client on to another (a redirect, or a referral turned
// down and referred on).
type ReferralLinks struct {
	// CaseID is the case id the partner gave when it made the referral. A
	// referral that carries another on keeps the case id of the first in
	// its chain, so the referral a redirect made belongs to the same case.
	// "" when no partner made the chain's first referral.
	CaseID string
	// From is the reference of the referral this one carries on, "" for
	// the first in its chain.
	From string
	// OnwardAs is the reference of the referral that carried this one on,
	// "" while nobody has sent the client on from it.
	OnwardAs string
}

// sqlReferralLinks reads the links of many referrals at once. The case id
// is the nearest one up the chain of parents (a partner's referral is
// always the first in its chain); the chain is bounded as the timeline's
// is. A referral carried on twice (a redirect undone and made again) is
// linked to the newer one.
const sqlReferralLinks = `
SELECT r.id,
       coalesce((SELECT p.reference FROM referrals p WHERE p.id = r.parent_id), ''),
       coalesce((SELECT c.reference FROM referrals c WHERE c.parent_id = r.id ORDER BY c.id DESC LIMIT 1), ''),
       coalesce((WITH RECURSIVE chain (id, parent_id, depth) AS (
                    SELECT r.id, r.parent_id, 0
                    UNION ALL
                    SELECT x.id, x.parent_id, chain.depth + 1
                    FROM referrals x JOIN chain ON x.id = chain.parent_id
                    WHERE chain.depth < 50)
                 SELECT pr.case_id FROM chain JOIN partner_referrals pr ON pr.referral_id = chain.id
                 ORDER BY chain.depth LIMIT 1), '')
FROM referrals r
WHERE r.id = ANY($1)`

// ReferralLinks returns the links of a page of referrals, in one query,
// keyed by referral. It reads the primary: a referral just carried on
// must show the referral that carried it.
func (e *Engine) ReferralLinks(ctx context.Context, rs []Referral) (map[ReferralID]ReferralLinks, error) {
	out := make(map[ReferralID]ReferralLinks, len(rs))
	if len(rs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = int64(r.ID)
	}
	rows, _ := e.pool.Query(ctx, sqlReferralLinks, ids)
	var (
		id int64
		l  ReferralLinks
	)
	_, err := pgx.ForEachRow(rows, []any{&id, &l.From, &l.OnwardAs, &l.CaseID}, func() error {
		out[ReferralID(id)] = l
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("links of %d referrals: %w", len(rs), err)
	}
	return out, nil
}

// ReferralLink is ReferralLinks for one referral.
func (e *Engine) ReferralLink(ctx context.Context, r Referral) (ReferralLinks, error) {
	ls, err := e.ReferralLinks(ctx, []Referral{r})
	if err != nil {
		return ReferralLinks{}, err
	}
	return ls[r.ID], nil
}

// sqlCaseChain is the referrals of one partner's cases: each referral
// the partner $2 made with one of the case ids ($1; any case id when
// NULL), and the referrals that carry it on, down the chain (bounded as
// sqlReferralLinks's is), stopping at one a partner made itself, which
// has its own case id. A case id is unique per partner, not across
// partners, so the partner is always given: another partner's case with
// the same id is never read (partner_referrals_case_idx serves the
// match). It is the inverse of ReferralLinks.CaseID; a query follows it,
// reading chain.
const sqlCaseChain = `
WITH RECURSIVE chain (id, depth) AS (
    SELECT referral_id, 0 FROM partner_referrals
    WHERE partner_id = $2 AND case_id <> '' AND ($1::text[] IS NULL OR case_id = ANY($1))
    UNION ALL
    SELECT x.id, chain.depth + 1
    FROM referrals x JOIN chain ON x.parent_id = chain.id
    WHERE chain.depth < 50
      AND NOT EXISTS (SELECT 1 FROM partner_referrals p WHERE p.referral_id = x.id))
`

// sqlCaseReferences lists the references of the referrals of a
// partner's cases (sqlCaseChain), oldest first.
const sqlCaseReferences = sqlCaseChain + `
SELECT r.reference FROM chain JOIN referrals r ON r.id = chain.id
ORDER BY r.id`

// CaseReferences returns the references of the referrals of the
// partner's cases with one of caseIDs (ReferralLinks.CaseID of a
// referral the partner made, or of one carrying it on). Only the
// partner's own case ids match: another partner may use the same ids for
// its own cases. A partner's search by case id passes them to
// ListVisibleReferrals, which still keeps only those it may see (a
// referral carried on to an agency it cannot see).
func (e *Engine) CaseReferences(ctx context.Context, partner PartnerID, caseIDs []string) ([]string, error) {
	if caseIDs == nil {
		caseIDs = []string{} // none; nil would be any
	}
	return e.caseReferences(ctx, partner, caseIDs)
}

// AnyCaseReferences returns the references of every referral of the
// partner's cases, whatever their case id, as CaseReferences does for
// some: FHIR's search for any identifier in the case id's system.
func (e *Engine) AnyCaseReferences(ctx context.Context, partner PartnerID) ([]string, error) {
	return e.caseReferences(ctx, partner, nil)
}

// caseReferences runs sqlCaseReferences for the partner's caseIDs, nil
// for any.
func (e *Engine) caseReferences(ctx context.Context, partner PartnerID, caseIDs []string) ([]string, error) {
	rows, _ := e.pool.Query(ctx, sqlCaseReferences, caseIDs, partner)
	refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("referrals of %d case ids of partner %d: %w", len(caseIDs), partner, err)
	}
	return refs, nil
}
