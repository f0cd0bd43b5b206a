package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// errNotRegistered means the Slack user is no member of staff Onward
// knows: they get a "not registered" reply and nothing happens.
var errNotRegistered = errors.New("this Slack user is not registered as staff")

// errOtherWorkspace means the Slack user is of another workspace than the
// network's (a Slack Connect guest, another Enterprise Grid org): not
// registered, and told why, since a coordinator adding their email would
// change nothing.
var errOtherWorkspace = fmt.Errorf("%w: a user of another Slack workspace", errNotRegistered)

// leftNetworkError means the Slack user was staff of an agency that has
// left the network, which ended their access: they are told so, and that
// nothing happened, rather than that they were never registered.
type leftNetworkError struct{ agency string }

func (e *leftNetworkError) Error() string {
	return "this Slack user's agency has left the network"
}

// errSlackLinkedElsewhere means the Slack user's email is a member of
// staff's who is linked to another Slack account: they are told to ask a
// coordinator, who can free the link (onward staff slack-unlink).
var errSlackLinkedElsewhere = errors.New("this Slack user's email belongs to staff linked to another Slack account")

// staffForSlack finds the member of staff behind a Slack user: by the
// linked Slack user id, else (first use) by the email Slack has for them,
// which then links the two. Only a user of the network's own workspace
// (ONWARD_SLACK_TEAM_ID, when set) is linked, never a stranger (a user
// of another organisation Slack shows the app), and a member of staff
// already linked keeps their Slack account: the email on a Slack profile
// is whatever that account's organisation set, so it alone must not
// make anyone a member of staff, or move one.
func (b *Bot) staffForSlack(ctx context.Context, userID string) (core.Staff, error) {
	if userID == "" {
		return core.Staff{}, errNotRegistered
	}
	s, err := b.engine.StaffBySlackUser(ctx, userID)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, core.ErrNotFound) {
		return core.Staff{}, err
	}
	if a, err := b.engine.LeftWithAgencyOnSlack(ctx, userID); err == nil {
		return core.Staff{}, &leftNetworkError{agency: a.Name}
	} else if !errors.Is(err, core.ErrNotFound) {
		return core.Staff{}, err
	}
	u, err := b.api.GetUserInfoContext(ctx, userID)
	var slackErr slack.SlackErrorResponse
	if errors.As(err, &slackErr) && (slackErr.Err == "user_not_found" || slackErr.Err == "user_not_visible") {
		return core.Staff{}, errNotRegistered
	}
	if err != nil {
		return core.Staff{}, fmt.Errorf("look up Slack user: %w", err)
	}
	if u.Deleted || u.IsBot || u.Profile.Email == "" {
		return core.Staff{}, errNotRegistered
	}
	if u.IsStranger || (len(b.teams) > 0 && !slices.Contains(b.teams, u.TeamID)) {
		b.log.Warn("Slack user of another workspace not recognised as staff", "slack_user", userID, "team", u.TeamID)
		return core.Staff{}, errOtherWorkspace
	}
	s, err = b.engine.StaffByEmail(ctx, u.Profile.Email)
	if errors.Is(err, core.ErrNotFound) {
		return core.Staff{}, errNotRegistered
	}
	if err != nil {
		return core.Staff{}, err
	}
	if err := b.engine.LinkSlackUser(ctx, s, userID); errors.Is(err, core.ErrSlackLinkedElsewhere) {
		b.log.Warn("Slack user not linked: the member of staff with their email is linked to another Slack user",
			"staff", s.ID, "slack_user", userID)
		return core.Staff{}, errSlackLinkedElsewhere
	} else if err != nil {
		return core.Staff{}, err
	}
	b.log.Info("linked Slack user to staff", "staff", s.ID)
	return s, nil
}
