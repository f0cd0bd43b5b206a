package core

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The data protection officer's list of subject access exports, erasures
// and withdrawals of consent: what the network did with the requests it
// received, read from the audit log (the events client.exported,
// client.erased and consent.withdrawn) so that nobody has to open the raw
// log to answer for them. A withdrawal an erasure made on its way (via
// "erasure") is not listed apart: the erasure's row stands for it.

// EventDataProtectionRequestsViewed records that someone read the list of
// exports and erasures (DataProtectionRequests), with the period asked
// for and how it was read. The list opens each request's reference (those
// recorded before references were checked can name somebody), so reading
// it is audited like any other disclosure.
const EventDataProtectionRequestsViewed EventKind = "network.data-protection-requests-viewed"

// DataProtectionQuery picks the exports and erasures to list, newest
// first. Every bound is optional.
type DataProtectionQuery struct {
	From, To *time.Time // done on or after From, before To
	Page     int        // from 1
	PerPage  int        // default 25, at most 100
	// All lists every row of the period on one page: the download for the
	// data protection officer's register.
	All bool
	// Via is how the list is read, for the audit log: "web" (the page),
	// "csv" (the download).
	Via string
}

// DataProtectionRequest is one subject access export or erasure, as the
// data protection officer reports on it. It names no client: an export
// is known by its number and the request it answered, an erasure by the
// referrals it emptied.
type DataProtectionRequest struct {
	Kind EventKind // EventSubjectAccess, EventClientErased or EventConsentWithdrawn
	At   time.Time
	// By is who did it: a member of staff's name, "the client" for a
	// client's own withdrawal, "Onward" for Onward itself (retention, the
	// command line without --by), a partner system's name with "(partner
	// system)", "a former member of staff" when the name is gone;
	// Agency is the agency they acted for, then.
	By, Agency string
	// Via is the channel of an export ("web", "cli"), a withdrawal
	// ("sms", "web", "slack", "cli") or an erasure ("web", "slack", "cli",
	// "retention"); Through says it in words.
	Via string
	// ByClient says the client did it themselves (a withdrawal texted or
	// made on the web page reached from their reference).
	ByClient bool

	// An export's number (SubjectAccess.ExportNumber: its event's id), on
	// the copy handed over too. It names nobody, and stays when the client
	// is erased and the request's reference can no longer be read, so the
	// register still shows which copy answered which request.
	ExportNumber EventID

	// An export's request: how it came in, the day it was received, and
	// the network's reference for it. Exports recorded before requests
	// were asked for have none (Received nil).
	Channel  RequestChannel
	Received *time.Time // the day, at midnight UTC
	// Days is how many days passed from the day received to the day of
	// the export (in the network's time zone); Due is the day UK GDPR's
	// one month ends (SubjectAccessDue) and Late says the export came
	// after it.
	Days int
	Due  time.Time
	Late bool
	// Reference is the request's reference, opened with the client's data
	// key; ReferenceErased says the client was erased since, so it can
	// never be read again.
	Reference       string
	ReferenceErased bool

	// An erasure's reason. Referrals are the references of the client's
	// referrals (kept without details, for the figures): those an erasure
	// emptied, those of the client who withdrew consent, by which the
	// withdrawal is known, or those of the client an export was made for.
	Reason    ErasureReason
	Referrals []string
}

// Withdrawal reports whether the row is a withdrawal of consent.
func (r DataProtectionRequest) Withdrawal() bool { return r.Kind == EventConsentWithdrawn }

// viaRetention is the via of an erasure the retention schedule made.
const viaRetention = "retention"

// Through says in words how the request was recorded: for a withdrawal
// the text keyword, the client's own web page, the staff web, Slack or
// the command line; for an export the staff web or the command line; for
// an erasure those or the retention schedule; "" when it was not recorded
// (erasures made before it was). The page and the register's CSV both
// say it.
func (r DataProtectionRequest) Through() string {
	switch {
	case r.Via == viaRetention:
		return "the retention schedule"
	case r.Via == "sms":
		return "the client's text (withdraw keyword)"
	case r.Via == "web" && r.ByClient:
		return "the client on the web (withdraw page)"
	case r.Via == "web":
		return "the staff web"
	case r.Via == "slack":
		return "Slack"
	case r.Via == "cli":
		return "the command line"
	}
	return r.Via
}

// Label is how the request came in, in words ("By letter"; "" for a code
// not on the list), from RequestChannels.
func (c RequestChannel) Label() string {
	for _, ch := range RequestChannels() {
		if ch.Code == string(c) {
			return ch.Label
		}
	}
	return ""
}

// Export reports whether the row is a subject access export (else an
// erasure or a withdrawal).
func (r DataProtectionRequest) Export() bool { return r.Kind == EventSubjectAccess }

// DataProtectionPage is a page of the list and how many rows the whole
// period has.
type DataProtectionPage struct {
	Rows    []DataProtectionRequest
	Total   int
	Page    int
	PerPage int
}

// Pages is how many pages the list has (at least one).
func (p DataProtectionPage) Pages() int {
	if p.PerPage <= 0 || p.Total == 0 {
		return 1
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// SubjectAccessDue is the day a subject access request received on the
// day received must be answered by, under UK GDPR Article 12(3) as the
// ICO counts it: the same date in the next month, or that month's last
// day when it has none (received 31 January, due 28 February); a due day
// on a Saturday, Sunday or one of holidays ("2026-12-25") moves to the
// next day that is none of them. The day is returned at midnight UTC.
func SubjectAccessDue(received time.Time, holidays map[string]bool) time.Time {
	y, m, d := received.Date()
	last := time.Date(y, m+2, 0, 0, 0, 0, 0, time.UTC).Day() // the next month's last day
	due := time.Date(y, m+1, min(d, last), 0, 0, 0, 0, time.UTC)
	for due.Weekday() == time.Saturday || due.Weekday() == time.Sunday || holidays[due.Format(time.DateOnly)] {
		due = due.AddDate(0, 0, 1)
	}
	return due
}

// dataProtectionRow is one row as sqlDataProtectionRequests reads it.
type dataProtectionRow struct {
	ID           EventID    `db:"id"`
	Kind         EventKind  `db:"kind"`
	At           time.Time  `db:"created_at"`
	ActorKind    ActorKind  `db:"actor_kind"`
	By           string     `db:"by_name"`
	Agency       string     `db:"by_agency"`
	Via          string     `db:"via"`
	Channel      string     `db:"request_channel"`
	Received     string     `db:"request_received"`
	ReferenceEnc string     `db:"reference_enc"`
	Why          string     `db:"why"`
	Client       *ClientID  `db:"client_id"`
	KeyWrapped   []byte     `db:"key_wrapped"`
	ErasedAt     *time.Time `db:"erased_at"`
	Referrals    []string   `db:"referrals"`
	Total        int        `db:"total"`
}

// sqlDataProtectionRequests reads the exports, erasures and withdrawals
// of consent (but those an erasure made) of a period,
// newest first, through events_kind_idx (kind, created_at). The agency is
// the one the export's event recorded (the exporter's when they did it),
// else the member of staff's own. The client's wrapped key comes along to
// open each export's sealed reference; erasure empties it.
const sqlDataProtectionRequests = `
SELECT ev.id, ev.kind, ev.created_at, ev.actor_kind, act.name AS by_name, act.agency AS by_agency,
       coalesce(ev.data->>'via', '') AS via, coalesce(ev.data->>'request_channel', '') AS request_channel,
       coalesce(ev.data->>'request_received', '') AS request_received,
       coalesce(ev.data->>'request_reference_enc', '') AS reference_enc, coalesce(ev.data->>'why', '') AS why,
       ev.client_id, c.key_wrapped, c.erased_at,
       coalesce((SELECT array_agg(r.reference ORDER BY r.id) FROM referrals r WHERE r.client_id = ev.client_id), '{}') AS referrals,
       count(*) OVER () AS total
FROM events ev` + sqlEventActor + `
LEFT JOIN clients c ON c.id = ev.client_id
WHERE ev.kind = ANY($1) AND NOT (ev.kind = 'consent.withdrawn' AND coalesce(ev.data->>'via', '') = 'erasure')
  AND ($2::timestamptz IS NULL OR ev.created_at >= $2) AND ($3::timestamptz IS NULL OR ev.created_at < $3)
ORDER BY ev.created_at DESC, ev.id DESC
LIMIT $4 OFFSET $5`

// DataProtectionRequests lists the subject access exports and erasures
// done in a period, newest first, for the data protection officer: when,
// by whom, and for an export the request it answered and whether it was
// answered within UK GDPR's month (SubjectAccessDue, with the network's
// bank holidays); for an erasure its reason and the referrals it emptied;
// for a withdrawal of consent how it was recorded and the client's
// referrals' references (never the client's details).
// Only coordinators may read it (or Onward itself). Each reading is
// recorded in the audit log (EventDataProtectionRequestsViewed), as the
// list opens the requests' references.
func (e *Engine) DataProtectionRequests(ctx context.Context, q DataProtectionQuery, by Actor) (DataProtectionPage, error) {
	if !mayReadDataProtection(by) {
		return DataProtectionPage{}, &ForbiddenError{Why: "only a coordinator can see the data protection requests"}
	}
	if q.PerPage <= 0 {
		q.PerPage = 25
	}
	q.PerPage = min(q.PerPage, 100)
	q.Page = min(max(q.Page, 1), 10000)
	var limit *int
	offset := 0
	if !q.All {
		limit, offset = &q.PerPage, (q.Page-1)*q.PerPage
	}
	cal, err := e.calendar(ctx)
	if err != nil {
		return DataProtectionPage{}, err
	}
	kinds := []string{string(EventSubjectAccess), string(EventClientErased), string(EventConsentWithdrawn)}
	rows, _ := e.pool.Query(ctx, sqlDataProtectionRequests, kinds, q.From, q.To, limit, offset)
	got, err := pgx.CollectRows(rows, pgx.RowToStructByName[dataProtectionRow])
	if err != nil {
		return DataProtectionPage{}, fmt.Errorf("list data protection requests: %w", err)
	}
	p := DataProtectionPage{Page: q.Page, PerPage: q.PerPage, Rows: make([]DataProtectionRequest, 0, len(got))}
	if q.All {
		p.Page, p.PerPage = 1, len(got)
	}
	for _, row := range got {
		r, err := e.dataProtectionRequest(row, cal)
		if err != nil {
			return DataProtectionPage{}, err
		}
		p.Rows = append(p.Rows, r)
		p.Total = row.Total
	}
	if len(got) == 0 && q.Page > 1 && !q.All {
		// Past the last page: count the period, so the page can offer
		// the way back.
		rows, _ := e.pool.Query(ctx, sqlDataProtectionRequests, kinds, q.From, q.To, 1, 0)
		first, err := pgx.CollectRows(rows, pgx.RowToStructByName[dataProtectionRow])
		if err != nil {
			return DataProtectionPage{}, fmt.Errorf("count data protection requests: %w", err)
		}
		if len(first) > 0 {
			p.Total = first[0].Total
		}
	}
	data := eventData("via", q.Via, "agency_id", int64(by.AgencyID), "rows", len(p.Rows))
	if q.From != nil {
		data["from"] = q.From.UTC().Format(time.RFC3339)
	}
	if q.To != nil {
		data["to"] = q.To.UTC().Format(time.RFC3339)
	}
	if !q.All {
		data["page"] = q.Page
	}
	if err := e.appendEvent(ctx, e.pool, newEvent{kind: EventDataProtectionRequestsViewed, actor: by, data: data}); err != nil {
		return DataProtectionPage{}, err
	}
	return p, nil
}

// mayReadDataProtection says who may read the data protection officer's
// list and search the audit log: coordinators and admins, or Onward
// itself. One rule for both, as both open what the network did with
// clients' details.
func mayReadDataProtection(by Actor) bool {
	return by.Kind == ActorSystem || by.Coordinates()
}

// dataProtectionRequest reads one row: who, the request's day and
// deadline, and its reference opened with the client's key.
func (e *Engine) dataProtectionRequest(row dataProtectionRow, cal Calendar) (DataProtectionRequest, error) {
	r := DataProtectionRequest{Kind: row.Kind, At: row.At, Via: row.Via, ByClient: row.ActorKind == ActorClient}
	r.By, r.Agency = actorWords(row.ActorKind, row.By, row.Agency)
	if r.Withdrawal() {
		r.Referrals = row.Referrals
		return r, nil
	}
	if !r.Export() {
		r.Reason, r.Referrals = ErasureReason(row.Why), row.Referrals
		return r, nil
	}
	r.ExportNumber, r.Referrals, r.Channel = row.ID, row.Referrals, RequestChannel(row.Channel)
	if day, err := time.Parse(time.DateOnly, row.Received); err == nil {
		loc := cal.Location
		if loc == nil {
			loc = time.UTC
		}
		y, m, d := row.At.In(loc).Date()
		done := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		r.Received, r.Due = &day, SubjectAccessDue(day, cal.Holidays)
		r.Days, r.Late = int(done.Sub(day).Hours()/24), done.After(r.Due)
	}
	if row.Client == nil {
		return r, nil
	}
	if row.ErasedAt != nil {
		// The key that sealed the reference is destroyed (an export of a
		// client already erased kept none). An export from before
		// requests were recorded never had one to lose.
		r.ReferenceErased = row.ReferenceEnc != "" || r.Received != nil
		return r, nil
	}
	if row.ReferenceEnc == "" {
		return r, nil
	}
	ct, err := base64.StdEncoding.DecodeString(row.ReferenceEnc)
	if err != nil {
		return r, fmt.Errorf("request reference of an export for client %d: %w", *row.Client, ErrDecrypt)
	}
	k, err := e.openClientKey(*row.Client, row.KeyWrapped, false)
	if err != nil {
		return r, err
	}
	r.Reference, err = k.open("events", "request_reference_enc", withdrawalEvidenceAD(*row.Client), "", ct)
	if errors.Is(err, ErrErased) {
		r.ReferenceErased = true
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("request reference of an export for client %d: %w", *row.Client, err)
	}
	return r, nil
}
