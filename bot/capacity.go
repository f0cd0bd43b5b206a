package bot

import (
	"context"
	"strings"

	"github.com/onward-network/onward/core"
)

// capacityAlert is what coordinators are told when an agency's capacity
// changes, and what the member of staff who changed it is told: Told is
// whether this change alerted the coordinators (only a change of state
// does), Was the state before.
type capacityAlert struct {
	On, Was, Told    bool
	Agency, Note, By string
}

// capacity handles `/onward capacity on|off [note]`: the member of staff's
// own agency stops (or starts again) getting new referrals, and the
// coordinators hear about it in the triage channel (through the outbox).
func (b *Bot) capacity(ctx context.Context, c slashCommand, args string) {
	word, note, _ := strings.Cut(args, " ")
	var on bool
	switch strings.ToLower(word) {
	case "on", "full":
		on = true
	case "off", "open":
	case "":
		b.capacityState(ctx, c)
		return
	default:
		b.ephemeral(ctx, c.to, say("cmd.capacity.usage", nil))
		return
	}
	staff, err := b.staffForSlack(ctx, c.user)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	note = strings.TrimSpace(note)
	was, told, err := b.changeCapacity(ctx, staff, staff.AgencyID, on, note)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	name := "on"
	if !on {
		name = "off"
	}
	b.ephemeral(ctx, c.to, say("cmd.capacity."+name, capacityAlert{On: on, Was: was, Told: told, Agency: staff.AgencyName, Note: note}))
}

// capacityState answers `/onward capacity` with no word: whether the
// member of staff's agency is taking referrals now, and how to change it.
func (b *Bot) capacityState(ctx context.Context, c slashCommand) {
	staff, err := b.staffForSlack(ctx, c.user)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	a, err := b.engine.Agency(ctx, staff.AgencyID)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	b.ephemeral(ctx, c.to, say("cmd.capacity.state", capacityAlert{On: a.AtCapacity, Agency: a.Name, Note: a.CapacityNote}))
}

// setCapacity changes an agency's capacity through core, as by says
// (their own agency's, or, for a coordinator, any agency's: core checks),
// and, when it changed (at capacity, or taking referrals again), queues
// the coordinators' alert. Pressing "Mark us at capacity" again, or
// changing only the note, tells nobody anything new, so it alerts nobody.
// The staff inbox and the coordinators' agencies page use it too.
func (b *Bot) setCapacity(ctx context.Context, by core.Staff, agency core.AgencyID, on bool, note string) error {
	_, _, err := b.changeCapacity(ctx, by, agency, on, note)
	return err
}

// changeCapacity is setCapacity saying what happened: whether the agency
// was at capacity before, and whether the coordinators' alert was queued.
// Core decides, under a lock on the agency, whether this press changed
// anything, and queues the alert with the change: presses racing each
// other alert once.
func (b *Bot) changeCapacity(ctx context.Context, by core.Staff, agency core.AgencyID, on bool, note string) (was, told bool, err error) {
	was, err = b.engine.ChangeCapacity(ctx, agency, on, note, by.Actor(), func(before core.Agency) string {
		return render(alertCopy(), "capacity.txt", capacityAlert{On: on, Agency: before.Name, Note: strings.TrimSpace(note), By: by.Name})
	})
	if err != nil {
		return false, false, err
	}
	return was, was != on, nil
}
