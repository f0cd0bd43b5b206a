package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// A partner system acts for its agency (Partner.Actor), so it stops when
// the agency leaves the network, as the agency's staff do (RetireAgency):
// neither a new token nor one already given out is taken while the agency
// is retired. Unlike its staff, its credentials are not revoked: when a
// coordinator brings the agency back (UnretireAgency), the same client id
// and secret work again, as nobody has to hand a casework system a new
// secret for an agency that was never meant to leave. Revoking it
// (RevokePartner) is how a coordinator ends it for good. The rule is
// partnerStanding.refusal, which both ways in ask.

// ErrPartnerRevoked refuses a token of a partner system whose credentials
// were revoked (RevokePartner), or that no longer exists.
var ErrPartnerRevoked = errors.New("these credentials were revoked; ask the network's coordinators for new ones")

// PartnerAgencyLeftError refuses a partner system acting for an agency
// that has left the network (RetireAgency), saying so in words a
// partner's developers can act on. It is an ErrBadCredentials too, so a
// caller that only knows that refusal still refuses it.
type PartnerAgencyLeftError struct {
	Agency    string    // the agency's name
	RetiredAt time.Time // when it left
}

func (e *PartnerAgencyLeftError) Error() string {
	return fmt.Sprintf("the agency this partner system acts for, %s, has left the network; ask the network's coordinators", e.Agency)
}

// Is makes the refusal an ErrBadCredentials for errors.Is.
func (e *PartnerAgencyLeftError) Is(target error) bool { return target == ErrBadCredentials }

// partnerStanding is a partner with what decides whether it may still
// act: the name and retirement of the agency it acts for (nil for a
// network-wide partner), and, for AuthenticatePartner, its secret's hash.
type partnerStanding struct {
	Partner
	AgencyName      *string    `db:"agency_name"`
	AgencyRetiredAt *time.Time `db:"agency_retired_at"`
	SecretSHA256    []byte     `db:"secret_sha256"`
}

// sqlPartnerStanding reads partners with their standing; the caller adds
// the WHERE clause. The lateral join names only its own columns, so the
// partner's id, name and created_at stay unambiguous.
const sqlPartnerStanding = `
SELECT ` + partnerColumns + `, secret_sha256, agency_name, agency_retired_at
FROM partners LEFT JOIN LATERAL (
    SELECT a.name AS agency_name, a.retired_at AS agency_retired_at FROM agencies a WHERE a.id = partners.agency_id
) agency ON true
WHERE `

// refusal is the one rule for whether a partner system may act now: nil,
// ErrPartnerRevoked, or a *PartnerAgencyLeftError while the agency it
// acts for has left the network.
func (s partnerStanding) refusal() error {
	switch {
	case s.RevokedAt != nil:
		return ErrPartnerRevoked
	case s.AgencyRetiredAt != nil:
		name := ""
		if s.AgencyName != nil {
			name = *s.AgencyName
		}
		return &PartnerAgencyLeftError{Agency: name, RetiredAt: *s.AgencyRetiredAt}
	}
	return nil
}

// ActingPartner returns the partner system an access token names, when it
// may still act: ErrPartnerRevoked when its credentials were revoked or
// it no longer exists, a *PartnerAgencyLeftError while the agency it acts
// for has left the network. The API asks it on every call, so revoking a
// partner or retiring its agency stops tokens already given out at once.
func (e *Engine) ActingPartner(ctx context.Context, id PartnerID) (Partner, error) {
	rows, _ := e.pool.Query(ctx, sqlPartnerStanding+`id = $1`, id)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[partnerStanding])
	if errors.Is(err, pgx.ErrNoRows) {
		return Partner{}, fmt.Errorf("partner %d: %w", id, ErrPartnerRevoked)
	}
	if err != nil {
		return Partner{}, fmt.Errorf("partner %d: %w", id, err)
	}
	if err := s.refusal(); err != nil {
		return Partner{}, err
	}
	return s.Partner, nil
}
