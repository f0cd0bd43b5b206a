package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
)

// CardRenderer draws a referral's Slack card for one channel kind
// ("agency" or "triage") and says which channel it belongs in ("" when
// that audience has no channel). The bot package owns the card's look;
// notify only delivers it.
type CardRenderer interface {
	Card(ctx context.Context, referral core.ReferralID, channelKind string) (channel string, text string, blocks []slack.Block, err error)
}

const sqlSelectCard = `SELECT channel, ts FROM slack_cards WHERE referral_id = $1 AND channel_kind = $2`

const sqlUpsertCard = `
INSERT INTO slack_cards (referral_id, channel_kind, channel, ts, agency_id, posted_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (referral_id, channel_kind) DO UPDATE
SET channel = EXCLUDED.channel, ts = EXCLUDED.ts, agency_id = EXCLUDED.agency_id, posted_at = EXCLUDED.posted_at`

// syncCard posts the referral's card in a channel the first time and
// updates it in place afterwards. Where it was posted is recorded in the
// same transaction that marks the row sent.
func (w *Worker) syncCard(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	if w.slack == nil {
		return skipped("Slack not configured"), nil
	}
	kind := r.Payload.Channel
	if kind != "agency" && kind != "triage" {
		return outcome{}, permanent(fmt.Sprintf("unknown card channel kind %q", kind), nil)
	}
	id := r.Referral()
	ref, err := w.engine.Referral(ctx, id)
	if errors.Is(err, core.ErrNotFound) {
		return outcome{}, permanent("referral is gone", err)
	}
	if err != nil {
		return outcome{}, err
	}
	channel, text, blocks, err := w.cards.Card(ctx, id, kind)
	if err != nil {
		return outcome{}, fmt.Errorf("render card: %w", err)
	}
	if channel == "" {
		return skipped("no Slack channel for this card"), nil
	}
	if until, held := w.slackHeldUntil(w.now()); held {
		return deferred(until, "Slack rate limit"), nil
	}
	var prev SlackMessage
	err = w.pool.QueryRow(ctx, sqlSelectCard, id, kind).Scan(&prev.Channel, &prev.TS)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return outcome{}, fmt.Errorf("find card: %w", err)
	case prev.Channel == channel:
		msg, err := w.slack.Update(ctx, prev, text, blocks)
		if err == nil {
			return sent(msg.ProviderID(), core.DeliveryUpdated), nil
		}
		if !isSlackCode(err, slackMessageNotFound) {
			return outcome{}, err
		}
		// The card was deleted in Slack: post it again below.
	}
	msg, err := w.slack.Post(ctx, channel, text, blocks)
	if err != nil {
		return outcome{}, err
	}
	var agency *core.AgencyID
	if kind == "agency" {
		agency = ref.ToAgencyID
	}
	now := w.now()
	res := sent(msg.ProviderID(), core.DeliveryPosted)
	res.inTx = func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlUpsertCard, id, kind, msg.Channel, msg.TS, agency, now); err != nil {
			return fmt.Errorf("record card: %w", err)
		}
		return nil
	}
	return res, nil
}

// PlainCards is a minimal CardRenderer: the reference, status, needs and
// postcode district, and no personal data. It stands in until the bot
// package's cards (with their buttons) are wired in.
type PlainCards struct {
	Engine        *core.Engine
	TriageChannel string
}

// Card renders the plain card.
func (p PlainCards) Card(ctx context.Context, id core.ReferralID, kind string) (string, string, []slack.Block, error) {
	ref, err := p.Engine.Referral(ctx, id)
	if err != nil {
		return "", "", nil, err
	}
	channel := p.TriageChannel
	agency := "triage"
	if ref.ToAgencyID != nil {
		a, err := p.Engine.Agency(ctx, *ref.ToAgencyID)
		if err != nil {
			return "", "", nil, err
		}
		agency = a.Name
		if kind == "agency" {
			channel = a.SlackChannelID
		}
	}
	crisis := ""
	if ref.Crisis {
		crisis = ":sos: crisis · "
	}
	text := fmt.Sprintf("Referral %s: %s", ref.Reference, ref.Status)
	body := fmt.Sprintf("%s*Referral %s* — %s\n*Status:* %s\n*Needs:* %s\n*Area:* %s",
		crisis, ref.Reference, agency, ref.Status, needLabels(ref.Needs), orDash(ref.PostcodeDistrict))
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, body, false, false), nil, nil)}
	return channel, text, blocks, nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
