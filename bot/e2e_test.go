package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
)

// notifyCards adapts Cards to notify's renderer, as cmd/onward does.
type notifyCards struct{ c *Cards }

func (n notifyCards) Card(ctx context.Context, id core.ReferralID, kind string) (string, string, []slack.Block, error) {
	ch, text, blocks, err := n.c.Card(ctx, id, kind)
	if errors.Is(err, ErrNoChannel) {
		return "", "", nil, nil
	}
	return ch, text, blocks, err
}

// deliver runs notify's real outbox worker against the fake Slack until
// nothing is due.
func (tb *testBot) deliver(w *notify.Worker) {
	tb.t.Helper()
	for i := 0; i < 20; i++ {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			tb.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	tb.t.Fatal("outbox did not drain")
}

// lastCard is the latest card posted or updated in a channel, as blocks
// JSON.
func (tb *testBot) lastCard(channel string) (method, blocks string) {
	tb.t.Helper()
	tb.slack.mu.Lock()
	defer tb.slack.mu.Unlock()
	for i := len(tb.slack.calls) - 1; i >= 0; i-- {
		c := tb.slack.calls[i]
		if (c.Method == "chat.postMessage" || c.Method == "chat.update") && c.Form.Get("channel") == channel {
			return c.Method, c.Form.Get("blocks")
		}
	}
	tb.t.Fatalf("no card in %s", channel)
	return "", ""
}

// press reads the current version of the card and presses a button on it.
func (tb *testBot) press(user, channel, button string, id core.ReferralID) {
	tb.t.Helper()
	r := tb.referral(id)
	wantStatus(tb.t, tb.interact(tb.blockAction(user, channel, button, buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
}

// TestEndToEnd follows referrals from arrival to outcome through the bot
// and notify's real worker: cards appear in the fake Slack, buttons and
// modals act, cards update in place, the audit log has every step, and an
// agency without Slack does the same in the web inbox.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	sender, err := notify.NewSlackClient(tb.cfg, notify.SenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := notify.New(notify.Options{Engine: tb.Engine, Config: tb.cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Slack: sender, Cards: notifyCards{tb.bot.cards}, DisableDigest: true})
	if err != nil {
		t.Fatal(err)
	}

	// Arrives: a card in CAB's channel with Accept.
	r := tb.selfReferral("e2e-1", false)
	tb.deliver(w)
	method, blocks := tb.lastCard("C0CAB")
	if method != "chat.postMessage" || !strings.Contains(blocks, r.Reference) || !strings.Contains(blocks, `"action_id":"accept"`) {
		t.Fatalf("new card: %s %s", method, blocks)
	}
	assertNoPII(t, "the posted card", blocks)
	steps := []struct{ button, shows, next string }{
		{"accept", "Accepted", `"action_id":"contact"`},
		{"contact", "Client contacted", `"action_id":"complete"`},
		{"complete", "Completed", ""},
	}
	for _, s := range steps {
		tb.Clock.Advance(time.Hour)
		tb.press("U0AILSA", "C0CAB", s.button, r.ID)
		if s.button == "complete" {
			view := tb.openedView("")
			wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0E2EDONE", cbComplete, view["private_metadata"].(string),
				map[string]any{blkOutcome: selected(string(core.OutcomeHelpGiven))})), 200)
		}
		tb.deliver(w)
		method, blocks := tb.lastCard("C0CAB")
		if method != "chat.update" || !strings.Contains(blocks, s.shows) || !strings.Contains(blocks, "Ailsa Brodie") {
			t.Fatalf("after %s: %s %s", s.button, method, blocks)
		}
		if s.next != "" && !strings.Contains(blocks, s.next) || strings.Contains(blocks, `"action_id":"`+s.button+`"`) {
			t.Errorf("after %s the card shows stale or missing buttons: %s", s.button, blocks)
		}
	}

	// Rejected with a reason: the card says so and the client goes back
	// to triage, whose card appears in the triage channel.
	r2 := tb.selfReferral("e2e-2", false)
	tb.deliver(w)
	tb.press("U0CALLUM", "C0CAB", "reject", r2.ID)
	view := tb.openedView("")
	wantStatus(t, tb.interact(tb.viewSubmission("U0CALLUM", "V0E2E1", cbReject, view["private_metadata"].(string),
		map[string]any{blkReason: selected("no-capacity"), blkFeedback: typed("No appointments free this month")})), 200)
	tb.deliver(w)
	if _, blocks := tb.lastCard("C0CAB"); !strings.Contains(blocks, "Rejected") || !strings.Contains(blocks, "No capacity just now") {
		t.Errorf("rejected card: %s", blocks)
	}
	_, triage := tb.lastCard("C0TRIAGE")
	if !strings.Contains(triage, `"action_id":"assign"`) {
		t.Errorf("the rerouted referral should be in triage with Assign…: %s", triage)
	}

	// Redirected: the card names where it went; the new agency gets a card.
	r3 := tb.selfReferral("e2e-3", false)
	tb.deliver(w)
	tb.press("U0AILSA", "C0CAB", "redirect", r3.ID)
	view = tb.openedView("")
	wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0E2E2", cbRedirect, view["private_metadata"].(string),
		map[string]any{blkAgency: radio(strconv.FormatInt(int64(tb.Net.Welfare), 10))})), 200)
	tb.deliver(w)
	if _, blocks := tb.lastCard("C0CAB"); !strings.Contains(blocks, "Redirected") || !strings.Contains(blocks, "Kingdom Council Welfare Rights") {
		t.Errorf("redirected card: %s", blocks)
	}
	if method, blocks := tb.lastCard("C0WELFARE"); method != "chat.postMessage" || !strings.Contains(blocks, `"action_id":"accept"`) {
		t.Errorf("the new agency's card: %s %s", method, blocks)
	}

	// The audit log has every step, and its chain holds.
	kinds := func(id core.ReferralID) string {
		var out []string
		for _, e := range tb.events(id) {
			out = append(out, string(e.Kind)+":"+string(e.ToStatus))
		}
		return strings.Join(out, " ")
	}
	if got := kinds(r.ID); got != "referral.created:requested referral.transition:accepted referral.transition:in-progress referral.transition:completed" {
		t.Errorf("audit of the first referral: %s", got)
	}
	if got := kinds(r2.ID); !strings.Contains(got, "referral.transition:rejected") {
		t.Errorf("audit of the rejected referral: %s", got)
	}
	res, err := core.VerifyAuditLog(ctx, tb.Pool)
	if err != nil || res.Break != nil {
		t.Errorf("audit chain: %+v %v", res.Break, err)
	}

	// An agency without Slack: its card goes nowhere in Slack, and its
	// adviser works from the web inbox.
	id, err := tb.Engine.AddStaff(ctx, tb.Pool, core.NewStaff{AgencyID: tb.Net.FoodBank, Name: "Iona Kerr", Role: core.RoleAdviser, Email: "iona@foodbank.example"})
	if err != nil {
		t.Fatal(err)
	}
	iona, _ := tb.Engine.StaffByID(ctx, id)
	food := tb.selfReferralNeeds("e2e-food", core.NeedFood)
	if food.ToAgencyID == nil || *food.ToAgencyID != tb.Net.FoodBank {
		t.Fatalf("food referral should go to the food bank")
	}
	before := len(tb.slack.called("chat.postMessage"))
	tb.deliver(w)
	for _, c := range tb.slack.called("chat.postMessage")[before:] {
		if strings.Contains(c.Form.Get("blocks"), food.Reference) {
			t.Errorf("a card for an agency without Slack was posted in %s", c.Form.Get("channel"))
		}
	}
	web := tb.signedIn(iona)
	_, page := web.get("/staff/")
	if !strings.Contains(page, food.Reference) {
		t.Fatalf("the food bank's inbox lacks %s", food.Reference)
	}
	resp, _ := web.post(fmt.Sprintf("/staff/referrals/%s/accept", food.Reference), url.Values{"csrf": {web.csrf}, "version": {strconv.Itoa(food.Version)}})
	if resp.StatusCode != 303 {
		t.Fatalf("web accept: %d", resp.StatusCode)
	}
	if got := kinds(food.ID); got != "referral.created:requested referral.transition:accepted" {
		t.Errorf("audit of the web-accepted referral: %s", got)
	}
}
