package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/core"
)

const staffUsage = `Usage: onward staff add --agency SLUG --name NAME [--role adviser|coordinator|admin] [--slack-user ID] EMAIL
       onward staff list [--agency SLUG]
       onward staff login-link EMAIL
       onward staff deactivate EMAIL
       onward staff reactivate [--agency SLUG] EMAIL
       onward staff move --agency SLUG EMAIL
       onward staff slack-unlink EMAIL

add registers a member of staff (recorded in the audit log). In Slack they
are recognised by --slack-user, or the first time they act by the email
address Slack has for them, so the email must be the one they use there
(only users of the workspace ONWARD_SLACK_TEAM_ID names, when it is set).
slack-unlink frees that link for one who has changed Slack accounts: the
link never moves on its own.

list prints current staff, of one agency or all.

deactivate ends a member of staff's access at once; reactivate gives it
back, at their old agency or another (their email address stays theirs,
so they cannot be added again); move moves a current member of staff to
another agency. Each is recorded in the audit log.

login-link prints a sign-in link to the staff web inbox for the member of
staff with this email address. It works once, within 15 minutes. It needs
ONWARD_SESSION_SECRET (the server's) and ONWARD_PUBLIC_URL.

All need ONWARD_DATABASE_URL; ` + "`make run`" + ` keeps dev values that are used when unset.
`

func init() {
	register(command{name: "staff", subs: []string{"add", "list", "login-link", "deactivate", "reactivate", "move", "slack-unlink"}, summary: "add, list, deactivate, reactivate or move staff, or print a web inbox sign-in link", run: runStaff})
}

func runStaff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "add" || args[0] == "list") {
		return runStaffAdmin(ctx, args[0], args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "deactivate" {
		return runStaffDeactivate(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "slack-unlink" {
		return runStaffSlackUnlink(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && (args[0] == "reactivate" || args[0] == "move") {
		return runStaffRestore(ctx, args[0], args[1:], stdout, stderr)
	}
	fs := newFlags("staff", staffUsage, stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(0) != "login-link" {
		fs.Usage()
		return errors.New("say `onward staff add …`, `list`, `login-link EMAIL`, `deactivate EMAIL`, `reactivate EMAIL`, `move --agency SLUG EMAIL` or `slack-unlink EMAIL`")
	}
	cfg, err := loadDBConfig()
	if err != nil {
		return err
	}
	if cfg.SessionSecret == "" {
		return errors.New("ONWARD_SESSION_SECRET is not set: it must be the one the server uses, or the link will not work")
	}
	pool, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	// Looking staff up reads no personal data, so no encryption key is
	// needed here.
	eng, err := newEngine(cfg, pool, nil, newLogger(cfg))
	if err != nil {
		return err
	}
	defer eng.Close()
	s, err := currentStaff(ctx, eng, fs.Arg(1))
	if err != nil {
		return err
	}
	link, err := bot.LoginLink(cfg, core.SystemClock{}, s)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Sign-in link for %s (%s, %s); it works once, within 15 minutes:\n", s.Name, s.Role, s.AgencyName)
	fmt.Fprintln(stdout, link)
	return nil
}

// currentStaff is the current member of staff with the email address a
// staff command names, or an error saying none has it: for an address
// of someone deactivated, since when and how to give them access again.
func currentStaff(ctx context.Context, eng *core.Engine, email string) (core.Staff, error) {
	s, err := eng.StaffByEmail(ctx, email)
	if !errors.Is(err, core.ErrNotFound) {
		return s, err
	}
	if r, rerr := eng.StaffRecordByEmail(ctx, email); rerr == nil && r.DeactivatedAt != nil {
		return core.Staff{}, fmt.Errorf("%s (%s, of %s) was deactivated on %s: `onward staff reactivate %s --agency SLUG` gives them access again",
			r.Email, r.Name, r.AgencyName, r.DeactivatedAt.UTC().Format("2 Jan 2006"), r.Email)
	}
	return core.Staff{}, fmt.Errorf("no current member of staff has the email address %s", email)
}
