package core_test

import (
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestStillDue is the one rule every channel asks when a row queued to go
// later comes due: one line per row and state of the referral.
func TestStillDue(t *testing.T) {
	t.Parallel()
	const agency, other core.AgencyID = 1, 2
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	with := func(s core.Status, change func(*core.Referral)) core.Referral {
		a := agency
		r := core.Referral{Status: s, ToAgencyID: &a, Version: 3}
		if change != nil {
			change(&r)
		}
		return r
	}
	acknowledged := func(r *core.Referral) { r.AcknowledgedAt = &at }
	contacted := func(r *core.Referral) { r.ContactedAt = &at }
	elsewhere := func(r *core.Referral) { o := other; r.ToAgencyID = &o }
	later := func(r *core.Referral) { r.Version = 5 }

	ack := core.OutboxPayload{AgencyID: agency, Level: "reminder", Version: 1}
	ackEmail := core.OutboxPayload{AgencyID: agency, Email: core.EmailAckReminder, Version: 1}
	escalation := core.OutboxPayload{AgencyID: agency, Email: core.EmailEscalation, Version: 1}
	nudge := core.OutboxPayload{AgencyID: agency}
	contactEmail := core.OutboxPayload{AgencyID: agency, Email: core.EmailContactReminder, Version: 2}
	contactCheck := core.OutboxPayload{Template: core.SMSContactCheck, Version: 2}
	feedbackAsk := core.OutboxPayload{Template: core.SMSFeedbackAsk, Version: 3}
	completedNews := core.OutboxPayload{AgencyID: agency, Email: core.EmailReferralUpdate, Action: core.ActionComplete, Version: 3}
	acceptedNews := core.OutboxPayload{AgencyID: agency, Email: core.EmailReferralUpdate, Action: core.ActionAccept, Version: 2}
	newReferral := core.OutboxPayload{AgencyID: agency, Email: core.EmailNewReferral, Version: 1}
	crisisText := core.OutboxPayload{AgencyID: agency, Email: core.EmailClientCrisis, Level: core.AlertCrisisAfterEnd}
	crisisAlert := core.OutboxPayload{AgencyID: agency, Channel: core.AlertToAgency, Level: core.AlertCrisisAfterEnd}
	coordinatorsAlert := core.OutboxPayload{Level: core.AlertCrisisAfterEnd}

	const (
		unacknowledged = "referral acknowledged or moved on"
		notContacted   = "client contacted or referral moved on"
		undone         = "completion undone"
		closed         = "referral closed since"
	)
	cases := []struct {
		name string
		kind core.OutboxKind
		p    core.OutboxPayload
		r    core.Referral
		why  string // "" when due
	}{
		{"ack reminder, waiting", core.OutboxAckReminder, ack, with(core.StatusRequested, nil), ""},
		{"ack reminder, accepted", core.OutboxAckReminder, ack, with(core.StatusAccepted, acknowledged), unacknowledged},
		{"ack reminder, on hold", core.OutboxAckReminder, ack, with(core.StatusOnHold, nil), unacknowledged},
		{"ack reminder, redirected", core.OutboxAckReminder, ack, with(core.StatusRequested, elsewhere), unacknowledged},
		{"ack email, waiting", core.OutboxEmail, ackEmail, with(core.StatusRequested, nil), ""},
		{"ack email, accepted", core.OutboxEmail, ackEmail, with(core.StatusAccepted, acknowledged), unacknowledged},
		{"escalation email, waiting", core.OutboxEmail, escalation, with(core.StatusRequested, nil), ""},
		{"escalation email, cancelled", core.OutboxEmail, escalation, with(core.StatusCancelled, nil), unacknowledged},
		{"contact nudge, accepted", core.OutboxContactNudge, nudge, with(core.StatusAccepted, acknowledged), ""},
		{"contact nudge, contacted", core.OutboxContactNudge, nudge, with(core.StatusInProgress, contacted), notContacted},
		{"contact nudge, on hold", core.OutboxContactNudge, nudge, with(core.StatusOnHold, nil), notContacted},
		{"contact nudge, another agency", core.OutboxContactNudge, nudge, with(core.StatusAccepted, elsewhere), notContacted},
		{"contact email, accepted", core.OutboxEmail, contactEmail, with(core.StatusAccepted, nil), ""},
		{"contact email, contacted", core.OutboxEmail, contactEmail, with(core.StatusInProgress, contacted), notContacted},
		{"contact email, cancelled", core.OutboxEmail, contactEmail, with(core.StatusCancelled, nil), notContacted},
		{"contact check text, accepted", core.OutboxClientSMS, contactCheck, with(core.StatusAccepted, nil), ""},
		{"contact check text, contacted", core.OutboxClientSMS, contactCheck, with(core.StatusInProgress, contacted), notContacted},
		{"feedback request, completed", core.OutboxClientSMS, feedbackAsk, with(core.StatusCompleted, nil), ""},
		{"feedback request, reopened", core.OutboxClientSMS, feedbackAsk, with(core.StatusInProgress, later), undone},
		{"feedback request, completed again", core.OutboxClientSMS, feedbackAsk, with(core.StatusCompleted, later), undone},
		{"completion email, completed", core.OutboxEmail, completedNews, with(core.StatusCompleted, nil), ""},
		{"completion email, reopened", core.OutboxEmail, completedNews, with(core.StatusInProgress, later), undone},
		{"acceptance email, moved on", core.OutboxEmail, acceptedNews, with(core.StatusInProgress, later), ""},
		{"new referral email, accepted", core.OutboxEmail, newReferral, with(core.StatusAccepted, later), ""},
		{"card, cancelled", core.OutboxCard, core.OutboxPayload{Channel: "agency"}, with(core.StatusCancelled, nil), ""},
		{"agency's crisis text email, on hold", core.OutboxEmail, crisisText, with(core.StatusOnHold, nil), ""},
		{"agency's crisis text email, cancelled", core.OutboxEmail, crisisText, with(core.StatusCancelled, nil), closed},
		{"agency's crisis text alert, accepted", core.OutboxAlert, crisisAlert, with(core.StatusAccepted, nil), ""},
		{"agency's crisis text alert, cancelled", core.OutboxAlert, crisisAlert, with(core.StatusCancelled, nil), closed},
		{"coordinators' crisis text alert, cancelled", core.OutboxAlert, coordinatorsAlert, with(core.StatusCancelled, nil), ""},
	}
	for _, tc := range cases {
		due, why := tc.r.StillDue(tc.kind, tc.p)
		if due != (tc.why == "") || why != tc.why {
			t.Errorf("%s: due %v (%q), want due %v (%q)", tc.name, due, why, tc.why == "", tc.why)
		}
	}
}
