package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/onward-network/onward/core"
)

const auditUsage = `Usage: onward audit verify

Recompute the hash chain of the audit log and report the first broken link
(an altered, missing or reordered event). Exit 0 and a count when whole,
exit 1 when broken.
`

func init() {
	register(command{name: "audit", summary: "verify the audit log's hash chain", run: runAudit})
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit", auditUsage, stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "verify" {
		fmt.Fprint(stderr, auditUsage)
		return errors.New("say `onward audit verify`")
	}
	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	pool, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := core.VerifyAuditLog(ctx, pool)
	if err != nil {
		return err
	}
	if res.Break != nil {
		fmt.Fprintf(stdout, "audit log BROKEN after %d good events: %s\n", res.Events-1, res.Break.Error())
		return exitError(1)
	}
	fmt.Fprintf(stdout, "audit log whole: %d events in %d streams verified\n", res.Events, res.Streams)
	return nil
}
