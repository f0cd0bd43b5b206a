package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/onward-network/onward/core"
)

const keysUsage = `Usage:
  onward keys hash-key                       print the phone lookup hash key in use (for ONWARD_HASH_KEY)
  onward keys rotate [--dry-run] [--batch N] re-seal stored values under the current encryption key

To rotate the encryption key:
  1. If ONWARD_HASH_KEY is not set, run ` + "`onward keys hash-key`" + ` with the current
     key and set ONWARD_HASH_KEY to what it prints (phone lookups must not
     change with the key).
  2. Set ONWARD_ENCRYPTION_KEY to a new key (` + "`onward keygen`" + `) and put the old
     one in ONWARD_ENCRYPTION_OLD_KEYS; restart serve and worker.
  3. Run ` + "`onward keys rotate`" + `: each client's data key is re-wrapped, and
     one-time phone codes and webhook secrets re-sealed, under the new key,
     in batches of --batch rows, one transaction each. Stopped part way, run
     it again: it carries on where it stopped. Run twice, the second run
     re-seals nothing.
     Each run that re-seals rows is recorded in the audit log (rows per
     table and the new key's id; never a key).
  4. Keep the old key in ONWARD_ENCRYPTION_OLD_KEYS for a day (conversations,
     web sessions and queued messages in Redis and the outbox were sealed
     under it), then remove it.
`

func init() {
	register(command{name: "keys", subs: []string{"hash-key", "rotate"}, summary: "rotate the encryption key: re-seal stored values, print the hash key", run: runKeys})
}

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 || (args[0] != "rotate" && args[0] != "hash-key") {
		fmt.Fprint(stderr, keysUsage)
		return errors.New("say `onward keys rotate` or `onward keys hash-key`")
	}
	sub := args[0]
	fs := newFlags("keys "+sub, keysUsage, stdout, stderr)
	dryRun := fs.Bool("dry-run", false, "rotate: count what would be re-sealed, change nothing")
	batch := fs.Int("batch", 500, "rotate: rows per transaction")
	line := "Usage: onward keys hash-key"
	if sub == "rotate" {
		line = "Usage: onward keys rotate [--dry-run] [--batch N]"
	}
	if err := onlyFlags(fs, args[1:], line); err != nil {
		return err
	}
	if *batch <= 0 {
		return fmt.Errorf("--batch must be a positive whole number, got %d", *batch)
	}
	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	keys, err := cfg.Keys()
	if err != nil {
		return err
	}
	if sub == "hash-key" {
		h := keys.Hash
		if h == nil {
			h = core.DerivedHashKey(keys.Current)
		}
		fmt.Fprintln(stdout, base64.StdEncoding.EncodeToString(h))
		return nil
	}
	crypt, err := core.NewCrypter(keys.Current, keys.Old, keys.Hash)
	if err != nil {
		return err
	}
	pool, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	eng, err := newEngine(cfg, pool, crypt, newLogger(cfg))
	if err != nil {
		return err
	}
	defer eng.Close()
	verb := "re-sealed"
	if *dryRun {
		verb = "to re-seal"
	}
	report, err := eng.RotateKeys(ctx, core.RotateOptions{Batch: *batch, DryRun: *dryRun, Progress: func(p core.RotateProgress) {
		fmt.Fprintf(stdout, "%s: %d rows %s\n", p.Table, p.Rows, verb)
	}})
	if err != nil {
		return fmt.Errorf("%w (run it again to carry on)", err)
	}
	fmt.Fprintf(stdout, "done: %d rows %s\n", report.Total(), verb)
	return nil
}
