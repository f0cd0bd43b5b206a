package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/onward-network/onward/core"
)

const outboxUsage = `Usage: onward outbox list [--dead] [--limit N]
       onward outbox retry ID

list shows outbox rows not yet delivered (or, with --dead, dead-lettered
ones, with why). retry puts a dead letter back in the queue with a fresh
attempt count once its cause is fixed, and wakes the workers; a row that
is only waiting for its time is refused, with when it is due.

Flags:
`

func init() {
	register(command{name: "outbox", summary: "list undelivered or dead-lettered messages; retry one", run: runOutbox})
}

func runOutbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("outbox", outboxUsage, stdout, stderr)
	dead := fs.Bool("dead", false, "list dead-lettered rows")
	limit := fs.Int("limit", 100, "list at most this many rows")
	if len(args) == 0 || isHelp(args[0]) {
		fs.Usage()
		if len(args) > 0 {
			return flag.ErrHelp
		}
		return errors.New("say list or retry")
	}
	sub := args[0]
	if sub != "list" && sub != "retry" {
		fs.Usage()
		return fmt.Errorf("unknown outbox command %q: say list or retry", sub)
	}
	words, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case sub == "list" && len(words) > 0:
		return strayWords("outbox list", words)
	case sub == "retry" && len(words) != 1:
		return errors.New("usage: onward outbox retry ID")
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
	outbox := core.NewOutbox(pool, core.SystemClock{})
	switch sub {
	case "list":
		state := core.OutboxPending
		if *dead {
			state = core.OutboxDead
		}
		es, err := outbox.List(ctx, core.OutboxFilter{State: state, Limit: *limit})
		if err != nil {
			return err
		}
		printOutbox(stdout, es, *dead)
		return nil
	case "retry":
		id, err := strconv.ParseInt(words[0], 10, 64)
		if err != nil {
			return fmt.Errorf("outbox row id must be a number, got %q", words[0])
		}
		err = outbox.Retry(ctx, core.OutboxID(id))
		var notDead *core.NotDeadLetterError
		if errors.As(err, &notDead) {
			return fmt.Errorf("outbox row %d is not a dead letter: it is due %s, and a worker sends it then (only dead letters are retried; `onward outbox list --dead` lists them)",
				id, notDead.Due.Local().Format(time.DateTime))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "outbox row %d queued again\n", id)
	}
	return nil
}

func printOutbox(w io.Writer, es []core.OutboxEntry, dead bool) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	when := "DUE"
	if dead {
		when = "DEAD SINCE"
	}
	fmt.Fprintf(tw, "ID\tKIND\tREFERRAL\tDETAIL\tATTEMPTS\t%s\tSTATUS / LAST ERROR\n", when)
	for _, e := range es {
		ref := "-"
		if e.Reference != nil {
			ref = *e.Reference
		}
		detail := e.Payload.Template + e.Payload.Channel + e.Payload.Level
		if detail == "" {
			detail = "-"
		}
		at := e.AvailableAt
		if dead && e.DeadAt != nil {
			at = *e.DeadAt
		}
		why := e.LastError
		if e.DeliveryStatus != "" && !dead {
			why = string(e.DeliveryStatus) + "; " + why
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, e.Kind, ref, detail, e.Attempts, at.Local().Format(time.DateTime), oneLine(why))
	}
	tw.Flush()
	if len(es) == 0 {
		if dead {
			fmt.Fprintln(w, "(no dead letters)")
		} else {
			fmt.Fprintln(w, "(nothing waiting)")
		}
	}
}
