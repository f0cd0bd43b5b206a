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
	was, err := b.setCapacity(ctx, staff, staff.AgencyID, on, note)
	if err != nil {
		b.ephemeral(ctx, c.to, b.slackReply(ctx, err).text)
		return
	}
	name := "on"
	if !on {
		name = "off"
	}
	b.ephemeral(ctx, c.to, say("cmd.capacity."+name, capacityChanged(on, was, staff.AgencyName, note)))
}

// capacityChanged is what the member of staff who set an agency's
// capacity (on, the note typed) is told, on Slack and the staff web
// alike (capacity.changed): was is whether it was at capacity before,
// and only a change of state tells the coordinators (setCapacity).
func capacityChanged(on, was bool, agency, note string) capacityAlert {
	return capacityAlert{On: on, Was: was, Told: was != on, Agency: agency, Note: note}
}

// capacityDone is the staff web's flash code for a capacity change,
// carried by the redirect after the form: prefix ("capacity" on the
// inbox, "agency-capacity" on the agencies page), on or off, and
// "-already" when the agency was so before.
func capacityDone(prefix string, on, was bool) string {
	code := prefix + "-off"
	if on {
		code = prefix + "-on"
	}
	if was == on {
		code += "-already"
	}
	return code
}

// capacityDoneWords reads back a flash code of capacityDone's for agency
// a as it stands now (its name, and its note when at capacity): the
// words Slack's reply says (capacity.changed), plain; ok is false for any
// other code.
func capacityDoneWords(prefix, code string, a core.Agency) (words string, ok bool) {
	for _, on := range []bool{true, false} {
		for _, was := range []bool{true, false} {
			if capacityDone(prefix, on, was) != code {
				continue
			}
			note := ""
			if on {
				note = a.CapacityNote
			}
			return sayPlain("capacity.changed", capacityChanged(on, was, a.Name, note)), true
		}
	}
	return "", false
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
// The staff inbox and the coordinators' agencies page use it too. It
// says whether the agency was at capacity before (capacityChanged). Core
// decides, under a lock on the agency, whether this press changed
// anything, and queues the alert with the change: presses racing each
// other alert once.
func (b *Bot) setCapacity(ctx context.Context, by core.Staff, agency core.AgencyID, on bool, note string) (was bool, err error) {
	return b.engine.ChangeCapacity(ctx, agency, on, note, by.Actor(), func(before core.Agency) string {
		return render(alertCopy(), "capacity.txt", capacityAlert{On: on, Agency: before.Name, Note: strings.TrimSpace(note), By: by.Name})
	})
}
