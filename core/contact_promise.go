package core

import "time"

// defaultContactNudgeDays is network_settings.contact_nudge_days' default
// (001_schema.sql), for a Network read from nowhere (a page shown while
// Postgres does not answer).
const defaultContactNudgeDays = 5

// defaultContactCheckDays is network_settings.contact_check_days' default
// (001_schema.sql), for the same reason.
const defaultContactCheckDays = 3

// ClientWaitDays is how many working days a client who has just asked for
// help is told to wait before calling the network's helpline when nobody
// has been in touch: the one number the SMS conversation's last text and
// the web form's confirmation page promise. It is what the network's own
// settings make true, so the client is never told to wait longer than
// the network itself would before chasing their referral.
//
// A routine referral is ContactNudgeDays: after that many working days
// without the client being marked contacted, the network chases the
// agency itself (the contact nudge). The nudge counts from the agency's
// acceptance and the client from their request, so a client who calls
// when the wait is over calls no later than the network would chase.
// ContactCheckDays is not the number: it is when the network texts the
// client to ask whether they have been contacted, a question that comes
// to them, not a wait they are told to keep.
//
// A crisis goes straight to the coordinators, and the agency it reaches
// must acknowledge it within CrisisAckHours working hours (the crisis
// clock, AckDue), the same day when raised before CrisisSameDayBefore.
// The promise is the working days that target spans, at least one: with
// the defaults (2 hours in a day from 9 to 5) one working day. It is
// never longer than the routine wait.
func (n Network) ClientWaitDays(crisis bool) int {
	routine := n.ContactNudgeDays
	if routine <= 0 {
		routine = defaultContactNudgeDays
	}
	if !crisis {
		return routine
	}
	days := 1
	if day := n.WorkingEnd - n.WorkingStart; day > 0 && n.CrisisAckHours > 0 {
		target := time.Duration(n.CrisisAckHours) * time.Hour
		days = int((target + day - 1) / day)
	}
	return max(1, min(days, routine))
}

// AgencyContactDays is how many working days after an agency accepts a
// referral its client is told the agency will be in touch within (the
// acceptance text), and when the network then asks the client whether
// it has been (the contact check): one number, so the question never
// comes before the promise has run out.
//
// A routine referral is ContactCheckDays. A crisis is the crisis wait the
// client was promised when they asked (ClientWaitDays(true)), never
// longer than the routine number: a client in crisis who was told "if you
// don't hear from us within 1 working day, call" is not then told the
// agency may take three.
func (n Network) AgencyContactDays(crisis bool) int {
	routine := n.ContactCheckDays
	if routine <= 0 {
		routine = defaultContactCheckDays
	}
	if !crisis {
		return routine
	}
	return min(routine, n.ClientWaitDays(true))
}
