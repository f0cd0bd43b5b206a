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

// auditUsage is the command's help, with core's list of the kinds of
// event the search finds.
func auditUsage() string {
	var kinds strings.Builder
	for _, k := range core.AuditKinds() {
		fmt.Fprintf(&kinds, "    %-20s %s\n", k.Code, k.Label)
	}
	return `Usage: onward audit verify [--checkpoint FILE]...
       onward audit checkpoint [--out FILE]
       onward audit search --by EMAIL [--staff EMAIL] [--agency SLUG] [--partner ID]
                           [--kind KIND] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                           [--limit N] [--after CURSOR] [--csv]

verify recomputes every hash chain of the audit log with ONWARD_AUDIT_KEY
and checks the chains against the signed checkpoints the worker keeps (and
any checkpoint FILE kept elsewhere). It names the chain of every problem:
an altered or missing event, a deleted tail, a deleted chain, a chain
rewritten and rehashed, a checkpoint altered. Exit 0 and a count when
whole, exit 1 when not.

checkpoint signs a checkpoint now (the worker also does, every
ONWARD_AUDIT_CHECKPOINT_EVERY). With --out it also writes one covering
every chain to FILE, to keep off this machine; give it to verify later.

search reads the audit log, newest first, for the network's data
protection officer: who saw which client's details (by referral
reference, never the client's name or contact details), who was refused,
consents, exports, erasures, changes to staff and partner systems. Only a
coordinator or admin may search (--by, whom the log names: every search
is itself recorded). --staff finds what a member of staff did (by email,
a former one too), --agency what was done for an agency (by its staff or
its partner systems), --partner what a partner system did (onward partner
list shows the ids); --from and --to are days in the network's time zone,
both included. It prints --limit events (50) and, when there are more,
the --after to add for the older ones; with --kind consent-given it also
counts the consents by wording version. --csv writes every event of the
search as CSV instead.

Kinds (--kind):
` + kinds.String() + `
Flags:
`
}

func init() {
	register(command{name: "audit", subs: []string{"verify", "checkpoint", "search"}, summary: "verify the audit log's hash chains and checkpoints; write a checkpoint; search the log", run: runAudit})
}

// files collects repeated --checkpoint flags.
type files []string

func (f *files) String() string     { return fmt.Sprint(*f) }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// Each verb's flags are listed with its own --help (`onward audit
	// verify --help`), not under an empty "Flags:" here.
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprint(stdout, strings.TrimSuffix(auditUsage(), "Flags:\n"))
		return flag.ErrHelp
	}
	if len(args) == 0 || (args[0] != "verify" && args[0] != "checkpoint" && args[0] != "search") {
		fmt.Fprint(stderr, strings.TrimSuffix(auditUsage(), "Flags:\n"))
		return errors.New("say `onward audit verify`, `onward audit checkpoint` or `onward audit search`")
	}
	verb := args[0]
	fs := newFlags("audit "+verb, auditUsage(), stdout, stderr)
	var (
		cps    files
		out    string
		search auditSearchFlags
	)
	switch verb {
	case "verify":
		fs.Var(&cps, "checkpoint", "also check against this checkpoint `FILE` (repeatable)")
	case "checkpoint":
		fs.StringVar(&out, "out", "", "also write a checkpoint of every chain to `FILE`")
	case "search":
		search.define(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return strayWords("audit "+verb, fs.Args())
	}
	if verb == "search" && search.by == "" {
		return errors.New("say who is searching: onward audit search --by EMAIL (a coordinator's or admin's, for the audit log)")
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

	if verb == "search" {
		return search.run(ctx, eng, stdout)
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
