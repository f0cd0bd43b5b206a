package main

import (
	"context"
	"time"
)

func init() {
	registerMount(mount{
		name:    "audit",
		reached: warnUnguardedAuditLog,
		job:     runCheckpointer,
	})
}

// warnUnguardedAuditLog says, once at start, when the server's database
// role could alter the audit log (it owns the table or is a superuser):
// fine on a developer's machine, not in production.
func warnUnguardedAuditLog(ctx context.Context, a *app) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ok, err := guardedAuditLog(ctx, a)
	if err != nil {
		a.log.Warn("cannot check who owns the audit log", "err", err)
		return
	}
	if !ok && !a.cfg.Dev() {
		a.log.Warn("the server's database role owns the audit log's table (or is a superuser), so it could switch the append-only guard off; " +
			"run migrations as a separate owner role with ONWARD_MIGRATE_DATABASE_URL (see the README's Data protection section)")
	}
}

// runCheckpointer signs a checkpoint of the audit log now and then every
// ONWARD_AUDIT_CHECKPOINT_EVERY until ctx ends. Several workers may run
// it: each checkpoint is written once.
func runCheckpointer(ctx context.Context, a *app) error {
	every := a.cfg.AuditCheckpointEvery
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		ak, err := auditKey(a.cfg)
		if err != nil {
			return err
		}
		cp, wrote, err := writeCheckpoint(ctx, a, ak)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			a.log.Error("audit checkpoint", "err", err)
		case wrote:
			a.log.Info("audit checkpoint signed", "checkpoint", cp.ID, "chains", len(cp.Heads))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
