package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
	"github.com/onward-network/onward/templates"
)

// The reports pages: /staff/reports lists the reports, /staff/reports/NAME
// shows one as an SVG chart (or, for referrals between partners, a heat
// table) with its table, filters, and CSV and JSON downloads. Coordinators
// and admins see the network or any agency; everyone else sees their own
// agency's figures. Inside the network the figures are exact (see
// report.Viewer); a download with publish=1 is marked for publication and
// suppresses small numbers whoever asks for it.

// ReportRoutes adds the reports pages to mux, behind the staff sign-in.
func (b *Bot) ReportRoutes(mux *http.ServeMux) {
	staff := func(pattern string, h http.Handler) { mux.Handle(pattern, staffHeaders(h)) }
	staff("GET /staff/reports", b.signedIn(b.reportsIndex))
	staff("GET /staff/reports/{name}", b.signedIn(b.reportPage))
	staff("GET /staff/reports/{name}/{format}", b.signedIn(b.reportExport))
	// A report's listing (the feedback on referrals sent back) downloads
	// as a CSV of its own (see report.WriteCSV): no {format} here.
	staff("GET /staff/reports/{name}/listing/csv", b.signedIn(b.reportExport))
	staff("GET /staff/static/reports.css", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeFileFS(w, r, templates.FS, "html/staff/reports.css")
	}))
}

// reports answers the reports pages and `/onward stats` from the engine's
// database, on the bot's clock.
func (b *Bot) reports() *report.Reports {
	return report.New(b.engine.Pool(), b.clock).WithSMSSegmentCost(b.cfg.SMSSegmentCost).ReadFrom(b.engine.Readers())
}

// reportsView is what the reports pages show.
type reportsView struct {
	// What the staff layout reads.
	Title, Error, Done, DoneRef, DoneWords string
	Staff                                  *core.Staff
	CSRF                                   string

	Coordinator bool
	// Notice tells an adviser who asked for another agency's figures
	// that their reports are their own agency's.
	Notice    string
	Reports   []report.Spec
	Filter    filterForm
	Query     template.URL // the filter as an encoded query string, for links
	Agencies  []option
	Needs     []option
	Report    *report.Report
	Chart     *chartView
	Map       *mapView // the demand map, when districts have points
	Heat      [][]heatCell
	Sections  []reportSection
	CSV, JSON string
	// ListingCSV downloads the report's listing, when it has one.
	ListingCSV string
	// PublishCSV and PublishJSON download the report marked for
	// publication (small numbers suppressed).
	PublishCSV, PublishJSON string
}

// reportSection is one section of a report in sections (the National
// Standards pack): its title and rows without the section column.
type reportSection struct {
	Title string
	Rows  [][]report.Cell
}

// sectionsOf splits a report in sections into its sections, in order.
func sectionsOf(r report.Report) []reportSection {
	var out []reportSection
	for _, row := range r.Rows {
		if n := len(out); n == 0 || out[n-1].Title != row[0].Text {
			out = append(out, reportSection{Title: row[0].Text})
		}
		out[len(out)-1].Rows = append(out[len(out)-1].Rows, row[1:])
	}
	return out
}

// filterForm is the filter as typed. NotOurs: an adviser asked for an
// agency other than their own, and is shown their own.
type filterForm struct {
	From, To, Agency, Need string
	// Period is the preset chosen, by its name ("this quarter", "2026-27
	// Q3"); "" for the dates as typed.
	Period  string
	NotOurs bool
	// Shown says which days the report counts: the period and its days
	// ("2026-27 Q3 (1 October – 31 December 2026)"), or the dates'.
	Shown string
	// FileName is the days as a download's name carries them.
	FileName string
	// Periods are the presets to choose from.
	Periods []periodGroup
}

// periodGroup is a group of the period choices: the presets that move
// with the day, then each financial year and its quarters.
type periodGroup struct {
	Label   string
	Options []option
}

// networkReports are the reports counted for the whole network alone
// (the texts Onward sent are the network's, not any agency's): read by
// coordinators, and not offered to advisers, whose reports are their own
// agency's figures.
var networkReports = map[string]bool{"texts": true}

// reportOffered reports whether the report named name is one the member of
// staff is offered; one that is not is answered by networkOnly.
func reportOffered(s core.Staff, name string) bool { return coordinates(s) || !networkReports[name] }

// networkOnly answers an adviser who asked for a report of the whole
// network: what it counts and who reads it, in place of a page they could
// do nothing with.
func (b *Bot) networkOnly(w http.ResponseWriter, s session, spec report.Spec) {
	b.message(w, http.StatusForbidden, &s.staff, s.csrf, sayWeb("web.report.network.title", nil), sayWeb("web.report.network", spec.Title))
}

type option struct {
	Value, Label string
	Selected     bool
}

var reportPages = sync.OnceValue(func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"report_index", "report"} {
		out[name] = template.Must(template.New(name).Funcs(htmlFuncs).ParseFS(templates.FS,
			"html/staff/layout.html", "html/staff/card.html", "html/staff/report_filter.html",
			"html/staff/report_chart.html", "html/staff/report_map.html", "html/staff/"+name+".html"))
	}
	return out
})

func (b *Bot) renderReports(w http.ResponseWriter, status int, name string, v reportsView) {
	b.writeLayout(w, status, reportPages()[name], name, v)
}

// errBadFilter is a filter that cannot be read; the message says why.
type errBadFilter struct{ msg string }

func (e errBadFilter) Error() string { return e.msg }

// reportFilter reads the filter from the query string, defaulting to the
// twelve months to today, and narrows it to what the member of staff may
// see.
func (b *Bot) reportFilter(r *http.Request, s session) (report.Filter, filterForm, error) {
	q := r.URL.Query()
	form := filterForm{From: q.Get("from"), To: q.Get("to"), Agency: q.Get("agency"), Need: q.Get("need"), Period: q.Get("period")}
	today, err := b.today(r.Context())
	if err != nil {
		return report.Filter{}, form, err
	}
	form.Periods = periodChoices(today, form.Period)
	var f report.Filter
	if form.Period != "" {
		// A preset chosen is the dates it names: it fills them, and the
		// dates typed beside it are not read.
		preset, err := report.ParsePreset(form.Period)
		if err != nil {
			return f, form, errBadFilter{sentence(err.Error()) + "."}
		}
		shown, err := preset.On(today)
		if err != nil {
			return f, form, errBadFilter{sentence(err.Error()) + "."}
		}
		f.From, f.To = shown.From, shown.To
		form.Period, form.Shown, form.FileName = preset.String(), shown.String(), shown.FileName()
		form.Periods = periodChoices(today, form.Period)
	} else {
		f.To = today
		if form.To != "" {
			if f.To, err = time.Parse(time.DateOnly, form.To); err != nil {
				return f, form, errBadFilter{"The end date must be a date like 2026-03-31."}
			}
		}
		f.From = f.To.AddDate(-1, 0, 1)
		if form.From != "" {
			if f.From, err = time.Parse(time.DateOnly, form.From); err != nil {
				return f, form, errBadFilter{"The start date must be a date like 2025-04-01."}
			}
		}
		if field, msg := report.CheckPeriod(f.From, f.To); field != "" {
			return f, form, errBadFilter{sentence(msg)}
		}
		form.Shown = report.DaysText(f.From, f.To)
		form.FileName = f.From.Format(time.DateOnly) + "-to-" + f.To.Format(time.DateOnly)
	}
	if form.Need != "" {
		if f.Need, err = core.ParseNeed(form.Need); err != nil {
			return f, form, errBadFilter{"Choose a need from the list."}
		}
	}
	if form.Agency != "" && !coordinates(s.staff) {
		// An adviser's figures are their own agency's, whatever is
		// asked (report.ScopeFilter): another agency, or one that does
		// not exist, is not an error they could put right.
		own, err := b.engine.Agency(r.Context(), s.staff.AgencyID)
		if err != nil {
			return f, form, err
		}
		form.NotOurs, form.Agency = form.Agency != own.Slug, ""
	}
	if form.Agency != "" {
		a, err := b.engine.AgencyBySlug(r.Context(), form.Agency)
		if errors.Is(err, core.ErrNotFound) {
			return f, form, errBadFilter{"Choose an agency from the list."}
		} else if err != nil {
			return f, form, err
		}
		f.Agency = a.ID
	}
	f = report.ScopeFilter(s.staff, f)
	form.From, form.To = f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)
	if f.Agency != 0 && f.Agency == s.staff.AgencyID && !coordinates(s.staff) {
		form.Agency = ""
	}
	return f, form, nil
}

func coordinates(s core.Staff) bool { return s.Actor().Coordinates() }

// query is the filter form as a query string: a preset by its name, so
// that "this quarter" linked on stays this quarter, or the dates.
func (f filterForm) query() string {
	v := url.Values{"from": {f.From}, "to": {f.To}}
	if f.Period != "" {
		v = url.Values{"period": {f.Period}}
	}
	if f.Agency != "" {
		v.Set("agency", f.Agency)
	}
	if f.Need != "" {
		v.Set("need", f.Need)
	}
	return v.Encode()
}

// baseView fills what every reports page shows: the filter and its
// choices.
func (b *Bot) baseView(r *http.Request, s session, form filterForm) (reportsView, error) {
	v := reportsView{Staff: &s.staff, CSRF: s.csrf, Coordinator: coordinates(s.staff),
		Filter: form, Query: template.URL(form.query())}
	for _, spec := range report.List() {
		if reportOffered(s.staff, spec.Name) {
			v.Reports = append(v.Reports, spec)
		}
	}
	if form.NotOurs {
		v.Notice = sayWeb("web.report.own_agency", s.staff.AgencyName)
	}
	v.Needs = append(v.Needs, option{Value: "", Label: "All needs"})
	for _, n := range core.Needs {
		v.Needs = append(v.Needs, option{Value: string(n), Label: n.Label(), Selected: string(n) == form.Need})
	}
	if v.Coordinator {
		as, err := b.engine.Agencies(r.Context())
		if err != nil {
			return v, err
		}
		v.Agencies = append(v.Agencies, option{Value: "", Label: "The whole network"})
		for _, a := range as {
			v.Agencies = append(v.Agencies, option{Value: a.Slug, Label: a.Name, Selected: a.Slug == form.Agency})
		}
	}
	return v, nil
}

func (b *Bot) reportsIndex(w http.ResponseWriter, r *http.Request, s session) {
	_, form, ferr := b.reportFilter(r, s)
	v, err := b.baseView(r, s, form)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	v.Title = "Reports"
	status := http.StatusOK
	if msg := (errBadFilter{}); errors.As(ferr, &msg) {
		v.Error, status = msg.msg, http.StatusBadRequest
	} else if ferr != nil {
		b.failed(w, &s, ferr)
		return
	}
	b.renderReports(w, status, "report_index", v)
}

func (b *Bot) reportPage(w http.ResponseWriter, r *http.Request, s session) {
	name := r.PathValue("name")
	spec, ok := report.Lookup(name)
	if !ok {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, "Not found", "There is no report of that name.")
		return
	}
	if !reportOffered(s.staff, name) {
		b.networkOnly(w, s, spec)
		return
	}
	f, form, ferr := b.reportFilter(r, s)
	v, err := b.baseView(r, s, form)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	v.Title = spec.Title
	if msg := (errBadFilter{}); errors.As(ferr, &msg) {
		v.Error = msg.msg
		v.Report = &report.Report{Name: spec.Name, Title: spec.Title, Description: spec.Description, Counts: spec.Counts}
		b.renderReports(w, http.StatusBadRequest, "report", v)
		return
	} else if ferr != nil {
		b.failed(w, &s, ferr)
		return
	}
	rep, err := b.reports().Run(r.Context(), name, f, report.ViewerFor(s.staff))
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	v.Report = &rep
	if rep.Chart == report.ChartMatrix {
		v.Heat = heatTable(rep)
	} else if m, ok, err := b.reports().MapOf(r.Context(), rep); err != nil {
		b.failed(w, &s, err)
		return
	} else if ok {
		v.Map = mapFor(rep.Title, m)
	} else {
		v.Chart = chartFor(rep)
	}
	if rep.Sections {
		v.Sections = sectionsOf(rep)
	}
	v.CSV = "/staff/reports/" + name + "/csv?" + string(v.Query)
	v.JSON = "/staff/reports/" + name + "/json?" + string(v.Query)
	v.PublishCSV, v.PublishJSON = v.CSV+"&publish=1", v.JSON+"&publish=1"
	if rep.Listing != nil {
		v.ListingCSV = "/staff/reports/" + name + "/listing/csv?" + string(v.Query)
	}
	b.renderReports(w, http.StatusOK, "report", v)
}

// reportExport downloads a report as CSV or JSON, suppressed exactly as
// the page is, or, with publish=1, marked for publication: small numbers
// suppressed whoever asks.
// exportRefused answers a download refused in the download's own kind:
// JSON for a JSON link ({"error": why}), plain text for a CSV one, so a
// script fetching the figures reads why rather than a page.
func exportRefused(w http.ResponseWriter, format string, status int, why string) {
	if format != "json" {
		http.Error(w, why, status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": why})
}

// reportExport answers a download: a report's figures as CSV or JSON,
// or, at /listing/csv, its listing as a CSV of its own.
func (b *Bot) reportExport(w http.ResponseWriter, r *http.Request, s session) {
	name, format := r.PathValue("name"), r.PathValue("format")
	listing := format == "" // GET /staff/reports/{name}/listing/csv
	if listing {
		format = "csv"
	}
	spec, ok := report.Lookup(name)
	if !ok || (format != "csv" && format != "json") {
		b.message(w, http.StatusNotFound, &s.staff, s.csrf, "Not found", "There is no report of that name and format.")
		return
	}
	if !reportOffered(s.staff, name) {
		exportRefused(w, format, http.StatusForbidden, sayWeb("web.report.network", spec.Title))
		return
	}
	f, form, err := b.reportFilter(r, s)
	if msg := (errBadFilter{}); errors.As(err, &msg) {
		exportRefused(w, format, http.StatusBadRequest, msg.msg)
		return
	} else if err != nil {
		b.failed(w, &s, err)
		return
	}
	viewer := report.ViewerFor(s.staff)
	publish := r.URL.Query().Get("publish")
	switch publish {
	case "", "0":
	case "1":
		viewer = viewer.Published()
	default:
		exportRefused(w, format, http.StatusBadRequest, "publish must be 1 (for publication) or left out.")
		return
	}
	rep, err := b.reports().Run(r.Context(), name, f, viewer)
	if err != nil {
		b.failed(w, &s, err)
		return
	}
	// The file is named for the report, then what it counts: the period
	// or dates, the agency, the need, and whether it is for publication.
	counted := form.FileName
	if rep.AgencySlug != "" {
		counted += "-" + rep.AgencySlug
	}
	if f.Need != "" {
		counted += "-" + string(f.Need)
	}
	if viewer.Publish {
		counted += "-for-publication"
	}
	fileName := "onward-" + name + "-" + counted
	if listing {
		if rep.Listing == nil {
			exportRefused(w, format, http.StatusNotFound, sentence(report.ErrNoListing.Error())+".")
			return
		}
		b.serveCSV(w, &s, "onward-"+name+"-"+rep.Listing.Name+"-"+counted, rep.WriteListingCSV)
		return
	}
	if format == "csv" {
		b.serveCSV(w, &s, fileName, rep.WriteCSV)
		return
	}
	var buf bytes.Buffer
	if err := rep.Write(&buf, format); err != nil {
		b.failed(w, &s, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, strings.ReplaceAll(fileName, `"`, ""), format))
	_, _ = w.Write(buf.Bytes())
}
