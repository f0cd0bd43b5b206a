package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/cmd/internal/wiring"
	"github.com/onward-network/onward/core"
)

const staffDeactivateUsage = `usage: onward staff deactivate EMAIL

Ends a member of staff's access at once: they are no longer found by any
sign-in, their open web sessions are refused on the next request and
ended, and no more email goes to them. The change is recorded in their
agency's audit chain. Their past actions stay in the record.
`

func runStaffDeactivate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("staff deactivate", staffDeactivateUsage, stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("say `onward staff deactivate EMAIL`")
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
	eng := core.NewEngine(pool, nil, core.SystemClock{}, core.RandomIDs{}, newLogger(cfg))
	defer eng.Close()
	s, err := eng.StaffByEmail(ctx, fs.Arg(0))
	if errors.Is(err, core.ErrNotFound) {
		return fmt.Errorf("no current member of staff has the email address %s", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	if err := eng.DeactivateStaff(ctx, s.ID, core.SystemActor); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Deactivated %s (%s, %s).\n", s.Name, s.Role, s.AgencyName)
	// Their sessions are already refused (StaffByID no longer finds
	// them); ending them in Redis tidies up.
	rdb, _, err := wiring.NewRedis(cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("ONWARD_REDIS_URL: %w", err)
	}
	defer rdb.Close()
	n, err := bot.EndStaffSessions(ctx, rdb, "onward:", s.ID)
	if err != nil {
		fmt.Fprintf(stderr, "warning: could not end their sessions in Redis (they are refused anyway): %v\n", err)
		return nil
	}
	fmt.Fprintf(stdout, "Ended %d open web session(s).\n", n)
	return nil
}
