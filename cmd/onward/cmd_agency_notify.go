package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/onward-network/onward/core"
)

// runAgencyNotify is `onward agency notify SLUG [--email ADDRESS]
// [--email-staff WHEN]`: flags may come before or after the short name.
func runAgencyNotify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("agency notify", agencyUsage, stdout, stderr)
	email := fs.String("email", "", "a shared address that gets every notification for the agency (\"\" for none)")
	staff := fs.String("email-staff", "", "whether each member of staff gets them at their own address: always, without-slack or never")
	var slugs []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		slugs = append(slugs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(slugs) != 1 {
		fs.Usage()
		return errors.New("say `onward agency notify SLUG --email ADDRESS --email-staff always|without-slack|never`, with one agency's short name")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	a, err := agencyBySlug(ctx, eng, slugs[0])
	if err != nil {
		return err
	}
	n := core.AgencyNotifications{NotifyEmail: a.NotifyEmail, EmailStaff: a.EmailStaff}
	if set["email"] {
		n.NotifyEmail = *email
	}
	if set["email-staff"] {
		n.EmailStaff = *staff
	}
	if len(set) > 0 {
		if err := eng.SetAgencyNotifications(ctx, a.ID, n, cliActor); err != nil {
			return fmt.Errorf("%s: %w (nothing was changed)", a.Slug, err)
		}
		if a, err = eng.Agency(ctx, a.ID); err != nil {
			return err
		}
	}
	describeNotifications(stdout, a)
	return nil
}

// describeNotifications says in words where an agency's notifications go.
func describeNotifications(w io.Writer, a core.Agency) {
	if a.SlackChannelID != "" {
		fmt.Fprintf(w, "%s: referral cards are posted in Slack channel %s.\n", a.Name, a.SlackChannelID)
	} else {
		fmt.Fprintf(w, "%s: not on Slack; its staff use the web inbox.\n", a.Name)
	}
	if a.NotifyEmail != "" {
		fmt.Fprintf(w, "Every notification for it is emailed to %s.\n", a.NotifyEmail)
	} else {
		fmt.Fprintln(w, "It has no shared notification address.")
	}
	switch a.EmailStaff {
	case core.StaffEmailAlways:
		fmt.Fprintln(w, "Each member of staff is also emailed at their own address, as they choose at /staff/settings/email.")
	case core.StaffEmailWithoutSlack:
		fmt.Fprintln(w, "Each member of staff is emailed at their own address while Slack does not reach the agency, as they choose at /staff/settings/email.")
	case core.StaffEmailNever:
		fmt.Fprintln(w, "Its staff are not emailed at their own addresses.")
	}
}
