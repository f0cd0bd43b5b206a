package core

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// The subject access export in plain words: what a member of the public
// reads of their own record. Every code keeps its words beside it, and the
// words come from where each code's words are defined once: a status,
// reason or outcome from its Label, a need and a contact choice from the
// self-referral's own questions (the words the client chose from), an
// event from eventLabels, told in more detail where the event holds it.

// englishWords is the message catalogue, for the words of the
// self-referral's questions (needs, how and when to contact), parsed once.
var englishWords = sync.OnceValues(func() (*lang.Catalogue, error) {
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		return nil, fmt.Errorf("subject access words: %w", err)
	}
	return cat, nil
})

// flowChoice is a choice's label in the self-referral's question id, as
// the client was offered it in English; "" when the question has none.
func flowChoice(cat *lang.Catalogue, question, code string) string {
	if code == "" {
		return ""
	}
	return cat.Text(lang.English, "flow."+question+".choices."+code+".label")
}

// ContactWords says how and when a client asked to be contacted, in the
// words of the self-referral's questions: "Phone call, any time", "Text",
// "" for neither. A code the questions do not offer is shown as it is.
func ContactWords(cat *lang.Catalogue, method, when string) string {
	m := orElse(flowChoice(cat, "contact_method", method), method)
	t := strings.ToLower(orElse(flowChoice(cat, "contact_time", when), when))
	switch {
	case m == "":
		return upperFirst(t)
	case t == "":
		return m
	}
	return m + ", " + t
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// subjectDetails are a client's details as the export shows them.
func subjectDetails(c Client, cat *lang.Catalogue) SubjectDetails {
	d := SubjectDetails{Name: c.Name, Phone: c.Phone.National(), PhonePassedOn: c.PhonePassedOn, Email: c.Email,
		Postcode: string(c.Postcode), PostcodeDistrict: c.District, Town: c.Town, Notes: c.Notes,
		PreferredContact: c.PreferredContact, ContactTime: c.ContactTime,
		ContactWords: ContactWords(cat, c.PreferredContact, c.ContactTime),
		Language:     c.Language, Interpreter: c.Interpreter, InterpreterLanguage: c.InterpreterLanguage}
	if c.Language != "" {
		d.LanguageName = LanguageName(c.Language)
	}
	return d
}

// InterpreterWords says whether the client asked for an interpreter and in
// which language, as they read it ("Yes, in Polish"); "" when they did not.
func (d SubjectDetails) InterpreterWords() string {
	switch {
	case !d.Interpreter:
		return ""
	case d.InterpreterLanguage != "":
		return "Yes, in " + LanguageName(d.InterpreterLanguage)
	case d.LanguageName != "":
		return "Yes, in " + d.LanguageName
	}
	return "Yes"
}

// consentChannelWords says how a consent was given ("by text message"),
// with how the client agreed to a member of staff when its evidence
// records it (staff:ID:phone).
func consentChannelWords(ch Channel, evidence string) string {
	words := ch.Label()
	if ch != ChannelStaff {
		return words
	}
	parts := strings.Split(evidence, ":")
	if how := ConsentHow(parts[len(parts)-1]); len(parts) == 3 && how.Label() != string(how) {
		return "to a member of staff, " + how.Label() + ", who recorded it"
	}
	return words
}

// consentSharedWith says whom a consent covers: "every agency of the
// network", or the agencies by name.
func consentSharedWith(scope ConsentScope, agencies []string) string {
	if scope == ScopeNetwork {
		return "every agency of the network"
	}
	if len(agencies) == 0 {
		return "no agency"
	}
	return joinWords(agencies)
}

// joinWords lists names as a sentence does: "A", "A and B", "A, B and C".
func joinWords(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func upperFirst(s string) string {
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func lowerFirst(s string) string {
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// viaWords says the channel a disclosure went through: "in Slack".
func viaWords(via string) string {
	switch via {
	case "":
		return ""
	case "slack":
		return "in Slack"
	case "web":
		return "on the staff website"
	case "api":
		return "through the agency's own system (Onward's API)"
	case "fhir":
		return "through the agency's own system (FHIR)"
	case "cli":
		return "on the network's command line"
	case "email":
		return "by email"
	case "sms":
		return "by text message"
	}
	return "through " + via
}

// subjectEventFacts are what an event holds beyond its kind and statuses:
// who did it (actor kind, and the agency they acted for), the agency it
// concerns (target: made to, sent to, redirected to) and its data.
type subjectEventFacts struct {
	actor          ActorKind
	agency, target string
	data           map[string]any
}

func (f subjectEventFacts) str(k string) string { s, _ := f.data[k].(string); return s }

// subjectTeller tells a client's events in words.
type subjectTeller struct {
	network  Network
	consents []SubjectConsent
	key      clientKey // the client's, to open the references of their earlier requests
}

// doer is who did an event, as the subject of a sentence: "You", the
// agency a member of staff or partner system acted for, or the network.
func (t subjectTeller) doer(f subjectEventFacts) string {
	switch f.actor {
	case ActorClient:
		return "You"
	case ActorStaff, ActorPartner:
		switch {
		case f.agency != "":
			return f.agency
		case f.actor == ActorPartner:
			return "A partner system"
		}
		return "A member of staff"
	}
	return orElse(t.network.Name, "The network")
}

// requestOf is the reference of the request an export answered, opened
// with the client's key; "" once they are erased, or for an export made
// before requests were recorded.
func (t subjectTeller) requestOf(f subjectEventFacts) string {
	ct, err := base64.StdEncoding.DecodeString(f.str("request_reference_enc"))
	if err != nil || len(ct) == 0 || t.key.erased {
		return ""
	}
	ref, err := t.key.open("events", "request_reference_enc", withdrawalEvidenceAD(t.key.client), "", ct)
	if err != nil {
		return ""
	}
	return ref
}

// seen says what a disclosure showed and how, after who saw it: "saw your
// details in Slack".
func (t subjectTeller) seen(ev SubjectEvent, f subjectEventFacts) string {
	var s string
	switch ev.Kind {
	case EventClientFound:
		return "found your record by your phone number or a reference, to refer you to another service, and saw your name and area"
	case EventSubjectAccess:
		s = "made a copy of everything we hold about you"
		if w := viaWords(f.str("via")); w != "" {
			s += ", " + w
		}
		if ref := t.requestOf(f); ref != "" {
			s += ", answering your request " + ref
		}
		return s
	case EventDisclosed:
		s = "saw your details"
		if f.str("what") == "outcome-note" {
			s = "read the note made when your referral was completed"
		}
	default:
		s = lowerFirst(ev.Kind.Label())
	}
	if w := viaWords(f.str("via")); w != "" {
		s += " " + w
	}
	return s
}

// what tells an event of the client's in a sentence (SubjectEvent.What):
// "Kirkton Citizens Advice accepted your referral". An event whose data
// tells nothing more reads as its kind's label (EventKind.Label).
func (t subjectTeller) what(ev SubjectEvent, f subjectEventFacts) string {
	who := t.doer(f)
	to := orElse(f.target, "another agency")
	switch ev.Kind {
	case EventCreated:
		return t.created(f, who)
	case EventTransition:
		return t.moved(ev, f, who)
	case EventAssigned:
		return who + " sent your referral to " + to
	case EventClaimed:
		return who + " took on your referral, to find the right service for you"
	case EventDisclosed, EventClientFound, EventSubjectAccess:
		return who + " " + t.seen(ev, f)
	case EventAccessDenied:
		return who + " asked to see your referral or your details and was refused"
	case EventConsentGiven:
		return t.consented(f)
	case EventConsentWithdrawn:
		switch {
		case f.str("via") == "erasure":
			return "Your consent to share your details was withdrawn, as your details were erased"
		case f.actor == ActorClient && f.str("via") == "sms":
			return "You withdrew your consent to share your details, by text message"
		case f.actor == ActorClient:
			return "You withdrew your consent to share your details, on the network's web page"
		}
		return who + " recorded that you withdrew your consent to share your details"
	case EventOutcomeRecorded:
		return t.answered(f)
	case EventCrisisAfterEnd:
		sh, _ := f.data["self_harm"].(bool)
		dg, _ := f.data["danger"].(bool)
		s := "You sent a text after your referral was made"
		if words := CrisisWords(sh, dg); words != "" {
			s = "You sent a text with words about " + words + " after your referral was made"
		}
		if out, _ := f.data["opted_out"].(bool); out {
			s += ": we could not reply, as your phone had opted out of our texts"
		} else {
			s += ": we replied with the crisis helplines"
		}
		if alerted, _ := f.data["alerted"].(bool); alerted {
			s += ", and told staff"
		}
		return s
	case EventClientErased:
		if why := ErasureReason(f.str("why")).Label(); why != "" {
			return ev.Kind.Label() + " (the reason recorded: " + lowerFirst(why) + ")"
		}
	}
	return ev.Kind.Label()
}

// created tells how a referral was made.
func (t subjectTeller) created(f subjectEventFacts, who string) string {
	const coordinators = "the network's coordinators, to find the right service for you"
	if parent := f.str("from_parent"); parent != "" {
		if f.target == "" {
			return "Your referral " + parent + " went back to " + coordinators
		}
		return "Your referral " + parent + " was passed on to " + f.target
	}
	var s string
	switch Source(f.str("source")) {
	case SourceSMS:
		s = "You asked for help by text message"
	case SourceWeb:
		s = "You asked for help on the web form"
	case SourceStaff:
		s = who + " referred you"
	case SourceAPI:
		s = who + " referred you through its own system"
	default:
		return EventCreated.Label()
	}
	switch {
	case f.target == "":
		return s + ", and it went to " + coordinators
	case f.actor == ActorClient:
		return s + ", and it was sent to " + f.target
	}
	return s + " to " + f.target
}

// moved tells a change of a referral's status.
func (t subjectTeller) moved(ev SubjectEvent, f subjectEventFacts, who string) string {
	to := orElse(f.target, "another agency")
	switch Action(f.str("action")) {
	case ActionAccept:
		return who + " accepted your referral"
	case ActionReject:
		if r := Reason(f.str("reason")); r != "" {
			return who + " could not take your referral: " + lowerFirst(r.Label())
		}
		return who + " could not take your referral"
	case ActionRedirect:
		return who + " passed your referral on to " + to
	case ActionAssign:
		return who + " sent your referral to " + to
	case ActionClaim:
		return who + " took on your referral, to find the right service for you"
	case ActionHold:
		return who + " put your referral on its waiting list"
	case ActionResume:
		return who + " took your referral off its waiting list"
	case ActionContact:
		if f.actor == ActorClient {
			return "You told us you had been contacted about your referral"
		}
		return who + " contacted you about your referral"
	case ActionComplete:
		if o := Outcome(f.str("outcome")); o != "" {
			return who + " finished helping you: " + lowerFirst(t.network.OutcomeLabel(o))
		}
		return who + " finished helping you"
	case ActionFail:
		return who + " closed your referral, as they could not contact you"
	case ActionCancel:
		if withdrawal, _ := f.data["withdrawal"].(bool); withdrawal {
			return "Your referral was stopped, as you withdrew your consent to share your details"
		}
		return who + " cancelled your referral"
	case ActionReopen:
		return who + " reopened your referral"
	}
	if ev.To != "" {
		return "Your referral's status changed to: " + lowerFirst(ev.To.Label())
	}
	return ev.Kind.Label()
}

// consented tells a consent: the one a referral was made with (on the
// client's record), or more agencies agreed to later (on a referral).
func (t subjectTeller) consented(f subjectEventFacts) string {
	if how := ConsentHow(f.str("how")); how != "" {
		s := "You agreed to share your details with "
		switch names := f.data["added_agencies"]; {
		case ConsentScope(f.str("scope")) == ScopeNetwork:
			s += "every agency of the network"
		case names != nil:
			var added []string
			list, _ := names.([]any)
			for _, n := range list {
				if n, ok := n.(string); ok {
					added = append(added, n)
				}
			}
			s += joinWords(added) + " as well"
		default:
			s += "more agencies"
		}
		return s + ", " + how.Label()
	}
	id, _ := f.data["consent_id"].(float64)
	for _, c := range t.consents {
		if int64(c.ID) == int64(id) {
			return "You gave consent to share your details with " + c.SharedWith + ", " + c.ChannelWords
		}
	}
	return EventConsentGiven.Label()
}

// answered tells a client's answer to a question about the help they got.
func (t subjectTeller) answered(f subjectEventFacts) string {
	if f.str(contactCheckKey) != "" {
		return "You told us nobody had contacted you yet"
	}
	if score, ok := f.data["feedback_score"].(float64); ok {
		return fmt.Sprintf("You scored the help you got %d out of 5", int(score))
	}
	if said, _ := f.data["feedback_comment"].(bool); said {
		return "You told us what you thought of the help you got"
	}
	if rec, ok := f.data["feedback_recommend"].(bool); ok {
		if rec {
			return "You said you would recommend the service"
		}
		return "You said you would not recommend the service"
	}
	return EventOutcomeRecorded.Label()
}
