package bot

import (
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
)

// cardWorker is notify's real outbox worker posting and updating cards
// in the fake Slack, as `onward worker` does.
func (tb *testBot) cardWorker() *notify.Worker {
	tb.t.Helper()
	sender, err := notify.NewSlackClient(tb.cfg, notify.SenderOptions{})
	if err != nil {
		tb.t.Fatal(err)
	}
	w, err := notify.New(notify.Options{Engine: tb.Engine, Config: tb.cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Slack: sender, Cards: notifyCards{tb.bot.cards}, DisableDigest: true})
	if err != nil {
		tb.t.Fatal(err)
	}
	return w
}

// slackCard is a card as the fake Slack last received it.
type slackCard struct {
	method string // chat.postMessage or chat.update
	raw    string // the blocks, as sent
	blocks []any
}

// cardIn is the latest card of the referral (by reference) posted or
// updated in the channel since the fake Slack was last reset.
func (tb *testBot) cardIn(channel, reference string) (slackCard, bool) {
	tb.t.Helper()
	tb.slack.mu.Lock()
	defer tb.slack.mu.Unlock()
	for i := len(tb.slack.calls) - 1; i >= 0; i-- {
		c := tb.slack.calls[i]
		if (c.Method != "chat.postMessage" && c.Method != "chat.update") || c.Form.Get("channel") != channel {
			continue
		}
		card := slackCard{method: c.Method, raw: c.Form.Get("blocks")}
		if err := json.Unmarshal([]byte(card.raw), &card.blocks); err != nil {
			tb.t.Fatalf("card blocks: %v", err)
		}
		if strings.HasPrefix(card.block("card_header"), reference+" ") {
			return card, true
		}
	}
	return slackCard{}, false
}

// block is the text of the card's block with this id ("" when none).
func (c slackCard) block(id string) string {
	for _, b := range c.blocks {
		if str(obj(b)["block_id"]) != id {
			continue
		}
		if t := str(obj(obj(b)["text"])["text"]); t != "" {
			return t
		}
		var parts []string
		for _, e := range list(obj(b)["elements"]) {
			parts = append(parts, str(obj(e)["text"]))
		}
		return strings.Join(parts, " ")
	}
	return ""
}

// button is the value of the card's button with this action id, and
// whether the card has it.
func (c slackCard) button(b button) (string, bool) {
	for _, blk := range c.blocks {
		for _, e := range list(obj(blk)["elements"]) {
			if str(obj(e)["type"]) == "button" && str(obj(e)["action_id"]) == string(b) {
				return str(obj(e)["value"]), true
			}
		}
	}
	return "", false
}

// heldByWelfare is a referral Kirkton Citizens Advice redirected to
// Welfare Rights, accepted there.
func (tb *testBot) heldByWelfare(key string) core.Referral {
	tb.t.Helper()
	r := tb.selfReferral(key, false)
	res, err := tb.Engine.Act(tb.t.Context(), core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect,
		Actor: tb.Net.Adviser.Actor(), ToAgency: tb.Net.Welfare})
	if err != nil || res.Child == nil {
		tb.t.Fatalf("redirect to Welfare Rights: %v", err)
	}
	res, err = tb.Engine.Act(tb.t.Context(), core.TransitionRequest{Referral: res.Child.ID, Action: core.ActionAccept,
		Actor: tb.Net.WelfareAdviser.Actor()})
	if err != nil {
		tb.t.Fatal(err)
	}
	return res.Referral
}

// TestRetiredAgencysCardOffersRedirect: when an agency leaves the
// network, the cards of the referrals it kept (accepted, contacted, on
// its waiting list) are updated in its channel through the outbox, and
// each offers Redirect… and says who can press it (core's rule:
// core.Referral.AllowedHeldBy). An adviser of another agency pressing it
// is told only a coordinator can; the retired agency's own adviser, whose
// access ended with it, is turned away; the coordinator's press opens the
// modal, and submitting it with why refers the client on, and the card
// shows the redirect. A referral held by an agency still in the network
// keeps its card as it was.
func TestRetiredAgencysCardOffersRedirect(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := t.Context()
	w := tb.cardWorker()
	kept := tb.acceptedBy("card-left-accepted")
	contacted := tb.acceptedBy("card-left-contacted")
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: contacted.ID, Action: core.ActionContact, Actor: tb.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	held := tb.acceptedBy("card-left-held")
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: held.ID, Action: core.ActionHold, Actor: tb.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	elsewhere := tb.heldByWelfare("card-left-elsewhere")
	tb.deliver(w)
	before, ok := tb.cardIn("C0CAB", kept.Reference)
	if !ok {
		t.Fatalf("no card for %s in the agency's channel", kept.Reference)
	}
	if _, has := before.button(btnRedirect); has {
		t.Fatalf("an agency in the network's accepted referral offers Redirect…: %s", before.raw)
	}
	rendered := func(id core.ReferralID) string {
		t.Helper()
		channel, text, blocks, err := tb.bot.cards.Card(ctx, id, KindAgency)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := jsonString(map[string]any{"channel": channel, "text": text, "blocks": blocks})
		return s
	}
	welfareBefore := rendered(elsewhere.ID)

	if err := tb.Engine.RetireAgency(ctx, tb.Net.CAB, tb.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	tb.slack.reset()
	tb.deliver(w)
	for _, r := range []core.Referral{kept, contacted, held} {
		card, ok := tb.cardIn("C0CAB", r.Reference)
		if !ok || card.method != "chat.update" {
			t.Fatalf("retiring the agency did not update the card of its %s referral %s in place (%q)", tb.referral(r.ID).Status, r.Reference, card.method)
		}
		if _, has := card.button(btnRedirect); !has {
			t.Errorf("the card of the retired agency's %s referral offers no Redirect…: %s", tb.referral(r.ID).Status, card.raw)
		}
		if left := card.block("card_left"); !strings.Contains(left, "Kirkton Citizens Advice* has left the network") ||
			!strings.Contains(left, "A network coordinator refers the client on with *Redirect…*") {
			t.Errorf("the card does not say its agency left and who can move the referral on: %q", left)
		}
		checkBlockKit(t, "the retired agency's card of "+r.Reference, "message", card.blocks)
	}
	if _, ok := tb.cardIn("C0WELFARE", elsewhere.Reference); ok {
		t.Errorf("retiring Kirkton Citizens Advice updated the card of a referral Welfare Rights holds")
	}
	if got := rendered(elsewhere.ID); got != welfareBefore {
		t.Errorf("the card of a referral held by an agency in the network changed when another retired:\n%s\nwas\n%s", got, welfareBefore)
	}
	channel, text, blocks, err := tb.bot.cards.Card(ctx, kept.ID, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	goldenJSON(t, "card_agency_left_network", map[string]any{"channel": channel, "text": text, "blocks": blocks})

	card, _ := tb.cardIn("C0CAB", kept.Reference)
	value, _ := card.button(btnRedirect)
	opens := func() int { return len(tb.slack.called("views.open")) }

	// Another agency's adviser: refused at the press, saying why.
	tb.slack.reset()
	wantStatus(t, tb.interact(tb.blockAction("U0ISLA", "C0CAB", "redirect", value)), 200)
	tb.bot.wait()
	eph := tb.slack.called("chat.postEphemeral")
	if opens() != 0 || len(eph) != 1 || !strings.Contains(eph[0].text(), "only a coordinator can redirect a referral whose agency has left the network") {
		t.Errorf("another agency's adviser pressing Redirect… should be told only a coordinator can, got %d modals and %+v", opens(), eph)
	}
	// The retired agency's own adviser: their access ended with it, and
	// they are told so, not that they were never registered.
	tb.slack.reset()
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", "redirect", value)), 200)
	tb.bot.wait()
	if eph := tb.slack.called("chat.postEphemeral"); opens() != 0 || len(eph) != 1 ||
		!strings.Contains(eph[0].text(), "has left the network, so its staff can no longer act in Onward, and nothing was done") ||
		strings.Contains(eph[0].text(), "not registered") {
		t.Errorf("the retired agency's former adviser pressing Redirect… should be told their agency left, got %d modals and %+v", opens(), eph)
	}
	if got := tb.referral(kept.ID); got.Status != core.StatusAccepted || got.Version != kept.Version {
		t.Fatalf("a refused press changed the referral: %s v%d", got.Status, got.Version)
	}

	// The coordinator: the modal, and the client referred on.
	press := tb.blockAction("U0MORVEN", "C0CAB", "redirect", value)
	wantStatus(t, tb.interact(press), 200)
	view := tb.openedView(press["trigger_id"].(string))
	if view["callback_id"] != cbRedirect {
		t.Fatalf("the coordinator's press opened %v, want the redirect modal", view["callback_id"])
	}
	welfare := strconv.FormatInt(int64(tb.Net.Welfare), 10)
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0MORVEN", "V0CARDLEFT", cbRedirect, view["private_metadata"].(string),
		map[string]any{blkAgencyOther: selected(welfare), blkFeedback: typed("Kirkton Citizens Advice has closed; Welfare Rights will help.")})), 200)
	if strings.TrimSpace(body) != "" {
		t.Fatalf("the redirect should close the modal, got %s", body)
	}
	got := tb.referral(kept.ID)
	if got.Status != core.StatusRejected || got.Reason == nil || *got.Reason != core.ReasonRedirected {
		t.Fatalf("after the coordinator's redirect: %s %v, want rejected as redirected", got.Status, got.Reason)
	}
	tb.deliver(w)
	card, _ = tb.cardIn("C0CAB", kept.Reference)
	if _, has := card.button(btnRedirect); has || card.block("card_left") != "" ||
		!strings.Contains(card.block("card_status"), "*Redirected* to *Kingdom Council Welfare Rights* by Morven Reid") {
		t.Errorf("after the redirect the card should show it, with no Redirect… nor the retired line: %s", card.raw)
	}
	onward, err := tb.Engine.ListReferrals(ctx, core.ReferralFilter{ToAgency: tb.Net.Welfare})
	if err != nil {
		t.Fatal(err)
	}
	var referredOn []string
	for _, r := range onward {
		if r.ParentID != nil && *r.ParentID == kept.ID {
			referredOn = append(referredOn, r.Reference)
		}
	}
	if len(referredOn) != 1 {
		t.Fatalf("want the client referred on to Welfare Rights once, got %v", referredOn)
	}
	if card, ok := tb.cardIn("C0WELFARE", referredOn[0]); !ok || card.method != "chat.postMessage" {
		t.Errorf("the referral on to Welfare Rights was not posted in its channel")
	}
}

// TestBroughtBackAgencysCardsAsBefore: bringing a retired agency back
// updates the cards of the referrals it kept to what they were before it
// retired: no Redirect…, no line saying it left.
func TestBroughtBackAgencysCardsAsBefore(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := t.Context()
	w := tb.cardWorker()
	kept := tb.acceptedBy("card-back-accepted")
	tb.deliver(w)
	before, _ := tb.cardIn("C0CAB", kept.Reference)
	if err := tb.Engine.RetireAgency(ctx, tb.Net.CAB, tb.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	tb.deliver(w)
	if card, _ := tb.cardIn("C0CAB", kept.Reference); card.block("card_left") == "" {
		t.Fatalf("the retired agency's card does not say it left: %s", card.raw)
	}
	if err := tb.Engine.UnretireAgency(ctx, tb.Net.CAB, tb.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	tb.slack.reset()
	tb.deliver(w)
	after, ok := tb.cardIn("C0CAB", kept.Reference)
	if !ok || after.method != "chat.update" {
		t.Fatalf("bringing the agency back did not update its referral's card (%q)", after.method)
	}
	// Its staff stay deactivated when it comes back, and a card names
	// a member of staff who has left as such (staffName): that is the one
	// thing that differs from the card before it retired.
	want := strings.Replace(before.raw, "Ailsa Brodie (Kirkton Citizens Advice)", "a former member of staff", 1)
	if after.raw != want {
		t.Errorf("the card of the brought-back agency's referral is not as before:\n%s\nwant\n%s", after.raw, want)
	}
}
