package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestRedirectSuggestsNeitherSenderNorHolder: an adviser redirecting a
// referral is not offered, among the suggestions, the agency that sent it
// (rejecting it is how it goes back, with a reason) nor their own. Core
// accepts the sender, so it stays in the list of any other agency. A
// coordinator redirecting another agency's referral is offered their own
// agency nowhere, as core refuses it: the offer and the rule agree.
func TestRedirectSuggestsNeitherSenderNorHolder(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	r := tb.staffReferral("redirect-choice") // Welfare sends it to CAB; both offer debt advice
	suggested := func(c *agencyField, id core.AgencyID) bool {
		return slices.ContainsFunc(c.Match.Suggestions, func(s core.Suggestion) bool { return s.Agency.ID == id }) ||
			slices.ContainsFunc(c.Match.Excluded, func(x core.Exclusion) bool { return x.Agency.ID == id })
	}
	listed := func(c *agencyField, id core.AgencyID) bool {
		return slices.ContainsFunc(c.Others, func(o option) bool { return o.Value == strconv.FormatInt(int64(id), 10) })
	}

	c, err := tb.bot.referralAgencyChoice(ctx, r, false, n.Adviser.Actor(), referralForm{})
	if err != nil {
		t.Fatal(err)
	}
	if suggested(c, n.Welfare) {
		t.Errorf("the adviser at CAB is offered Welfare, which sent the referral, among the suggestions")
	}
	if suggested(c, n.CAB) || listed(c, n.CAB) {
		t.Errorf("the adviser at CAB is offered their own agency")
	}
	if !listed(c, n.Welfare) || core.RedirectRefusal(r, n.Adviser.Actor(), n.Welfare) != nil {
		t.Errorf("Welfare, which core accepts, is not in the list of any other agency")
	}

	c, err = tb.bot.referralAgencyChoice(ctx, r, false, n.Coordinator.Actor(), referralForm{})
	if err != nil {
		t.Fatal(err)
	}
	if suggested(c, n.Team) || listed(c, n.Team) {
		t.Errorf("a coordinator is offered their own agency for another agency's referral, which core refuses")
	}
	_, err = tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: n.Coordinator.Actor(),
		ExpectedVersion: r.Version, ToAgency: n.Team, Feedback: "Better placed with us"})
	var forbidden *core.ForbiddenError
	if !errors.As(err, &forbidden) {
		t.Errorf("core let a coordinator redirect another agency's referral to their own: %v", err)
	}
}
