package bot

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/config"
)

// TestInvitationNamesSlackOnlyWhereSlackIsSet: the coordinator told of a
// new invitation reads "or type /onward login in Slack" only when the
// network has Slack; an agency that never used Slack is not sent looking
// for it.
func TestInvitationNamesSlackOnlyWhereSlackIsSet(t *testing.T) {
	t.Parallel()
	for _, slack := range []bool{true, false} {
		tb := newTestBot(t)
		if !slack {
			tb.withConfig(func(c *config.Config) { c.SlackBotToken, c.SlackSigningSecret = "", "" })
		}
		co := tb.signedIn(tb.Net.Coordinator)
		resp, body := co.post("/staff/admin/staff", url.Values{"csrf": {co.csrf}, "name": {"Iona Fleming"}, "email": {"iona@foodbank.example"},
			"role": {"adviser"}, "agency": {strconv.FormatInt(int64(tb.Net.FoodBank), 10)}})
		if resp.StatusCode != 200 || !strings.Contains(body, "Iona Fleming can now use Onward") {
			t.Fatalf("slack %v: invitation answered %d", slack, resp.StatusCode)
		}
		if got := strings.Contains(body, "Slack"); got != slack {
			t.Errorf("slack configured %v: the invitation notice names Slack: %v", slack, got)
		}
	}
}
