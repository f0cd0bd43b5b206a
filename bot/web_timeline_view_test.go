package bot

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// storyOf is the "What we know" section of a referral's page.
func storyOf(t *testing.T, page string) string {
	t.Helper()
	start := strings.Index(page, `<section aria-labelledby="story-h"`)
	end := strings.Index(page[max(start, 0):], `</section>`)
	if start < 0 || end < 0 {
		t.Fatalf("the page lacks the story:\n%s", page)
	}
	return page[start : start+end+len(`</section>`)]
}

// TestTimelineOnTheStaffWebNamesNoOtherAgencysStaff: a crisis
// self-referral that Kirkton Citizens Advice turned down goes back to
// triage and on to Welfare Rights. Welfare Rights' page tells the story
// of the first referral by agency, with why Kirkton turned the client
// down, and no name of anyone at Kirkton or in the network team and no
// reference of that referral; its own referral's story is told in full.
// Likewise for a referral Kirkton redirected to Welfare Rights.
func TestTimelineOnTheStaffWebNamesNoOtherAgencysStaff(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	const why = "We only see clients in KY1 on Tuesdays"
	act := func(req core.TransitionRequest) core.TransitionResult {
		t.Helper()
		res, err := tb.Engine.Act(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
		return res
	}
	in := coretest.SelfReferral("story-other-agency")
	in.Crisis, in.CrisisReasons = true, []string{"going without food or heating today"}
	res, err := tb.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	first, co := res.Referral, n.Coordinator.Actor()
	tb.Clock.Advance(time.Hour)
	act(core.TransitionRequest{Referral: first.ID, Action: core.ActionAssign, Actor: co, ToAgency: n.CAB})
	tb.Clock.Advance(2 * time.Hour)
	rej := act(core.TransitionRequest{Referral: first.ID, Action: core.ActionReject, Actor: n.Adviser.Actor(),
		Reason: core.ReasonNotEligible, Feedback: why})
	if rej.Child == nil {
		t.Fatal("the rejected self-referral was not carried on")
	}
	tb.Clock.Advance(time.Hour)
	act(core.TransitionRequest{Referral: rej.Child.ID, Action: core.ActionAssign, Actor: co, ToAgency: n.Welfare})

	_, page := tb.signedIn(n.WelfareAdviser).get("/staff/referrals/" + rej.Child.Reference)
	story := storyOf(t, page)
	coretest.Golden(t, filepath.Join("testdata", "timeline_other_agency.html.golden"), story)
	for _, never := range []string{n.Adviser.Name, first.Reference} {
		if strings.Contains(page, never) {
			t.Errorf("Welfare Rights' page of %s shows %q", rej.Child.Reference, never)
		}
	}
	for _, want := range []string{
		"Assigned to Kirkton Citizens Advice by a coordinator at Kingdom Advice Network Team",
		"Rejected by an adviser at Kirkton Citizens Advice: Not eligible for this service",
		"“" + why + "”",
		"Back to triage, by an adviser at Kirkton Citizens Advice",
		"Assigned to Kingdom Council Welfare Rights by " + n.Coordinator.Name + " (Kingdom Advice Network Team)",
		" · on an earlier referral</p>",
	} {
		if !strings.Contains(story, want) {
			t.Errorf("Welfare Rights' story lacks %q:\n%s", want, story)
		}
	}

	// A referral Kirkton redirected to Welfare Rights.
	r := tb.selfReferral("story-redirected", false)
	moved := act(core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: n.Adviser.Actor(),
		ToAgency: n.Welfare, Feedback: redirectWhy})
	_, page = tb.signedIn(n.WelfareAdviser).get("/staff/referrals/" + moved.Child.Reference)
	story = storyOf(t, page)
	for _, never := range []string{n.Adviser.Name, r.Reference} {
		if strings.Contains(page, never) {
			t.Errorf("Welfare Rights' page of the redirected referral shows %q", never)
		}
	}
	if want := "Redirected to Kingdom Council Welfare Rights by an adviser at Kirkton Citizens Advice"; !strings.Contains(story, want) {
		t.Errorf("Welfare Rights' story of the redirected referral lacks %q:\n%s", want, story)
	}
	if strings.Contains(story, "Sent on to") {
		t.Errorf("Welfare Rights' story tells the redirect twice:\n%s", story)
	}
	// Kirkton, which redirected it, reads its own referral in full.
	if _, page := tb.signedIn(n.Adviser2).get("/staff/referrals/" + r.Reference); !strings.Contains(storyOf(t, page),
		"Redirected to Kingdom Council Welfare Rights by "+n.Adviser.Name+" (Kirkton Citizens Advice)") {
		t.Errorf("Kirkton's own page does not name its adviser:\n%s", storyOf(t, page))
	}
}

// TestStoryTellsARedirectOnce: a redirect closes one referral and makes
// the next in one step, recorded as two events; the story on both the
// agency's page it went to and the redirecting agency's own tells it in
// one line.
func TestStoryTellsARedirectOnce(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("story-redirect-once", false)
	res, err := tb.Engine.Act(t.Context(), core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect,
		Actor: tb.Net.Adviser.Actor(), ToAgency: tb.Net.Welfare, Feedback: "Benefits are what Welfare Rights do"})
	if err != nil || res.Child == nil {
		t.Fatalf("redirect: %v", err)
	}
	for _, c := range []struct {
		who core.Staff
	}{{tb.Net.WelfareAdviser}, {tb.Net.Coordinator}} {
		_, page := tb.signedIn(c.who).get("/staff/referrals/" + res.Child.Reference)
		story := between(page, `<ol class="timeline"`, `</ol>`)
		if story == "" {
			t.Fatalf("%s: the page has no story", c.who.Name)
		}
		if n := strings.Count(story, "Redirected to Kingdom Council Welfare Rights") + strings.Count(story, "Sent on to Kingdom Council Welfare Rights"); n != 1 {
			t.Errorf("%s reads the redirect %d times in the story, want once:\n%s", c.who.Name, n, story)
		}
	}
}
