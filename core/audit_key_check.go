package core

import (
	"context"
	"errors"
	"fmt"
)

// ErrAuditKeyDiffers means the configured audit key signed none of the
// audit log's checkpoints: it is not the key the log was written with,
// and events chained with it would break the log for good.
var ErrAuditKeyDiffers = errors.New("the audit key signed none of the audit log's checkpoints")

// An AuditLogAlteredError says the configured key signed an earlier
// checkpoint but not the newest: the key is right, and something wrote
// to the log with another key (or altered it) since. `onward audit
// verify` says where.
type AuditLogAlteredError struct {
	Newest, LastSigned int64 // the newest checkpoint, and the newest the key signed
}

func (e *AuditLogAlteredError) Error() string {
	return fmt.Sprintf("the audit key signed checkpoint %d but not the newest, %d: the log was written with another key or altered since",
		e.LastSigned, e.Newest)
}

const sqlNewestCheckpoint = `
SELECT c.id, c.taken_at, c.last_event_id, c.prev_mac, c.mac, h.stream, h.length, h.head
FROM audit_checkpoints c LEFT JOIN audit_checkpoint_heads h ON h.checkpoint_id = c.id
WHERE c.id = (SELECT max(id) FROM audit_checkpoints)
ORDER BY h.stream`

// CheckAuditKey checks the engine's audit key against the log's
// checkpoints before a server writes events with it: nil when it signed
// the newest (or there is none yet); ErrAuditKeyDiffers when it signed
// none, a wrong key; an *AuditLogAlteredError when it signed an earlier
// one only. Only the newest is read, unless it does not match.
func (e *Engine) CheckAuditKey(ctx context.Context) error {
	key := e.auditKey()
	newest, err := readCheckpoints(ctx, e.pool, sqlNewestCheckpoint)
	if err != nil {
		return err
	}
	if len(newest) == 0 || newest[0].Signed(key) {
		return nil
	}
	all, err := readCheckpoints(ctx, e.pool, sqlCheckpoints)
	if err != nil {
		return err
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Signed(key) {
			return &AuditLogAlteredError{Newest: newest[0].ID, LastSigned: all[i].ID}
		}
	}
	return ErrAuditKeyDiffers
}
