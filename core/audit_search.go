package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The audit search: the data protection officer's way into the audit log
// without psql. It finds events by who did them (a member of staff, a
// partner system), the agency they acted for, the kind of event (a fixed
// list of groups, AuditKinds) and the days they happened, newest first,
// a page at a time (keyset on (created_at, id), never an offset over the
// log). Clients are named by their referrals' references only. The same
// rule as the data protection officer's list decides who may search
// (coordinators and admins, or Onward itself), and every search, page or
// download, is itself an event (EventAuditSearched).

// EventAuditSearched records that someone searched the audit log: who,
// through what, and what for (the filters: the member of staff and
// partner system searched for by id, the agency by slug, the kinds and
// the days).
const EventAuditSearched EventKind = "network.audit-searched"

// AuditKind is one group of event kinds the search offers, from a fixed
// list (AuditKinds).
type AuditKind struct {
	Code  string
	Label string
	Kinds []EventKind
}

// AuditKinds lists the groups of events the audit search finds, in the
// order the page and `onward audit search --help` offer them. Every kind
// core writes is in exactly one group (audit_search_test.go checks).
func AuditKinds() []AuditKind {
	return []AuditKind{
		{"disclosed", "Client's details seen", []EventKind{EventDisclosed, EventClientFound}},
		{"refused", "Refused access", []EventKind{EventAccessDenied}},
		{"consent-given", "Consent given", []EventKind{EventConsentGiven}},
		{"consent-withdrawn", "Consent withdrawn", []EventKind{EventConsentWithdrawn}},
		{"exported", "Subject access exports", []EventKind{EventSubjectAccess}},
		{"erased", "Erasures", []EventKind{EventClientErased, EventErasedAtProvider, EventProviderEraseStopped, EventPhonePassedOn}},
		{"staff", "Staff changes", []EventKind{EventStaffAdded, EventStaffDeactivated, EventStaffRoleChanged,
			EventStaffReactivated, EventStaffMoved, EventStaffChanged}},
		{"partners", "Partner system changes", []EventKind{EventPartnerAdded, EventPartnerRevoked, EventPartnerSecretRotated,
			EventWebhookResumed}},
		{"settings", "Data protection settings and keys", []EventKind{EventDataProtectionChanged, EventKeysRotated, EventReferralAreasFilled}},
		{"audit-read", "Readings of the audit log and the requests list", []EventKind{EventAuditSearched, EventDataProtectionRequestsViewed}},
		{"referrals", "Referrals made and moved on", []EventKind{EventCreated, EventTransition, EventAssigned, EventClaimed,
			EventOutcomeRecorded, EventCrisisAfterEnd, EventInterruptedTextConfirmed}},
		{"agencies", "Agencies and the directory", []EventKind{EventAgencyAdded, EventAgencyChanged, EventAgencyRetired,
			EventAgencyUnretired, EventCapacityChanged, EventChannelChanged, EventNotificationsChanged,
			EventServiceAdded, EventServiceChanged}},
	}
}

// auditKind is the group with the code, and whether there is one.
func auditKind(code string) (AuditKind, bool) {
	for _, k := range AuditKinds() {
		if k.Code == code {
			return k, true
		}
	}
	return AuditKind{}, false
}

// AuditQuery is a search of the audit log. Every filter is optional.
type AuditQuery struct {
	// StaffEmail finds what one member of staff did (a former one too).
	StaffEmail string
	// AgencySlug finds what was done for one agency: by its staff or its
	// partner systems, as the agency they acted for then.
	AgencySlug string
	// Partner finds what one partner system did (`onward partner list`
	// shows the ids).
	Partner PartnerID
	// Kind is a group's code from AuditKinds.
	Kind string
	// From and To are days (YYYY-MM-DD) in the network's time zone, both
	// included.
	From, To string
	// After is the cursor of the page before (AuditPage.Next), "" for the
	// newest.
	After string
	// Limit is the rows a page holds: default 50, at most 500.
	Limit int
	// Via is how the search is read, for the audit log: "web" (the page),
	// "csv" (the download), "cli".
	Via string
}

// AuditEntry is one event as the search shows it: never a client's
// details, only the references of the referrals it concerns.
type AuditEntry struct {
	ID   EventID
	At   time.Time
	Kind EventKind
	// By is who did it (a member of staff, "X (partner system)", "the
	// client", "Onward"); Agency the agency they acted for.
	By, Agency string
	// Via is the channel recorded with it ("web", "slack", "api", "fhir",
	// "cli", "sms"...), "" when none was.
	Via string
	// Referrals are the event's referral's reference, or for an event
	// about the client as a whole their referrals' references.
	Referrals []string
	// About names the member of staff or partner system a change (or a
	// search) was about.
	About string
	// Detail is what else the event records, in codes and core's words
	// only: a refusal's action and reason, a consent's wording version,
	// an erasure's reason, a transition's statuses.
	Detail string
}

// AuditColumns are the columns of the search's CSV download, in the
// order of AuditEntry.Cells.
var AuditColumns = []string{"Event", "At", "Kind", "What", "By", "Agency", "Through", "Referrals", "About", "Detail"}

// Cells is the entry as one CSV row (AuditColumns), its time in loc.
func (a AuditEntry) Cells(loc *time.Location) []string {
	return []string{strconv.FormatInt(int64(a.ID), 10), a.At.In(loc).Format("2006-01-02 15:04:05"), string(a.Kind),
		a.Kind.AuditLabel(), a.By, a.Agency, a.Via, strings.Join(a.Referrals, " "), a.About, a.Detail}
}

// AuditLabel is the label of the search's group the kind is in, its code
// when none.
func (k EventKind) AuditLabel() string {
	for _, g := range AuditKinds() {
		for _, kind := range g.Kinds {
			if kind == k {
				return g.Label
			}
		}
	}
	return string(k)
}

// AuditVersionCount is how many consents were given under one version of
// the consent wording.
type AuditVersionCount struct {
	Version string
	Count   int
}

// AuditPage is a page of the search. Next is the cursor of the page after
// ("" on the last). Versions counts, over the whole search (not just the
// page), the consents given under each wording version, when the search
// is for consents given.
type AuditPage struct {
	Entries  []AuditEntry
	Next     string
	Versions []AuditVersionCount
}

// auditCursor is a keyset position: the (created_at, id) of the last
// event shown. As text it is the time in Unix microseconds and the id,
// "1767225600000000.4211": no personal data.
type auditCursor struct {
	At time.Time
	ID EventID
}

func (c auditCursor) String() string {
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "." + strconv.FormatInt(int64(c.ID), 10)
}

func parseAuditCursor(s string) (auditCursor, bool) {
	at, id, ok := strings.Cut(s, ".")
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return auditCursor{}, false
	}
	return auditCursor{At: time.UnixMicro(us).UTC(), ID: EventID(n)}, true
}

// auditFilter is a query resolved: ids for the email, slug and group, the
// days as times. where is the SQL of the filters given, with args.
type auditFilter struct {
	staff   StaffID
	agency  Agency
	kind    AuditKind
	from    *time.Time
	to      *time.Time
	after   *auditCursor
	limit   int
	where   []string
	args    []any
	partner PartnerID
}

// arg adds a filter's condition, its one parameter written as $N.
func (f *auditFilter) arg(cond string, v any) {
	f.args = append(f.args, v)
	f.where = append(f.where, strings.ReplaceAll(cond, "$N", "$"+strconv.Itoa(len(f.args))))
}

func (f auditFilter) sql() string {
	if len(f.where) == 0 {
		return ""
	}
	return "\nWHERE " + strings.Join(f.where, "\n  AND ")
}

// sqlStaffIDByEmail finds a member of staff by email, a former one too:
// the log still names them.
const sqlStaffIDByEmail = `SELECT id FROM staff WHERE lower(email) = lower($1)`

// auditFilter checks the query and resolves its filters, naming each
// field that is wrong (staff, agency, partner, kind, from, to, after).
func (e *Engine) auditFilter(ctx context.Context, q AuditQuery) (auditFilter, error) {
	var (
		f      auditFilter
		fields []FieldError
	)
	if email := strings.TrimSpace(q.StaffEmail); email != "" {
		err := e.pool.QueryRow(ctx, sqlStaffIDByEmail, email).Scan(&f.staff)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			fields = append(fields, FieldError{Field: "staff", Message: "member of staff: nobody in Onward has the email address " + email})
		case err != nil:
			return f, fmt.Errorf("audit search: staff by email: %w", err)
		}
	}
	if slug := strings.TrimSpace(q.AgencySlug); slug != "" {
		a, err := e.AgencyBySlug(ctx, slug)
		switch {
		case errors.Is(err, ErrNotFound):
			fields = append(fields, FieldError{Field: "agency", Message: "agency: no agency has the short name " + slug + " (onward agency list shows them)"})
		case err != nil:
			return f, fmt.Errorf("audit search: %w", err)
		}
		f.agency = a
	}
	if q.Partner < 0 {
		fields = append(fields, FieldError{Field: "partner", Message: "partner system: give its number, as onward partner list shows it"})
	}
	f.partner = q.Partner
	if q.Kind != "" {
		k, ok := auditKind(q.Kind)
		if !ok {
			var codes []string
			for _, k := range AuditKinds() {
				codes = append(codes, k.Code)
			}
			fields = append(fields, FieldError{Field: "kind", Message: "kind: choose one of " + strings.Join(codes, ", ")})
		}
		f.kind = k
	}
	cal, err := e.calendar(ctx)
	if err != nil {
		return f, err
	}
	loc := cal.Location
	if loc == nil {
		loc = time.UTC
	}
	for _, d := range []struct {
		field, value string
		dst          **time.Time
		days         int
	}{{"from", q.From, &f.from, 0}, {"to", q.To, &f.to, 1}} {
		if strings.TrimSpace(d.value) == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(d.value), loc)
		if err != nil || t.Year() < 2000 || t.Year() > 2099 {
			fields = append(fields, FieldError{Field: d.field, Message: d.field + ": enter the date as year-month-day, like 2026-11-30"})
			continue
		}
		t = t.AddDate(0, 0, d.days)
		*d.dst = &t
	}
	if f.from != nil && f.to != nil && !f.from.Before(*f.to) {
		fields = append(fields, FieldError{Field: "to", Message: "to: the end date must be on or after the start date"})
	}
	if q.After != "" {
		c, ok := parseAuditCursor(q.After)
		if !ok {
			fields = append(fields, FieldError{Field: "after", Message: "after: this is not a page of the search: start again from its first page"})
		}
		f.after = &c
	}
	if len(fields) > 0 {
		return f, &ValidationError{Fields: fields}
	}
	f.limit = q.Limit
	if f.limit <= 0 {
		f.limit = 50
	}
	f.limit = min(f.limit, 500)

	// The filters, each a condition an index can serve: the actor by
	// events_actor_idx, the kinds by events_kind_idx, the days and the
	// keyset by events_created_idx (migration 046), the agency by
	// events_actor_agency_idx and events_actor_idx (sqlEventActedFor).
	if f.kind.Code != "" {
		kinds := make([]string, len(f.kind.Kinds))
		for i, k := range f.kind.Kinds {
			kinds[i] = string(k)
		}
		f.arg("ev.kind = ANY($N)", kinds)
	}
	if f.staff != 0 {
		f.arg("ev.actor_kind = 'staff' AND ev.actor_id = $N", int64(f.staff))
	}
	if f.partner != 0 {
		f.arg("ev.actor_kind = 'partner' AND ev.actor_id = $N", int64(f.partner))
	}
	if f.agency.ID != 0 {
		f.arg(sqlEventActedFor, int64(f.agency.ID))
	}
	if f.from != nil {
		f.arg("ev.created_at >= $N", *f.from)
	}
	if f.to != nil {
		f.arg("ev.created_at < $N", *f.to)
	}
	return f, nil
}

// auditRow is one row as sqlAuditSearch reads it.
type auditRow struct {
	ID         EventID        `db:"id"`
	Kind       EventKind      `db:"kind"`
	At         time.Time      `db:"created_at"`
	ActorKind  ActorKind      `db:"actor_kind"`
	By         string         `db:"by_name"`
	Agency     string         `db:"by_agency"`
	FromStatus Status         `db:"from_status"`
	ToStatus   Status         `db:"to_status"`
	Data       map[string]any `db:"data"`
	Referrals  []string       `db:"referrals"`
	About      string         `db:"about"`
}

// sqlAuditSearch reads a page of events newest first; the filters
// (auditFilter.sql) and the keyset go after it. Who did it comes from
// sqlEventActor; the referral's reference, or the client's referrals'
// for an event on the client's own stream; the member of staff or
// partner system a change was about by the id the event recorded.
const sqlAuditSearch = `
SELECT ev.id, ev.kind, ev.created_at, ev.actor_kind, act.name AS by_name, act.agency AS by_agency,
       ev.from_status, ev.to_status, ev.data,
       CASE WHEN ev.referral_id IS NOT NULL THEN ARRAY[(SELECT r.reference FROM referrals r WHERE r.id = ev.referral_id)]
            WHEN ev.client_id IS NOT NULL THEN coalesce((SELECT array_agg(r.reference ORDER BY r.id) FROM referrals r WHERE r.client_id = ev.client_id), '{}')
            ELSE '{}' END AS referrals,
       coalesce(CASE WHEN jsonb_typeof(ev.data->'staff_id') = 'number' THEN (SELECT s.name FROM staff s WHERE s.id = (ev.data->>'staff_id')::bigint)
                     WHEN jsonb_typeof(ev.data->'partner_id') = 'number' THEN (SELECT p.name || ' (partner system)' FROM partners p WHERE p.id = (ev.data->>'partner_id')::bigint)
                END, '') AS about
FROM events ev` + sqlEventActor

// sqlAuditVersions counts the consents of a search by wording version.
const sqlAuditVersions = `
SELECT coalesce(ev.data->>'wording_version', '') AS version, count(*) AS count
FROM events ev` + sqlEventActor

// SearchAudit reads a page of the audit log for the data protection
// officer (see AuditQuery), and records the search in the log
// (EventAuditSearched). Only coordinators and admins may search, or
// Onward itself: the same rule as the data protection officer's list
// (DataProtectionRequests). A filter that is wrong is a ValidationError
// naming its field.
func (e *Engine) SearchAudit(ctx context.Context, q AuditQuery, by Actor) (AuditPage, error) {
	var page AuditPage
	err := e.searchAudit(ctx, q, by, func(f auditFilter) error {
		var err error
		page, err = e.auditPage(ctx, f)
		if err != nil || f.kind.Code != "consent-given" {
			return err
		}
		rows, _ := e.pool.Query(ctx, sqlAuditVersions+f.sql()+"\nGROUP BY 1 ORDER BY 1", append([]any{auditPlanned}, f.args...)...)
		page.Versions, err = pgx.CollectRows(rows, pgx.RowToStructByName[AuditVersionCount])
		if err != nil {
			return fmt.Errorf("audit search: count consents by wording: %w", err)
		}
		return nil
	})
	return page, err
}

// EachAuditEntry walks every event of a search, newest first, a page at a
// time, for a download; it records the search once (EventAuditSearched),
// as SearchAudit does. q.After and q.Limit are ignored.
func (e *Engine) EachAuditEntry(ctx context.Context, q AuditQuery, by Actor, fn func(AuditEntry) error) error {
	q.After, q.Limit = "", 500
	return e.searchAudit(ctx, q, by, func(f auditFilter) error {
		for {
			page, err := e.auditPage(ctx, f)
			if err != nil {
				return err
			}
			for _, a := range page.Entries {
				if err := fn(a); err != nil {
					return err
				}
			}
			if page.Next == "" {
				return nil
			}
			c, _ := parseAuditCursor(page.Next)
			f.after = &c
		}
	})
}

// searchAudit checks who asks and the query, records the search, then
// reads (read).
func (e *Engine) searchAudit(ctx context.Context, q AuditQuery, by Actor, read func(auditFilter) error) error {
	if !mayReadDataProtection(by) {
		return &ForbiddenError{Why: "only a coordinator can search the audit log"}
	}
	f, err := e.auditFilter(ctx, q)
	if err != nil {
		return err
	}
	data := eventData("via", q.Via, "agency_id", int64(by.AgencyID), "kind", f.kind.Code, "agency", f.agency.Slug,
		"from", strings.TrimSpace(q.From), "to", strings.TrimSpace(q.To))
	if f.staff != 0 {
		data["staff_id"] = int64(f.staff)
	}
	if f.partner != 0 {
		data["partner_id"] = int64(f.partner)
	}
	if f.after != nil {
		data["after"] = f.after.String()
	}
	if err := e.appendEvent(ctx, e.pool, newEvent{kind: EventAuditSearched, actor: by, data: data}); err != nil {
		return err
	}
	return read(f)
}

// auditPlanned is how the search's queries run: planned afresh for the
// values of each search (pgx's unnamed statement, its description
// cached), never by a cached generic plan. How many events a filter
// matches varies widely (a new agency's handful, a busy one's
// thousands); a generic plan, chosen for an average filter, walks the
// log newest first until a page is full, which for a filter matching few
// events reads the whole log.
const auditPlanned = pgx.QueryExecModeCacheDescribe

// pageSQL is the query of one page of f, after its cursor, and its
// parameters: one row more than the page holds, to tell whether there is
// a next.
func (f auditFilter) pageSQL() (string, []any) {
	if f.after != nil {
		f.args = append(f.args, f.after.At, int64(f.after.ID))
		f.where = append(f.where, fmt.Sprintf("(ev.created_at, ev.id) < ($%d, $%d)", len(f.args)-1, len(f.args)))
	}
	f.args = append(f.args, f.limit+1)
	return sqlAuditSearch + f.sql() + "\nORDER BY ev.created_at DESC, ev.id DESC\nLIMIT $" + strconv.Itoa(len(f.args)), f.args
}

// auditPage reads one page of f, after its cursor.
func (e *Engine) auditPage(ctx context.Context, f auditFilter) (AuditPage, error) {
	sql, args := f.pageSQL()
	rows, _ := e.pool.Query(ctx, sql, append([]any{auditPlanned}, args...)...)
	got, err := pgx.CollectRows(rows, pgx.RowToStructByName[auditRow])
	if err != nil {
		return AuditPage{}, fmt.Errorf("audit search: %w", err)
	}
	var page AuditPage
	if len(got) > f.limit {
		got = got[:f.limit]
		last := got[len(got)-1]
		page.Next = auditCursor{At: last.At, ID: last.ID}.String()
	}
	page.Entries = make([]AuditEntry, len(got))
	for i, row := range got {
		page.Entries[i] = row.entry()
	}
	return page, nil
}

// entry is the row as the search shows it.
func (row auditRow) entry() AuditEntry {
	by, agency := actorWords(row.ActorKind, row.By, row.Agency)
	text := func(key string) string {
		switch v := row.Data[key].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	var detail []string
	add := func(label, value string) {
		if value != "" {
			detail = append(detail, label+value)
		}
	}
	switch row.Kind {
	case EventAccessDenied:
		add("tried to ", text("action"))
		add("refused: ", text("why"))
	case EventConsentGiven:
		add("wording version ", text("wording_version"))
		add("given through ", text("channel"))
		add("covers ", text("scope"))
		if _, ok := row.Data["agreed_how"]; ok {
			// A partner system's consent: when and how the client agreed,
			// as it said, each "not given" when it did not.
			p := ConsentParticulars{How: ConsentHow(text("agreed_how"))}
			if at, err := time.Parse(time.RFC3339, text("agreed_at")); err == nil {
				p.AgreedAt = &at
			}
			add("how the client agreed: ", p.HowWords())
			when := p.AgreedAtWords(time.UTC)
			if p.AgreedAt != nil {
				when += " UTC"
			}
			add("when: ", when)
		}
	case EventClientErased:
		add("reason: ", ErasureReason(text("why")).Label())
	case EventErasedAtProvider:
		add("deleted at Twilio: ", text("deleted"))
		add("already gone there: ", text("already_gone"))
	case EventProviderEraseStopped:
		add("could not finish: outbox row ", text("outbox_id"))
	case EventSubjectAccess:
		add("request came in: ", RequestChannel(text("request_channel")).Label())
	case EventTransition:
		if row.FromStatus != "" || row.ToStatus != "" {
			detail = append(detail, string(row.FromStatus)+" → "+string(row.ToStatus))
		}
	case EventStaffAdded, EventStaffRoleChanged:
		add("role ", text("role"))
	case EventAuditSearched:
		add("kind ", text("kind"))
		add("agency ", text("agency"))
		add("from ", text("from"))
		add("to ", text("to"))
		add("page after ", text("after"))
	}
	return AuditEntry{ID: row.ID, At: row.At, Kind: row.Kind, By: by, Agency: agency, Via: text("via"),
		Referrals: row.Referrals, About: row.About, Detail: strings.Join(detail, "; ")}
}
