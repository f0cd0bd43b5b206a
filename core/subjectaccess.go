package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SubjectAccess is everything Onward holds about one person, for a subject
// access request: their details, every consent with the exact words they
// agreed to, every referral with the details given with it, the audit log
// of their referrals and of their record, and every disclosure of their
// details (who saw them, when, through what).
type SubjectAccess struct {
	GeneratedAt time.Time           `json:"generated_at"`
	Client      Client              `json:"client"`
	Consents    []SubjectConsent    `json:"consents"`
	Referrals   []SubjectReferral   `json:"referrals"`
	Disclosures []SubjectDisclosure `json:"disclosures"`
	Events      []SubjectEvent      `json:"events"`
}

// SubjectConsent is one consent with the words agreed to.
type SubjectConsent struct {
	Consent
	Wording string `json:"wording"`
}

// SubjectReferral is one referral as the client would recognise it.
type SubjectReferral struct {
	Reference    string     `json:"reference"`
	Status       Status     `json:"status"`
	Needs        []Need     `json:"needs"`
	FromAgency   string     `json:"from_agency,omitempty"`
	ToAgency     string     `json:"to_agency,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	DetailsGiven *Client    `json:"details_given,omitempty"`
	Notes        string     `json:"notes,omitempty"`
	// CrisisReasons say why it was dealt with as a crisis, as recorded
	// when it was made.
	CrisisReasons []string `json:"crisis_reasons,omitempty"`
	OutcomeNote   string   `json:"outcome_note,omitempty"` // the adviser's note on completing it
	// What the client said of the help afterwards: their score, comment
	// and whether they would recommend the service.
	FeedbackScore     *int   `json:"feedback_score,omitempty"`
	FeedbackComment   string `json:"feedback_comment,omitempty"`
	FeedbackRecommend *bool  `json:"feedback_recommend,omitempty"`
}

// Recommends is the client's answer to "would you recommend the service?"
// in words: "yes", "no", or "" when they did not answer.
func (s SubjectReferral) Recommends() string {
	switch {
	case s.FeedbackRecommend == nil:
		return ""
	case *s.FeedbackRecommend:
		return "yes"
	}
	return "no"
}

// SubjectDisclosure is one time someone saw the client's details.
type SubjectDisclosure struct {
	At        time.Time `json:"at"`
	Reference string    `json:"reference"`
	Who       string    `json:"who"`
	Agency    string    `json:"agency"`
	Via       string    `json:"via"`
}

// SubjectEvent is one audit log entry about the client or their referrals.
type SubjectEvent struct {
	At        time.Time `json:"at"`
	Reference string    `json:"reference,omitempty"`
	Kind      EventKind `json:"kind"`
	Who       string    `json:"who"`
	From      Status    `json:"from,omitempty"`
	To        Status    `json:"to,omitempty"`
}

// sqlSubjectConsents are the client's consents, each with the words they
// agreed to: the translation in the language they were shown, when the
// consent was given in another language than English.
const sqlSubjectConsents = `
SELECT k.id, k.client_id, k.scope, k.agency_ids, k.wording_version, k.wording_sha256, k.channel, k.evidence,
       k.staff_id, k.given_at, k.language, k.withdrawn_at, coalesce(t.body, w.body)
FROM consents k JOIN consent_wordings w ON w.version = k.wording_version
LEFT JOIN consent_wording_translations t ON t.version = k.wording_version AND t.language = k.language
WHERE k.client_id = $1 ORDER BY k.id`

const sqlSubjectEvents = `
SELECT e.created_at, coalesce(r.reference, ''), e.kind,
       CASE WHEN e.actor_kind = 'staff' THEN coalesce(s.name, 'staff') || coalesce(' (' || a.name || ')', '')
            WHEN e.actor_kind = 'client' THEN 'you' ELSE 'Onward' END,
       coalesce(a.name, ''), coalesce(e.data->>'via', ''), e.from_status, e.to_status
FROM events e
LEFT JOIN referrals r ON r.id = e.referral_id
LEFT JOIN staff s ON s.id = e.actor_id
LEFT JOIN agencies a ON a.id = s.agency_id
WHERE e.client_id = $1 OR e.referral_id IN (SELECT id FROM referrals WHERE client_id = $1)
ORDER BY e.id`

// ExportClient gathers everything held about the client (see
// SubjectAccess). It reads as Onward itself and records the export in the
// audit log as a disclosure to the person asking (by), through via
// ("web", "cli"): the export lists it among the times someone saw the
// client's details, itself included, as every later export does.
func (e *Engine) ExportClient(ctx context.Context, client ClientID, by Actor, via string) (SubjectAccess, error) {
	if by.Kind == ActorStaff && !by.Coordinates() {
		return SubjectAccess{}, &ForbiddenError{Why: "only a coordinator can export everything held about a client"}
	}
	out := SubjectAccess{GeneratedAt: e.clock.Now(), Disclosures: []SubjectDisclosure{}}
	c, err := e.ClientDetailsFor(ctx, client)
	if err != nil {
		return out, err
	}
	out.Client = c
	rows, _ := e.pool.Query(ctx, sqlSubjectConsents, client)
	out.Consents, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (SubjectConsent, error) {
		var s SubjectConsent
		err := row.Scan(&s.ID, &s.ClientID, &s.Scope, &s.AgencyIDs, &s.WordingVersion, &s.WordingSHA256, &s.Channel,
			&s.Evidence, &s.StaffID, &s.GivenAt, &s.Language, &s.WithdrawnAt, &s.Wording)
		return s, err
	})
	if err != nil {
		return out, fmt.Errorf("consents of client %d: %w", client, err)
	}
	rows, _ = e.pool.Query(ctx, sqlSelectReferral+"client_id = $1 ORDER BY id", client)
	refs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Referral])
	if err != nil {
		return out, fmt.Errorf("referrals of client %d: %w", client, err)
	}
	names, err := e.agencyNames(ctx)
	if err != nil {
		return out, err
	}
	for _, r := range refs {
		sr := SubjectReferral{Reference: r.Reference, Status: r.Status, Needs: r.Needs, CreatedAt: r.CreatedAt, ClosedAt: r.ClosedAt,
			FeedbackScore: r.FeedbackScore, FeedbackRecommend: r.FeedbackRecommend}
		if r.FromAgencyID != nil {
			sr.FromAgency = names[*r.FromAgencyID]
		}
		if r.ToAgencyID != nil {
			sr.ToAgency = names[*r.ToAgencyID]
		}
		if !c.Erased {
			d, err := e.referralClient(ctx, r)
			if err != nil {
				return out, err
			}
			sr.DetailsGiven = &d
			if sr.Notes, err = e.ReferralNotes(ctx, r); err != nil {
				return out, err
			}
			if sr.CrisisReasons, err = e.CrisisReasons(ctx, r); err != nil {
				return out, err
			}
			if sr.OutcomeNote, err = e.OutcomeNote(ctx, r); err != nil {
				return out, err
			}
			if sr.FeedbackComment, err = e.FeedbackComment(ctx, r); err != nil {
				return out, err
			}
		}
		out.Referrals = append(out.Referrals, sr)
	}
	// Recorded before the audit log is read, so the export is in it.
	if err := e.appendEvent(ctx, e.pool, newEvent{kind: EventSubjectAccess, client: client, actor: by,
		data: eventData("via", via, "agency_id", int64(by.AgencyID))}); err != nil {
		return out, err
	}
	rows, _ = e.pool.Query(ctx, sqlSubjectEvents, client)
	defer rows.Close()
	for rows.Next() {
		var (
			ev          SubjectEvent
			agency, via string
		)
		if err := rows.Scan(&ev.At, &ev.Reference, &ev.Kind, &ev.Who, &agency, &via, &ev.From, &ev.To); err != nil {
			return out, fmt.Errorf("events of client %d: %w", client, err)
		}
		out.Events = append(out.Events, ev)
		switch ev.Kind {
		case EventDisclosed:
			out.Disclosures = append(out.Disclosures, SubjectDisclosure{At: ev.At, Reference: ev.Reference, Who: ev.Who, Agency: agency, Via: via})
		case EventSubjectAccess:
			what := "subject access export"
			if via != "" {
				what += " (" + via + ")"
			}
			out.Disclosures = append(out.Disclosures, SubjectDisclosure{At: ev.At, Who: ev.Who, Agency: agency, Via: what})
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("events of client %d: %w", client, err)
	}
	return out, nil
}

// EventSubjectAccess records that everything held about a client was
// exported for them.
const EventSubjectAccess EventKind = "client.exported"

func (e *Engine) agencyNames(ctx context.Context) (map[AgencyID]string, error) {
	rows, err := e.pool.Query(ctx, `SELECT id, name FROM agencies`)
	if err != nil {
		return nil, fmt.Errorf("agency names: %w", err)
	}
	defer rows.Close()
	m := map[AgencyID]string{}
	for rows.Next() {
		var (
			id AgencyID
			n  string
		)
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("agency names: %w", err)
		}
		m[id] = n
	}
	if err := rows.Err(); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("agency names: %w", err)
	}
	return m, nil
}
