package bot

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
	"github.com/onward-network/onward/templates"
)

// This file is the data protection officer's audit search: the audit
// log by member of staff, agency, partner system, kind of event and days,
// newest first, a page at a time, with a CSV download. Whoever may read
// the data protection requests may search (notCoordinator, and core's
// own rule); core searches (core.Engine.SearchAudit) and audits each
// search, page or download. The filters travel in the address as what
// was chosen: a staff email, an agency's short name, a partner system's
// number, a kind's code, days, and the page's cursor (a time and an
// event number); never anything of a client's.

// dpAuditPage is the page, parsed once with the staff layout.
var dpAuditPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("dp_audit").Funcs(htmlFuncs).Funcs(webFuncs).ParseFS(templates.FS,
		"html/staff/layout.html", "html/staff/card.html", "html/staff/parts.html", "html/dataprotection/audit.html"))
})

// dpAuditView is what the page shows.
type dpAuditView struct {
	chrome
	Query    core.AuditQuery // as asked
	Partner  string          // the partner filter as chosen
	Kinds    []core.AuditKind
	Agencies []core.Agency
	Partners []core.Partner
	Result   core.AuditPage
	Searched bool // the search was answered (no filter was wrong)
	Location *time.Location
	NextURL  string
	FirstURL string // the first page, shown from the second on
	CSV      string
}

// auditQuery reads the search from the address. A partner that is not a
// number is left for core to name.
func auditQuery(r *http.Request) (core.AuditQuery, string) {
	qv := r.URL.Query()
	q := core.AuditQuery{StaffEmail: filterValue(qv, "staff"), AgencySlug: filterValue(qv, "agency"),
		Kind: filterValue(qv, "kind"), From: filterValue(qv, "from"), To: filterValue(qv, "to"), After: filterValue(qv, "after")}
	partner := filterValue(qv, "partner")
	if partner != "" {
		id, err := strconv.ParseInt(partner, 10, 64)
		if err != nil {
			id = -1
		}
		q.Partner = core.PartnerID(id)
	}
	return q, partner
}

// dpAuditLink is the search's address (path) with its filters, and a
// page's cursor.
func dpAuditLink(path string, q core.AuditQuery, partner, after string) string {
	v := url.Values{}
	for _, f := range []struct{ name, value string }{{"staff", q.StaffEmail}, {"agency", q.AgencySlug}, {"partner", partner},
		{"kind", q.Kind}, {"from", q.From}, {"to", q.To}, {"after", after}} {
		if f.value != "" {
			v.Set(f.name, f.value)
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// dpAuditFields are the page's fields for core's.
var dpAuditFields = map[string]string{"staff": "staff", "agency": "agency", "partner": "partner", "kind": "kind", "from": "from", "to": "to", "after": "from"}

const dpAuditPath = "/staff/data-protection/audit"

// dpAudit shows a page of the search.
func (b *Bot) dpAudit(w http.ResponseWriter, r *http.Request, s session) {
	if b.notCoordinator(w, s, "dp_audit") {
		return
	}
	q, partner := auditQuery(r)
	v := dpAuditView{chrome: chrome{Title: "Audit log", Staff: &s.staff, CSRF: s.csrf}, Query: q, Partner: partner,
		Kinds: core.AuditKinds(), Location: b.location(r.Context())}
	var err error
	if v.Agencies, err = b.engine.Agencies(r.Context()); err != nil {
		b.failed(w, &s, err)
		return
	}
	if v.Partners, err = b.engine.Partners(r.Context()); err != nil {
		b.failed(w, &s, err)
		return
	}
	q.Via = "web"
	v.Result, err = b.engine.SearchAudit(r.Context(), q, s.staff.Actor())
	var invalid *core.ValidationError
	switch {
	case errors.As(err, &invalid):
		v.setFieldErrors(invalid.Fields, dpAuditFields, "from")
		b.writeLayout(w, http.StatusBadRequest, dpAuditPage(), "dp_audit", v)
		return
	case err != nil:
		b.refused(w, r, s, err)
		return
	}
	v.Searched = true
	v.CSV = dpAuditLink(dpAuditPath+"/csv", q, partner, "")
	if v.Result.Next != "" {
		v.NextURL = dpAuditLink(dpAuditPath, q, partner, v.Result.Next)
	}
	if q.After != "" {
		v.FirstURL = dpAuditLink(dpAuditPath, q, partner, "")
	}
	b.writeLayout(w, http.StatusOK, dpAuditPage(), "dp_audit", v)
}

// dpAuditCSV downloads every event of the search (all its pages), in
// core's columns (core.AuditColumns), written by the reports' CSV writer,
// which keeps a cell from running as a spreadsheet formula.
func (b *Bot) dpAuditCSV(w http.ResponseWriter, r *http.Request, s session) {
	if b.notCoordinator(w, s, "dp_audit") {
		return
	}
	q, _ := auditQuery(r)
	q.Via = "csv"
	loc := b.location(r.Context())
	table := report.Report{Columns: core.AuditColumns}
	err := b.engine.EachAuditEntry(r.Context(), q, s.staff.Actor(), func(a core.AuditEntry) error {
		table.Rows = append(table.Rows, report.TextRow(a.Cells(loc)))
		return nil
	})
	var invalid *core.ValidationError
	switch {
	case errors.As(err, &invalid):
		http.Error(w, sentences(invalid), http.StatusBadRequest)
		return
	case err != nil:
		b.refused(w, r, s, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	b.serveCSV(w, &s, "onward-audit-log", table.WriteCSV)
}
