package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// EmailSubjects is what one email is about, as the worker renders it:
// its recipient (a member of staff, or an agency's shared address), the
// referral it concerns, the agency that referral is with, and who made
// it (the referring member of staff, while they are on the staff, and
// their agency), whom the receiving adviser may want to ask. A nil field
// was not asked for, or is gone.
type EmailSubjects struct {
	Staff      *Staff
	Agency     *Agency
	Referral   *Referral
	ToAgency   *Agency
	Referrer   *Staff
	FromAgency *Agency
}

// EmailSubjects reads a current member of staff (staff), an agency
// (agency), a referral with the agency it is with and who made it
// (referral), each when its id is not zero, in one round trip to the
// database.
func (e *Engine) EmailSubjects(ctx context.Context, staff StaffID, agency AgencyID, referral ReferralID) (EmailSubjects, error) {
	return e.emailSubjects(ctx, staff, agency, referral)
}

func (e *Engine) emailSubjects(ctx context.Context, staff StaffID, agency AgencyID, referral ReferralID) (EmailSubjects, error) {
	var out EmailSubjects
	b := &pgx.Batch{}
	if staff != 0 {
		b.Queue(sqlSelectStaff+"s.id = $1", staff).Query(func(rows pgx.Rows) error {
			return collectOne(rows, pgx.RowToStructByName[Staff], &out.Staff)
		})
	}
	if agency != 0 {
		b.Queue(`SELECT `+agencyColumns+` FROM agencies WHERE id = $1`, agency).Query(func(rows pgx.Rows) error {
			return collectOne(rows, pgx.RowToStructByName[Agency], &out.Agency)
		})
	}
	if referral != 0 {
		b.Queue(sqlSelectReferral+"id = $1", referral).Query(func(rows pgx.Rows) error {
			return collectOne(rows, pgx.RowToStructByName[Referral], &out.Referral)
		})
		b.Queue(`SELECT `+agencyColumns+` FROM agencies WHERE id = (SELECT to_agency_id FROM referrals WHERE id = $1)`, referral).Query(func(rows pgx.Rows) error {
			return collectOne(rows, pgx.RowToStructByName[Agency], &out.ToAgency)
		})
		b.Queue(sqlSelectStaff+"s.id = (SELECT from_staff_id FROM referrals WHERE id = $1)", referral).Query(func(rows pgx.Rows) error {
			return collectOne(rows, pgx.RowToStructByName[Staff], &out.Referrer)
		})
		b.Queue(`SELECT `+agencyColumns+` FROM agencies WHERE id = (SELECT from_agency_id FROM referrals WHERE id = $1)`, referral).Query(func(rows pgx.Rows) error {
			return collectOne(rows, pgx.RowToStructByName[Agency], &out.FromAgency)
		})
	}
	if b.Len() == 0 {
		return out, nil
	}
	if err := e.pool.SendBatch(ctx, b).Close(); err != nil {
		if errors.Is(err, ErrLeaseLost) {
			return EmailSubjects{}, err
		}
		return EmailSubjects{}, fmt.Errorf("read what an email is about (staff %d, agency %d, referral %d): %w", staff, agency, referral, err)
	}
	return out, nil
}

// collectOne sets *dst to the one row of rows, or leaves it nil when
// there is none.
func collectOne[T any](rows pgx.Rows, fn pgx.RowToFunc[T], dst **T) error {
	list, err := pgx.CollectRows(rows, fn)
	if err != nil {
		return err
	}
	if len(list) > 0 {
		*dst = &list[0]
	}
	return nil
}
