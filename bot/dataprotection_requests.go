package bot

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
	"github.com/onward-network/onward/templates"
)

// This file is the data protection officer's page: every subject access
// export, erasure and withdrawal of consent, newest first, with a date filter, pages and a CSV
// download for the network's register of requests. Coordinators only
// (notCoordinator); core lists them (core.Engine.DataProtectionRequests)
// and audits each reading, page or download.

// dpRequestsPage is the page, parsed once with the staff layout and the
// parts it shares (the pager's words, the error summary).
var dpRequestsPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("dp_requests").Funcs(htmlFuncs).Funcs(webFuncs).ParseFS(templates.FS,
		"html/staff/layout.html", "html/staff/card.html", "html/staff/parts.html", "html/dataprotection/requests.html"))
})

// dpRequestsView is what the page shows.
type dpRequestsView struct {
	chrome
	From, To string // the filter as typed
	Filtered bool
	List     core.DataProtectionPage
	Location *time.Location
	PrevURL  string
	NextURL  string
	CSV      string // the download of the whole period
	// KeptOpen is the retention period and the referrals open longer
	// than it, which retention leaves alone; Advice says why and what to do.
	KeptOpen core.RetentionResult
	Advice   string
}

// dpRequestsFilter reads the period from the query: from and to are days
// in the network's time zone, both included. A day that is not one, or
// an end before the start, is a problem named against its field, and the
// list is read without it.
func (b *Bot) dpRequestsFilter(r *http.Request) (core.DataProtectionQuery, []core.FieldError, string, string) {
	qv := r.URL.Query()
	from, to := filterValue(qv, "from"), filterValue(qv, "to")
	loc := b.location(r.Context())
	var (
		q        core.DataProtectionQuery
		problems []core.FieldError
	)
	for _, d := range []struct {
		field, value string
		dst          **time.Time
		days         int
	}{{"from", from, &q.From, 0}, {"to", to, &q.To, 1}} {
		if d.value == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.value, loc)
		if err != nil {
			problems = append(problems, core.FieldError{Field: d.field, Message: "Enter the date as year-month-day, like 2026-11-30"})
			continue
		}
		t = t.AddDate(0, 0, d.days)
		*d.dst = &t
	}
	if q.From != nil && q.To != nil && !q.From.Before(*q.To) {
		problems = append(problems, core.FieldError{Field: "to", Message: "The end date must be on or after the start date"})
		q.To = nil
	}
	q.Page, _ = strconv.Atoi(filterValue(qv, "page"))
	return q, problems, from, to
}

// dpRequestsLink is the list's address with the period (and a page).
func dpRequestsLink(path, from, to string, page int) string {
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	if to != "" {
		q.Set("to", to)
	}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// dpRequests shows a page of the list.
func (b *Bot) dpRequests(w http.ResponseWriter, r *http.Request, s session) {
	if b.notCoordinator(w, s, "dp_requests") {
		return
	}
	q, problems, from, to := b.dpRequestsFilter(r)
	q.Via = "web"
	list, err := b.engine.DataProtectionRequests(r.Context(), q, s.staff.Actor())
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	kept, err := b.engine.RetentionKeptOpen(r.Context())
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	v := dpRequestsView{chrome: chrome{Title: "Data protection requests", Staff: &s.staff, CSRF: s.csrf},
		From: from, To: to, Filtered: from != "" || to != "", List: list, Location: b.location(r.Context()),
		CSV:      dpRequestsLink("/staff/data-protection/requests/csv", from, to, 0),
		KeptOpen: kept, Advice: core.RetentionKeptOpenAdvice}
	const path = "/staff/data-protection/requests"
	if list.Page > 1 {
		v.PrevURL = dpRequestsLink(path, from, to, min(list.Page-1, list.Pages()))
	}
	if list.Page < list.Pages() {
		v.NextURL = dpRequestsLink(path, from, to, list.Page+1)
	}
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusBadRequest
		v.setFieldErrors(problems, map[string]string{"from": "from", "to": "to"}, "from")
	}
	b.writeLayout(w, status, dpRequestsPage(), "dp_requests", v)
}

// dpRequestsColumns are the CSV's columns: the request's particulars
// only, never a client's details. The export number, which the copy
// handed over carries, came last, so a register's columns before it kept
// their places.
var dpRequestsColumns = []string{"Done at", "What", "By", "Agency", "Through", "Request came in", "Date received",
	"Days to answer", "Due by", "Over one month", "Request reference", "Erasure reason", "Referrals", "Export number"}

// dpRequestsCSV downloads every row of the period for the data protection
// officer's register, written by the reports' CSV writer (which keeps a
// typed reference from running as a spreadsheet formula).
func (b *Bot) dpRequestsCSV(w http.ResponseWriter, r *http.Request, s session) {
	if b.notCoordinator(w, s, "dp_requests") {
		return
	}
	q, problems, from, to := b.dpRequestsFilter(r)
	if len(problems) > 0 {
		http.Error(w, sentence(problems[0].Message)+".", http.StatusBadRequest)
		return
	}
	q.All, q.Via = true, "csv"
	list, err := b.engine.DataProtectionRequests(r.Context(), q, s.staff.Actor())
	if err != nil {
		b.refused(w, r, s, err)
		return
	}
	loc := b.location(r.Context())
	table := report.Report{Columns: dpRequestsColumns}
	for _, row := range list.Rows {
		table.Rows = append(table.Rows, dpRequestCells(row, loc))
	}
	name := "onward-data-protection-requests"
	if from != "" {
		name += "-from-" + from
	}
	if to != "" {
		name += "-to-" + to
	}
	b.serveCSV(w, &s, name, table.WriteCSV)
}

// dpRequestCells is one row of the download, in dpRequestsColumns' order.
func dpRequestCells(row core.DataProtectionRequest, loc *time.Location) []report.Cell {
	text := func(s string) report.Cell { return report.Cell{Text: s} }
	cells := []report.Cell{text(row.At.In(loc).Format("2006-01-02 15:04")), text(""), text(row.By), text(row.Agency), text(row.Through())}
	if row.Withdrawal() {
		cells[1] = text("Withdrawal of consent")
		return append(cells, text(""), text(""), text(""), text(""), text(""), text(""), text(""), text(strings.Join(row.Referrals, " ")), text(""))
	}
	if !row.Export() {
		cells[1] = text("Erasure")
		return append(cells, text(""), text(""), text(""), text(""), text(""), text(""),
			text(row.Reason.Label()), text(strings.Join(row.Referrals, " ")), text(""))
	}
	cells[1] = text("Subject access export")
	channel, received, days, due, late := text(row.Channel.Label()), text(""), text(""), text(""), text("")
	if row.Received != nil {
		received, due = text(row.Received.Format(time.DateOnly)), text(row.Due.Format(time.DateOnly))
		n := float64(row.Days)
		days = report.Cell{Text: strconv.Itoa(row.Days), Value: &n}
		late = text("no")
		if row.Late {
			late = text("yes")
		}
	}
	reference := text(row.Reference)
	if row.ReferenceErased {
		reference = text("erased")
	}
	return append(cells, channel, received, days, due, late, reference, text(""), text(""),
		text(strconv.FormatInt(int64(row.ExportNumber), 10)))
}
