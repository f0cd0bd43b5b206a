package bot

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestCompleteModalWithGain: the Slack modal offers the gain for a debt
// referral; a negative amount comes back against its own field; a good
// submission stores the gain, type and topic; a second adviser completing
// from the same modal is told who completed it first.
func TestCompleteModalWithGain(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("slackgain", false)
	for _, b := range []string{"accept", "contact"} {
		cur := tb.referral(r.ID)
		wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", b, buttonValue(cur.ID, cur.Version))), 200)
		tb.bot.wait()
	}
	cur := tb.referral(r.ID)
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", "complete", buttonValue(cur.ID, cur.Version))), 200)
	tb.bot.wait()
	view := tb.openedView("")
	js := mustJSON(t, view)
	for _, want := range []string{`"block_id":"gain_weekly_income"`, `"block_id":"gain_debt_managed"`, "Type III: advocacy and representation", `"value":"consumer"`} {
		if !strings.Contains(js, want) {
			t.Errorf("the complete modal lacks %s", want)
		}
	}
	meta := view["private_metadata"].(string)
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0G1", cbComplete, meta, map[string]any{
		blkOutcome: selected("help-given"), "gain_weekly_income": typed("-5"), "gain_one_off_income": typed("2,000,000")})), 200)
	if !strings.Contains(body, `"gain_weekly_income":"Weekly income gained cannot be negative"`) ||
		!strings.Contains(body, `"gain_one_off_income":"One-off income gained must be £1,000,000 or less"`) {
		t.Errorf("bad amounts should be refused against their fields: %s", body)
	}
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0G2", cbComplete, meta, map[string]any{
		blkOutcome: selected("help-given"), "gain_debt_written_off": typed("£3,500"), blkAdviceType: radio("type-3"),
		blkAdviceTopic: selected("debt")})), 200)
	if strings.Contains(body, "errors") {
		t.Fatalf("a good completion was refused: %s", body)
	}
	got := tb.referral(r.ID)
	if got.Status != core.StatusCompleted || got.Gain() != (core.Gain{DebtWrittenOff: 350000}) || *got.AdviceType != core.AdviceTypeIII || *got.AdviceTopic != "debt" {
		t.Errorf("stored %s %+v %v %v", got.Status, got.Gain(), got.AdviceType, got.AdviceTopic)
	}
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0CALLUM", "V0G3", cbComplete, meta, map[string]any{
		blkOutcome: selected("other")})), 200)
	if !strings.Contains(body, "Ailsa Brodie") {
		t.Errorf("the second completion should be told who completed it: %s", body)
	}
	if got := tb.referral(r.ID); *got.Outcome != core.OutcomeHelpGiven {
		t.Errorf("the second completion changed the outcome to %s", *got.Outcome)
	}
}
