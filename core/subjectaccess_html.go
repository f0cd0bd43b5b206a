package core

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"sync"

	"github.com/onward-network/onward/templates"
)

// subjectAccessPage is the readable subject access page, parsed once.
var subjectAccessPage = sync.OnceValues(func() (*template.Template, error) {
	return template.ParseFS(templates.FS, "html/dataprotection/subject_access.html")
})

// WriteSubjectAccessHTML renders an export as the readable page the client
// is given: the one renderer behind `onward client export --html` and the
// coordinators' staff web action. The page is rendered whole before any
// of it is written.
func WriteSubjectAccessHTML(w io.Writer, sa SubjectAccess) error {
	t, err := subjectAccessPage()
	if err != nil {
		return fmt.Errorf("subject access page: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, sa); err != nil {
		return fmt.Errorf("render subject access page: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
