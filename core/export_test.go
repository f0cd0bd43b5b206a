package core

import "context"

// Unexported helpers the external tests drive directly.
var (
	InPipelinedTx = inPipelinedTx
	SendWithNext  = sendWithNext
)

// AuditPageSQL is the query of a page of the audit search and its
// parameters, for a test to EXPLAIN.
func (e *Engine) AuditPageSQL(ctx context.Context, q AuditQuery) (string, []any, error) {
	f, err := e.auditFilter(ctx, q)
	if err != nil {
		return "", nil, err
	}
	sql, args := f.pageSQL()
	return sql, args, nil
}
