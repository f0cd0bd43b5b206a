package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/internal/redisurl"
)

const staffDeactivateUsage = `usage: onward staff deactivate EMAIL

Ends a member of staff's access at once: they are no longer found by any
sign-in, their open web sessions are refused on the next request and
ended, and no more email goes to them. The change is recorded in their
agency's audit chain. Their past actions stay in the record, and their
email address stays theirs: ` + "`onward staff reactivate EMAIL`" + ` gives them
access again.
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
	eng, err := newEngine(cfg, pool, nil, newLogger(cfg))
	if err != nil {
		return err
	}
	defer eng.Close()
	s, err := currentStaff(ctx, eng, fs.Arg(0))
	if err != nil {
		return err
	}
	// Not refused for being the last person at an agency told of its new
	// referrals (a leaver's access goes whatever the settings say), but
	// the coordinator running it is told what follows.
	agency, last, err := eng.LastToHearOfNewReferrals(ctx, s.ID)
	if err != nil {
		return err
	}
	if err := eng.DeactivateStaff(ctx, s.ID, cliActor); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Deactivated %s (%s, %s).\n", s.Name, s.Role, s.AgencyName)
	if last {
		fmt.Fprintf(stdout, "Nobody at %s is now told of its new referrals (no Slack channel Onward posts to, no shared address): "+
			"the coordinators are emailed them until someone there is. Give it a shared address "+
			"(`onward agency notify SLUG --email ADDRESS`) or ask one of its staff to turn those emails on.\n", agency)
	}
	// Their sessions are already refused (StaffByID no longer finds
	// them); ending them in Redis tidies up.
	rdb, _, err := redisurl.New(cfg.RedisURL)
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

const staffReactivateUsage = `usage: onward staff reactivate [--agency SLUG] EMAIL
       onward staff move --agency SLUG EMAIL

reactivate gives a deactivated member of staff access again, with the role
they had, at their old agency or, with --agency, at another one (someone
who comes back, or joins another partner agency: their email address stays
theirs after deactivation, so they cannot be added again).

move moves a current member of staff to another agency: from their next
request they see and act on its referrals, and no longer on their old
agency's.

Each is recorded in the agency's audit chain, as deactivation is.
`

// runStaffRestore is `onward staff reactivate` and `onward staff move`.
func runStaffRestore(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("staff "+sub, staffReactivateUsage, stdout, stderr)
	agency := fs.String("agency", "", "the agency's short name (`onward agency list`)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (sub == "move" && *agency == "") {
		fs.Usage()
		if sub == "move" {
			return errors.New("say `onward staff move --agency SLUG EMAIL`")
		}
		return errors.New("say `onward staff reactivate [--agency SLUG] EMAIL`")
	}
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	var to core.Agency
	if *agency != "" {
		if to, err = agencyBySlug(ctx, eng, *agency); err != nil {
			return err
		}
	}
	restore := eng.ReactivateStaff
	if sub == "move" {
		restore = eng.MoveStaff
	}
	was, err := restore(ctx, fs.Arg(0), to.ID, cliActor)
	if errors.Is(err, core.ErrNotFound) {
		return fmt.Errorf("nobody on the staff has the email address %s: `onward staff add` adds them", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	now, err := eng.StaffByEmail(ctx, was.Email)
	if err != nil {
		return err
	}
	verb := "Reactivated"
	if sub == "move" {
		verb = "Moved"
	}
	fmt.Fprintf(stdout, "%s %s (%s, %s", verb, now.Name, now.Role, now.AgencyName)
	if now.AgencyID != was.AgencyID {
		fmt.Fprintf(stdout, "; was %s", was.AgencyName)
	}
	fmt.Fprintf(stdout, "). `onward staff login-link %s` prints a sign-in link.\n", now.Email)
	return nil
}
