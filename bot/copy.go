package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/onward-network/onward/templates"
)

// slackCopy is the Slack words in templates/slack (cards, modals,
// ephemeral replies, the app manifest), parsed once. The files are
// embedded, so a broken template fails every test that renders it.
var slackCopy = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("slack").Funcs(copyFuncs).ParseFS(templates.FS,
		"slack/card.tmpl", "slack/modal.tmpl", "slack/ephemeral.tmpl", "slack/manifest.json.tmpl"))
})

// plainCopy is the same Slack copy rendered as plain text (no mrkdwn
// escaping): for modal error messages, which Slack shows as plain text,
// and for the staff inbox, whose HTML templates escape for themselves.
var plainCopy = sync.OnceValue(func() *template.Template {
	funcs := template.FuncMap{"esc": func(s string) string { return s }}
	return template.Must(template.New("slack").Funcs(copyFuncs).Funcs(funcs).ParseFS(templates.FS,
		"slack/card.tmpl", "slack/modal.tmpl", "slack/ephemeral.tmpl", "slack/manifest.json.tmpl"))
})

// alertCopy is the words of the coordinator alerts bot writes
// (templates/alerts): plain text, which the triage channel escapes and
// the email shows as it is.
var alertCopy = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("alerts").Option("missingkey=error").ParseFS(templates.FS, "alerts/capacity.txt"))
})

// webWords is the plain-text copy of the staff inbox (page titles and
// messages); the HTML templates escape it where it lands.
var webWords = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("web").Funcs(copyFuncs).ParseFS(templates.FS, "html/staff/words.tmpl"))
})

// sayWeb renders one message of the staff inbox.
func sayWeb(name string, data any) string { return render(webWords(), name, data) }

// copyFuncs are the helpers Slack and HTML copy share.
var copyFuncs = template.FuncMap{
	"esc":      escMrkdwn,
	"when":     when,
	"slackAt":  slackAt,
	"duration": humanDuration,
	"join":     strings.Join,
	"trunc":    truncate,
	"json":     jsonText,
}

// jsonText quotes a string for JSON templates (the app manifest).
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// say renders one named piece of Slack copy, trimmed. A missing or broken
// template shows as "!copy name" so tests catch it; it never panics in
// front of a user.
func say(name string, data any) string { return render(slackCopy(), name, data) }

// sayPlain renders Slack copy as plain text.
func sayPlain(name string, data any) string { return render(plainCopy(), name, data) }

func render(t *template.Template, name string, data any) string {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "!copy " + name + ": " + err.Error()
	}
	return strings.TrimSpace(b.String())
}

// escMrkdwn escapes the three characters Slack's mrkdwn treats as control
// characters, so a name with "&" or "<" shows as typed and cannot inject
// a mention or a link.
func escMrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// when formats a moment in the network's time zone, the way people in
// the network read times: "10:05 on Mon 23 Nov".
func when(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("15:04 on Mon 2 Jan")
}

// slackAt is Slack's date formatting: each reader sees the time in their
// own zone, with fallback text for clients that cannot render it.
func slackAt(t time.Time, format string, loc *time.Location) string {
	return fmt.Sprintf("<!date^%d^%s|%s>", t.Unix(), format, when(t, loc))
}

// humanDuration says a duration in the largest two units: "2d 3h",
// "1h 5m", "4m".
func humanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	default:
		return fmt.Sprintf("%dm", mins)
	}
}

// truncate cuts s to at most n runes, ending in "…" when cut, so text fits
// Slack's field limits.
func truncate(n int, s string) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
