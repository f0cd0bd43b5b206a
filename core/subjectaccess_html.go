package core

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"sync"
	"time"

	"github.com/onward-network/onward/templates"
)

// subjectAccessPage is the readable subject access page, parsed once.
var subjectAccessPage = sync.OnceValues(func() (*template.Template, error) {
	return template.New("subject_access.html").Funcs(template.FuncMap{"join": joinWords}).
		ParseFS(templates.FS, "html/dataprotection/subject_access.html")
})

// subjectAccessView is an export as its page shows it: every time in the
// network's own time zone, with the zone named.
type subjectAccessView struct {
	SubjectAccess
	loc *time.Location
}

// When is a moment as the page shows it: "30 Oct 2026, 09:06 GMT".
func (v subjectAccessView) When(t time.Time) string {
	return t.In(v.loc).Format("2 Jan 2006, 15:04 MST")
}

// Day is a day as the page shows it: "30 October 2026".
func (v subjectAccessView) Day(t time.Time) string { return t.In(v.loc).Format("2 January 2006") }

// MadeAt is when the export was made: "5 December 2026 at 22:35 GMT".
func (v subjectAccessView) MadeAt() string {
	return v.GeneratedAt.In(v.loc).Format("2 January 2006 at 15:04 MST")
}

// Received is the day the request came in: "4 December 2026".
func (v subjectAccessView) Received() string {
	d, err := time.Parse(time.DateOnly, v.Request.Received)
	if err != nil {
		return v.Request.Received
	}
	return d.Format("2 January 2006")
}

// CameIn says how the request came in, within a sentence ("by letter").
func (v subjectAccessView) CameIn() string { return lowerFirst(v.Request.ChannelWords) }

// ZoneWords says which time the page's times are in, naming the zone.
func (v subjectAccessView) ZoneWords() string {
	switch v.loc.String() {
	case "Europe/London":
		return "All times are UK time (Europe/London): GMT in winter, BST in summer, as each time says."
	case "UTC":
		return "All times are in UTC (Coordinated Universal Time, the same as GMT)."
	}
	return "All times are local time in " + v.loc.String() + ", with the zone after each."
}

// WriteSubjectAccessHTML renders an export as the readable page the client
// is given: the one renderer behind `onward client export --html` and the
// coordinators' staff web action. Times are in the network's time zone
// (SubjectAccess.TimeZone; UTC when it is not known). The page is rendered
// whole before any of it is written.
func WriteSubjectAccessHTML(w io.Writer, sa SubjectAccess) error {
	t, err := subjectAccessPage()
	if err != nil {
		return fmt.Errorf("subject access page: %w", err)
	}
	loc, err := time.LoadLocation(sa.TimeZone) // "" is UTC
	if err != nil {
		loc = time.UTC
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, subjectAccessView{SubjectAccess: sa, loc: loc}); err != nil {
		return fmt.Errorf("render subject access page: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
