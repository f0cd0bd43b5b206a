package notify

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strings"
	texttemplate "text/template"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/templates"
)

// emailData is everything an email may say. It has no field for a
// client's name, contact details, full postcode or notes: a referral
// appears by reference, needs, district, urgency and its clock.
type emailData struct {
	Network  string
	Name     string // the recipient: a member of staff or an agency's team
	Link     string // the referral's page, or the inbox
	Settings string // the email settings page
	// SharedAddress: the recipient is an agency's shared address, which
	// signs nobody in: whoever reads it acts by signing in as themselves.
	SharedAddress bool
	// RepliesUnread: no ONWARD_MAIL_REPLY_TO is set, so a reply goes to
	// the sending address, which nobody reads; the email says so.
	RepliesUnread bool

	Reference, Needs, District string
	Crisis                     bool
	SelfReferral               bool   // the client referred themselves: no adviser has spoken to them
	Language                   string // the client's language, and the interpreter they need ("Polish · Interpreter wanted: Polish"; "English · Interpreter wanted: Romanian")
	Agency                     string // the agency the referral is with
	Due                        string // "11:00 on Wednesday 2 December": the acknowledgement clock
	DuePassed                  bool   // the acknowledgement was due by Due, which has passed (an escalation)
	Target, Waited             int
	Days                       int // contact reminders: working days since the referral was accepted (or put on the waiting list)
	// ClientSaysNotContacted: the contact reminder is the client's own
	// answer to the contact check, that nobody has contacted them yet, in
	// the words the agency's Slack alert says it (nil for any other
	// reminder).
	ClientSaysNotContacted *core.NotContacted
	// WaitingList: the contact reminder is of a referral still on the
	// agency's waiting list Days working days after it was put there.
	WaitingList bool
	// AcceptedBy is who accepted the referral and on which day, for a
	// contact reminder ("Morag Fictional on Thu 26 Nov"), "" when unknown.
	AcceptedBy string
	// NobodyThere: a coordinator gets an agency's new referral because
	// nobody at the agency gets these emails and Slack does not reach it.
	NobodyThere bool
	// RedirectedBy is the agency that redirected a new referral to the
	// agency (core.RedirectOrigin), "" when none did. RedirectWhy says its
	// adviser wrote why: the words speak of the client's case, so they
	// stay in Onward and the email only says where to read them.
	RedirectedBy string
	RedirectWhy  bool
	// ReferredFrom is the agency that made a new referral ("" for a
	// self-referral), and ReferredBy the member of staff there who did,
	// while they are on its staff: whom the receiving adviser asks about
	// it. Names of staff and agencies only, never the client's.
	ReferredBy, ReferredFrom string

	Update, Reason, Outcome string // referral updates
	Feedback                bool

	DeadKind, DeadError, DeadID string // dead letters: the kind as `onward outbox list` shows it
	DeadWhat                    string // the kind in words, with its article ("an email")
	Attempts                    int
	Alert                       string // an alert's words, in plain text (templates/alerts)
	AlertSubject                string // its first sentence, cut to fit a subject line (alertSubject)
	// Triage: the alert is of a referral waiting in triage (arrived, or
	// TriageOverdue: still there, unclaimed, at TriageDue, its target).
	Triage, TriageOverdue bool
	TriageDue             string
	// InboxLists: the alert's referrals are listed in the coordinators'
	// inbox (an agency left the network: the triage queue and the
	// referrals it keeps), which Link opens.
	InboxLists bool
	// A client's crisis text after their referral (client-crisis): the
	// kinds of its words ("self-harm", "danger", "self-harm and danger"),
	// which say the lines Onward's reply gave them (SelfHarm: the crisis
	// lines; Danger: 999 and the domestic abuse helpline), and TextedAt,
	// when Onward recorded it late, when they texted. Never the words.
	// CrisisOptedOut: Onward could not reply, as the phone had opted out
	// of texts, so the client was sent none of those lines.
	CrisisWords      string
	SelfHarm, Danger bool
	TextedAt         string
	CrisisOptedOut   bool

	// The digest: a section for each kind its reader chose to gather.
	Date                                         string
	DigestNew, DigestWaiting                     bool // new referrals; acknowledgement reminders
	DigestNotContacted                           bool // contact reminders
	DigestUpdates, DigestEscalations, DigestDead bool
	Counts                                       DigestCounts
	Items                                        []digestItem
	Updates                                      []digestUpdate
	Escalated, Dead                              int
	// DigestTriage: a coordinator who gathers alerts sees the triage
	// queue: TriageCount referrals, TriageOverdueCount of them past
	// their target, the first of them listed (Triaging).
	DigestTriage                    bool
	Triaging                        []digestItem
	TriageCount, TriageOverdueCount int

	SignInLink, LoginPage string // sign-in and invitation
	Minutes               int

	Unsubscribe string // one-click unsubscribe; "" when the email cannot be turned off
}

// digestUpdate is one of the reader's referrals that moved on, in words.
type digestUpdate struct{ Reference, Words string }

type digestItem struct {
	Reference, Needs, District string
	Status                     string // where it stands now, in statusWords's words (new referrals)
	Crisis                     bool
	SelfReferral               bool // the client referred themselves: no adviser has spoken to them
	Overdue, Claimed           bool // in triage: past its target; claimed by a coordinator
}

// emailTemplates are each kind's subject, text and HTML templates.
type emailTemplates struct {
	text map[core.EmailKind]*texttemplate.Template
	html map[core.EmailKind]*htmltemplate.Template
}

// parseEmailTemplates loads templates/email: layout.tmpl with one file
// per kind, each parsed as text (subject, text part) and as HTML.
func parseEmailTemplates() (*emailTemplates, error) {
	t := &emailTemplates{text: map[core.EmailKind]*texttemplate.Template{}, html: map[core.EmailKind]*htmltemplate.Template{}}
	for _, k := range core.EmailKinds {
		files := []string{"email/layout.tmpl", "email/" + string(k) + ".tmpl"}
		tt, err := texttemplate.New(string(k)).Option("missingkey=error").ParseFS(templates.FS, files...)
		if err != nil {
			return nil, fmt.Errorf("load email templates for %s: %w", k, err)
		}
		ht, err := htmltemplate.New(string(k)).Option("missingkey=error").ParseFS(templates.FS, files...)
		if err != nil {
			return nil, fmt.Errorf("load email templates for %s: %w", k, err)
		}
		t.text[k], t.html[k] = tt, ht
	}
	return t, nil
}

// render makes the subject, text part and HTML part of one email.
func (t *emailTemplates) render(kind core.EmailKind, d emailData) (subject, text, html string, err error) {
	tt, ok := t.text[kind]
	if !ok {
		return "", "", "", permanent(fmt.Sprintf("no email template for %q", kind), nil)
	}
	var b bytes.Buffer
	for _, part := range []struct {
		name string
		out  *string
	}{{"subject", &subject}, {"text", &text}} {
		b.Reset()
		if err := tt.ExecuteTemplate(&b, part.name, d); err != nil {
			return "", "", "", permanent("render email "+string(kind), err)
		}
		*part.out = strings.TrimSpace(b.String())
	}
	text = urlsApart(text)
	b.Reset()
	if err := t.html[kind].ExecuteTemplate(&b, "html", d); err != nil {
		return "", "", "", permanent("render email "+string(kind), err)
	}
	return core.CleanLine(subject), text + "\n", b.String(), nil
}

// urlGluedToPunctuation is a web address directly followed by
// punctuation and then a space or the end of a line: many mail programs
// take the punctuation into the link ("…/referrals/ONW-123:"), which then
// fails to open. Onward's own links never end in punctuation.
var urlGluedToPunctuation = regexp.MustCompile(`(https?://[^\s<>"]*?)([.,:;!?)]+)(\s|$)`)

// urlsApart puts a space between each web address of a plain-text email
// and punctuation right after it, so that every mail program ends the
// link where the address ends. It is the one place plain-text bodies are
// made safe for this, whatever a template or an alert's words say.
func urlsApart(text string) string {
	return urlGluedToPunctuation.ReplaceAllString(text, "$1 $2$3")
}

// alertSubjectRunes is how much of an alert's first sentence its email's
// subject carries: what fits in a mail program's list.
const alertSubjectRunes = 90

// alertSubject is what an alert email's subject says after "Onward
// alert: ": the alert's first sentence, which names what happened ("An
// agency is at capacity", "Kirkton Citizens Advice has left the network
// keeping 3 open referrals…"), cut at a word with "…" when it is long.
// Alerts name agencies and references, never a client, so the subject
// may carry them.
func alertSubject(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if i := strings.Index(text, ". "); i >= 0 {
		text = text[:i]
	}
	text = strings.TrimSuffix(text, ".")
	r := []rune(text)
	if len(r) <= alertSubjectRunes {
		return text
	}
	cut := string(r[:alertSubjectRunes])
	if i := strings.LastIndex(cut, " "); i > alertSubjectRunes/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}
