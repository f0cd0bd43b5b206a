package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/onward-network/onward/core"
)

// runStaffAdmin is `onward staff add` and `onward staff list`.
func runStaffAdmin(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("staff "+sub, staffUsage, stdout, stderr)
	agency := fs.String("agency", "", "the agency's short name (`onward agency list`)")
	name := fs.String("name", "", "full name, as colleagues know them (add)")
	role := fs.String("role", string(core.RoleAdviser), "adviser, coordinator or admin (add)")
	slackUser := fs.String("slack-user", "", "their Slack user id, like U0123ABCD (add; optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case sub == "add" && (fs.NArg() != 1 || *agency == ""):
		fs.Usage()
		return errors.New("say `onward staff add --agency SLUG --name NAME EMAIL`")
	case sub == "list" && fs.NArg() != 0:
		fs.Usage()
		return errors.New("say `onward staff list [--agency SLUG]`")
	}
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	var a core.Agency
	if *agency != "" {
		if a, err = agencyBySlug(ctx, eng, *agency); err != nil {
			return err
		}
	}
	if sub == "list" {
		return listStaff(ctx, eng, a.ID, stdout)
	}
	id, err := eng.RegisterStaff(ctx, core.NewStaff{AgencyID: a.ID, Name: *name, Role: core.Role(*role),
		Email: fs.Arg(0), SlackUserID: *slackUser}, cliActor)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Added %s (%s, %s) as staff %d. `onward staff login-link %s` prints a sign-in link.\n",
		*name, *role, a.Name, id, fs.Arg(0))
	return nil
}

func listStaff(ctx context.Context, eng *core.Engine, agency core.AgencyID, stdout io.Writer) error {
	staff, err := eng.ListStaff(ctx, agency)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "AGENCY\tNAME\tROLE\tEMAIL\tSLACK USER")
	for _, s := range staff {
		slack := "-"
		if s.SlackUserID != nil && *s.SlackUserID != "" {
			slack = *s.SlackUserID
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.AgencyName, s.Name, s.Role, s.Email, slack)
	}
	return w.Flush()
}
