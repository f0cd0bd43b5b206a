package core

// Typed identifiers, so an agency's id can never be passed where a
// referral's is wanted.
type (
	// AgencyID identifies an agency.
	AgencyID int64
	// ServiceID identifies a directory service.
	ServiceID int64
	// StaffID identifies a member of staff.
	StaffID int64
	// ClientID identifies a client.
	ClientID int64
	// ConsentID identifies a consent record.
	ConsentID int64
	// ReferralID identifies a referral (people see its Reference instead).
	ReferralID int64
	// EventID identifies an event in the audit log.
	EventID int64
	// OutboxID identifies an outbox row.
	OutboxID int64
)
