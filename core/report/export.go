package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onward-network/onward/core"
)

// Formats are the formats a report exports to.
var Formats = []string{"csv", "json", "table"}

// Write writes the report in a format: "csv", "json" or "table".
func (r Report) Write(w io.Writer, format string) error {
	switch format {
	case "csv":
		return r.WriteCSV(w)
	case "json":
		return r.WriteJSON(w)
	case "table":
		return r.WriteTable(w)
	}
	return &core.ValidationError{Fields: []core.FieldError{{Field: "format", Message: fmt.Sprintf("format must be csv, json or table, not %q", format)}}}
}

// WriteCSV writes the report's table as CSV: a header row of the column
// names, then one line per row. Figures are numbers or empty, never "<5":
// in a suppressed report every figure column is followed by a
// "<column>_suppressed" column, true where the figure was withheld. What
// the report counts and when (About) are not written here: a download
// read by a program stays a table, and the JSON and the page carry them.
// A listing (the feedback on referrals sent back) is not written here
// either but by WriteListingCSV, a file of its own: a spreadsheet, or a
// funder's import script, reads one header row and rows below it, and
// the listing's rows (one referral each, in words) are not the figures'
// (one referrer each, in numbers) — a second table under the first is
// read as rows of the first, and a single table holding both would make
// every sum of it filter out the other's rows first.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cols := r.exportColumns()
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = csvText(Cell{Text: c})
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, row := range r.Rows {
		var rec []string
		for i, c := range row {
			if c.Suppressed {
				rec = append(rec, "")
			} else {
				rec = append(rec, csvText(c))
			}
			if r.flagged(i) {
				rec = append(rec, strconv.FormatBool(c.Suppressed))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteListingCSV writes the report's listing (the feedback on referrals
// sent back) as a CSV of its own: a header row of its columns, then one
// line per row. A report with none — every report but one, and that one
// suppressed, whose feedback stays inside the network — is an error
// saying so.
func (r Report) WriteListingCSV(w io.Writer) error {
	l := r.Listing
	if l == nil {
		return fmt.Errorf("report %s: %w", r.Name, ErrNoListing)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvTexts(l.Columns)); err != nil {
		return err
	}
	for _, row := range l.Rows {
		if err := cw.Write(csvTexts(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ErrNoListing is a listing asked of a report that has none: one that
// never has, or one suppressed for publication, whose words stay inside
// the network.
var ErrNoListing = errors.New("no list of words goes with these figures (only the sent-back report has one, and only inside the network)")

// CountsLabel introduces a report's Counts wherever it is shown.
const CountsLabel = "What it counts:"

// About is what a report says of its figures, a line each: what they
// count (Counts), the moment they stand at (AtText, for a report of what
// stood open) and when they were counted (AsOfText). A report made by
// hand, with none of them, has none.
func (r Report) About() []string {
	var out []string
	if at := r.AtText(); at != "" {
		out = append(out, at)
	}
	if r.Counts != "" {
		out = append(out, CountsLabel+" "+r.Counts)
	}
	if !r.AsOf.IsZero() {
		out = append(out, r.AsOfText())
	}
	return out
}

// AsOfText says when the figures were counted, in the network's time
// zone: "Figures as of 19:42 GMT on 5 December 2026".
func (r Report) AsOfText() string {
	if r.AsOf.IsZero() {
		return "Figures not counted yet: Onward counts them within a minute of starting."
	}
	return "Figures as of " + r.AsOf.Format("15:04 MST on 2 January 2006") + "."
}

// AtText says the moment a report of what stood open counts at, in the
// network's time zone: "As at 23:59 BST on 31 March 2026, the end of the
// dates.", or, for dates not over yet, the latest count's time. It is
// "" for the reports that count what happened in their dates.
func (r Report) AtText() string {
	if r.At.IsZero() {
		return ""
	}
	to := r.Filter.To
	if end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, r.At.Location()); r.At.Equal(end) {
		return "As at " + r.At.Add(-time.Minute).Format("15:04 MST on 2 January 2006") + ", the end of the dates."
	}
	return "As at " + r.At.Format("15:04 MST on 2 January 2006") + ", the latest count: the dates are not over yet."
}

func csvTexts(ts []string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = csvText(Cell{Text: t})
	}
	return out
}

// flagged reports whether column i is a figure column that exports
// follow with a suppression flag: every column but the first and the
// text columns, in a suppressed report.
func (r Report) flagged(i int) bool {
	return r.Suppressed && i > 0 && i < len(r.Columns) && !slices.Contains(r.TextColumns, r.Columns[i])
}

// exportColumns are the columns CSV and JSON write: the report's, each
// figure column followed by its flag when the report is suppressed.
func (r Report) exportColumns() []string {
	var out []string
	for i, c := range r.Columns {
		out = append(out, c)
		if r.flagged(i) {
			out = append(out, c+"_suppressed")
		}
	}
	return out
}

// csvText is a cell as written to CSV. Text that a spreadsheet would run
// as a formula (beginning =, +, -, @, a tab or a carriage return: an
// agency or service name a coordinator typed, say) is prefixed with a
// single quote, so it shows as text (OWASP's advice on CSV injection).
// Numbers are left as they are: "-3" is a number, not a formula.
func csvText(c Cell) string {
	if c.Value != nil || c.Text == "" {
		return c.Text
	}
	switch c.Text[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + c.Text
	}
	return c.Text
}

// WriteTable writes the report as aligned plain text for a terminal.
func (r Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "%s, %s to %s", r.Title, r.Filter.From.Format("2 Jan 2006"), r.Filter.To.Format("2 Jan 2006"))
	if r.AgencyName != "" {
		fmt.Fprintf(w, ", %s", r.AgencyName)
	}
	if r.Filter.Need != "" {
		fmt.Fprintf(w, ", need: %s", r.Filter.Need.Label())
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(r.Columns, "\t"))
	for _, row := range r.Rows {
		texts := make([]string, len(row))
		for i, c := range row {
			texts[i] = c.Text
			if texts[i] == "" {
				texts[i] = "–"
			}
		}
		fmt.Fprintln(tw, strings.Join(texts, "\t"))
	}
	if l := r.Listing; l != nil {
		fmt.Fprintln(tw)
		fmt.Fprintln(tw, l.Title)
		fmt.Fprintln(tw, strings.Join(l.Columns, "\t"))
		for _, row := range l.Rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, n)
	}
	for _, line := range r.About() {
		fmt.Fprintln(w, line)
	}
	return nil
}

// reportJSON is a report's JSON export.
type reportJSON struct {
	Report      string    `json:"report"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	Agency      string    `json:"agency,omitempty"`
	AgencyName  string    `json:"agency_name,omitempty"`
	Need        string    `json:"need,omitempty"`
	Suppressed  bool      `json:"suppressed"`
	Chart       ChartKind `json:"chart"`
	Unit        string    `json:"unit"`
	Columns     []string  `json:"columns"`
	Rows        [][]any   `json:"rows"`
	Series      []Series  `json:"series"`
	Listing     *Listing  `json:"listing,omitempty"`
	Notes       []string  `json:"notes,omitempty"`
	Counts      string    `json:"counts,omitempty"`
	// AsAt is the moment a report of what stood open counts at (RFC
	// 3339, in the network's time zone): the end of the dates is the
	// midnight that ends their last day. Absent from the other reports.
	AsAt *string `json:"as_at,omitempty"`
	// AsOf is when the figures were counted (RFC 3339, in the network's
	// time zone); null before the first count.
	AsOf *string `json:"as_of"`
}

// MarshalJSON exports the report: its filter, columns, rows (numbers as
// numbers, missing and withheld figures as null; in a suppressed report
// each figure column is followed by a "<column>_suppressed" true or
// false, as in CSV), chart series, what it counts and when its figures
// were counted.
func (r Report) MarshalJSON() ([]byte, error) {
	rows := make([][]any, 0, len(r.Rows))
	for _, row := range r.Rows {
		var out []any
		for i, c := range row {
			out = append(out, c)
			if r.flagged(i) {
				out = append(out, c.Suppressed)
			}
		}
		rows = append(rows, out)
	}
	series := r.Series
	if series == nil {
		series = []Series{}
	}
	var asOf *string
	if !r.AsOf.IsZero() {
		t := r.AsOf.Format(time.RFC3339)
		asOf = &t
	}
	var asAt *string
	if !r.At.IsZero() {
		t := r.At.Format(time.RFC3339)
		asAt = &t
	}
	return marshalPlain(reportJSON{Report: r.Name, Title: r.Title, Description: r.Description,
		From: r.Filter.From.Format("2006-01-02"), To: r.Filter.To.Format("2006-01-02"),
		Agency: r.AgencySlug, AgencyName: r.AgencyName, Need: string(r.Filter.Need), Suppressed: r.Suppressed,
		Chart: r.Chart, Unit: r.Unit, Columns: r.exportColumns(), Rows: rows, Series: series, Listing: r.Listing, Notes: r.Notes,
		Counts: r.Counts, AsAt: asAt, AsOf: asOf})
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// MarshalJSON writes a cell as a number, a string (a name) or null (no
// figure, or one withheld: the flag beside it says which).
func (c Cell) MarshalJSON() ([]byte, error) {
	switch {
	case c.Value != nil:
		return json.Marshal(*c.Value)
	case c.Text == "" || c.Suppressed:
		return []byte("null"), nil
	}
	return marshalPlain(c.Text)
}

// marshalPlain is json.Marshal without escaping <, > and &: "<5" stays
// readable in exports.
func marshalPlain(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// UnmarshalJSON reads a cell written by MarshalJSON.
func (c *Cell) UnmarshalJSON(b []byte) error {
	*c = Cell{}
	if string(b) == "null" {
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case float64:
		*c = numberCell(x, decimalsOf(string(b)))
	case string:
		c.Text = x
	default:
		return fmt.Errorf("report cell: unexpected JSON %s", b)
	}
	return nil
}

// decimalsOf counts the digits after the point of a JSON number.
func decimalsOf(num string) int {
	if i := strings.IndexByte(num, '.'); i >= 0 {
		return len(num) - i - 1
	}
	return 0
}
