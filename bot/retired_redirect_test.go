package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// acceptedBy drives a new self-referral to the CAB to accepted, as its
// adviser would.
func (tb *testBot) acceptedBy(key string) core.Referral {
	tb.t.Helper()
	r := tb.selfReferral(key, false)
	res, err := tb.Engine.Act(context.Background(), core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: tb.Net.Adviser.Actor()})
	if err != nil {
		tb.t.Fatal(err)
	}
	return res.Referral
}

// TestWebRedirectsRetiredAgencysReferral: on the staff web, the page of an
// accepted referral whose agency has left the network offers a
// coordinator Redirect (core's rule: core.Actor.MayActHeldBy), beside
// Cancel. Redirecting without saying why is refused beside the form and
// changes nothing; with the why, the client is referred on to the agency
// chosen. An active agency's accepted referral offers the coordinator no
// redirect.
func TestWebRedirectsRetiredAgencysReferral(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	active := tb.acceptedBy("web-left-active")
	accepted := tb.acceptedBy("web-left-accepted")
	co := tb.signedIn(tb.Net.Coordinator)
	redirectForm := func(r core.Referral) string {
		return fmt.Sprintf(`action="/staff/referrals/%s/redirect"`, r.Reference)
	}
	_, body := co.get("/staff/referrals/" + active.Reference)
	if strings.Contains(body, redirectForm(active)) {
		t.Errorf("a coordinator is offered the redirect of an active agency's accepted referral")
	}
	if err := tb.Engine.RetireAgency(ctx, tb.Net.CAB, tb.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}

	page := "/staff/referrals/" + accepted.Reference
	_, body = co.get(page)
	if !strings.Contains(body, redirectForm(accepted)) || !strings.Contains(body, "/cancel") ||
		!strings.Contains(body, "Redirect it below to an agency in the network, saying why") {
		t.Fatalf("a coordinator's page of the retired agency's accepted referral offers no redirect:\n%s", within(body, "<h1>", "</main>"))
	}
	if !strings.Contains(within(body, redirectForm(accepted), "</form>"), "Why (required,") {
		t.Errorf("the redirect form's note is not marked required, though core refuses the redirect without it")
	}
	welfare := strconv.FormatInt(int64(tb.Net.Welfare), 10)
	if !strings.Contains(within(body, redirectForm(accepted), "</form>"), `value="`+welfare+`"`) {
		t.Errorf("the redirect form does not offer Welfare Rights")
	}
	co.noteCSRF(body)
	form := url.Values{"csrf": {co.csrf}, "version": {fmt.Sprint(accepted.Version)}, "agency": {welfare}}
	resp, body := co.post(page+"/redirect", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Say why the referral is moved on") {
		t.Errorf("redirect without saying why: %d, want 422 saying why is needed:\n%s", resp.StatusCode, within(body, "<h1>", "</main>"))
	}
	// The error is shown on the redirect form's note, not on the cancel
	// form's box below it.
	if f := within(body, redirectForm(accepted), "</form>"); !strings.Contains(f, `id="redirect-note-error"`) || !strings.Contains(f, `aria-invalid="true"`) {
		t.Errorf("the refused redirect's error is not beside its note:\n%s", f)
	}
	if strings.Contains(within(body, `id="cancel"`, "</form>"), "field-error") {
		t.Errorf("the refused redirect's error is shown on the cancel form")
	}
	if got := tb.referral(accepted.ID); got.Status != core.StatusAccepted || got.Version != accepted.Version {
		t.Fatalf("a refused redirect changed the referral: %s", got.Status)
	}
	form.Set("feedback", "Kirkton Citizens Advice has closed; Welfare Rights will help.")
	if resp, _ := co.post(page+"/redirect", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("redirect: %d", resp.StatusCode)
	}
	got := tb.referral(accepted.ID)
	if got.Status != core.StatusRejected || got.Reason == nil || *got.Reason != core.ReasonRedirected {
		t.Errorf("after the redirect: %s %v, want rejected as redirected", got.Status, got.Reason)
	}
	onward, err := tb.Engine.ListReferrals(ctx, core.ReferralFilter{ToAgency: tb.Net.Welfare})
	if err != nil {
		t.Fatal(err)
	}
	if len(onward) != 1 || onward[0].ParentID == nil || *onward[0].ParentID != accepted.ID {
		t.Errorf("want the client referred on to Welfare Rights, got %+v", onward)
	}
}

// TestSlackRedirectsRetiredAgencysReferral: in Slack, a coordinator's
// Redirect… on the card of an accepted referral whose agency has left
// the network opens the modal (core's rule, core.Engine.ActRefusal), and
// submitting it with an agency and the why refers the client on; without
// the why, the modal says so on its note. Another agency's adviser is
// turned away at the press, and a coordinator's press on an active
// agency's accepted referral opens nothing.
func TestSlackRedirectsRetiredAgencysReferral(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	active := tb.acceptedBy("slack-left-active")
	accepted := tb.acceptedBy("slack-left-accepted")
	opens := func() int { return len(tb.slack.called("views.open")) }

	wantStatus(t, tb.interact(tb.blockAction("U0MORVEN", "C0CAB", "redirect", buttonValue(active.ID, active.Version))), 200)
	tb.bot.wait()
	if n := opens(); n != 0 {
		t.Errorf("a coordinator's Redirect… on an active agency's accepted referral opened %d modals", n)
	}
	if err := tb.Engine.RetireAgency(ctx, tb.Net.CAB, tb.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	tb.slack.reset()
	wantStatus(t, tb.interact(tb.blockAction("U0ISLA", "C0CAB", "redirect", buttonValue(accepted.ID, accepted.Version))), 200)
	tb.bot.wait()
	if n := opens(); n != 0 {
		t.Errorf("another agency's adviser pressing Redirect… opened %d modals", n)
	}
	eph := tb.slack.called("chat.postEphemeral")
	if len(eph) != 1 || !strings.Contains(eph[0].text(), "only a coordinator") {
		t.Errorf("another agency's adviser should be told only a coordinator can redirect it, got %+v", eph)
	}

	press := tb.blockAction("U0MORVEN", "C0CAB", "redirect", buttonValue(accepted.ID, accepted.Version))
	wantStatus(t, tb.interact(press), 200)
	view := tb.openedView(press["trigger_id"].(string))
	welfare := strconv.FormatInt(int64(tb.Net.Welfare), 10)
	meta := view["private_metadata"].(string)
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0MORVEN", "V0LEFT1", cbRedirect, meta,
		map[string]any{blkAgencyOther: selected(welfare), blkFeedback: typed("")})), 200)
	resp := submitResponse(t, body)
	errs, _ := resp["errors"].(map[string]any)
	if msg, _ := errs[blkFeedback].(string); resp["response_action"] != "errors" || !strings.Contains(msg, "say why") {
		t.Fatalf("want the modal to ask why on the note, got %s", body)
	}
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0MORVEN", "V0LEFT2", cbRedirect, meta,
		map[string]any{blkAgencyOther: selected(welfare), blkFeedback: typed("The CAB has closed; Welfare Rights will help.")})), 200)
	if strings.TrimSpace(body) != "" {
		t.Fatalf("the redirect should close the modal, got %s", body)
	}
	if got := tb.referral(accepted.ID); got.Status != core.StatusRejected || got.Reason == nil || *got.Reason != core.ReasonRedirected {
		t.Errorf("after the redirect: %s %v, want rejected as redirected", got.Status, got.Reason)
	}
	onward, err := tb.Engine.ListReferrals(ctx, core.ReferralFilter{ToAgency: tb.Net.Welfare})
	if err != nil {
		t.Fatal(err)
	}
	if len(onward) != 1 {
		t.Errorf("want the client referred on to Welfare Rights, got %d referrals there", len(onward))
	}
}
