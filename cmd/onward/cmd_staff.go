package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/core"
)

const staffUsage = `Usage: onward staff login-link EMAIL

Print a sign-in link to the staff web inbox for the member of staff with
this email address. It works once, within 15 minutes. Needs
ONWARD_DATABASE_URL, ONWARD_SESSION_SECRET (the server's) and
ONWARD_PUBLIC_URL; ` + "`make run`" + ` keeps dev values that are used when unset.
`

func init() {
	register(command{name: "staff", summary: "staff tools: login-link EMAIL prints a web inbox sign-in link", run: runStaff})
}

func runStaff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("staff", staffUsage, stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(0) != "login-link" {
		fs.Usage()
		return errors.New("say `onward staff login-link EMAIL`")
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
	eng := core.NewEngine(pool, nil, core.SystemClock{}, core.RandomIDs{}, newLogger(cfg))
	defer eng.Close()
	s, err := eng.StaffByEmail(ctx, fs.Arg(1))
	if errors.Is(err, core.ErrNotFound) {
		return fmt.Errorf("no current member of staff has the email address %s", fs.Arg(1))
	}
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
