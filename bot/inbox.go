package bot

import (
	"bytes"
	"html/template"
	"net/http"
	"slices"
	"sync"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/templates"
)

// The staff web inbox: the same cards as Slack, as accessible HTML, with
// the same actions through the same core calls. Pages allow no inline
// script or style, so a strict Content-Security-Policy holds.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// sessionCookie holds the signed session token.
const sessionCookie = "onward_staff"

// cardItem is a card as the inbox shows it, with the form token its
// buttons need.
type cardItem struct {
	cardView
	CSRF   string
	Linked bool // the card links to its referral page (in lists)
	// WhyRequired says the redirect form's note is required, not
	// optional: the agency holding the referral has left the network
	// (core.Referral.WhyRequiredHeldBy).
	WhyRequired bool
}

// Has reports whether the card shows the button.
func (c cardItem) Has(name string) bool { return slices.Contains(c.Buttons, button(name)) }

// reasonOption is one coded rejection reason for the form.
type reasonOption struct{ Value, Label string }

// formValues are what was typed, kept when a form comes back with errors.
// formValues is what a referral page's form sent, for showing it again
// with its errors; Action is the form's action ("redirect"), so an error
// is shown on the form it came from.
type formValues struct{ Reason, Feedback, Agency, Action string }

// page is everything any inbox page shows.
type page struct {
	// ConsentGone: the client withdrew the consent this referral was
	// made under, or was erased: no withdrawal is left to record.
	ConsentGone bool
	Title       string
	Message     string
	// Unsaved is what the member of staff wrote with an action that was
	// refused as a whole (someone else acted first), shown back so it is
	// not lost: a note or feedback learned from the client.
	Unsaved string
	// Restored says a form of this page sent after its session ended is
	// filled in again below, to check and send (keptForm).
	Restored string
	// Typed is what a form refused before its handler read it held in
	// its boxes of free text, shown back to copy (unsavedForm); BackTo
	// is the page that form was on, and BackRef the referral it was
	// about, if any.
	Typed        []typedText
	BackTo       string
	BackRef      string
	Staff        *core.Staff
	CSRF         string
	Done         string // the action just done, for the confirmation
	DoneRef      string
	DoneWords    string       // the confirmation in words (chrome.DoneWords)
	Already      *alreadyView // the action pressed again had already been done
	Error        string
	Fields       map[string]string
	Coordinator  bool
	AtCapacity   bool
	CapacityNote string
	Agency       []cardItem
	Triage       []cardItem
	Card         *cardItem
	Reasons      []reasonOption
	Choice       *agencyField // the assign or redirect form's choice of agency
	Form         formValues
	Details      *detailsView
	Token        string
	// Next is the staff page a sign-in link returns to (its next=), a
	// path returnPath allows, "" for the inbox.
	Next string
	// The referral page's story and forms.
	Story    *storyView
	Complete *completeForm // the completion form, when the referral can be completed
	Undo     bool          // the completion just made can still be undone
	ReferOn  bool          // the agency may refer this client on
	// CloseTriage: a coordinator may close this referral from triage
	// without an agency (btnCancel).
	CloseTriage bool
	Errors      []fieldProblem
}

var htmlFuncs = template.FuncMap{"when": when, "errorTitle": errorTitle, "duration": humanDuration, "join": joinStrings, "councilAreas": core.CouncilAreaNames}

func joinStrings(s []string, sep string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(x)
	}
	return b.String()
}

// staffPages parses each page with the layout and the card partial, once.
var staffPages = sync.OnceValue(func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range append([]string{"inbox", "referral", "details", "login", "message"}, webPageNames...) {
		out[name] = template.Must(template.New(name).Funcs(htmlFuncs).Funcs(webFuncs).ParseFS(templates.FS,
			"html/staff/layout.html", "html/staff/card.html", "html/staff/parts.html", "html/staff/"+name+".html"))
	}
	return out
})

// renderPage writes a page, or a plain 500 if the template fails (it is
// rendered to a buffer first, so no half page goes out).
func (b *Bot) renderPage(w http.ResponseWriter, status int, name string, p any) {
	b.writeLayout(w, status, staffPages()[name], name, p)
}

// writeLayout renders a staff page's layout to a buffer, then writes it:
// a template that fails gives a plain 500, never half a page.
func (b *Bot) writeLayout(w http.ResponseWriter, status int, t *template.Template, name string, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		b.log.Error("render staff page", "page", name, "err", err)
		http.Error(w, "the page could not be shown", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// message shows a page with a title and one paragraph.
func (b *Bot) message(w http.ResponseWriter, status int, staff *core.Staff, csrf, title, msg string) {
	b.renderPage(w, status, "message", page{Title: title, Message: msg, Staff: staff, CSRF: csrf})
}

// staffHeaders puts the security headers on every inbox response and
// refuses cross-origin form posts (Go's CrossOriginProtection checks
// Sec-Fetch-Site and Origin); forms also carry a per-session token. The
// referrer policy is same-origin, not no-referrer: other sites learn
// nothing of a staff page, but under the Fetch standard a form post from
// a no-referrer page carries Origin: null, which a browser without
// Sec-Fetch-Site (Safari before 16.4, on older iPads) then has refused.
//
// A refused post gets a staff page, with the same headers, that says
// nothing was saved and shows back what was typed (refuseCrossOrigin),
// not the protection's bare text.
func staffHeaders(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(securityHeaders(http.HandlerFunc(refuseCrossOrigin)))
	return cop.Handler(securityHeaders(next))
}

// securityHeaders puts the staff pages' security headers on a response.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Robots-Tag", "noindex, nofollow") // staff pages are never for search engines
		next.ServeHTTP(w, r)
	})
}
