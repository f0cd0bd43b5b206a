package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/notify"
)

// botCards is the bot's card renderer as the worker gets it in
// production (cmd/onward): a card with no channel is "" and no error.
type botCards struct{ cards *bot.Cards }

func (c botCards) Card(ctx context.Context, id core.ReferralID, kind string) (string, string, []slack.Block, error) {
	channel, text, blocks, err := c.cards.Card(ctx, id, kind)
	if errors.Is(err, bot.ErrNoChannel) {
		return "", "", nil, nil
	}
	return channel, text, blocks, err
}

// staffReferral makes CAB's adviser's referral of a client to agency.
func (h *harness) staffReferral(t *testing.T, key string, to core.AgencyID, crisis bool) core.Referral {
	t.Helper()
	r, err := h.engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: key, By: h.env.Net.Adviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900561", Postcode: "KY1 2CD"},
		Needs:  []core.Need{core.NeedHousing}, ToAgency: to, ConsentConfirmed: true, WordingVersion: h.env.Net.ConsentVersion,
		Crisis: crisis})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRejectionNoticeLinksToTheReferral (finding 8): the referrer's Slack
// notice of a rejection with an explanation says where to read it: a
// link to the referral's page on the staff web, built from the public
// URL as the emails build theirs, and /onward sent.
func TestRejectionNoticeLinksToTheReferral(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	r := h.staffReferral(t, "notice-1", h.env.Net.Housing, false)
	w := h.worker(t, nil)
	drain(t, w)
	if _, err := h.engine.Act(context.Background(), core.TransitionRequest{Referral: r.ID, Action: core.ActionReject,
		Actor: h.env.Net.HousingAdviser.Actor(), Reason: core.ReasonNotEligible, Feedback: "Council tenants go to the council"}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	var notice string
	for _, c := range h.slack.Calls() {
		if c.Channel == "C0CAB" && strings.Contains(c.Text, "was not accepted") {
			notice = c.Text
		}
	}
	if notice == "" {
		t.Fatalf("no rejection notice in CAB's channel: %+v", h.slack.Calls())
	}
	for _, want := range []string{"<https://onward.example/staff/referrals/" + r.Reference + "|open " + r.Reference + ">", "`/onward sent`"} {
		if !strings.Contains(notice, want) {
			t.Errorf("the notice lacks %q: %s", want, notice)
		}
	}
	if strings.Contains(notice, "Council tenants") {
		t.Errorf("the explanation itself went to the channel: %s", notice)
	}
}

// TestRedirectNoticeNamesWhereItWent: the referrer's Slack notice of a
// redirect names the agency the referral went to, as their email does,
// and keeps the adviser's words on why in Onward.
func TestRedirectNoticeNamesWhereItWent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	n := h.env.Net
	// The client agreed to the whole network seeing their details, so
	// Housing Options may send them on.
	r, err := h.engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: "notice-redirect", By: n.Adviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900561", Postcode: "KY1 2CD"},
		Needs:  []core.Need{core.NeedHousing}, ToAgency: n.Housing, ConsentConfirmed: true, WordingVersion: n.ConsentVersion,
		Scope: core.ScopeNetwork})
	if err != nil {
		t.Fatal(err)
	}
	w := h.worker(t, nil)
	drain(t, w)
	if _, err := h.engine.Act(context.Background(), core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect,
		Actor: n.HousingAdviser.Actor(), ToAgency: n.Welfare, Feedback: "Kenny's arrears are a benefits question"}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	var notice string
	for _, c := range h.slack.Calls() {
		if c.Channel == "C0CAB" && strings.Contains(c.Text, "was redirected") {
			notice = c.Text
		}
	}
	const want = "to Kingdom Housing Options was redirected to *Kingdom Council Welfare Rights*."
	if !strings.Contains(notice, want) {
		t.Errorf("the CAB's notice of the redirect: %q\nwant it to say %q", notice, want)
	}
	if strings.Contains(notice, "Kenny") {
		t.Errorf("the explanation itself went to the channel: %s", notice)
	}
}

// TestOneCrisisPingsTheTriageChannelOnce (finding 9): a crisis
// self-referral's card carries the channel-wide mention, and the crisis
// alert beside it mentions nobody; a crisis referral an adviser sends
// straight to an agency posts no "waiting in triage" alert.
func TestOneCrisisPingsTheTriageChannelOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	cards := botCards{bot.NewCards(h.engine, h.cfg)}
	w := h.worker(t, func(o *notify.Options) { o.Cards = cards })
	r := h.selfRefer(t, "crisis-once", func(in *core.SelfReferral) { in.Crisis = true })
	if !r.InTriage() {
		t.Fatal("the crisis self-referral should wait in triage")
	}
	drain(t, w)
	var posts, mentions int
	alerted := false
	for _, c := range h.slack.Calls() {
		if c.Channel != triageChannel || c.Method != "chat.postMessage" {
			continue
		}
		posts++
		if strings.Contains(c.Text+c.Blocks, "<!here>") {
			mentions++
		}
		alerted = alerted || strings.Contains(c.Text, "Please pick it up now")
	}
	if posts != 2 || !alerted || mentions != 1 {
		t.Errorf("triage channel: %d posts (want the card and the alert), %d with @here (want 1), alert posted %v: %+v",
			posts, mentions, alerted, h.slack.Calls())
	}

	before := len(h.slack.Calls())
	h.staffReferral(t, "crisis-direct", h.env.Net.Housing, true)
	drain(t, w)
	for _, c := range h.slack.Calls()[before:] {
		if c.Channel == triageChannel {
			t.Errorf("a crisis referral sent straight to an agency posted in triage: %+v", c)
		}
	}
	for _, row := range h.rows(t) {
		if row.Kind == string(core.OutboxCrisisAlert) && !row.Sent {
			t.Errorf("crisis alert row %d left unsent: %+v", row.ID, row)
		}
	}
}
