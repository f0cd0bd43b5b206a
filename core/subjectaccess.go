package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
	// AgencyNames name the agencies a consent for named agencies covers,
	// beside their ids, so the client reads whom they agreed to share
	// with.
	AgencyNames []string `json:"agency_names,omitempty"`
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

// sqlSubjectEvents is the audit log of the client and their referrals,
// each event with who did it (sqlEventActor).
const sqlSubjectEvents = `
SELECT ev.created_at, coalesce(r.reference, ''), ev.kind, ev.actor_kind, act.name, act.agency,
       coalesce(ev.data->>'via', ''), ev.from_status, ev.to_status
FROM events ev
LEFT JOIN referrals r ON r.id = ev.referral_id` + sqlEventActor + `
WHERE ev.client_id = $1 OR ev.referral_id IN (SELECT id FROM referrals WHERE client_id = $1)
ORDER BY ev.id`

// subjectEventWho says who did an event, as the client reads it: "you",
// a member of staff with their agency, a partner system with the agency
// it acts for, or Onward itself.
func subjectEventWho(kind ActorKind, name, agency string) string {
	switch kind {
	case ActorClient:
		return "you"
	case ActorStaff:
		if name == "" {
			name = "staff"
		}
		if agency != "" {
			name += " (" + agency + ")"
		}
		return name
	case ActorPartner:
		return partnerSystemWords(name, agency)
	}
	return "Onward"
}

// Choice is one entry of a fixed list that every channel offers the same
// way: the code stored (and typed on the command line) and the words
// shown for it.
type Choice struct {
	Code  string
	Label string
}

// RequestChannel is how a subject access request reached the network.
type RequestChannel string

// How a subject access request can come in.
const (
	RequestLetter         RequestChannel = "letter"
	RequestEmail          RequestChannel = "email"
	RequestPhone          RequestChannel = "phone"
	RequestInPerson       RequestChannel = "in-person"
	RequestRepresentative RequestChannel = "representative"
)

// RequestChannels are the ways a subject access request can come in, in
// the order every channel lists them.
func RequestChannels() []Choice {
	return []Choice{
		{string(RequestLetter), "By letter"},
		{string(RequestEmail), "By email"},
		{string(RequestPhone), "By phone"},
		{string(RequestInPerson), "In person"},
		{string(RequestRepresentative), "From someone acting for the client, with their authority"},
	}
}

// MaxRequestReference is the most characters a subject access request's
// reference may have: a case or letter number, not a description.
const MaxRequestReference = 40

// SubjectAccessRequest is the request an export answers: how it came in,
// the day it was received and the network's own reference for it (its
// case or letter number). Every export follows one, and the audit log
// keeps it with the export, so the data protection officer can match
// each export to a request.
type SubjectAccessRequest struct {
	Channel   RequestChannel
	Received  time.Time // the day it was received; the time of day is ignored
	Reference string
}

// check refuses a request that is incomplete or out of bounds, naming
// each field (request_channel, request_received, request_reference).
func (q SubjectAccessRequest) check(now time.Time) error {
	var fields []FieldError
	known := false
	for _, c := range RequestChannels() {
		known = known || c.Code == string(q.Channel)
	}
	if !known {
		fields = append(fields, FieldError{Field: "request_channel", Message: "how the request came in: choose letter, email, phone, in-person or representative"})
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	day := time.Date(q.Received.Year(), q.Received.Month(), q.Received.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case q.Received.IsZero():
		fields = append(fields, FieldError{Field: "request_received", Message: "date received: give the day the request came in"})
	case day.After(today):
		fields = append(fields, FieldError{Field: "request_received", Message: "date received: the request cannot come in after today"})
	case day.Year() < 2000:
		fields = append(fields, FieldError{Field: "request_received", Message: "date received: give a date from 2000 on"})
	}
	ref := strings.TrimSpace(q.Reference)
	switch n := utf8.RuneCountInString(ref); {
	case n == 0:
		fields = append(fields, FieldError{Field: "request_reference", Message: "request reference: give the network's reference for the request (a case or letter number)"})
	case n > MaxRequestReference:
		fields = append(fields, FieldError{Field: "request_reference", Message: fmt.Sprintf("request reference: at most %d characters, please (this has %d): a case or letter number, not a description", MaxRequestReference, n)})
	case strings.IndexFunc(ref, unicode.IsControl) >= 0:
		fields = append(fields, FieldError{Field: "request_reference", Message: "request reference: one line, please"})
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// ExportClient gathers everything held about the client (see
// SubjectAccess), to answer req, a subject access request the network
// received. Only coordinators may export (or Onward itself), and only with
// the request given whole: a subject access export is the client's right,
// never a way round the disclosure rule, so each one follows a recorded
// request. It reads as Onward itself and records the export in the audit
// log as a disclosure to the person asking (by), through via ("web",
// "cli"), with the request: how it came in and the day in clear, its
// reference sealed under the client's data key (free text can name
// somebody; erasing the client shreds it, and for a client already erased
// it is not kept). The export lists itself among the times someone saw
// the client's details, as every later export does.
func (e *Engine) ExportClient(ctx context.Context, client ClientID, by Actor, via string, req SubjectAccessRequest) (SubjectAccess, error) {
	// A coordinator (on the staff web, or named by the command line's
	// --by) or Onward itself; never a partner system, nor anyone else.
	if (by.Kind == ActorStaff && !by.Coordinates()) || (by.Kind != ActorStaff && by.Kind != ActorSystem) {
		return SubjectAccess{}, &ForbiddenError{Why: "only a coordinator can export everything held about a client"}
	}
	if err := req.check(e.clock.Now()); err != nil {
		return SubjectAccess{}, err
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
	for i, c := range out.Consents {
		for _, id := range c.AgencyIDs {
			out.Consents[i].AgencyNames = append(out.Consents[i].AgencyNames, names[id])
		}
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
	if err := e.recordExport(ctx, client, by, via, req); err != nil {
		return out, err
	}
	rows, _ = e.pool.Query(ctx, sqlSubjectEvents, client)
	defer rows.Close()
	for rows.Next() {
		var (
			ev                SubjectEvent
			actorKind         ActorKind
			name, agency, via string
		)
		if err := rows.Scan(&ev.At, &ev.Reference, &ev.Kind, &actorKind, &name, &agency, &via, &ev.From, &ev.To); err != nil {
			return out, fmt.Errorf("events of client %d: %w", client, err)
		}
		ev.Who = subjectEventWho(actorKind, name, agency)
		out.Events = append(out.Events, ev)
		switch ev.Kind {
		case EventDisclosed:
			out.Disclosures = append(out.Disclosures, SubjectDisclosure{At: ev.At, Reference: ev.Reference, Who: ev.Who, Agency: agency, Via: via})
		case EventClientFound:
			// Found by phone or reference to refer them on: their name
			// and area were shown.
			out.Disclosures = append(out.Disclosures, SubjectDisclosure{At: ev.At, Who: ev.Who, Agency: agency,
				Via: "found by phone or reference to refer on (name and area shown)"})
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

// recordExport appends the export's event with the request it answers
// (see ExportClient).
func (e *Engine) recordExport(ctx context.Context, client ClientID, by Actor, via string, req SubjectAccessRequest) error {
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		data := eventData("via", via, "agency_id", int64(by.AgencyID), "request_channel", string(req.Channel),
			"request_received", req.Received.Format(time.DateOnly))
		k, err := e.writableClientKey(ctx, tx, client)
		if err != nil {
			return fmt.Errorf("export client %d: %w", client, err)
		}
		if !k.erased {
			enc, err := k.seal("events", "request_reference_enc", withdrawalEvidenceAD(client), strings.TrimSpace(req.Reference))
			if err != nil {
				return fmt.Errorf("export client %d: %w", client, err)
			}
			data["request_reference_enc"] = enc
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventSubjectAccess, client: client, actor: by, data: data})
	})
}

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
