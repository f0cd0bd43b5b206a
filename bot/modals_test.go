package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// openedView is the view of the last views.open call, after checking the
// trigger it used.
func (tb *testBot) openedView(wantTrigger string) map[string]any {
	tb.t.Helper()
	opens := tb.slack.called("views.open")
	if len(opens) == 0 {
		tb.t.Fatalf("no modal was opened")
	}
	last := opens[len(opens)-1]
	if wantTrigger != "" && last.JSON["trigger_id"] != wantTrigger {
		tb.t.Errorf("views.open used trigger %v, want %s", last.JSON["trigger_id"], wantTrigger)
	}
	v, _ := last.JSON["view"].(map[string]any)
	return v
}

// submitResponse decodes a view_submission answer ("" body = close).
func submitResponse(t *testing.T, body string) map[string]any {
	t.Helper()
	if strings.TrimSpace(body) == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("view submission answer is not JSON: %q", body)
	}
	return m
}

func TestRejectModal(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("reject", false)
	press := tb.blockAction("U0AILSA", "C0CAB", "reject", buttonValue(r.ID, r.Version))
	wantStatus(t, tb.interact(press), 200)
	view := tb.openedView(press["trigger_id"].(string))
	goldenJSON(t, "modal_reject", view)
	meta := view["private_metadata"].(string)

	// Not eligible needs feedback: the error shows in the modal, on the
	// feedback block, and nothing changes.
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REJ1", cbReject, meta,
		map[string]any{blkReason: selected("not-eligible"), blkFeedback: typed("")})), 200)
	resp := submitResponse(t, body)
	errs, _ := resp["errors"].(map[string]any)
	if resp["response_action"] != "errors" || !strings.Contains(errs[blkFeedback].(string), "Say why") {
		t.Fatalf("want response_action errors on feedback, got %s", body)
	}
	// A dash says nothing: core wants words, from Slack as from the web.
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REJ1", cbReject, meta,
		map[string]any{blkReason: selected("not-eligible"), blkFeedback: typed("-")})), 200)
	if errs, _ := submitResponse(t, body)["errors"].(map[string]any); errs[blkFeedback] == nil || !strings.Contains(errs[blkFeedback].(string), "in words") {
		t.Fatalf("feedback \"-\": want an error on the feedback block, got %s", body)
	}
	// No reason chosen: error on the reason block.
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REJ1", cbReject, meta,
		map[string]any{blkFeedback: typed("x")})), 200)
	if errs, _ := submitResponse(t, body)["errors"].(map[string]any); errs[blkReason] == nil {
		t.Fatalf("want an error on the reason block, got %s", body)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusRequested {
		t.Fatalf("invalid submissions changed the referral to %s", got.Status)
	}

	// Valid: the modal closes, the referral is rejected with its reason and
	// (being a self-referral) carried on to triage.
	sub := tb.viewSubmission("U0AILSA", "V0REJ1", cbReject, meta,
		map[string]any{blkReason: selected("not-eligible"), blkFeedback: typed("Outside our area: Welfare Rights covers all of Fife.")})
	if body := wantStatus(t, tb.interact(sub), 200); strings.TrimSpace(body) != "" {
		t.Fatalf("valid submission should close the modal, got %s", body)
	}
	got := tb.referral(r.ID)
	if got.Status != core.StatusRejected || got.Reason == nil || *got.Reason != core.ReasonNotEligible || got.Feedback == "" {
		t.Fatalf("referral %+v, want rejected as not eligible with feedback", got)
	}
	children, err := tb.Engine.ListReferrals(context.Background(), core.ReferralFilter{Triage: true})
	if err != nil || len(children) != 1 || children[0].ParentID == nil || *children[0].ParentID != r.ID {
		t.Errorf("the rejected self-referral should wait in triage: %+v %v", children, err)
	}

	// Submitted twice (a Slack retry): the second closes and does nothing.
	if body := wantStatus(t, tb.interact(sub), 200); !strings.Contains(body, `"clear"`) {
		t.Errorf("second submission: %s, want response_action clear", body)
	}
	if n := countKind(tb.events(r.ID), core.EventTransition); n != 1 {
		t.Errorf("%d transitions, want 1", n)
	}

	// The card moved on: Reject… on the old card says who did it.
	tb.slack.reset()
	wantStatus(t, tb.interact(tb.blockAction("U0CALLUM", "C0CAB", "reject", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	eph := tb.slack.called("chat.postEphemeral")
	if len(eph) != 1 || !strings.Contains(eph[0].text(), "Already changed: Rejected by Ailsa Brodie") {
		t.Errorf("stale Reject…: want an already-rejected reply, got %+v", eph)
	}
	if len(tb.slack.called("views.open")) != 0 {
		t.Errorf("stale Reject… opened a modal")
	}
}

func TestRedirectModal(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("redirect", false)
	press := tb.blockAction("U0AILSA", "C0CAB", "redirect", buttonValue(r.ID, r.Version))
	wantStatus(t, tb.interact(press), 200)
	view := tb.openedView(press["trigger_id"].(string))
	goldenJSON(t, "modal_redirect", view)
	if s := mustJSON(t, view); !strings.Contains(s, "Kingdom Council Welfare Rights") || !strings.Contains(s, "offers debt") {
		t.Errorf("redirect modal should offer Welfare Rights with why: %s", s)
	}
	welfare := strconv.FormatInt(int64(tb.Net.Welfare), 10)
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0RED1", cbRedirect, view["private_metadata"].(string),
		map[string]any{blkAgency: radio(welfare), blkFeedback: typed("")})), 200)
	if strings.TrimSpace(body) != "" {
		t.Fatalf("redirect should close the modal, got %s", body)
	}
	got := tb.referral(r.ID)
	if got.Status != core.StatusRejected || *got.Reason != core.ReasonRedirected {
		t.Fatalf("referral %s, want redirected", got.Status)
	}
	onward, _ := tb.Engine.ListReferrals(context.Background(), core.ReferralFilter{ToAgency: tb.Net.Welfare})
	if len(onward) != 1 {
		t.Errorf("want one referral now with Welfare Rights, got %d", len(onward))
	}
}

func TestRedirectRefusedOutsideConsent(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	// A staff referral: consent covers the receiving agency only.
	in, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "consent-scope", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900777", Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	// The form offers no agency the consent does not cover, and says why
	// each is left out.
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", "redirect", buttonValue(in.ID, in.Version))), 200)
	if view := mustJSON(t, tb.openedView("")); !strings.Contains(view, "outside the client's consent") || strings.Contains(view, `"radio_buttons"`) {
		t.Errorf("the redirect form offers agencies outside the consent, or does not say why they are left out: %s", view)
	}
	housing := strconv.FormatInt(int64(tb.Net.Housing), 10)
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0RED2", cbRedirect, buttonValue(in.ID, in.Version),
		map[string]any{blkAgency: radio(housing)})), 200)
	resp := submitResponse(t, body)
	errs, _ := resp["errors"].(map[string]any)
	msg, _ := errs[blkAgency].(string)
	if resp["response_action"] != "errors" || !strings.Contains(msg, "consent does not cover") || !strings.Contains(msg, "Kingdom Housing Options") {
		t.Fatalf("want a consent refusal on the agency block, got %s", body)
	}
	if got := tb.referral(in.ID); got.Status != core.StatusRequested {
		t.Errorf("refused redirect changed the referral to %s", got.Status)
	}
}

func TestTriageClaimAndAssign(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("triage", true)
	if !r.InTriage() {
		t.Fatal("crisis self-referral should wait in triage")
	}
	// An adviser cannot claim: only coordinators triage (refused, audited).
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0TRIAGE", "claim", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].text(), "coordinator") {
		t.Errorf("adviser claim: want a refusal, got %+v", eph)
	}
	wantStatus(t, tb.interact(tb.blockAction("U0MORVEN", "C0TRIAGE", "claim", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	claimed := tb.referral(r.ID)
	if claimed.TriageClaimedBy == nil || *claimed.TriageClaimedBy != tb.Net.Coordinator.ID {
		t.Fatalf("not claimed by the coordinator")
	}
	// Assign… from the (now stale) card still opens, with the current version.
	press := tb.blockAction("U0MORVEN", "C0TRIAGE", "assign", buttonValue(r.ID, r.Version))
	wantStatus(t, tb.interact(press), 200)
	view := tb.openedView(press["trigger_id"].(string))
	goldenJSON(t, "modal_assign", view)
	cab := strconv.FormatInt(int64(tb.Net.CAB), 10)
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0MORVEN", "V0ASG1", cbAssign, view["private_metadata"].(string),
		map[string]any{blkAgency: radio(cab)})), 200)
	if strings.TrimSpace(body) != "" {
		t.Fatalf("assign should close the modal, got %s", body)
	}
	got := tb.referral(r.ID)
	if got.ToAgencyID == nil || *got.ToAgencyID != tb.Net.CAB || got.Status != core.StatusRequested {
		t.Fatalf("referral not assigned to CAB: %+v", got)
	}
	if countKind(tb.events(r.ID), core.EventAssigned) != 1 {
		t.Errorf("assignment not audited")
	}
	// Its card now goes to the agency's channel too.
	if n := agencyCards(t, tb, r.ID); n == 0 {
		t.Errorf("no agency card queued after assignment (%d)", n)
	}
}

func TestViewDetails(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("details", false)
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", "details", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	eph := tb.slack.called("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != "U0AILSA" {
		t.Fatalf("want one ephemeral to the presser, got %+v", eph)
	}
	all := eph[0].all()
	// The phone as staff dial it (07700 9…), not as stored (+447700…).
	for _, want := range []string{"Morag Baird", "*Phone:* 07700 9", "KY1 1AB", "Rent arrears letter"} {
		if !strings.Contains(all, want) {
			t.Errorf("details reply lacks %q: %s", want, all)
		}
	}
	assertNoPII(t, "the notification text of the details reply", eph[0].text())
	if countKind(tb.events(r.ID), core.EventDisclosed) != 1 {
		t.Errorf("disclosure not audited")
	}
	// Another agency's adviser: refused, no details, audited.
	tb.slack.reset()
	wantStatus(t, tb.interact(tb.blockAction("U0ISLA", "C0CAB", "details", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	eph = tb.slack.called("chat.postEphemeral")
	if len(eph) != 1 || !strings.Contains(eph[0].text(), "Not allowed") {
		t.Fatalf("want a refusal, got %+v", eph)
	}
	assertNoPII(t, "the refusal", eph[0].all())
	if countKind(tb.events(r.ID), core.EventAccessDenied) != 1 {
		t.Errorf("refused disclosure not audited")
	}
	// A coordinator sees the card, but the details only go to the agency
	// holding the referral.
	tb.slack.reset()
	wantStatus(t, tb.interact(tb.blockAction("U0MORVEN", "C0CAB", "details", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 1 || strings.Contains(eph[0].all(), "Morag Baird") || !strings.Contains(eph[0].text(), "Not allowed") {
		t.Errorf("a coordinator outside the holding agency should be refused the details: %+v", eph)
	}
	if countKind(tb.events(r.ID), core.EventAccessDenied) != 2 {
		t.Errorf("refused disclosure to the coordinator not audited")
	}
	// No personal data in the logs.
	for _, p := range piiOfSeededClient {
		if strings.Contains(tb.logText(), p) {
			t.Errorf("log carries personal data %q:\n%s", p, tb.logText())
		}
	}
}

func TestModalOpenFailureIsExplained(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("expired", false)
	tb.slack.openFail = "expired_trigger_id"
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", "reject", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].text(), "went wrong") {
		t.Errorf("want a failure reply, got %+v", eph)
	}
}

// TestSlackIsAnsweredInTimeWhenItsAPIIsSlow: what Onward asks of Slack's
// API before it answers a press or a command (views.open, users.info for
// a user not yet linked) is cut off at answerWithin, so Slack gets its
// answer inside its 3 s however slow its API is, and the presser is told
// privately that it did not work.
func TestSlackIsAnsweredInTimeWhenItsAPIIsSlow(t *testing.T) {
	tb := newTestBot(t)
	tb.bot.answerWithin = 200 * time.Millisecond
	tb.slack.slow = 2 * time.Second
	r := tb.selfReferral("slow-slack", false)
	for name, send := range map[string]func() *http.Response{
		"Reject… on a card": func() *http.Response {
			return tb.interact(tb.blockAction("U0AILSA", "C0CAB", "reject", buttonValue(r.ID, r.Version)))
		},
		"/refer": func() *http.Response { return tb.command("U0AILSA", "/refer", "") },
		"a user not yet linked": func() *http.Response {
			tb.slack.emails["U0NEWCOMER"] = "newcomer@example.org"
			return tb.interact(tb.blockAction("U0NEWCOMER", "C0CAB", "reject", buttonValue(r.ID, r.Version)))
		},
	} {
		start := time.Now()
		resp := send()
		if took := time.Since(start); took > time.Second {
			t.Errorf("%s: Slack was answered after %s, past the time allowed", name, took.Round(time.Millisecond))
		}
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d, want 200", name, resp.StatusCode)
		}
	}
	tb.bot.wait()
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) == 0 {
		t.Error("nobody was told the press did not work")
	}
}
