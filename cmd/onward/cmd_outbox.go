package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onward-network/onward/core"
)

const outboxUsage = `Usage: onward outbox list [--dead] [--limit N]
       onward outbox retry ID [ID...]

list shows outbox rows not yet delivered, the soonest due first (or,
with --dead, dead-lettered ones, the newest first, with why), and how
many more there are past --limit. retry puts each dead letter named back in the queue with
a fresh attempt count once its cause is fixed, and wakes the workers; a
row that is only waiting for its time is refused, with when it is due,
and the others named are retried all the same.

Flags:
`

func init() {
	register(command{name: "outbox", subs: []string{"list", "retry"}, summary: "list undelivered or dead-lettered messages; retry them", run: runOutbox})
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
	case sub == "retry" && len(words) == 0:
		return errors.New("usage: onward outbox retry ID [ID...]: name the dead letters to retry (`onward outbox list --dead` lists them)")
	}
	var ids []core.OutboxID
	if sub == "retry" {
		if ids, err = outboxIDs(words); err != nil {
			return err
		}
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
		es, err := outbox.List(ctx, core.OutboxFilter{State: state, Limit: *limit, Urgent: true})
		if err != nil {
			return err
		}
		total := len(es)
		if total == *limit {
			if total, err = outbox.Count(ctx, state); err != nil {
				return err
			}
		}
		printOutbox(stdout, es, *dead, total)
		return nil
	case "retry":
		return retryOutbox(ctx, outbox, ids, stdout)
	}
	return nil
}

// outboxIDs reads the row ids named on the command line, refusing the
// whole command when any is not one (before anything is retried).
func outboxIDs(words []string) ([]core.OutboxID, error) {
	ids := make([]core.OutboxID, 0, len(words))
	for _, w := range words {
		id, err := strconv.ParseInt(w, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("outbox row ids are whole numbers, as `onward outbox list` shows them; got %q", w)
		}
		ids = append(ids, core.OutboxID(id))
	}
	return ids, nil
}

// retryOutbox puts each dead letter of ids back in the queue, saying so
// for each; a row that cannot be retried is named and the rest are
// retried all the same, and the command then fails naming how many.
func retryOutbox(ctx context.Context, outbox *core.Outbox, ids []core.OutboxID, stdout io.Writer) error {
	var failed []error
	for _, id := range ids {
		err := outbox.Retry(ctx, id)
		var notDead *core.NotDeadLetterError
		switch {
		case errors.As(err, &notDead):
			err = fmt.Errorf("outbox row %d is not a dead letter: it is due %s, and a worker sends it then (only dead letters are retried; `onward outbox list --dead` lists them)",
				id, notDead.Due.Local().Format(time.DateTime))
		case err == nil:
			fmt.Fprintf(stdout, "outbox row %d queued again\n", id)
			continue
		}
		failed = append(failed, err)
	}
	if len(failed) > 0 {
		if len(ids) > 1 {
			failed = append(failed, fmt.Errorf("%d of the %d rows named were not retried", len(failed), len(ids)))
		}
		return errors.Join(failed...)
	}
	return nil
}

// printOutbox prints rows as a table, what matters first (List's
// Urgent), saying how many of total were left out.
func printOutbox(w io.Writer, es []core.OutboxEntry, dead bool, total int) {
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
		detail := strings.Join(slices.DeleteFunc([]string{e.Payload.Template, string(e.Payload.Email), e.Payload.Channel, e.Payload.Level},
			func(s string) bool { return s == "" }), " ")
		if detail == "" {
			detail = "-"
		}
		at := e.AvailableAt
		if dead && e.DeadAt != nil {
			at = *e.DeadAt
		}
		why := e.LastError
		if e.DeliveryStatus != "" && !dead {
			why = strings.Join(slices.DeleteFunc([]string{string(e.DeliveryStatus), e.LastError},
				func(s string) bool { return s == "" }), "; ")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, e.Kind, ref, detail, e.Attempts, at.Local().Format(time.DateTime), oneLine(why))
	}
	tw.Flush()
	if left := total - len(es); left > 0 {
		fmt.Fprintf(w, "(%d more not shown: --limit %d lists them all)\n", left, total)
	}
	if len(es) == 0 {
		if dead {
			fmt.Fprintln(w, "(no dead letters)")
		} else {
			fmt.Fprintln(w, "(nothing waiting)")
		}
	}
}
