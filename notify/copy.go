package notify

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/onward-network/onward/templates"
)

// parseTemplates loads notify's own Slack messages
// (templates/slack/notify_*.txt), plain text/template files of mrkdwn, and
// the words of the coordinator alerts it writes (templates/alerts/*.txt),
// plain text that every channel says in its own way. Client status texts
// are messages status_* of the message files, in the client's language
// (clientTextBody).
func parseTemplates() (*template.Template, error) {
	t, err := template.New("notify").Option("missingkey=error").ParseFS(templates.FS, "slack/notify_*.txt", "alerts/*.txt")
	if err != nil {
		return nil, fmt.Errorf("load notify templates: %w", err)
	}
	return t, nil
}

// render executes one template, trimming the newline files end with.
// Slack copy (notify_*.txt) gets its data escaped first: see slackSafe;
// an alert's words (alerts/*.txt) are plain text and get it as it is.
func (w *Worker) render(name string, data any) (string, error) {
	if strings.HasPrefix(name, "notify_") {
		data = slackSafe(data)
	}
	var b strings.Builder
	if err := w.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", permanent("render "+name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// slackMarkup are the data keys of notify's Slack copy that are Slack
// markup on purpose: the configured crisis mention (ONWARD_SLACK_CRISIS_MENTION,
// "<!here>"). An alert's text is plain words (templates/alerts) and is
// escaped like everything else.
var slackMarkup = map[string]bool{"Mention": true}

// slackSafe escapes every other string of a Slack message's data, so an
// agency name, a reason or a provider's error text shows as typed: "<!channel>"
// in a coordinator-supplied name cannot ping a channel, "<https://…|…>"
// cannot make a link, "&" stays "&". Every piece of notify's Slack copy
// goes through it (render), so no template can forget.
func slackSafe(data any) any {
	m, ok := data.(map[string]any)
	if !ok {
		return data
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok && !slackMarkup[k] {
			v = escapeMrkdwn(s)
		}
		out[k] = v
	}
	return out
}

// escapeMrkdwn escapes the three characters Slack's mrkdwn treats as
// control characters (Slack's "Escaping text" rules).
func escapeMrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
