package main

import (
	"context"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

// auditKey is the deployment's ONWARD_AUDIT_KEY for core; the zero key
// (core's stand-in) when it is not set, which only dev allows.
func auditKey(cfg config.Config) (core.AuditKey, error) {
	b, err := cfg.AuditKeyBytes()
	if err != nil || b == nil {
		return core.AuditKey{}, err
	}
	return core.NewAuditKey(b), nil
}

// configureEngine gives an engine the settings every command's engine
// shares: the audit key its events are chained with, and the daily cap on
// texts the web form can cause to one number.
func configureEngine(eng *core.Engine, cfg config.Config) error {
	k, err := auditKey(cfg)
	if err != nil {
		return err
	}
	eng.UseAuditKey(k)
	eng.SetWebTextsPerDay(cfg.WebTextsPerNumberDaily)
	return nil
}

// guardedAuditLog reports whether the server's role can neither alter the
// audit log nor switch its guards off.
func guardedAuditLog(ctx context.Context, a *app) (bool, error) {
	return core.AuditLogGuarded(ctx, a.pool)
}

// writeCheckpoint signs a checkpoint of every chain that grew.
func writeCheckpoint(ctx context.Context, a *app, k core.AuditKey) (core.Checkpoint, bool, error) {
	return core.WriteCheckpoint(ctx, a.pool, k, a.engine.Clock().Now())
}
