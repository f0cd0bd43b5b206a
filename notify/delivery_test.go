package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// A self-referral routed to an agency, then accepted: its card is posted
// once and updated in place, and the client gets the confirmation and the
// accepted text, in that order.
func TestReferralCardPostedThenUpdatedAndTextsSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	r := h.selfRefer(t, "k1", toWelfare)
	if r.ToAgencyID == nil || *r.ToAgencyID != h.env.Net.Welfare {
		t.Fatalf("expected the referral routed to Welfare Rights, got %v", r.ToAgencyID)
	}
	w := h.worker(t, nil)
	drain(t, w)

	calls := h.slack.Calls()
	if len(calls) != 1 || calls[0].Method != "chat.postMessage" || calls[0].Channel != "C0WELFARE" {
		t.Fatalf("want one card posted to C0WELFARE, got %+v", calls)
	}
	if !strings.Contains(calls[0].Blocks, r.Reference) || strings.Contains(calls[0].Blocks, "Morag") {
		t.Errorf("card must show the reference and no personal data: %s", calls[0].Blocks)
	}
	var channel, ts string
	if err := h.env.Pool.QueryRow(ctx, `SELECT channel, ts FROM slack_cards WHERE referral_id = $1 AND channel_kind = 'agency'`, r.ID).Scan(&channel, &ts); err != nil {
		t.Fatalf("slack_cards row: %v", err)
	}
	if channel != "C0WELFARE" || ts != calls[0].TS {
		t.Errorf("slack_cards = %s/%s, want C0WELFARE/%s", channel, ts, calls[0].TS)
	}
	sms := h.twilio.Accepted()
	if len(sms) != 1 || !strings.Contains(sms[0].Body, r.Reference) || sms[0].To != "+447700900123" {
		t.Fatalf("want the confirmation text to the client, got %+v", sms)
	}

	res, err := h.engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: h.env.Net.WelfareAdviser.Actor()})
	if err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	calls = h.slack.Calls()
	if len(calls) != 2 || calls[1].Method != "chat.update" || calls[1].TS != ts || calls[1].Channel != "C0WELFARE" {
		t.Fatalf("want the card updated in place, got %+v", calls)
	}
	if m, _ := h.slack.Message(channel, ts); !strings.Contains(m.Blocks, "accepted") {
		t.Errorf("updated card does not show the new status: %s", m.Blocks)
	}
	sms = h.twilio.Accepted()
	if len(sms) != 2 || !strings.HasPrefix(sms[1].Body, "Kingdom Council Welfare Rights will contact you within 3 working days") {
		t.Fatalf("want the accepted text second, got %+v", sms)
	}
	for _, row := range h.rows(t) {
		if row.Kind == string(core.OutboxCard) || row.Template == core.SMSAccepted || row.Template == core.SMSConfirmation {
			if !row.Sent || row.ProviderID == "" {
				t.Errorf("row %d (%s %s) not sent with a provider id: %+v", row.ID, row.Kind, row.Template, row)
			}
		}
	}
	// Both texts are counted for the texts report, in the transaction
	// that marked them sent.
	var texts, segments int64
	if err := h.env.Pool.QueryRow(ctx, `SELECT coalesce(sum(texts), 0), coalesce(sum(segments), 0) FROM sms_segments
		WHERE language = 'en' AND encoding = 'GSM-7'`).Scan(&texts, &segments); err != nil {
		t.Fatal(err)
	}
	n0, _ := core.SMSSegments(sms[0].Body)
	n1, _ := core.SMSSegments(sms[1].Body)
	if texts != 2 || segments != int64(n0+n1) {
		t.Errorf("counted %d texts, %d segments; want 2, %d", texts, segments, n0+n1)
	}
	_ = res
}

// Without Slack configured, Slack kinds are marked sent as skipped: the
// staff web inbox reads the database directly.
func TestSlackNotConfiguredSkips(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOpts{noSlack: true})
	h.selfRefer(t, "k1", nil)
	drain(t, h.worker(t, nil))
	for _, row := range h.rows(t) {
		if row.Kind == string(core.OutboxCard) && (!row.Sent || row.DeliveryStatus != "skipped: Slack not configured") {
			t.Errorf("card row %d: sent=%v status=%q", row.ID, row.Sent, row.DeliveryStatus)
		}
	}
	if n := h.slack.Requests(); n != 0 {
		t.Errorf("Slack got %d requests while not configured", n)
	}
}

// toWelfare makes a self-referral that routes to Fife Council Welfare
// Rights alone (St Andrews, benefits).
func toWelfare(in *core.SelfReferral) {
	in.Needs = []core.Need{core.NeedBenefits}
	in.Client.Postcode = "KY16 9AJ"
}
