package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// capacityAlert is what coordinators are told when an agency's capacity
// changes.
type capacityAlert struct {
	On               bool
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
	if err := b.setCapacity(ctx, staff, on, note); err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	name := "on"
	if !on {
		name = "off"
	}
	b.ephemeral(ctx, c.to, say("cmd.capacity."+name, capacityAlert{On: on, Agency: staff.AgencyName, Note: note}))
}

// setCapacity changes the agency's capacity through core and, when it
// changed (at capacity, or taking referrals again), queues the
// coordinators' alert. Pressing "Mark us at capacity" again, or changing
// only the note, tells nobody anything new, so it alerts nobody. The
// staff inbox uses it too.
func (b *Bot) setCapacity(ctx context.Context, staff core.Staff, on bool, note string) error {
	before, err := b.engine.Agency(ctx, staff.AgencyID)
	if err != nil {
		return err
	}
	if err := b.engine.SetCapacity(ctx, staff.AgencyID, on, note, staff.Actor()); err != nil {
		return err
	}
	if before.AtCapacity == on {
		return nil
	}
	alert := render(alertCopy(), "capacity.txt", capacityAlert{On: on, Agency: staff.AgencyName, Note: note, By: staff.Name})
	level := "capacity-open"
	if on {
		level = "capacity-full"
	}
	now := b.clock.Now()
	dedupe := fmt.Sprintf("capacity:%d:%t:%d", staff.AgencyID, on, now.UnixNano())
	if err := b.engine.Outbox().Enqueue(ctx, core.OutboxAlert, 0,
		core.OutboxPayload{AgencyID: staff.AgencyID, Level: level, Text: alert}, dedupe, time.Time{}); err != nil {
		// The capacity is set; only the heads-up is lost.
		b.log.Warn("queue capacity alert", "agency", staff.AgencyID, "err", err)
	}
	return nil
}
