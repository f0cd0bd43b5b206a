package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

const staffSlackUnlinkUsage = `usage: onward staff slack-unlink EMAIL

Forgets which Slack account a member of staff uses Onward from, for one
who has changed Slack accounts: the next Slack account of the network's
workspace showing their email address is linked instead. Until then
Onward never moves the link on its own, whichever account shows that
address. The change is recorded in their agency's audit chain.
`

// runStaffSlackUnlink is `onward staff slack-unlink EMAIL`.
func runStaffSlackUnlink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("staff slack-unlink", staffSlackUnlinkUsage, stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("say `onward staff slack-unlink EMAIL`")
	}
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	s, err := currentStaff(ctx, eng, fs.Arg(0))
	if err != nil {
		return err
	}
	if s.SlackUserID == nil {
		fmt.Fprintf(stdout, "%s (%s) is not linked to a Slack account: nothing to do.\n", s.Name, s.AgencyName)
		return nil
	}
	if err := eng.UnlinkSlackUser(ctx, s.ID, cliActor); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Unlinked %s (%s) from Slack user %s; the next Slack account showing %s is linked.\n",
		s.Name, s.AgencyName, *s.SlackUserID, s.Email)
	return nil
}
