package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

const auditUsage = `Usage: onward audit verify [--checkpoint FILE]...
       onward audit checkpoint [--out FILE]

verify recomputes every hash chain of the audit log with ONWARD_AUDIT_KEY
and checks the chains against the signed checkpoints the worker keeps (and
any checkpoint FILE kept elsewhere). It names the chain of every problem:
an altered or missing event, a deleted tail, a deleted chain, a chain
rewritten and rehashed, a checkpoint altered. Exit 0 and a count when
whole, exit 1 when not.

checkpoint signs a checkpoint now (the worker also does, every
ONWARD_AUDIT_CHECKPOINT_EVERY). With --out it also writes one covering
every chain to FILE, to keep off this machine; give it to verify later.

Flags:
`

func init() {
	register(command{name: "audit", summary: "verify the audit log's hash chains and checkpoints; write a checkpoint", run: runAudit})
}

// files collects repeated --checkpoint flags.
type files []string

func (f *files) String() string     { return fmt.Sprint(*f) }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// Each verb's flags are listed with its own --help (`onward audit
	// verify --help`), not under an empty "Flags:" here.
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprint(stdout, strings.TrimSuffix(auditUsage, "Flags:\n"))
		return flag.ErrHelp
	}
	if len(args) == 0 || (args[0] != "verify" && args[0] != "checkpoint") {
		fmt.Fprint(stderr, strings.TrimSuffix(auditUsage, "Flags:\n"))
		return errors.New("say `onward audit verify` or `onward audit checkpoint`")
	}
	verb := args[0]
	fs := newFlags("audit "+verb, auditUsage, stdout, stderr)
	var cps files
	out := ""
	if verb == "verify" {
		fs.Var(&cps, "checkpoint", "also check against this checkpoint `FILE` (repeatable)")
	} else {
		fs.StringVar(&out, "out", "", "also write a checkpoint of every chain to `FILE`")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, auditUsage)
		return fmt.Errorf("unexpected %q", fs.Arg(0))
	}
	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	key, err := auditKey(cfg)
	if err != nil {
		return err
	}
	pool, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	// A key that signed none of the checkpoints is the wrong key, not a
	// log tampered with: said as such, before a verify would call every
	// chain broken or a checkpoint would be signed with it.
	eng, err := newEngine(cfg, pool, nil, newLogger(cfg))
	if err != nil {
		return err
	}
	defer eng.Close()
	if err := eng.CheckAuditKey(ctx); errors.Is(err, core.ErrAuditKeyDiffers) {
		return errAuditKeyDiffers
	} else if err != nil && !errors.As(err, new(*core.AuditLogAlteredError)) {
		return err
	}

	if verb == "checkpoint" {
		now := time.Now()
		cp, wrote, err := core.WriteCheckpoint(ctx, pool, key, now)
		if err != nil {
			return err
		}
		if wrote {
			fmt.Fprintf(stdout, "checkpoint %d signed: %d chains grew since the last one\n", cp.ID, len(cp.Heads))
		} else {
			fmt.Fprintln(stdout, "no events since the last checkpoint")
		}
		if out == "" {
			return nil
		}
		full, err := core.FullCheckpoint(ctx, pool, key, now)
		if err != nil {
			return err
		}
		b, err := json.MarshalIndent(full, "", " ")
		if err != nil {
			return fmt.Errorf("encode checkpoint: %w", err)
		}
		if err := os.WriteFile(out, append(b, '\n'), 0o600); err != nil {
			return fmt.Errorf("write checkpoint: %w", err)
		}
		fmt.Fprintf(stdout, "checkpoint of %d chains written to %s: keep it off this machine\n", len(full.Heads), out)
		return nil
	}

	opts := []core.VerifyOption{core.WithAuditKey(key)}
	for _, f := range cps {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("checkpoint file: %w", err)
		}
		cp, err := core.ReadCheckpointFile(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		opts = append(opts, core.WithCheckpoint(cp))
	}
	res, err := core.VerifyAuditLog(ctx, pool, opts...)
	if err != nil {
		return err
	}
	if res.Break != nil {
		fmt.Fprintf(stdout, "audit log BROKEN: %d problems in %d events, %d chains, %d checkpoints\n", len(res.Problems), res.Events, res.Streams, res.Checkpoints)
		for _, p := range res.Problems {
			fmt.Fprintln(stdout, "  "+p.Error())
		}
		return exitError(1)
	}
	fmt.Fprintf(stdout, "audit log whole: %d events in %d chains verified against %d checkpoints\n", res.Events, res.Streams, res.Checkpoints+len(cps))
	return nil
}
