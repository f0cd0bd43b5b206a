package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Status is a referral's status, in the vocabulary of FHIR Task.status as
// the HL7 SDOH Clinical Care referral model uses it.
type Status string

// Referral statuses.
const (
	StatusRequested  Status = "requested"
	StatusAccepted   Status = "accepted"
	StatusRejected   Status = "rejected"
	StatusInProgress Status = "in-progress"
	StatusOnHold     Status = "on-hold"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
	StatusCancelled  Status = "cancelled"
)

// Statuses lists every status in the order a referral usually moves.
var Statuses = []Status{StatusRequested, StatusAccepted, StatusInProgress, StatusOnHold,
	StatusCompleted, StatusRejected, StatusFailed, StatusCancelled}

var statusLabels = map[Status]string{
	StatusRequested:  "Waiting to be accepted",
	StatusAccepted:   "Accepted",
	StatusInProgress: "In progress: contact made",
	StatusOnHold:     "On the waiting list",
	StatusCompleted:  "Completed",
	StatusRejected:   "Not accepted",
	StatusFailed:     "Closed: no contact could be made",
	StatusCancelled:  "Cancelled",
}

// Label is the status in plain words, as a client can read it (the
// subject access page and export); "" gives "".
func (s Status) Label() string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// Open reports whether a referral in this status still needs something done.
func (s Status) Open() bool { return slices.Contains(openStatuses, string(s)) }

// openStatuses are the statuses of a referral still being worked on, as
// SQL takes them (status = ANY($n)).
var openStatuses = []string{string(StatusRequested), string(StatusAccepted), string(StatusInProgress), string(StatusOnHold)}

// Reason is the coded reason a referral was rejected.
type Reason string

// Rejection reasons.
const (
	ReasonNotEligible    Reason = "not-eligible"
	ReasonNoCapacity     Reason = "no-capacity"
	ReasonDuplicate      Reason = "duplicate"
	ReasonInappropriate  Reason = "inappropriate"
	ReasonClientDeclined Reason = "client-declined"
	ReasonRedirected     Reason = "redirected"
	ReasonOther          Reason = "other"
)

// Reasons lists the reasons staff may choose when rejecting (redirected is
// set by a redirect, not chosen).
var Reasons = []Reason{ReasonNotEligible, ReasonNoCapacity, ReasonDuplicate, ReasonInappropriate, ReasonClientDeclined, ReasonOther}

var reasonLabels = map[Reason]string{
	ReasonNotEligible:    "Not eligible for this service",
	ReasonNoCapacity:     "No capacity just now",
	ReasonDuplicate:      "Duplicate of another referral",
	ReasonInappropriate:  "Not the right service for this need",
	ReasonClientDeclined: "Client declined",
	ReasonRedirected:     "Redirected to another agency",
	ReasonOther:          "Other",
}

// Label is the reason in plain words.
func (r Reason) Label() string {
	if l, ok := reasonLabels[r]; ok {
		return l
	}
	return string(r)
}

// NeedsFeedback reports whether a rejection with this reason must explain
// itself in words: every reason staff choose does, since a coded reason
// alone ("Other", "No capacity") tells the referrer and the coordinators
// nothing they can act on. A redirect's note stays optional: the referral
// itself goes on to the agency it names.
func (r Reason) NeedsFeedback() bool { return slices.Contains(Reasons, r) }

// LeavesClientWaiting reports whether a rejection with this reason leaves
// the client waiting for help that will not come from that service, so
// they are told (SMSRejected). Not a duplicate (another referral of
// theirs stands), nor one the client declined (they know), nor a redirect
// (they are told where it went).
func (r Reason) LeavesClientWaiting() bool {
	return r == ReasonNotEligible || r == ReasonNoCapacity || r == ReasonInappropriate || r == ReasonOther
}

// Source is how a referral reached Onward.
type Source string

// Referral sources.
const (
	SourceSMS   Source = "sms"
	SourceWeb   Source = "web"
	SourceStaff Source = "staff"
	SourceAPI   Source = "api"
)

// Referral is one request for help from one agency, tracked to its outcome.
// It carries no client details in clear: those are on the client, encrypted.
type Referral struct {
	ID               ReferralID  `db:"id"`
	Reference        string      `db:"reference"`
	ParentID         *ReferralID `db:"parent_id"`
	ClientID         ClientID    `db:"client_id"`
	ConsentID        ConsentID   `db:"consent_id"`
	Source           Source      `db:"source"`
	LeafletCode      string      `db:"leaflet_code"`
	FromAgencyID     *AgencyID   `db:"from_agency_id"`
	FromStaffID      *StaffID    `db:"from_staff_id"`
	ToAgencyID       *AgencyID   `db:"to_agency_id"`
	Needs            []Need      `db:"needs"`
	PostcodeDistrict string      `db:"postcode_district"`
	Crisis           bool        `db:"crisis"`
	Triaged          bool        `db:"triaged"`
	Status           Status      `db:"status"`
	HeldFrom         *Status     `db:"held_from"`
	Reason           *Reason     `db:"reason"`
	Feedback         string      `db:"feedback"`
	NotesEnc         []byte      `db:"notes_enc"`
	TriageClaimedBy  *StaffID    `db:"triage_claimed_by"`
	StatusBy         *StaffID    `db:"status_by"`
	StatusAt         time.Time   `db:"status_at"`
	Version          int         `db:"version"`
	CreatedAt        time.Time   `db:"created_at"`
	AcknowledgedAt   *time.Time  `db:"acknowledged_at"`
	ContactedAt      *time.Time  `db:"contacted_at"`
	ClosedAt         *time.Time  `db:"closed_at"`
	AckDueAt         *time.Time  `db:"ack_due_at"` // when the receiving agency should acknowledge by
	// FollowUpDueAt is when the client should have been contacted
	// (accepted) or the waiting list place looked at again (on hold);
	// DueAt is the one rule's answer, read it through Due.
	FollowUpDueAt  *time.Time `db:"follow_up_due_at"`
	DueAt          *time.Time `db:"due_at"`
	AssignedAt     *time.Time `db:"assigned_at"` // when a coordinator assigned it from triage
	FeedbackScore  *int       `db:"feedback_score"`
	Outcome        *Outcome   `db:"outcome"`          // how a completed referral ended
	OutcomeNoteEnc []byte     `db:"outcome_note_enc"` // the completer's note, encrypted
	DetailsEnc     []byte     `db:"details_enc"`      // the client's details as given with this referral, sealed under their key
	CrisisEnc      []byte     `db:"crisis_enc"`       // why it is a crisis, sealed under the client's key (read it with CrisisReasons)
	// What completion recorded: the financial gain (pence, nil when none;
	// read it as Gain()), the National Standards advice type and the
	// network's advice topic.
	GainWeeklyIncomePence   *int64      `db:"gain_weekly_income_pence"`
	GainOneOffIncomePence   *int64      `db:"gain_one_off_income_pence"`
	GainDebtWrittenOffPence *int64      `db:"gain_debt_written_off_pence"`
	GainDebtManagedPence    *int64      `db:"gain_debt_managed_pence"`
	AdviceType              *AdviceType `db:"advice_type"`
	AdviceTopic             *string     `db:"advice_topic"`
	// What the client said after their score: a comment sealed under
	// their key (read it with FeedbackComment) and whether they would
	// recommend the service.
	FeedbackCommentEnc []byte `db:"feedback_comment_enc"`
	FeedbackRecommend  *bool  `db:"feedback_recommend"`
}

// InTriage reports whether the referral waits for a coordinator to choose
// an agency.
func (r Referral) InTriage() bool { return r.ToAgencyID == nil && r.Status == StatusRequested }

// SelfReferral reports whether the client referred themselves.
func (r Referral) SelfReferral() bool { return r.Source == SourceSMS || r.Source == SourceWeb }

const referralColumns = `id, reference, parent_id, client_id, consent_id, source, leaflet_code,
from_agency_id, from_staff_id, to_agency_id, needs, postcode_district, crisis, triaged, status,
held_from, reason, feedback, notes_enc, triage_claimed_by, status_by, status_at, version,
created_at, acknowledged_at, contacted_at, closed_at, ack_due_at, follow_up_due_at, due_at, assigned_at, feedback_score,
outcome, outcome_note_enc, details_enc, crisis_enc, gain_weekly_income_pence, gain_one_off_income_pence,
gain_debt_written_off_pence, gain_debt_managed_pence, advice_type, advice_topic, feedback_comment_enc,
feedback_recommend`

const sqlSelectReferral = `SELECT ` + referralColumns + ` FROM referrals WHERE `

func getReferral(ctx context.Context, db DB, where string, arg any) (Referral, error) {
	rows, _ := db.Query(ctx, sqlSelectReferral+where, arg)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Referral])
	if errors.Is(err, pgx.ErrNoRows) {
		return Referral{}, ErrNotFound
	}
	return r, err
}

// Referral returns a referral by id.
func (e *Engine) Referral(ctx context.Context, id ReferralID) (Referral, error) {
	r, err := getReferral(ctx, e.pool, "id = $1", id)
	if err != nil {
		return Referral{}, fmt.Errorf("referral %d: %w", id, err)
	}
	return r, nil
}

// ReferralByReference returns a referral by the reference people see.
func (e *Engine) ReferralByReference(ctx context.Context, ref string) (Referral, error) {
	r, err := getReferral(ctx, e.pool, "reference = $1", ref)
	if err != nil {
		return Referral{}, fmt.Errorf("referral %s: %w", ref, err)
	}
	return r, nil
}

// ReferralFilter picks referrals for an inbox or a list.
type ReferralFilter struct {
	ToAgency AgencyID // 0 = any
	Triage   bool     // only referrals waiting in triage
	Open     bool     // only open statuses
	Limit    int      // default 100
}

const sqlListReferrals = sqlSelectReferral + `
    ($1::bigint = 0 OR to_agency_id = $1)
AND (NOT $2 OR (to_agency_id IS NULL AND status = 'requested'))
AND (NOT $3 OR closed_at IS NULL)
ORDER BY crisis DESC, created_at DESC
LIMIT $4`

// ListReferrals lists referrals, crisis first, newest first.
func (e *Engine) ListReferrals(ctx context.Context, f ReferralFilter) ([]Referral, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, _ := e.pool.Query(ctx, sqlListReferrals, f.ToAgency, f.Triage, f.Open, f.Limit)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Referral])
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	return rs, nil
}
