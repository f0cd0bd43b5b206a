package core

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// ListView says which list of referrals a ListQuery reads.
type ListView string

// The lists of the staff web.
const (
	// ViewInbox is the referrals sent to an agency, the urgent first:
	// crisis, then overdue, then due soonest.
	ViewInbox ListView = "inbox"
	// ViewSent is the referrals an agency made, those needing the
	// referrer's attention first, then the newest.
	ViewSent ListView = "sent"
)

// Urgency filters a list by crisis.
type Urgency string

// Urgencies a list can be filtered by.
const (
	UrgencyAny     Urgency = ""
	UrgencyCrisis  Urgency = "crisis"
	UrgencyRoutine Urgency = "routine"
)

// ListQuery picks a page of one agency's referrals. Every filter is
// optional; the zero value of each means "any".
type ListQuery struct {
	View      ListView
	Agency    AgencyID // the receiving agency (inbox) or the referring one (sent)
	Statuses  []Status // none: open ones (inbox) or all (sent)
	Need      Need
	Urgency   Urgency
	Overdue   bool       // only those past their due time (Referral.Due)
	Mine      StaffID    // only those this member of staff made, acted on or claimed
	Attention bool       // only those needing the referrer's attention (sent)
	Other     AgencyID   // the other agency: the referring one (inbox), the receiving one (sent)
	From, To  *time.Time // made on or after From, before To
	Reference string     // an exact reference, "ONW-…" or without the prefix
	Page      int        // from 1
	PerPage   int        // default 25, at most 100
}

// ListRow is one referral of a list with what a compact row shows.
type ListRow struct {
	Referral
	FromAgency string `db:"from_agency"`
	ToAgency   string `db:"to_agency"`
	ActedBy    string `db:"acted_by"` // who last changed its status, "" for nobody
	Town       string `db:"town"`     // the town the client gave
	// Language is the client's language ("en" unless they chose another)
	// and Interpreter whether they asked for one, as cards show them.
	Language    string `db:"language"`
	Interpreter bool   `db:"interpreter"`
	// InterpreterLanguage is the language the client named for an
	// interpreter, "" when none (InterpreterNeed says which to book).
	InterpreterLanguage string `db:"interpreter_language"`
	Overdue             bool   `db:"overdue"`
	Attention           bool   `db:"attention"` // the referrer should look at it
}

// InterpreterNeed is the row's interpreter need, labelled as cards and
// emails label it.
func (r ListRow) InterpreterNeed() InterpreterNeed {
	return interpreterNeedOf(r.Interpreter, r.InterpreterLanguage, r.Language)
}

// ListPage is a page of a list and how many referrals the whole list has.
type ListPage struct {
	Rows    []ListRow
	Total   int
	Page    int
	PerPage int
}

// Pages is how many pages the list has (at least one).
func (p ListPage) Pages() int {
	if p.PerPage <= 0 || p.Total == 0 {
		return 1
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// ReferenceSearchOnly is what a search by anything but a reference is
// told: lists are searched by reference alone, never by a client's name or
// number.
const ReferenceSearchOnly = "search by a referral's reference, like " + ReferenceExample + ": names and phone numbers are not searched"

// referenceRe is a reference as people type it: letters and digits after
// an optional "ONW-".
var referenceInputRe = regexp.MustCompile(`^(?:ONW-?)?([0-9A-Z]{1,12})$`)

// NormaliseReference reads a reference as typed ("onw-7k3m9p", "7K3M9P",
// "ONW 7K3M9P", "ONW–7K3M9P", full-width or other scripts' digits) into
// the form Onward prints ("ONW-7K3M9P"); ok is false for anything that
// cannot be one, a phone number among them (nine digits or more and
// nothing else: a reference has seven characters).
func NormaliseReference(s string) (string, bool) {
	s = strings.ToUpper(strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Cf, r):
			return -1
		case unicode.Is(unicode.Pd, r):
			return '-'
		}
		return ASCIIForm(r)
	}, s))
	m := referenceInputRe.FindStringSubmatch(s)
	if m == nil || len(m[1]) >= 9 && strings.Trim(m[1], "0123456789") == "" {
		return "", false
	}
	return "ONW-" + m[1], true
}

// sqlAttention is when a sent referral needs the referrer: turned away
// (not redirected on), the client could not be contacted, or the
// receiving agency closed it without helping; and nobody has referred the
// client on from it since.
const sqlAttention = `((r.status = 'rejected' AND r.reason IS DISTINCT FROM 'redirected')
    OR r.status = 'failed' OR coalesce(r.outcome IN ('could-not-contact', 'not-eligible'), false))
  AND NOT EXISTS (SELECT 1 FROM referrals c WHERE c.parent_id = r.id)`

// sqlOverdue is the inbox's "overdue": what the referral waits on (an
// acknowledgement, contact with the client, a review of its waiting list
// place) is past its due time. due_at is the one rule (Referral.Due,
// migration 052); the reminders go at the same moment.
const sqlOverdue = "(r.due_at < $1)"

// sqlListPage pages one agency's referrals: the filtered ids are sorted
// and cut to the page first, so only one page of rows is joined to names.
// The list's length is counted apart from the page, so the page can stop
// reading once it has its rows. The WHERE and ORDER BY are put together
// from the fixed pieces below by listSQL, so each filter set gets a plan
// that uses its index.
const sqlListPage = `
WITH page AS (
    SELECT r.id,
        coalesce(` + sqlOverdue + `, false) AS overdue,
        %[1]s AS attention,
        r.due_at AS due
    FROM referrals r
    WHERE %[2]s
    ORDER BY %[3]s
    LIMIT $2 OFFSET $3
)
SELECT %[4]s,
    coalesce(fa.name, '') AS from_agency, coalesce(ta.name, '') AS to_agency,
    coalesce(s.name, '') AS acted_by, c.town, c.language, c.interpreter,
    c.interpreter_language,
    page.overdue, page.attention,
    (SELECT count(*) FROM referrals r WHERE %[2]s) AS total
FROM page
JOIN referrals r ON r.id = page.id
JOIN clients c ON c.id = r.client_id
LEFT JOIN agencies fa ON fa.id = r.from_agency_id
LEFT JOIN agencies ta ON ta.id = r.to_agency_id
LEFT JOIN staff s ON s.id = r.status_by
ORDER BY %[5]s`

// The orders of the lists. The inbox puts crisis first, then the soonest
// due, whatever is due (so the overdue come first), then the oldest; the
// order is referrals_inbox_idx's (migration 052), so the first page is
// read from the index without sorting. Sent puts what needs the referrer
// first, then the latest change.
const (
	orderInboxInner = `r.crisis DESC, r.due_at ASC NULLS LAST, r.created_at, r.id`
	orderInboxOuter = `r.crisis DESC, page.due ASC NULLS LAST, r.created_at, r.id`
	orderSentInner  = `(` + sqlAttention + `) DESC, r.status_at DESC, r.id DESC`
	orderSentOuter  = `page.attention DESC, r.status_at DESC, r.id DESC`
)

// listSQL builds the list's statement and arguments from q: only fixed
// SQL pieces, every value a parameter.
func listSQL(q ListQuery, ref string, now time.Time) (string, []any) {
	args := []any{now, q.PerPage, (q.Page - 1) * q.PerPage}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var where []string
	inner, outer := orderInboxInner, orderInboxOuter
	if q.View == ViewInbox {
		where = append(where, "r.to_agency_id = "+arg(q.Agency))
		if q.Other != 0 {
			where = append(where, "r.from_agency_id = "+arg(q.Other))
		}
	} else {
		inner, outer = orderSentInner, orderSentOuter
		where = append(where, "r.from_agency_id = "+arg(q.Agency))
		if q.Other != 0 {
			where = append(where, "r.to_agency_id = "+arg(q.Other))
		}
	}
	switch {
	case len(q.Statuses) > 0:
		statuses := make([]string, len(q.Statuses))
		for i, s := range q.Statuses {
			statuses[i] = string(s)
		}
		where = append(where, "r.status = ANY("+arg(statuses)+")")
		if !slices.ContainsFunc(q.Statuses, func(s Status) bool { return !s.Open() }) {
			// Only open statuses: say so, so the open referrals' index
			// serves the list.
			where = append(where, "r.closed_at IS NULL")
		}
	case q.View == ViewInbox:
		where = append(where, "r.closed_at IS NULL")
	}
	if q.Need != "" {
		where = append(where, "r.needs @> ARRAY["+arg(string(q.Need))+"]")
	}
	switch q.Urgency {
	case UrgencyCrisis:
		where = append(where, "r.crisis")
	case UrgencyRoutine:
		where = append(where, "NOT r.crisis")
	}
	if q.Overdue {
		where = append(where, sqlOverdue)
	}
	if q.Mine != 0 {
		p := arg(q.Mine)
		where = append(where, "(r.status_by = "+p+" OR r.from_staff_id = "+p+" OR r.triage_claimed_by = "+p+")")
	}
	if q.Attention {
		where = append(where, "("+sqlAttention+")")
	}
	if q.From != nil {
		where = append(where, "r.created_at >= "+arg(*q.From))
	}
	if q.To != nil {
		where = append(where, "r.created_at < "+arg(*q.To))
	}
	if ref != "" {
		where = append(where, "r.reference = "+arg(ref))
	}
	// Only the sent list asks whether the referrer must look again.
	attention := "false"
	if q.View == ViewSent {
		attention = "(" + sqlAttention + ")"
	}
	return fmt.Sprintf(sqlListPage, attention, strings.Join(where, " AND "), inner, referralColumnsR, outer), args
}

// referralColumnsR is referralColumns qualified by the alias r.
var referralColumnsR = "r." + strings.Join(strings.Split(strings.Join(strings.Fields(referralColumns), " "), ", "), ", r.")

// listRow is a ListRow with the window's total beside it.
type listRow struct {
	ListRow
	Total int `db:"total"`
}

// List returns one page of an agency's inbox or sent referrals. Odd
// filters never fail: an unknown status or need is a ValidationError
// naming the filter, and so is a search that cannot be a reference (a
// name or a phone number typed into the box: only references are
// searched, so that no client's name or number is put in a list's
// address, which browsers keep).
func (e *Engine) List(ctx context.Context, q ListQuery) (ListPage, error) {
	if q.View != ViewInbox && q.View != ViewSent {
		return ListPage{}, fmt.Errorf("list referrals: unknown view %q", q.View)
	}
	var fields []FieldError
	for _, s := range q.Statuses {
		if !slices.Contains(Statuses, s) {
			fields = append(fields, FieldError{Field: "status", Message: "Choose a status from the list"})
			break
		}
	}
	if q.Need != "" && !q.Need.Valid() {
		fields = append(fields, FieldError{Field: "need", Message: "Choose a need from the list"})
	}
	if q.Urgency != UrgencyAny && q.Urgency != UrgencyCrisis && q.Urgency != UrgencyRoutine {
		fields = append(fields, FieldError{Field: "urgency", Message: "Choose crisis or routine"})
	}
	if strings.TrimSpace(q.Reference) != "" {
		if _, ok := NormaliseReference(q.Reference); !ok {
			fields = append(fields, FieldError{Field: "reference", Message: ReferenceSearchOnly})
		}
	}
	if len(fields) > 0 {
		return ListPage{}, &ValidationError{Fields: fields}
	}
	if q.PerPage <= 0 {
		q.PerPage = 25
	}
	q.PerPage = min(q.PerPage, 100)
	q.Page = max(q.Page, 1)
	q.Page = min(q.Page, 10000)
	ref := ""
	if strings.TrimSpace(q.Reference) != "" {
		ref, _ = NormaliseReference(q.Reference) // checked above
	}
	sql, args := listSQL(q, ref, e.clock.Now())
	got, err := e.queryGenericPlan(ctx, sql, args)
	if err != nil {
		return ListPage{}, fmt.Errorf("list %s of agency %d: %w", q.View, q.Agency, err)
	}
	p := ListPage{Page: q.Page, PerPage: q.PerPage, Rows: make([]ListRow, len(got))}
	for i, r := range got {
		p.Rows[i] = r.ListRow
		p.Total = r.Total
	}
	if len(got) == 0 && q.Page > 1 {
		// Past the last page: say how many there are, so the page can
		// offer the way back.
		q.Page = 1
		first, err := e.List(ctx, q)
		if err != nil {
			return ListPage{}, err
		}
		p.Total = first.Total
	}
	return p, nil
}

// queryGenericPlan runs a list statement under PostgreSQL's generic plan,
// in one round trip: a read-only transaction that sets plan_cache_mode for
// itself alone. Left to choose, PostgreSQL plans the list afresh for every
// page (its OFFSET and array filters make the generic plan look dearer),
// and planning cost as much as running it; every list is served by the
// same index whatever the values, so the generic plan loses nothing.
func (e *Engine) queryGenericPlan(ctx context.Context, sql string, args []any) ([]listRow, error) {
	b := &pgx.Batch{}
	b.Queue("BEGIN READ ONLY")
	b.Queue("SET LOCAL plan_cache_mode = force_generic_plan")
	var got []listRow
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		var err error
		got, err = pgx.CollectRows(rows, pgx.RowToStructByName[listRow])
		return err
	})
	b.Queue("COMMIT")
	// A failed statement leaves the transaction open; the pool closes such
	// a connection rather than hand it on.
	if err := e.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return got, nil
}

const sqlAttentionCount = `SELECT count(*) FROM referrals r WHERE r.from_agency_id = $1 AND ` + sqlAttention

// AttentionCount is how many of the referrals an agency made need its
// attention: turned away, the client not reached, or closed without help,
// and not referred on since.
func (e *Engine) AttentionCount(ctx context.Context, agency AgencyID) (int, error) {
	var n int
	if err := e.pool.QueryRow(ctx, sqlAttentionCount, agency).Scan(&n); err != nil {
		return 0, fmt.Errorf("referrals needing agency %d's attention: %w", agency, err)
	}
	return n, nil
}
