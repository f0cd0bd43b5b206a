package core

// eventLabels say in plain words what each kind of event in the audit log
// records, defined once for every kind core writes (event_labels_test.go
// finds each EventKind constant in core's source and fails on one missing
// here). Those that happen to a client or their referrals speak to the
// client, as the subject access page reads them; the subject access
// export tells them in more detail where the event holds it
// (subjectEventWhat), and falls back on these.
var eventLabels = map[EventKind]string{
	EventCreated:                  "Your referral was made",
	EventTransition:               "Your referral moved on",
	EventAssigned:                 "Your referral was sent to an agency",
	EventClaimed:                  "A coordinator took on your referral to find the right service for you",
	EventDisclosed:                "Someone looked at your details",
	EventAccessDenied:             "Someone asked to see your referral or your details and was refused",
	EventConsentGiven:             "You gave consent to share your details",
	EventConsentWithdrawn:         "You withdrew your consent to share your details",
	EventOutcomeRecorded:          "You answered a question about the help you got",
	EventCrisisAfterEnd:           "You sent a text that sounded urgent after your referral was made",
	EventInterruptedTextConfirmed: "A text to you that seemed to have failed was confirmed as sent",
	EventClientFound:              "A member of staff found your record, to refer you to another service",
	EventSubjectAccess:            "A copy of everything we hold about you was made, answering your request",
	EventClientErased:             "Your details were erased",
	EventErasedAtProvider:         "Your texts were deleted from the service that carries our text messages",
	EventProviderEraseStopped:     "Deleting your texts from the service that carries our text messages could not finish, and is being looked into",
	EventPhonePassedOn:            "The phone number you gave us passed to someone else, so it was taken off your record",

	// Events about the network, its agencies and staff: never about a
	// client, so never on their page, but named all the same.
	EventCapacityChanged:              "An agency said whether it can take new referrals",
	EventChannelChanged:               "An agency's Slack channel was changed",
	EventNotificationsChanged:         "Where an agency's emails go was changed",
	EventStaffAdded:                   "A member of staff was added",
	EventStaffDeactivated:             "A member of staff was removed",
	EventStaffRoleChanged:             "A member of staff's role was changed",
	EventStaffReactivated:             "A member of staff was given access again",
	EventStaffMoved:                   "A member of staff moved to another agency",
	EventStaffChanged:                 "A member of staff's details were changed",
	EventServiceChanged:               "A service in the directory was changed",
	EventServiceAdded:                 "A service was added to the directory",
	EventAgencyChanged:                "An agency's details were changed",
	EventAgencyAdded:                  "An agency joined the network",
	EventAgencyRetired:                "An agency left the network",
	EventAgencyUnretired:              "An agency rejoined the network",
	EventPartnerAdded:                 "A partner system was connected",
	EventPartnerRevoked:               "A partner system was disconnected",
	EventPartnerSecretRotated:         "A partner system was given a new secret",
	EventWebhookResumed:               "A partner system's paused webhook deliveries were resumed",
	EventKeysRotated:                  "The encryption keys were changed",
	EventReferralAreasFilled:          "Referrals' sealed postcodes were read to give them their ward and deprivation decile",
	EventDataProtectionChanged:        "The network's data protection settings were changed",
	EventDataProtectionRequestsViewed: "The data protection officer's list of requests was read",
	EventAuditSearched:                "The audit log was searched",
}

// Label is what the event records, in plain words (eventLabels); an
// unknown kind gives its code.
func (k EventKind) Label() string {
	if l, ok := eventLabels[k]; ok {
		return l
	}
	return string(k)
}
