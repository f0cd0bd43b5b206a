package notify

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/onward-network/onward/templates"
)

// parseTemplates loads notify's own Slack messages
// (templates/slack/notify_*.txt), plain text/template files of mrkdwn.
// Client status texts are messages status_* of the message files, in the
// client's language (clientTextBody).
func parseTemplates() (*template.Template, error) {
	t, err := template.New("notify").Option("missingkey=error").ParseFS(templates.FS, "slack/notify_*.txt")
	if err != nil {
		return nil, fmt.Errorf("load notify templates: %w", err)
	}
	return t, nil
}

// render executes one template, trimming the newline files end with.
func (w *Worker) render(name string, data any) (string, error) {
	var b strings.Builder
	if err := w.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", permanent("render "+name, err)
	}
	return strings.TrimSpace(b.String()), nil
}
