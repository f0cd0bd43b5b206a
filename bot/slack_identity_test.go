package bot

import (
	"errors"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// A security review: any Slack account the app could see whose profile
// showed a member of staff's email became that member of staff, and the
// link moved to whichever account showed it last, so another
// organisation's Slack (a shared channel, where that organisation sets
// its members' emails) could act as a coordinator and take a web sign-in
// link. Now only users of the network's workspace are linked, never a
// stranger, and a link does not move until a coordinator frees it.
func TestSlackLinksOnlyTheNetworksOwnUsersAndNeverMovesALink(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := t.Context()
	tb.bot.teams = []string{fakeTeam}
	euan := tb.Net.HousingAdviser
	for _, u := range []string{"U0EUAN", "U0OTHERORG", "U0STRANGE", "U0EUANNEW"} {
		tb.slack.emails[u] = euan.Email
	}
	tb.slack.teams["U0OTHERORG"] = "T0ELSEWHERE"
	tb.slack.strangers["U0STRANGE"] = true

	for _, u := range []string{"U0OTHERORG", "U0STRANGE"} {
		if _, err := tb.bot.staffForSlack(ctx, u); !errors.Is(err, errOtherWorkspace) {
			t.Errorf("%s (another organisation) showing Euan's email: %v, want not registered, as of another workspace", u, err)
		}
		if _, err := tb.Engine.StaffBySlackUser(ctx, u); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%s was linked to staff: %v", u, err)
		}
	}
	if !strings.Contains(tb.logText(), "Slack user of another workspace not recognised as staff") {
		t.Error("a refused link from another workspace was not logged")
	}

	if s, err := tb.bot.staffForSlack(ctx, "U0EUAN"); err != nil || s.ID != euan.ID {
		t.Fatalf("Euan's own account: %+v %v, want linked to Euan", s, err)
	}
	// A second account of the workspace showing the same email: refused,
	// and told why; the link stays where it was.
	r := tb.selfReferral("slack-linked-elsewhere", false)
	tb.slack.reset()
	wantStatus(t, tb.interact(tb.blockAction("U0EUANNEW", "C0CAB", "details", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].text(), "another Slack account") {
		t.Errorf("a second Slack account showing Euan's email: %+v, want told the email is another account's", eph)
	}
	if s, err := tb.Engine.StaffBySlackUser(ctx, "U0EUAN"); err != nil || s.ID != euan.ID {
		t.Errorf("the link moved off Euan's first account: %+v %v", s, err)
	}
	if _, err := tb.Engine.StaffBySlackUser(ctx, "U0EUANNEW"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the second account was linked: %v", err)
	}

	// A coordinator frees the link (Euan changed accounts): the new one is
	// linked on its next use. Both changes are in the audit log.
	var forbidden *core.ForbiddenError
	if err := tb.Engine.UnlinkSlackUser(ctx, euan.ID, tb.Net.Adviser.Actor()); !errors.As(err, &forbidden) {
		t.Errorf("an adviser unlinking: %v, want forbidden", err)
	}
	if err := tb.Engine.UnlinkSlackUser(ctx, euan.ID, tb.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	if s, err := tb.bot.staffForSlack(ctx, "U0EUANNEW"); err != nil || s.ID != euan.ID {
		t.Fatalf("Euan's new account after the unlink: %+v %v", s, err)
	}
	var linked, unlinked int
	if err := tb.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE data->>'slack' = 'linked'), count(*) FILTER (WHERE data->>'slack' = 'unlinked')
		FROM events WHERE kind = 'staff.changed' AND (data->>'staff_id')::bigint = $1`, int64(euan.ID)).Scan(&linked, &unlinked); err != nil {
		t.Fatal(err)
	}
	if linked != 2 || unlinked != 1 {
		t.Errorf("audit: %d links and %d unlinks of Euan's Slack account, want 2 and 1", linked, unlinked)
	}
	if res, err := core.VerifyAuditLog(ctx, tb.Pool); err != nil || res.Break != nil || len(res.Problems) > 0 {
		t.Errorf("audit log after the links: %+v, %v", res, err)
	}
}
