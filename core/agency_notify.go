package core

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// When an agency's staff get its notifications at their own addresses
// (agencies.email_staff).
const (
	// StaffEmailAlways emails each member of staff whether or not the
	// agency is on Slack.
	StaffEmailAlways = "always"
	// StaffEmailWithoutSlack emails each member of staff only while Slack
	// does not reach the agency (the default).
	StaffEmailWithoutSlack = "without-slack"
	// StaffEmailNever leaves staff to the agency's Slack channel and shared
	// address.
	StaffEmailNever = "never"
)

// StaffEmailChoices lists the values of an agency's staff email setting,
// in the order a form or a usage text shows them.
var StaffEmailChoices = []string{StaffEmailAlways, StaffEmailWithoutSlack, StaffEmailNever}

// AgencyNotifications is where an agency's notifications go besides its
// Slack channel: a shared address (a team mailbox; "" for none), and
// whether each member of staff gets them at their own address.
type AgencyNotifications struct {
	NotifyEmail string
	EmailStaff  string // one of StaffEmailChoices; "" keeps the default, without-slack
}

// Validate checks n in plain words, as SetAgencyNotifications will, so a
// form that saves it with other changes can refuse the lot before
// writing any.
func (n AgencyNotifications) Validate() error { return n.check() }

// check validates n in plain words and fills the default.
func (n *AgencyNotifications) check() error {
	n.NotifyEmail = strings.TrimSpace(n.NotifyEmail)
	if n.EmailStaff == "" {
		n.EmailStaff = StaffEmailWithoutSlack
	}
	var fields []FieldError
	if n.NotifyEmail != "" {
		if err := validatorInstance().v.Var(n.NotifyEmail, "email,max=320"); err != nil {
			fields = append(fields, FieldError{Field: "notify email",
				Message: fmt.Sprintf("notify email must be one email address, like team@agency.example.org; %q is not", n.NotifyEmail)})
		}
	}
	if !validStaffEmail(n.EmailStaff) {
		fields = append(fields, FieldError{Field: "email staff",
			Message: fmt.Sprintf("email staff must be one of %s; %q is not", strings.Join(StaffEmailChoices, ", "), n.EmailStaff)})
	}
	if fields != nil {
		return &ValidationError{Fields: fields}
	}
	return nil
}

func validStaffEmail(s string) bool {
	for _, c := range StaffEmailChoices {
		if s == c {
			return true
		}
	}
	return false
}

const sqlSetAgencyNotifications = `
UPDATE agencies SET notify_email = $2, email_staff = $3, updated_at = $4
WHERE id = $1 RETURNING id`

// SetAgencyNotifications records where an agency's notifications go by
// email. Coordinators, admins and the command line may set it; the change
// is an event in the agency's audit chain (which says whether a shared
// address is set, not the address). A change that would leave nobody at
// the agency told of a new referral is refused (keepHearing).
func (e *Engine) SetAgencyNotifications(ctx context.Context, agency AgencyID, n AgencyNotifications, by Actor) error {
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		return e.keepHearing(ctx, tx, agency, "notify email", "this change to where its notifications go", func() error {
			return e.setAgencyNotifications(ctx, tx, agency, n, by)
		})
	})
}

// SaveAgency changes an agency's details and, when n is not nil, where
// its notifications go, in one transaction: the staff web's agency form
// saves both or neither. A change that would leave nobody at the agency
// told of a new referral is refused (keepHearing), against the shared
// address's field.
func (e *Engine) SaveAgency(ctx context.Context, id AgencyID, d AgencyDetails, n *AgencyNotifications, by Actor) error {
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		return e.keepHearing(ctx, tx, id, "notify email", "this change to where its notifications go", func() error {
			if err := e.updateAgencyDetails(ctx, tx, id, d, by); err != nil || n == nil {
				return err
			}
			return e.setAgencyNotifications(ctx, tx, id, *n, by)
		})
	})
}
