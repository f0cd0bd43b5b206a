package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestReferralPageTellsWhereTheClientWasSentOn: Kirkton Citizens Advice
// refers a client it holds on to Welfare Rights. Kirkton's page of its
// own referral then says, under "What we know", which referral it made,
// to whom and how it stands, and follows it as Welfare Rights accepts
// it; Kirkton learns help arrived without asking anyone. A referral
// nothing was made from says nothing of the kind.
func TestReferralPageTellsWhereTheClientWasSentOn(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	r := tb.selfReferral("carried-on-web", false)
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: n.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	kirkton := tb.signedIn(n.Adviser2)
	if _, page := kirkton.get("/staff/referrals/" + r.Reference); strings.Contains(storyOf(t, page), "Sent on from here") {
		t.Fatalf("nothing was made from %s, yet its page says it was sent on:\n%s", r.Reference, storyOf(t, page))
	}
	on, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "carried-on-web-on", By: n.Adviser.Actor(), Parent: r.ID,
		Needs: []core.Need{core.NeedBenefits}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	want := `<a href="/staff/referrals/` + on.Reference + `">` + on.Reference + `</a>, to Kingdom Council Welfare Rights, `
	_, page := kirkton.get("/staff/referrals/" + r.Reference)
	story := storyOf(t, page)
	if !strings.Contains(story, "Sent on from here") || !strings.Contains(story, want) ||
		!strings.Contains(story, "<strong>Waiting to be accepted</strong>") {
		t.Errorf("Kirkton's page of %s does not tell the referral it made (%q, waiting):\n%s", r.Reference, want, story)
	}
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: on.ID, Action: core.ActionAccept, Actor: n.WelfareAdviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	if _, page := kirkton.get("/staff/referrals/" + r.Reference); !strings.Contains(storyOf(t, page), "<strong>Accepted</strong>") {
		t.Errorf("after Welfare Rights accepted %s, Kirkton's page does not say so:\n%s", on.Reference, storyOf(t, page))
	}
}
