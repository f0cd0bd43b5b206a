package bot

import (
	"slices"

	"github.com/slack-go/slack"
)

// A referral card whose agency has left the network (core.RetireAgency)
// offers Redirect… while core lets a coordinator move the referral on
// (buttonsFor). The card is seen by everyone in the channel, so it says
// whose button that is; a press by anyone else is refused, saying why,
// where every press is checked (core.Engine.ActRefusal). Retiring the
// agency and bringing it back queue the cards' updates (core's
// card.sync rows), so the button comes and goes with it.

// LeftNetwork reports whether the card says its agency has left the
// network: it offers the coordinator's Redirect… because of it.
func (v cardView) LeftNetwork() bool {
	return v.HolderRetired && slices.Contains(v.Buttons, btnRedirect)
}

// leftNetworkBlock is the card's line saying its agency has left the
// network and who can move the referral on; nil when it has not.
func leftNetworkBlock(v cardView) slack.Block {
	if !v.LeftNetwork() {
		return nil
	}
	return slack.NewContextBlock("card_left", mrkdwn(say("card.left", v)))
}
