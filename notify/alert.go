package notify

import (
	"regexp"
	"strings"
)

// leadingEmoji is the Slack emoji code an alert's words open with
// (":no_entry_sign: ", ":hourglass: "): a Slack decoration, not words.
var leadingEmoji = regexp.MustCompile(`^:[a-z0-9_+-]+:\s*`)

// alertWords are an alert's words as an email says them. A coordinator
// alert is written once, where it happens, and queued as the triage
// channel posts it (see coordinatorAlert): escaped for Slack's mrkdwn, with
// an emoji in front. The email says the same words in plain text, without
// the emoji, and with "&", "<" and ">" as they were typed: the text part
// shows them as they are and the HTML part escapes them once.
func alertWords(slack string) string {
	s := leadingEmoji.ReplaceAllString(strings.TrimSpace(slack), "")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
