package bot

import (
	"net/http"
	"strings"
)

// A form sent once its session has ended is not saved (askToSignIn). What
// the member of staff wrote in its own words, a note, feedback or a
// reason, is shown back on that answer for them to copy, as a refused
// action's page does (page.Unsaved): it came from their own browser in
// that very request and goes back to it only, escaped like any text.
// Nothing else the form held is shown: not a client's name, phone, email
// or postcode, nor anything the page itself put in the form.

// typedFields are the staff forms' boxes of free text, by field name.
var typedFields = []string{"outcome_note", "feedback", "notes", "crisis_reason", "note", "evidence", "description", "eligibility"}

// typedLimit bounds each text shown back, in bytes: more than any of
// these boxes takes.
const typedLimit = 16 << 10

// typedText is one box's text, with the box's label as its page shows it.
type typedText struct{ Label, Text string }

// typedFreeText is the free text a posted staff form holds, box by box,
// in the order of typedFields; empty boxes are left out.
func typedFreeText(r *http.Request) []typedText {
	var out []typedText
	for _, name := range typedFields {
		v := strings.TrimSpace(r.PostFormValue(name))
		if v == "" {
			continue
		}
		out = append(out, typedText{Label: typedLabel(r.URL.Path, name), Text: cutRunes(v, typedLimit)})
	}
	return out
}

// typedLabel is the label of the box named name on the form posted to
// path. The referral page's forms all name their words "feedback"; the
// action the form posted to says which box it was.
func typedLabel(path, name string) string {
	if name == "feedback" {
		switch path[strings.LastIndex(path, "/")+1:] {
		case "reject":
			return "Feedback for the referrer"
		case "redirect":
			return "Why you redirected it"
		case "cancel":
			return "Why it is closed, and what the client was told"
		}
	}
	if name == "note" {
		return "Note for coordinators"
	}
	if label := fieldLabel(path, name); label != "" {
		return label
	}
	return "What you typed"
}
