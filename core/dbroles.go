package core

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// appendOnlyTables are the tables the server's role may read and append
// to but never change: the audit log and its checkpoints.
var appendOnlyTables = []string{"events", "audit_checkpoints", "audit_checkpoint_heads"}

// readOnlyTables are the schema's own bookkeeping, which the server only
// reads.
var readOnlyTables = []string{"audit_log_start", "audit_unkeyed_events", versionTable}

// GrantAppRole gives the server's database role what it needs and no
// more, when migrations run as a separate owner role
// (ONWARD_MIGRATE_DATABASE_URL): rows of the ordinary tables; only SELECT
// and INSERT on the audit log and its checkpoints; nothing it could use
// to drop the append-only triggers, which only the tables' owner can. It
// is run by `onward migrate` after each migration, so new tables are
// covered too.
func GrantAppRole(ctx context.Context, db DB, role string) error {
	r := pgx.Identifier{role}.Sanitize()
	stmts := []string{
		"GRANT USAGE ON SCHEMA public TO " + r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + r,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + r,
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO " + r,
	}
	for _, t := range appendOnlyTables {
		stmts = append(stmts, "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "+pgx.Identifier{t}.Sanitize()+" FROM "+r)
	}
	for _, t := range readOnlyTables {
		stmts = append(stmts, "REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "+pgx.Identifier{t}.Sanitize()+" FROM "+r)
	}
	for _, s := range stmts {
		if _, err := db.Exec(ctx, s); err != nil {
			return fmt.Errorf("grant the server's role %s: %s: %w", role, s, err)
		}
	}
	return nil
}

const sqlAuditLogGuarded = `
SELECT NOT (pg_has_role(current_user, c.relowner, 'USAGE') OR r.rolsuper)
FROM pg_class c, pg_roles r
WHERE c.oid = 'public.events'::regclass AND r.rolname = current_user`

// AuditLogGuarded reports whether this connection's role can neither
// alter the audit log's table nor switch its append-only triggers off:
// it neither owns the table nor is a superuser. The server warns when it
// is not, which is the single-role setup of development.
func AuditLogGuarded(ctx context.Context, db DB) (bool, error) {
	var ok bool
	if err := db.QueryRow(ctx, sqlAuditLogGuarded).Scan(&ok); err != nil {
		return false, fmt.Errorf("check the audit log's owner: %w", err)
	}
	return ok, nil
}
