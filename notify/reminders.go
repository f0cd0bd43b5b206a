package notify

import (
	"context"

	"github.com/onward-network/onward/core"
)

// ackReminder reminds the agency (level "reminder", at 100% of its
// acknowledgement target) or escalates to the coordinators ("escalation",
// at 200%). Skipped when the referral was acknowledged, put on hold,
// closed or moved to another agency since it was scheduled
// (core.Referral.StillDue, the rule its email twin follows too).
func (w *Worker) ackReminder(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	f, err := w.facts(ctx, r.Referral(), r.Payload.AgencyID)
	if err != nil {
		return outcome{}, err
	}
	if due, why := f.Referral.StillDue(r.Kind, r.Payload); !due {
		return skipped(why), nil
	}
	a, err := w.agency(ctx, r.Payload.AgencyID)
	if err != nil {
		return outcome{}, err
	}
	data := map[string]any{"Reference": f.Reference, "Needs": f.Needs, "District": f.District, "Agency": a.Name,
		"Target": a.AckTargetHours, "Waited": 2 * a.AckTargetHours}
	name, channel := "notify_ack_reminder.txt", a.SlackChannelID
	if r.Payload.Level == "escalation" {
		name, channel = "notify_ack_escalation.txt", w.cfg.SlackTriageChannel
	}
	text, err := w.render(name, data)
	if err != nil {
		return outcome{}, err
	}
	return w.postSlack(ctx, channel, text, nil)
}

// contactNudge nudges the agency in Slack when an accepted referral is not
// marked contacted in time. Skipped when it was contacted, closed or
// moved (core.Referral.StillDue, the rule its email twin follows too).
func (w *Worker) contactNudge(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	f, err := w.facts(ctx, r.Referral(), r.Payload.AgencyID)
	if err != nil {
		return outcome{}, err
	}
	if due, why := f.Referral.StillDue(r.Kind, r.Payload); !due {
		return skipped(why), nil
	}
	a, err := w.agency(ctx, r.Payload.AgencyID)
	if err != nil {
		return outcome{}, err
	}
	cal, err := w.engine.Calendar(ctx)
	if err != nil {
		return outcome{}, err
	}
	// A referral on the waiting list is reminded of after its days
	// there (core.LevelWaitingList); any other, after its days accepted.
	waiting, days := r.Payload.Level == core.LevelWaitingList, cal.ContactNudgeDays
	if waiting {
		days = core.WaitingListReviewDays
	}
	data := map[string]any{"Reference": f.Reference, "Needs": f.Needs,
		"District": f.District, "Days": days, "WaitingList": waiting}
	if by, err := w.acceptedBy(ctx, r.Referral(), cal); err != nil {
		return outcome{}, err
	} else if by != "" && !waiting {
		data["AcceptedBy"] = by
	}
	text, err := w.render("notify_contact_nudge.txt", data)
	if err != nil {
		return outcome{}, err
	}
	return w.postSlack(ctx, a.SlackChannelID, text, nil)
}

// acceptedBy is who accepted the referral and on which day, as contact
// reminders name them ("Morag Fictional on Thu 26 Nov"), "" when no
// member of staff did.
func (w *Worker) acceptedBy(ctx context.Context, id core.ReferralID, cal core.Calendar) (string, error) {
	a, ok, err := w.engine.AcceptedBy(ctx, id)
	if err != nil || !ok {
		return "", err
	}
	return a.By + " on " + a.At.In(cal.Location).Format("Mon 2 Jan"), nil
}
