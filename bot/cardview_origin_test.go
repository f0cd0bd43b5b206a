package bot

import (
	"context"
	"html"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
)

// redirectWhy is what the redirecting adviser wrote: it names the client,
// as such words may, so it must stay off the card in channel history.
const redirectWhy = "Morag Baird needs help with a PIP form, not debt: benefits are what Welfare Rights do."

// TestRedirectedCardSaysWhoRedirected: the card of the referral a
// redirect made tells the agency it was redirected to them and by which
// agency, and that the adviser said why, but not the words, which are
// about the client and the card lives in channel history. An ordinary
// referral's card says nothing of the kind.
func TestRedirectedCardSaysWhoRedirected(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	cards := NewCards(env.Engine, config.Config{SlackTriageChannel: "C0TRIAGE"})

	routed, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("origin-card"))
	if err != nil || routed.Agency == nil || routed.Agency.ID != n.CAB {
		t.Fatalf("self-referral should route to CAB: %v", err)
	}
	_, text, blocks, err := cards.Card(ctx, routed.Referral.ID, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := jsonString(blocks); strings.Contains(b+text, "Redirected to you") {
		t.Errorf("an ordinary referral's card says it was redirected:\n%s", b)
	}

	env.Clock.Advance(20 * time.Minute)
	res, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: routed.Referral.ID, Action: core.ActionRedirect,
		Actor: n.Adviser.Actor(), ToAgency: n.Welfare, Feedback: redirectWhy})
	if err != nil || res.Child == nil {
		t.Fatalf("redirect: %v", err)
	}
	channel, text, blocks, err := cards.Card(ctx, res.Child.ID, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	goldenJSON(t, "card_agency_redirected_to_you", map[string]any{"channel": channel, "text": text, "blocks": blocks})
	b, _ := jsonString(blocks)
	if channel != "C0WELFARE" || !strings.Contains(b, "Redirected to you by *Kirkton Citizens Advice*, who said why: press *View details*") {
		t.Errorf("the card in %s does not say who redirected it and where the reason is:\n%s", channel, b)
	}
	if strings.Contains(b+text, "PIP form") {
		t.Errorf("the card in channel history carries the redirect's feedback:\n%s", b)
	}
	assertNoPII(t, "the redirected card", b+text)

	// Once closed, View details is gone: the card says where to read why.
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: res.Child.ID, Action: core.ActionReject,
		Actor: n.WelfareAdviser.Actor(), Reason: core.ReasonNoCapacity, Feedback: "No appointments free this month"}); err != nil {
		t.Fatal(err)
	}
	_, _, blocks, err = cards.Card(ctx, res.Child.ID, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := jsonString(blocks); !strings.Contains(b, "who said why: see the referral on the staff web") {
		t.Errorf("the closed card does not say where the reason is:\n%s", b)
	}
}

// TestRedirectedReferralOnTheStaffWebAndInDetails: the agency a referral
// was redirected to reads who redirected it and why on the referral's
// page, and in Slack under View details (only the presser sees it); an
// ordinary referral's page says nothing of the kind, and the words never
// reach the log.
func TestRedirectedReferralOnTheStaffWebAndInDetails(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ordinary := tb.selfReferral("origin-ordinary", false)
	r := tb.selfReferral("origin-web", false)
	res, err := tb.Engine.Act(context.Background(), core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect,
		Actor: tb.Net.Adviser.Actor(), ToAgency: tb.Net.Welfare, Feedback: redirectWhy})
	if err != nil || res.Child == nil {
		t.Fatalf("redirect: %v", err)
	}
	child := *res.Child

	welfare := tb.signedIn(tb.Net.WelfareAdviser)
	_, page := welfare.get("/staff/referrals/" + child.Reference)
	for _, want := range []string{"<dt>Redirected to you by</dt><dd>Kirkton Citizens Advice</dd>",
		"<dt>Why they redirected it</dt><dd>" + html.EscapeString(redirectWhy) + "</dd>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the redirected referral's page lacks %q", want)
		}
	}
	coretest.Golden(t, filepath.Join("testdata", "inbox_referral_redirected.html.golden"), csrfRe.ReplaceAllString(page, `name="csrf" value="CSRF"`))

	cab := tb.signedIn(tb.Net.Adviser)
	if _, page := cab.get("/staff/referrals/" + ordinary.Reference); strings.Contains(page, "Redirected to you") || strings.Contains(page, "Why they redirected") {
		t.Errorf("an ordinary referral's page speaks of a redirect")
	}

	wantStatus(t, tb.interact(tb.blockAction("U0ISLA", "C0WELFARE", "details", buttonValue(child.ID, child.Version))), 200)
	tb.bot.wait()
	eph := tb.slack.called("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != "U0ISLA" {
		t.Fatalf("want one ephemeral to the presser, got %+v", eph)
	}
	if want := "*Why Kirkton Citizens Advice redirected it to you:* " + redirectWhy; !strings.Contains(eph[0].all(), want) {
		t.Errorf("View details lacks %q:\n%s", want, eph[0].all())
	}
	for _, m := range tb.slack.called("chat.postMessage") {
		if strings.Contains(m.all(), "PIP form") {
			t.Errorf("a channel message carries the redirect's feedback: %s", m.all())
		}
	}
	if strings.Contains(tb.logText(), "PIP form") {
		t.Errorf("the log carries the redirect's feedback:\n%s", tb.logText())
	}
}
