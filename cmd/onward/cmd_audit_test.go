package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// TestAuditVerifyCommandNamesTheChain: `onward audit verify` exits 1 and
// names the chain when a chain's tail is deleted after a checkpoint, and
// a checkpoint file kept elsewhere still catches it when the stored
// checkpoints are deleted too.
func TestAuditVerifyCommandNamesTheChain(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	key := config.NewKey()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	t.Setenv("ONWARD_AUDIT_KEY", key)
	// Events written from now on use the deployment's key, as the server's would.
	cfg, _ := config.Load(func(k string) string { return map[string]string{"ONWARD_AUDIT_KEY": key}[k] })
	if err := configureEngine(env.Engine, cfg); err != nil {
		t.Fatal(err)
	}
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("audit-cmd"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionAccept, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	stream := fmt.Sprintf("referral:%d", res.Referral.ID)
	// The seeded network's events were chained with the stand-in key; a
	// deployment's log is chained with one key from the start.
	mustExecCmd(t, env.Pool, "ALTER TABLE events DISABLE TRIGGER events_no_update")
	mustExecCmd(t, env.Pool, "DELETE FROM events WHERE stream <> $1", stream)

	file := filepath.Join(t.TempDir(), "checkpoint.json")
	var out bytes.Buffer
	if err := runAudit(ctx, []string{"checkpoint", "--out", file}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "checkpoint 1 signed") {
		t.Fatalf("audit checkpoint = %v:\n%s", err, out.String())
	}
	out.Reset()
	if err := runAudit(ctx, []string{"verify", "--checkpoint", file}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "audit log whole") {
		t.Fatalf("verify untouched = %v:\n%s", err, out.String())
	}

	mustExecCmd(t, env.Pool, "ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update")
	mustExecCmd(t, env.Pool, "ALTER TABLE audit_checkpoint_heads DISABLE TRIGGER audit_checkpoint_heads_no_update")
	mustExecCmd(t, env.Pool, `DELETE FROM events WHERE stream = $1 AND stream_seq > 1`, stream)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"stored checkpoint", []string{"verify"}},
		{"checkpoint file", []string{"verify", "--checkpoint", file}},
	} {
		out.Reset()
		err := runAudit(ctx, c.args, &out, io.Discard)
		var ex exitError
		if !errors.As(err, &ex) || ex != 1 || !strings.Contains(out.String(), "chain "+stream) || !strings.Contains(out.String(), "tail was deleted") {
			t.Errorf("%s: verify = %v:\n%s\nwant exit 1 naming %s", c.name, err, out.String(), stream)
		}
		if c.name == "stored checkpoint" {
			mustExecCmd(t, env.Pool, "DELETE FROM audit_checkpoint_heads")
			mustExecCmd(t, env.Pool, "DELETE FROM audit_checkpoints")
		}
	}
}

// TestServerRoleCannotAlterTheAuditLog runs `onward migrate` with a
// separate owner URL and the server's URL naming a role of its own; that
// role can do the server's work and write checkpoints, but cannot delete
// events or switch the append-only guard off.
func TestServerRoleCannotAlterTheAuditLog(t *testing.T) {
	ctx := context.Background()
	ownerURL := coretest.NewDatabase(t)
	owner, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	role, password := "onward_app_"+hex.EncodeToString(b), hex.EncodeToString(b)+"-pw"
	mustExecCmd(t, owner, "CREATE ROLE "+role+" LOGIN PASSWORD '"+password+"'")
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), coretest.AdminURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		// The test database is dropped by then; the role owns nothing else.
		_, _ = c.Exec(context.Background(), "DROP ROLE IF EXISTS "+role)
	})
	t.Cleanup(func() { _, _ = owner.Exec(context.Background(), "DROP OWNED BY "+role) })
	u, _ := url.Parse(ownerURL)
	u.User = url.UserPassword(role, password)
	appURL := u.String()

	t.Setenv("ONWARD_MIGRATE_DATABASE_URL", ownerURL)
	t.Setenv("ONWARD_DATABASE_URL", appURL)
	var out bytes.Buffer
	if err := runMigrate(ctx, nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), role+" may read and append") {
		t.Fatalf("migrate = %v:\n%s", err, out.String())
	}

	app, err := pgxpool.New(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	eng, _, _, _ := coretest.NewEngine(t, app)
	coretest.Seed(t, eng, app)
	if _, err := eng.SelfRefer(ctx, coretest.SelfReferral("role-split")); err != nil {
		t.Fatalf("the server's role cannot make a referral: %v", err)
	}
	if _, ok, err := core.WriteCheckpoint(ctx, app, core.AuditKey{}, eng.Clock().Now()); err != nil || !ok {
		t.Fatalf("the server's role cannot write a checkpoint: %v, %v", ok, err)
	}
	if res, err := core.VerifyAuditLog(ctx, app); err != nil || res.Break != nil {
		t.Fatalf("verify as the server's role = %+v, %v", res, err)
	}
	if ok, err := core.AuditLogGuarded(ctx, app); err != nil || !ok {
		t.Errorf("AuditLogGuarded for the server's role = %v, %v; want true", ok, err)
	}
	if ok, err := core.AuditLogGuarded(ctx, owner); err != nil || ok {
		t.Errorf("AuditLogGuarded for the owner = %v, %v; want false", ok, err)
	}
	for _, stmt := range []string{
		"DELETE FROM events",
		"UPDATE events SET kind = 'x'",
		"TRUNCATE events CASCADE",
		"ALTER TABLE events DISABLE TRIGGER events_no_update",
		"DROP TRIGGER events_no_update ON events",
		"DELETE FROM audit_checkpoints",
		"ALTER TABLE audit_checkpoint_heads DISABLE TRIGGER ALL",
		"UPDATE audit_log_start SET keyed_from = 0",
	} {
		_, err := app.Exec(ctx, stmt)
		if err == nil || !(strings.Contains(err.Error(), "permission denied") || strings.Contains(err.Error(), "must be owner")) {
			t.Errorf("as the server's role, %s: %v; want permission refused", stmt, err)
		}
	}
}

func mustExecCmd(t *testing.T, db *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := db.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// An on-call review: `onward audit verify` with another key than the
// log's said the log was BROKEN, 55 problems and a forged checkpoint. A
// key that signed none of the checkpoints is named as the wrong key, as
// serve and the worker name it, and `audit checkpoint` signs nothing
// with it.
func TestAuditCommandsNameTheWrongKey(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	t.Setenv("ONWARD_DATABASE_URL", env.URL)
	key := config.NewKey()
	t.Setenv("ONWARD_AUDIT_KEY", key)
	cfg, _ := config.Load(func(k string) string { return map[string]string{"ONWARD_AUDIT_KEY": key}[k] })
	if err := configureEngine(env.Engine, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("audit-wrong-key")); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runAudit(ctx, []string{"checkpoint"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "signed") {
		t.Fatalf("checkpoint with the log's key: %v %s", err, out.String())
	}
	before := coretest.CountRows(t, env.Pool, "audit_checkpoints")
	t.Setenv("ONWARD_AUDIT_KEY", config.NewKey())
	for _, verb := range []string{"verify", "checkpoint"} {
		var out bytes.Buffer
		err := runAudit(ctx, []string{verb}, &out, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "ONWARD_AUDIT_KEY is not the key this database's audit log was written with") ||
			strings.Contains(out.String(), "BROKEN") {
			t.Errorf("audit %s with another key: %v\n%s\nwant the key named as wrong, and no verdict on the log", verb, err, out.String())
		}
	}
	if n := coretest.CountRows(t, env.Pool, "audit_checkpoints"); n != before {
		t.Errorf("%d checkpoints after a checkpoint with the wrong key, want %d", n, before)
	}
}
