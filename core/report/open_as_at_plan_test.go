package report

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core/coretest"
)

// TestOpenSpanIsIndexed: the open-as-at report finds the referrals open at
// a moment by migration 054's index, whose expression sqlOpenSpan must
// repeat exactly; were they to drift apart, the report would read every
// referral ever made.
func TestOpenSpanIsIndexed(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, env.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "EXPLAIN "+sqlOpenCandidates+" SELECT count(*) FROM open", time.Now(), 10)
		plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if p := strings.Join(plan, "\n"); !strings.Contains(p, "referrals_open_span_idx") {
			t.Errorf("the referrals open at a moment are not found by their index:\n%s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
