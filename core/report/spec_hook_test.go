package report

import (
	"context"
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
)

// AddSpec adds a report named name for the length of a test, answered by
// run on the database a report reads (inside Run's snapshot), so tests
// can see what every report's queries see. It lives in a test file: only
// tests need it.
func AddSpec(t *testing.T, name string, run func(ctx context.Context, db core.DB) (Report, error)) {
	specs = append(specs, Spec{Name: name, Title: name, run: func(ctx context.Context, q *reportQuery) (Report, error) {
		return run(ctx, q.db)
	}})
	t.Cleanup(func() {
		specs = slices.DeleteFunc(specs, func(s Spec) bool { return s.Name == name })
	})
}
