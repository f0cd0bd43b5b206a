package core

import "time"

// DueKind is what an open referral waits on from the agency holding it.
type DueKind string

// What can be due. A referral in any other state has nothing due.
const (
	DueNothing     DueKind = ""
	DueAcknowledge DueKind = "acknowledge" // waiting for the agency's answer
	DueContact     DueKind = "contact"     // accepted, the client not yet contacted
	DueReview      DueKind = "review"      // on the agency's waiting list
)

// dueWords are the kinds as an adviser is told them.
var dueWords = map[DueKind]string{
	DueAcknowledge: "acknowledge",
	DueContact:     "contact the client",
	DueReview:      "review the waiting list place",
}

// Due is what a referral waits on and by when: the one rule the inbox,
// the referral page, the Slack card and the reminders all follow.
//
// The rule itself is the referrals.due_at column (migration 052), so the
// inbox can sort and filter by it from its index: waiting, unacknowledged,
// for the agency's answer, due at ack_due_at; accepted with no contact
// recorded (contacted_at), due the network's contact_nudge_days working
// days after acceptance; on the waiting list, due WaitingListReviewDays
// working days after it was put there; otherwise nothing. The working
// days are counted when the referral changes (followUpDue), and the
// reminder of each is queued for that same moment.
type Due struct {
	Kind DueKind
	At   time.Time
}

// Due is what r waits on and by when; Kind is DueNothing when nothing is.
func (r Referral) Due() Due {
	if r.DueAt == nil {
		return Due{}
	}
	switch r.Status {
	case StatusRequested:
		return Due{Kind: DueAcknowledge, At: *r.DueAt}
	case StatusAccepted:
		return Due{Kind: DueContact, At: *r.DueAt}
	case StatusOnHold:
		return Due{Kind: DueReview, At: *r.DueAt}
	}
	return Due{}
}

// Overdue reports whether the due time has passed at now.
func (d Due) Overdue(now time.Time) bool { return d.Kind != DueNothing && d.At.Before(now) }

// What is what is due in a few plain words ("contact the client"), ""
// when nothing is.
func (d Due) What() string { return dueWords[d.Kind] }

// dueLayout is how a due time is written: the weekday, the date and the
// time in the network's zone.
const dueLayout = "Mon 2 Jan, 15:04"

// Line is what is due in one line for a busy adviser: "Contact the client
// by Tue 24 Nov, 10:00", or "Overdue: contact the client since Tue 24 Nov,
// 10:00"; "" when nothing is due.
func (d Due) Line(now time.Time, loc *time.Location) string {
	if d.Kind == DueNothing {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	at := d.At.In(loc).Format(dueLayout)
	if d.Overdue(now) {
		return "Overdue: " + d.What() + " since " + at
	}
	w := d.What()
	return string(w[0]-'a'+'A') + w[1:] + " by " + at
}

// followUpDue is when an accepted referral's client should have been
// contacted, or a referral on the waiting list looked at again, for a
// referral moving into status at now (nil for any other status): what
// referrals.follow_up_due_at stores and the reminders are queued for.
func (c Calendar) followUpDue(status Status, now time.Time) *time.Time {
	var at time.Time
	switch status {
	case StatusAccepted:
		at = c.AddWorkingDays(now, c.ContactNudgeDays)
	case StatusOnHold:
		at = c.AddWorkingDays(now, WaitingListReviewDays)
	default:
		return nil
	}
	return &at
}
