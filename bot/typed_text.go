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
var typedFields = []string{"outcome_note", "feedback", "notes", "crisis_reason", "note", "evidence", "description", "eligibility", "redirect_why"}

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
	if name == "redirect_why" { // carried through the consent form
		return "Why you redirected it"
	}
	if label := fieldLabel(path, name); label != "" {
		return label
	}
	return "What you typed"
}

// unsavedWords are what the page of a form refused before its handler
// read it says besides why: whether the free text it held is shown below
// to copy, and the referral the form was about ("" when none).
type unsavedWords struct {
	Typed     bool
	Reference string
}

// unsavedPage is the answer to a staff form refused before its handler
// read it, so nothing it held was saved: its form token is not the
// session's (a page opened before the member of staff signed in again,
// key "web.csrf"), or its browser did not show it came from an Onward
// page (refuseCrossOrigin, key "web.crossorigin"). As for a form sent
// once the session ended (askToSignIn), the page says why and that
// nothing was saved, shows back the words typed into the form's boxes of
// free text to copy, and links back to the page the form was on: the
// referral's, when it was about one.
func unsavedPage(r *http.Request, key string) page {
	p := page{Title: sayWeb(key+".title", nil), Typed: typedFreeText(r)}
	p.BackTo, p.BackRef = formPage(r.URL.Path)
	if !returnPath(p.BackTo) {
		p.BackTo, p.BackRef = "/staff/", ""
	}
	p.Message = sayWeb(key, unsavedWords{Typed: len(p.Typed) > 0, Reference: p.BackRef})
	return p
}

// maxRefusedForm bounds what is read of a form Go's CrossOriginProtection
// refused, to show its free text back: more than any staff form holds.
const maxRefusedForm = 1 << 20

// refuseCrossOrigin is the staff web's answer to a form post that Go's
// CrossOriginProtection refused (Sec-Fetch-Site says another site, or,
// without it, Origin names another host): the staff page of a form not
// saved (unsavedPage) instead of the protection's bare text. Its typed
// text goes back escaped, to the browser that sent it, on a page that
// runs no script; no session is read, so the page has no account bar.
func refuseCrossOrigin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRefusedForm)
	writeBarePage(w, http.StatusForbidden, unsavedPage(r, "web.crossorigin"))
}
