package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestSlackWaitingList: an agency at capacity puts a referral on its
// waiting list from the Slack card, and takes it off again, as it can on
// the staff web: the card offers the button that fits the status, the
// press is the referral's change recorded as the adviser's, and a press
// on the card from before the change is refused, changing nothing.
func TestSlackWaitingList(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("waiting-list", false)
	buttons := func() string {
		t.Helper()
		_, _, blocks, err := tb.bot.cards.Card(t.Context(), r.ID, KindAgency)
		if err != nil {
			t.Fatal(err)
		}
		return mustJSON(t, blocks)
	}
	if b := buttons(); !strings.Contains(b, `"action_id":"hold"`) || strings.Contains(b, `"action_id":"resume"`) {
		t.Fatalf("a new referral's card should offer the waiting list, not taking it off: %s", b)
	}
	press := func(button string, version int) {
		t.Helper()
		wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", button, buttonValue(r.ID, version))), 200)
		tb.bot.wait()
	}
	before := tb.referral(r.ID)
	press("hold", before.Version)
	held := tb.referral(r.ID)
	if held.Status != core.StatusOnHold || held.HeldFrom == nil || *held.HeldFrom != core.StatusRequested {
		t.Fatalf("after Waiting list: status %s held from %v, want on-hold from requested", held.Status, held.HeldFrom)
	}
	if b := buttons(); !strings.Contains(b, `"action_id":"resume"`) || strings.Contains(b, `"action_id":"hold"`) ||
		strings.Contains(b, `"action_id":"accept"`) || !strings.Contains(b, "On the waiting list") {
		t.Errorf("a held referral's card should say so and offer only taking it off the list: %s", b)
	}

	// The card from before the hold is stale: its Accept loses.
	tb.Clock.Advance(time.Minute)
	press("accept", before.Version)
	if got := tb.referral(r.ID); got.Status != core.StatusOnHold || got.Version != held.Version {
		t.Errorf("a press on the stale card changed the referral: %s v%d", got.Status, got.Version)
	}
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 1 {
		t.Errorf("the stale press got %d ephemeral replies, want 1 saying what changed", len(eph))
	}

	press("resume", held.Version)
	if got := tb.referral(r.ID); got.Status != core.StatusRequested || got.HeldFrom != nil {
		t.Errorf("after Off the waiting list: status %s held from %v, want requested again", got.Status, got.HeldFrom)
	}
	var ours int
	for _, e := range tb.events(r.ID) {
		if e.Kind == core.EventTransition && e.ActorID != nil && *e.ActorID == tb.Net.Adviser.ID {
			ours++
		}
	}
	if ours != 2 {
		t.Errorf("%d transitions recorded as Ailsa's, want 2 (hold, resume)", ours)
	}
}
