package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

// ErrNoChannel means the card has nowhere to go in Slack: the agency has
// no Slack channel (it uses the staff web inbox) or no triage channel is
// configured. The sender should treat the card as delivered.
var ErrNoChannel = errors.New("no Slack channel for this card")

// Cards renders referral cards for Slack. notify's worker calls Card for
// every card.sync outbox row and posts or updates the message.
type Cards struct {
	engine *core.Engine
	cfg    config.Config
}

// NewCards returns the card renderer.
func NewCards(engine *core.Engine, cfg config.Config) *Cards {
	return &Cards{engine: engine, cfg: cfg}
}

// Card renders the current state of a referral's card for a channel kind
// ("agency" or "triage"): the channel to post in, the notification text
// and the blocks. Crisis cards in the triage channel start with the
// configured mention. It returns ErrNoChannel (wrapped) when there is no
// channel, and core.ErrNotFound (wrapped) for an unknown referral.
func (c *Cards) Card(ctx context.Context, referral core.ReferralID, channelKind string) (channel string, text string, blocks []slack.Block, err error) {
	r, err := c.engine.Referral(ctx, referral)
	if err != nil {
		return "", "", nil, fmt.Errorf("card for referral %d: %w", referral, err)
	}
	switch channelKind {
	case KindAgency:
		if r.ToAgencyID == nil {
			return "", "", nil, fmt.Errorf("card for referral %d: not with an agency: %w", referral, ErrNoChannel)
		}
		a, err := c.engine.Agency(ctx, *r.ToAgencyID)
		if err != nil {
			return "", "", nil, fmt.Errorf("card for referral %d: %w", referral, err)
		}
		channel = a.SlackChannelID
	case KindTriage:
		channel = c.cfg.SlackTriageChannel
	default:
		return "", "", nil, fmt.Errorf("card for referral %d: unknown channel kind %q", referral, channelKind)
	}
	if channel == "" {
		return "", "", nil, fmt.Errorf("card for referral %d in %s channel: %w", referral, channelKind, ErrNoChannel)
	}
	v, err := buildView(ctx, c.engine, r, channelKind)
	if err != nil {
		return "", "", nil, fmt.Errorf("card for referral %d: %w", referral, err)
	}
	if channelKind == KindTriage && r.Crisis && r.InTriage() && r.TriageClaimedBy == nil {
		v.Mention = c.cfg.SlackCrisisMention
	}
	text = say("card.text", v)
	if v.Mention != "" {
		text = v.Mention + " " + text
	}
	return channel, text, cardBlocks(v), nil
}

// closesAtOnce are the card buttons that close a referral with one
// press, no modal between: Slack asks "are you sure?" first (a
// confirmation dialog), since nothing in Slack reopens a closed referral.
var closesAtOnce = map[button]bool{btnFail: true}

// confirmClose is the dialog of a button that closes a referral at once.
// Slack's limits: title 100, text 300, the two buttons 30 characters.
func confirmClose(b button, v cardView) *slack.ConfirmationBlockObject {
	name := "confirm." + string(b)
	return slack.NewConfirmationBlockObject(plainN(100, say(name+".title", v)), plainN(300, say(name+".text", v)),
		plainN(30, say(name+".yes", v)), plainN(30, say(name+".no", v))).WithStyle(slack.StyleDanger)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// sectionMax is the most text Slack takes in one section block.
const sectionMax = 3000

// sections lays mrkdwn text out in as many section blocks as it needs,
// each within Slack's 3000 characters, broken at the end of a line, else
// at a space, else between two characters (never inside an escape such
// as &amp;): text longer than one section, a client's notes of 4000
// characters, is shown whole rather than cut.
func sections(text string) []slack.Block {
	var blocks []slack.Block
	for text != "" {
		part := text
		if r := []rune(text); len(r) > sectionMax {
			part = string(r[:sectionMax])
			if i := strings.LastIndexByte(part, '\n'); i > 0 {
				part = part[:i+1]
			} else if i := strings.LastIndexByte(part, ' '); i > 0 {
				part = part[:i+1]
			} else if i := strings.LastIndexByte(part, '&'); i >= 0 && len(part)-i < len("&amp;") && !strings.Contains(part[i:], ";") {
				part = part[:i]
			}
		}
		text = text[len(part):]
		if s := strings.TrimSpace(part); s != "" {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(s), nil, nil))
		}
	}
	return blocks
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, truncate(150, s), true, false)
}

// cardBlocks lays a card out in Block Kit: a header, the facts as fields,
// the status line, only the buttons valid now, and Client's data….
func cardBlocks(v cardView) []slack.Block {
	fields := []*slack.TextBlockObject{
		mrkdwn(say("card.needs", v)), mrkdwn(say("card.urgency", v)),
		mrkdwn(say("card.area", v)), mrkdwn(say("card.language", v)), mrkdwn(say("card.source", v)),
		mrkdwn(say("card.received", v)), mrkdwn(say("card.clock", v)),
	}
	if v.Kind == KindTriage {
		fields = append(fields, mrkdwn(say("card.agency", v)))
	}
	var blocks []slack.Block
	if v.Mention != "" {
		// The mention in the blocks, not only in the notification text,
		// so the channel is alerted whatever the client shows.
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(say("card.mention", v)), nil, nil, slack.SectionBlockOptionBlockID("card_mention")))
	}
	blocks = append(blocks,
		slack.NewHeaderBlock(plain(say("card.header", v)), slack.HeaderBlockOptionBlockID("card_header")),
		slack.NewSectionBlock(nil, fields, nil, slack.SectionBlockOptionBlockID("card_facts")),
		slack.NewContextBlock("card_status", mrkdwn(say("card.status", v))),
	)
	if left := leftNetworkBlock(v); left != nil {
		blocks = append(blocks, left)
	}
	elems := make([]slack.BlockElement, 0, len(v.Buttons)+1)
	for _, b := range append(v.Buttons[:len(v.Buttons):len(v.Buttons)], btnClientData) {
		btn := slack.NewButtonBlockElement(string(b), v.Value(), plain(say("button."+string(b), nil)))
		switch b {
		case btnAccept, btnClaim, btnComplete:
			btn = btn.WithStyle(slack.StylePrimary)
		}
		if closesAtOnce[b] {
			btn = btn.WithConfirm(confirmClose(b, v))
		}
		elems = append(elems, btn)
	}
	// Client's data… (withdrawal, erasure, export) is on every card: a
	// client may withdraw whatever their referral's status.
	return append(blocks, slack.NewActionBlock("card_actions", elems...))
}
