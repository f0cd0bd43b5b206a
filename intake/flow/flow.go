package flow

// The self-referral conversation engine: a flow file declares the steps,
// this file walks a client through them one SMS at a time. It is pure: no
// clock, network or database. The caller (the Twilio webhook) loads the
// Conversation from Redis, checks DetectKeyword, calls Advance, stores the
// result, renders Reply.Templates and calls core when Reply.Done.
//
// Templates are messages in the message files (i18n/<language>.toml, see
// core/lang), rendered with text/template (missingkey=error) against one
// map: the caller's network keys merged with Reply.Data, in the language
// the conversation is in (Reply.Lang). Each template is one SMS, sent in
// order.
//
// A conversation starts by offering the languages by number
// (Messages.Languages); a reply that is not one (but a bare number, meant
// for that list, which gets the first question) is read as the answer to
// the first question, in the language whose words say so clearly
// ("dług" is Polish: clearAnswerLanguage; a lone "tak" or "tha" is no
// clear sign), else in English, and one that does not answer it gets
// that question as first asked, never a "Sorry" about a question the
// client was not shown. A first text that names needs firmly ("I need
// help with debt": firmChoices) starts in its language with them taken
// instead of the languages offered. A client can switch language at any
// time by texting a language's own name alone ("POLSKI"): the answers so
// far are kept and the open question is asked again in that language.
// Self-harm words in a language other than the conversation's ("chcę
// umrzeć" in the first text, or in an English conversation) move it to
// theirs the same way, so the crisis lines are in the language the client
// wrote in (see crisisLanguage for the rule).
//
// Keys the caller supplies, from core.Network and core's current
// ConsentWording:
//
//	Network         string  Network.Name: "Kingdom Advice Network"
//	Helpline        string  Network.Phone: "0800 000 0000"
//	Hours           string  Network.OpeningHours: "Monday to Friday, 9am to 5pm"
//	DirectoryURL    string  Network.DirectoryURL
//	DataSharingURL  string  Network.DataSharingURL, the data sharing protocol
//	ConsentWording  string  ConsentWording.Body: who sees their details and why
//	ExamplePostcode, ExampleTown, CrisisLines string and CrisisSamaritans,
//	CrisisEmergency bool: LocalKeys(Network.CrisisLines, AreaExampleOf(districts))
//	Reference       string  the referral reference, for Messages.Done only, like core.ReferenceExample
//	Days            int     for Messages.Done only: the working days to wait before
//	                        calling the helpline, Network.ClientWaitDays(crisis) for the
//	                        referral core recorded; it also picks the plural form
//	Triage          bool    for Messages.Done only, optional: the referral waits for a
//	                        coordinator to choose its agency (DoneKeys gives all three)
//
// Keys Reply.Data always carries:
//
//	HelpKeyword, RestartKeyword, CallbackKeyword string  the keywords as the
//	                        reply's language names them ("HELP", "POMOC"; "CALL",
//	                        "ZADZWOŃ"): KeywordKeys, which a caller rendering a
//	                        message of its own (help, start) merges in too
//	ConsentVersion  string  the consent wording version (see WithConsentVersion)
//	Urgent          bool    the conversation is a crisis (Answers.Crisis)
//	Callback        bool    the client asked to be phoned
//	ContactMethod   string  "text", "call" or "" (not asked yet)
//
// and, when the step being asked has numbered choices:
//
//	Choices []NumberedChoice  {Number, Label} in order
//
// and Languages []NumberedChoice, {Number, Label: the language's own
// name}: the languages offered by number (conv_languages), nil in a reply
// that does not offer them; and Postcode string, the postcode taken, in a
// reply that says which one was taken from an earlier text
// (Messages.PostcodeKept); Needs []string, the labels of the needs
// taken from a first text, in a reply that says so (Messages.NeedsKept);
// and AskedAgain bool, in a reply that asks the open question again
// after the crisis lines rather than after an answer (read with index:
// absent is false).
//
// Which templates need which keys:
//
//	help, stop, start, redis_down        Network, Helpline (help: also Hours, RestartKeyword; start: HelpKeyword)
//	conv_greeting                        Network, Languages, HelpKeyword
//	conv_languages                       Languages
//	conv_language_other_ask              none
//	conv_language_other_retry            none
//	conv_interpreter_arranged            InterpreterLanguage (optional: the English name of the language)
//	conv_needs, conv_needs_retry         Choices
//	conv_contact_method(_retry)          Choices
//	conv_contact_time(_retry)            Choices
//	conv_consent                         ConsentWording, DataSharingURL, ConsentVersion
//	conv_consent_retry                   DataSharingURL
//	conv_callback_offer                  CallbackKeyword, Network, Helpline
//	conv_declined                        Helpline, DirectoryURL, RestartKeyword
//	conv_declined_again, conv_finished   Helpline, RestartKeyword
//	conv_stop_how                        none
//	conv_postcode(_retry)                ExamplePostcode ("" for none); conv_postcode also AskedAgain (optional)
//	conv_postcode_kept                   Postcode (Reply.Data: the postcode taken, "KY1 1AB")
//	conv_needs_kept                      Needs (Reply.Data: the needs' labels, ["Debt", "Housing"]), RestartKeyword
//	conv_town(_retry)                    ExampleTown ("" for none); conv_town also AskedAgain (optional)
//	conv_crisis_lines                    CrisisLines, CrisisSamaritans, CrisisEmergency
//	conv_done, conv_done_no_local        Network, Reference, Urgent, Callback, ContactMethod, Helpline, Days (conv_done also Triage, optional)
//	others                               none
//
// redis_down.txt is rendered when the conversation store is unreachable, so
// it needs only network settings.

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// Targets that end a conversation, and the language question that opens
// one. A step may not use these ids.
const (
	StepLanguage = "language" // the first reply offers the languages by number
	// StepOtherLanguage asks a client who chose "other" at the languages
	// offered which language they speak (Messages.LanguageOtherAsk).
	StepOtherLanguage = "language_other"
	StepDone          = "done"     // consent given: the caller creates the referral
	StepDeclined      = "declined" // consent refused: nothing is shared
)

// Answer types a flow step can declare.
const (
	AnswerChoiceMulti       = "choice-multi"        // numbered choices, several allowed: needs
	AnswerChoiceOne         = "choice-one"          // numbered choices, exactly one: contact method, time
	AnswerPostcodeOrUnknown = "postcode-or-unknown" // a postcode or district, or "don't know"
	AnswerTown              = "town"                // free text when the postcode is unknown
	AnswerYesNo             = "yes-no"              // crisis questions
	AnswerText              = "text"                // the client's name
	AnswerConsent           = "consent"             // explicit YES or NO to sharing details
	AnswerContact           = "contact"             // a phone number and/or email address (web: SMS knows the sender)
)

// answerTypes says which answer field each type may fill and which
// outcomes it can branch on (besides its default next).
var answerTypes = map[string]struct {
	fields   []string
	outcomes []string // nil for choice-one: its outcomes are its choice values
}{
	AnswerChoiceMulti:       {fields: []string{"needs"}, outcomes: []string{}},
	AnswerChoiceOne:         {fields: []string{"contact_method", "contact_time"}},
	AnswerPostcodeOrUnknown: {fields: []string{"postcode"}, outcomes: []string{"postcode", "unknown"}},
	AnswerTown:              {fields: []string{"town"}, outcomes: []string{"town", "postcode", "unknown"}},
	AnswerYesNo:             {fields: []string{"no_food", "losing_home", "interpreter"}, outcomes: []string{"yes", "no"}},
	AnswerText:              {fields: []string{"name"}, outcomes: []string{}},
	AnswerConsent:           {fields: []string{"consent"}, outcomes: []string{"yes", "no"}},
	AnswerContact:           {fields: []string{"contact"}, outcomes: []string{}},
}

// extraTypes may fill an answer core has no field for (a question a network
// adds in the flow file alone): the answer is kept in Answers.Extra and
// reaches the adviser in the referral's notes, under the step's label.
var extraTypes = []string{AnswerText, AnswerYesNo, AnswerChoiceOne}

// Flow is a parsed and validated conversation definition. It is read-only
// after LoadFlow and safe to share between goroutines.
type Flow struct {
	// ID names the flow; it is stored in each Conversation.
	ID string
	// CallbackKeyword is the reply that asks for a phone call instead of
	// more questions ("CALL").
	CallbackKeyword string
	// Messages names the templates sent outside the step sequence.
	Messages FlowMessages
	// Lang is the language this copy of the flow speaks (In).
	Lang string

	consentVersion string // see WithConsentVersion
	chosen         bool   // Lang is the client's own choice, English included (Chosen)
	cat            *lang.Catalogue
	words          *sharedWords     // keywords and crisis words of every language
	family         map[string]*Flow // every language's copy, by code
	bound          *sync.Map        // flowBinding → *Flow: the family bound to consent versions (bind)
	yesNo          *yesNoWords
	contactYesNo   *yesNoWords // yesNo for the contact check (contactWords)
	unknownWords   *phraseTable[bool]
	skips          *phraseTable[bool] // skipTable, read on every name and optional answer
	stopAsks       *phraseTable[bool] // stopAskTable: "please stop texting me"
	nameWords      *textWords         // around a language's name: languageNameWords
	text           *textWords         // around a free-text answer, and the chatter read on every text: newTextWords
	otherLabels    [][]string         // the label of "Other" in every language, as words: otherLabelWords
	looseNeeds     map[string]bool    // looseNeedWords: choice words that name a need only in some sentences
	msgNames       map[string]bool    // every message the flow uses
	keywordKeys    map[string]any     // the keywords as this language's texts name them: keywordKeysIn
	callbackWords  map[string]bool    // the call-back words read in this language: callbackWordsIn

	start       string
	steps       map[string]*flowStep
	order       []string // step ids as declared
	afterMisses int
	callbackTo  string
	callbackSet string    // contact method recorded for a call-back
	callbackAsk []string  // answer fields a call-back still needs, asked if missing
	defaultNeed core.Need // recorded for a call-back that came before any need
}

// FlowMessages are the template names for messages that are not a step's
// question. The caller sends Help, Stop and Start for keywords, Done after
// core has created the referral, and Unavailable when Redis is down; the
// engine puts the others in replies itself.
type FlowMessages struct {
	Greeting string // first message: network name, STOP and HELP
	Done     string // confirmation with the reference; sent by the caller
	// DoneNoLocal is Done for a referral no advice service in the
	// directory can take (NoLocalService): a coordinator looks at it and
	// says where to get help (DoneMessage chooses). The flow file's
	// messages.done_no_local names it, else conv_done_no_local when the
	// message files have one; Done when neither.
	DoneNoLocal string
	Declined    string // consent refused
	// DeclinedAgain answers a text after consent was refused: nothing was
	// sent, and how to start again. The answers are gone by then (the SMS
	// edge keeps none of a declined conversation), so a yes cannot go back
	// to the question, and Finished's "we already have your answers" would
	// be untrue. Declined when the flow file names none.
	DeclinedAgain string
	Finished      string // a text after a referral was made
	// StopHow answers a text that asks to stop texts in words ("please
	// stop texting me") rather than with the carrier's keyword alone,
	// which is what opts a phone out: it says to reply STOP. Help (which
	// says it too) when the flow file names none.
	StopHow  string
	SelfHarm string // Samaritans and NHS 24 numbers
	// Danger is sent at once for words about danger from someone (abuse at
	// home, violence, threats: CrisisSignal.Danger): 999 and the domestic
	// abuse helpline, after SelfHarm when both come, once a conversation
	// unless new danger words come (CrisisSignal.newDanger). Reply.Data's
	// WithCrisisLines is true when SelfHarm, which gives 999 itself, comes
	// before it in the reply. The flow file's messages.danger names it,
	// else conv_danger when the message files have one; "" for none.
	Danger string
	// CarryOn follows SelfHarm when the words about self-harm were no
	// answer to the open question: an invitation to go on when ready, not
	// "Sorry, that doesn't look like a postcode". The question follows it.
	CarryOn          string
	CallbackOffer    string // after repeated misses on one step
	CallbackAccepted string // after the client replies with the call-back word
	Help             string
	Stop             string
	Start            string
	Unavailable      string // the conversation store is down
	Languages        string // the languages offered by number, first
	LanguageSet      string // after a client switched language
	// LanguageOther, LanguageOtherAsk and InterpreterArranged are for a
	// client whose language Onward has no words in: the last line of the
	// languages offered ("Other: reply with the name of your language"),
	// the question after they chose it by number, and the plain English
	// reply once they named it (InterpreterLanguage: its English name, ""
	// when not known). All three or none: without them no "other" is
	// offered.
	LanguageOther       string
	LanguageOtherAsk    string
	InterpreterArranged string
	// LanguageOtherRetry asks "which language?" again after a reply that
	// names none (a sentence, a need, a number): it says to send the
	// language's name alone. Without it such a reply is taken as it was
	// before there was one: an interpreter is asked for, the words kept
	// for the adviser.
	LanguageOtherRetry string
	// PostcodeKept says which postcode was taken when the client gave it
	// before it was asked for (keepPostcode), in place of its question,
	// so they see it was understood (Postcode: the postcode). Needed
	// when a step fills the postcode.
	PostcodeKept string
	// NeedsKept says which needs were taken from the client's first text
	// (firmChoices), in place of the needs question, so a client who sees
	// a wrong one can start again (Needs: their labels). Without it an
	// English first text gets the languages offered, as before.
	NeedsKept string
	// AnswerKept says that a reply to one question was kept for a later
	// one it answers ("evening" to "text or call?": keepLater), before the
	// question asked again (Answer: the choice's label). The flow file's
	// messages.answer_kept names it, else conv_answer_kept when the
	// message files have one; without it such a reply is a miss.
	AnswerKept string
	// WhoWeAre answers "who is this?" at a question, before the question
	// again: who is texting and why (asksWho). The flow file's
	// messages.who_we_are names it, else conv_who_we_are when the
	// message files have one; "" for none.
	WhoWeAre string
}

// InterpreterLanguageField is the key of Answers.Extra that holds the
// language a client needs an interpreter for when Onward has no words in
// it (a BCP 47 tag, "ro"); core stores it as the client's
// InterpreterLanguage, apart from the language they are texted in.
const InterpreterLanguageField = "interpreter_language"

// NumberedChoice is one line of a numbered question, as templates see it.
type NumberedChoice struct {
	Number int
	Label  string
}

type flowStep struct {
	id, kind, field        string
	label                  string
	prompt, reprompt, next string
	on                     map[string]string
	unsureYes              bool
	minLen, maxLen, words  int
	choices                []NumberedChoice // as texts number them: the SMS choices
	values                 []string         // the SMS choices' values
	parser                 *choiceParser
	channels               []core.Channel // nil: every channel
	extra                  bool           // fills Answers.Extra[field]
	otherLangs             bool           // asked only in a language other than English
	web                    webStep

	// missPrompts asks again, by text, a free-text answer refused for a
	// reason its reprompt does not name (textMiss): the message, by the
	// reason's code, is the step's web error for it, one wording for both.
	missPrompts map[string]string
}

// webStep is how the web form shows a step: one page per step.
type webStep struct {
	page, title, hint, autocomplete, unknown string
	errors                                   map[string]string
	choices                                  []Choice // the web's choices, with what each requires
}

// asks reports whether the step is asked on channel ch.
func (s *flowStep) asks(ch core.Channel) bool {
	return s.channels == nil || slices.Contains(s.channels, ch)
}

// askedOf reports whether the step is asked on channel ch of a client
// with answers a (a step for other languages skips English speakers).
func (s *flowStep) askedOf(ch core.Channel, a Answers) bool {
	return s.asks(ch) && (!s.otherLangs || (a.Language != "" && a.Language != lang.English))
}

// freeText steps accept almost anything, so the call-back word is checked
// before the answer rather than after.
func (s *flowStep) freeText() bool { return s.kind == AnswerText || s.kind == AnswerTown }

func (s *flowStep) target(outcome string) string {
	if t, ok := s.on[outcome]; ok {
		return t
	}
	return s.next
}

// Conversation is one client's progress through a flow. It is plain data,
// JSON-serialisable, and lives in Redis between messages.
type Conversation struct {
	Flow    string    `json:"flow"`
	Lang    string    `json:"lang,omitempty"` // the language it is in; "" is English
	Step    string    `json:"step"`           // id of the step whose question is open, or StepDone / StepDeclined
	Answers Answers   `json:"answers"`
	Misses  int       `json:"misses"` // replies to the open question we could not use
	Started time.Time `json:"started"`
}

// Reply is what to send back after one message.
type Reply struct {
	// Lang is the language to render Templates in: the conversation's,
	// after any switch this message made.
	Lang string
	// Templates to render and send, in order. Empty only when Done: the
	// caller then sends Messages.Done once core has a reference.
	Templates []string
	// Data for the templates; merge the network keys in before rendering.
	Data map[string]any
	// Done: the client consented and hasAnswer; create the referral.
	Done bool
	// Declined: the client said no to sharing their details.
	Declined bool
	// CallbackOffered: this reply offers a phone call after repeated misses.
	CallbackOffered bool
	// Crisis: the conversation is marked crisis (sticky; Answers.Crisis).
	Crisis bool
	// SelfHarm: this message had self-harm words; the reply carries
	// Messages.SelfHarm first.
	SelfHarm bool
	// Danger: this message had words of danger from someone (and the flow
	// has Messages.Danger). After the conversation ended the reply carries
	// Messages.Danger (999 and the helpline) every time; within one, the
	// first time those words come (noticeCrisis). The SMS edge tells staff
	// of them either way, as of SelfHarm, without reading the words again.
	Danger bool
}

func (r *Reply) add(name string) { r.Templates = append(r.Templates, name) }

// The flow file as written. Unknown keys are an error, so a typo in a key
// fails at load, not in front of a client.
type flowFile struct {
	ID       string       `yaml:"id"`
	Start    string       `yaml:"start"`
	Messages messagesFile `yaml:"messages"`
	Callback callbackFile `yaml:"callback"`
	Steps    []stepFile   `yaml:"steps"`
}

type messagesFile struct {
	Greeting         string `yaml:"greeting"`
	Done             string `yaml:"done"`
	Declined         string `yaml:"declined"`
	DeclinedAgain    string `yaml:"declined_again"`
	Finished         string `yaml:"finished"`
	StopHow          string `yaml:"stop_how"`
	SelfHarm         string `yaml:"self_harm"`
	Danger           string `yaml:"danger"`        // optional: see FlowMessages.Danger
	DoneNoLocal      string `yaml:"done_no_local"` // optional: see FlowMessages.DoneNoLocal
	CarryOn          string `yaml:"carry_on"`
	CallbackOffer    string `yaml:"callback_offer"`
	CallbackAccepted string `yaml:"callback_accepted"`
	Help             string `yaml:"help"`
	Stop             string `yaml:"stop"`
	Start            string `yaml:"start"`
	Unavailable      string `yaml:"unavailable"`
	Languages        string `yaml:"languages"`
	LanguageSet      string `yaml:"language_set"`
	// For languages Onward has no words in: see FlowMessages.
	LanguageOther       string `yaml:"language_other"`
	LanguageOtherAsk    string `yaml:"language_other_ask"`
	InterpreterArranged string `yaml:"interpreter_arranged"`
	LanguageOtherRetry  string `yaml:"language_other_retry"` // optional: see FlowMessages
	PostcodeKept        string `yaml:"postcode_kept"`
	NeedsKept           string `yaml:"needs_kept"`  // optional: see FlowMessages
	WhoWeAre            string `yaml:"who_we_are"`  // optional: see FlowMessages
	AnswerKept          string `yaml:"answer_kept"` // optional: see FlowMessages
}

type callbackFile struct {
	Keyword       string   `yaml:"keyword"`
	AfterMisses   int      `yaml:"after_misses"`
	Goto          string   `yaml:"goto"`
	ContactMethod string   `yaml:"contact_method"`
	Ask           []string `yaml:"ask"`
	DefaultNeed   string   `yaml:"default_need"`
}

type stepFile struct {
	ID       string            `yaml:"id"`
	Type     string            `yaml:"type"`
	Answer   string            `yaml:"answer"`
	Label    string            `yaml:"label"`
	Channels []string          `yaml:"channels"`
	Langs    string            `yaml:"languages"`
	Web      *webFile          `yaml:"web"`
	Prompt   string            `yaml:"prompt"`
	Reprompt string            `yaml:"reprompt"`
	Next     string            `yaml:"next"`
	On       map[string]string `yaml:"on"`
	Unsure   string            `yaml:"unsure"`
	Validate *struct {
		MinLen   int `yaml:"min_len"`
		MaxLen   int `yaml:"max_len"`
		MaxWords int `yaml:"max_words"`
	} `yaml:"validate"`
	Choices []struct {
		Value    string   `yaml:"value"`
		Label    string   `yaml:"label"`
		Synonyms []string `yaml:"synonyms"`
		Channels []string `yaml:"channels"`
		Requires string   `yaml:"requires"`
	} `yaml:"choices"`
}

// webFile is a step's page on the web form.
type webFile struct {
	Page         string            `yaml:"page"`
	Title        string            `yaml:"title"`
	Hint         string            `yaml:"hint"`
	Autocomplete string            `yaml:"autocomplete"`
	Unknown      string            `yaml:"unknown"`
	Errors       map[string]string `yaml:"errors"`
}

var flowNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// LoadFlow reads the message files (i18n/*.toml) and flows/<name>.yaml
// from fsys (templates.FS in production); see LoadFlowIn.
func LoadFlow(fsys fs.FS, name string) (*Flow, error) {
	cat, err := lang.Load(fsys, nil)
	if err != nil {
		return nil, fmt.Errorf("load flow %q: %w", name, err)
	}
	return LoadFlowIn(fsys, name, cat)
}

// LoadFlowIn reads flows/<name>.yaml from fsys and checks it: every step
// reference resolves, every message exists in English and parses, every
// type and answer field is known, the need codes are in the taxonomy,
// there are no loops or unreachable steps, and the only way to StepDone
// is a YES at the consent step. Every problem is reported, each naming
// its step. The flow it returns speaks English; In gives the copy for
// each language of cat, checked the same way with that language's words.
func LoadFlowIn(fsys fs.FS, name string, cat *lang.Catalogue) (*Flow, error) {
	e, embedded := fsys.(embed.FS)
	key := builtFlowKey{fsys: e, name: name}
	if embedded {
		if v, ok := builtFlows.Load(key); ok && v.(*Flow).cat.SameMessages(cat) {
			return v.(*Flow).withCatalogue(cat), nil
		}
	}
	f, err := buildFamily(fsys, name, cat)
	if err == nil && embedded {
		builtFlows.Store(key, f)
	}
	return f, err
}

// builtFlows keeps each embedded flow file's checked family of languages,
// so a process builds it once however many parts load it (the SMS
// webhook, the web form, the texts command): embedded files are fixed
// when the program is built. A family is reused only with a catalogue over
// the same reading of the message files it was built from.
var builtFlows sync.Map // builtFlowKey -> *Flow (English)

// builtFlowKey names a flow file in an embedded file system.
type builtFlowKey struct {
	fsys embed.FS
	name string
}

// withCatalogue is f's family speaking through cat: the same checked
// steps and words, cat's log for a missing message, and bindings to
// consent versions of its own.
func (f *Flow) withCatalogue(cat *lang.Catalogue) *Flow {
	family := make(map[string]*Flow, len(f.family))
	bound := &sync.Map{}
	for code, g := range f.family {
		h := *g
		h.cat, h.family, h.bound = cat, family, bound
		family[code] = &h
	}
	return family[lang.English]
}

// buildFamily reads, checks and builds flow name in every language of cat
// (LoadFlowIn without the reuse).
func buildFamily(fsys fs.FS, name string, cat *lang.Catalogue) (*Flow, error) {
	if !flowNameRe.MatchString(name) {
		return nil, fmt.Errorf("load flow %q: not a flow name", name)
	}
	raw, err := fs.ReadFile(fsys, "flows/"+name+".yaml")
	if err != nil {
		return nil, fmt.Errorf("load flow %q: %w", name, err)
	}
	var ff flowFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&ff); err != nil {
		return nil, fmt.Errorf("load flow %q: %w", name, err)
	}
	family := map[string]*Flow{}
	var errs []error
	for _, l := range cat.Languages() {
		f, err := buildFlow(ff, cat, l.Code)
		if err != nil {
			errs = append(errs, fmt.Errorf("in %s: %w", l.English, err))
			continue
		}
		f.family = family
		family[l.Code] = f
	}
	words, bound := loadSharedWords(cat), &sync.Map{}
	words.answers = answerWordLangs(cat, family)
	for _, f := range family {
		f.words = words
		f.bound = bound
	}
	if en := family[lang.English]; en != nil {
		if err := checkKeywords(en); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load flow %q: %w", name, err)
	}
	return family[lang.English], nil
}

// In is the flow speaking language code (English when code is not one of
// the message files'), bound to the same consent version.
func (f *Flow) In(code string) *Flow {
	return f.bind(code, f.consentVersion)
}

// flowBinding names a language's flow bound to a consent version.
type flowBinding struct{ code, version string }

// bind is the family's flow of language code (English when there is
// none; f itself for a flow not made by the loader, which has no family)
// bound to consent version. Each pair is made once and kept, as
// every text binds one: there are a handful of languages, and of wording
// versions, which only grow when a network publishes a new wording.
func (f *Flow) bind(code, version string) *Flow {
	g, ok := f.family[code]
	if !ok {
		g = f.family[lang.English]
	}
	if g == nil {
		g = f
	}
	if g.consentVersion == version {
		return g
	}
	key := flowBinding{code: g.Lang, version: version}
	if f.bound != nil {
		if b, ok := f.bound.Load(key); ok {
			return b.(*Flow)
		}
	}
	h := *g
	h.consentVersion = version
	if f.bound == nil {
		return &h
	}
	b, _ := f.bound.LoadOrStore(key, &h)
	return b.(*Flow)
}

// Catalogue is the message files the flow speaks from.
func (f *Flow) Catalogue() *lang.Catalogue { return f.cat }

// flowChecker collects every problem in a flow file, not just the first.
type flowChecker struct {
	errs []error
	f    *Flow
	cat  *lang.Catalogue
	code string // the language being built
}

// word is the words at message id in the language being built: its own,
// else English, else inline (the flow file's own English words).
func (c *flowChecker) word(id, inline string) string {
	if c.cat.Has(c.code, id) || c.cat.Has(lang.English, id) {
		return c.cat.Text(c.code, id)
	}
	return inline
}

// synonyms are the language's own synonyms at id, then English's (the
// message file's, else the flow file's): clients mix languages.
func (c *flowChecker) synonyms(id string, inline []string) []string {
	var out []string
	if c.code != lang.English {
		out = lang.List(c.cat.Own(c.code, id))
	}
	if c.cat.Has(lang.English, id) {
		return append(out, lang.List(c.cat.Text(lang.English, id))...)
	}
	return append(out, inline...)
}

func (c *flowChecker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// template checks message name is in the English message file (which
// lang.Load has parsed); where says who asked for it, for the error.
// optional is the template of a message the flow file may leave out:
// the one it names (given), else def when the message files have it,
// else "" (the flow goes without).
func (c *flowChecker) optional(cat *lang.Catalogue, role, given, def string) string {
	if given == "" && !cat.Has(lang.English, def) {
		return ""
	}
	if given == "" {
		given = def
	}
	return c.template("messages", role, given)
}

func (c *flowChecker) template(where, role, name string) string {
	if name == "" {
		c.errorf("%s: %s template is missing", where, role)
		return ""
	}
	if !flowNameRe.MatchString(name) {
		c.errorf("%s: %s template %q: use lower-case letters, digits and _", where, role, name)
		return name
	}
	if !c.cat.Has(lang.English, name) {
		c.errorf("%s: %s template %q: no such message in %s/%s.toml", where, role, name, lang.Dir, lang.English)
		return name
	}
	c.f.msgNames[name] = true
	return name
}

func buildFlow(ff flowFile, cat *lang.Catalogue, code string) (*Flow, error) {
	f := &Flow{
		ID:              ff.ID,
		CallbackKeyword: strings.ToUpper(strings.TrimSpace(ff.Callback.Keyword)),
		start:           ff.Start,
		steps:           map[string]*flowStep{},
		afterMisses:     ff.Callback.AfterMisses,
		callbackTo:      ff.Callback.Goto,
		callbackSet:     ff.Callback.ContactMethod,
		callbackAsk:     ff.Callback.Ask,
		defaultNeed:     core.Need(ff.Callback.DefaultNeed),
		Lang:            code,
		cat:             cat,
		msgNames:        map[string]bool{},
	}
	f.yesNo, f.unknownWords = wordTables(cat, code)
	f.keywordKeys = keywordKeysIn(cat, code, f.CallbackKeyword)
	f.callbackWords = callbackWordsIn(cat, code, f.CallbackKeyword)
	f.contactYesNo = contactWords(f.yesNo)
	if cat != nil && code != lang.English {
		f.text = newTextWords(cat, code)
	}
	f.skips = f.skipTable()
	f.stopAsks = stopAskTable(cat, code)
	c := &flowChecker{f: f, cat: cat, code: code}
	if f.ID == "" {
		c.errorf("id is missing")
	}
	m := ff.Messages
	f.Messages = FlowMessages{
		Greeting:         c.template("messages", "greeting", m.Greeting),
		Done:             c.template("messages", "done", m.Done),
		Declined:         c.template("messages", "declined", m.Declined),
		Finished:         c.template("messages", "finished", m.Finished),
		SelfHarm:         c.template("messages", "self_harm", m.SelfHarm),
		CarryOn:          c.template("messages", "carry_on", m.CarryOn),
		CallbackOffer:    c.template("messages", "callback_offer", m.CallbackOffer),
		CallbackAccepted: c.template("messages", "callback_accepted", m.CallbackAccepted),
		Help:             c.template("messages", "help", m.Help),
		Stop:             c.template("messages", "stop", m.Stop),
		Start:            c.template("messages", "start", m.Start),
		Unavailable:      c.template("messages", "unavailable", m.Unavailable),
		Languages:        c.template("messages", "languages", m.Languages),
		LanguageSet:      c.template("messages", "language_set", m.LanguageSet),
	}
	if m.LanguageOther != "" || m.LanguageOtherAsk != "" || m.InterpreterArranged != "" {
		f.Messages.LanguageOther = c.template("messages", "language_other", m.LanguageOther)
		f.Messages.LanguageOtherAsk = c.template("messages", "language_other_ask", m.LanguageOtherAsk)
		f.Messages.InterpreterArranged = c.template("messages", "interpreter_arranged", m.InterpreterArranged)
		if m.LanguageOtherRetry != "" {
			f.Messages.LanguageOtherRetry = c.template("messages", "language_other_retry", m.LanguageOtherRetry)
		}
	} else if m.LanguageOtherRetry != "" {
		c.errorf("messages: language_other_retry asks again after \"Other\", which needs language_other, language_other_ask and interpreter_arranged")
	}
	if m.NeedsKept != "" {
		f.Messages.NeedsKept = c.template("messages", "needs_kept", m.NeedsKept)
	}
	f.nameWords = languageNameWords(cat, f.Messages.LanguageOther)
	f.otherLabels = otherLabelWords(cat, f.Messages.LanguageOther)
	f.looseNeeds = looseNeedWords(cat, code)
	if m.PostcodeKept != "" {
		f.Messages.PostcodeKept = c.template("messages", "postcode_kept", m.PostcodeKept)
	}
	f.Messages.DeclinedAgain, f.Messages.StopHow = f.Messages.Declined, f.Messages.Help
	if m.DeclinedAgain != "" {
		f.Messages.DeclinedAgain = c.template("messages", "declined_again", m.DeclinedAgain)
	}
	if m.StopHow != "" {
		f.Messages.StopHow = c.template("messages", "stop_how", m.StopHow)
	}
	f.Messages.DoneNoLocal = f.Messages.Done
	if t := c.optional(cat, "done_no_local", m.DoneNoLocal, defaultDoneNoLocalMessage); t != "" {
		f.Messages.DoneNoLocal = t
	}
	f.Messages.Danger = c.optional(cat, "danger", m.Danger, defaultDangerMessage)
	f.Messages.WhoWeAre = c.optional(cat, "who_we_are", m.WhoWeAre, defaultWhoWeAreMessage)
	f.Messages.AnswerKept = c.optional(cat, "answer_kept", m.AnswerKept, defaultAnswerKeptMessage)
	if f.CallbackKeyword == "" || strings.ContainsFunc(f.CallbackKeyword, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		c.errorf("callback: keyword %q must be one word of letters", ff.Callback.Keyword)
	} else if DetectKeyword(f.CallbackKeyword) != KeywordNone {
		c.errorf("callback: keyword %q is already a carrier keyword", f.CallbackKeyword)
	}
	if f.defaultNeed != "" && !f.defaultNeed.Valid() {
		c.errorf("callback: default_need %q is not a need code", f.defaultNeed)
	}
	if f.afterMisses < 1 {
		c.errorf("callback: after_misses must be at least 1")
	}
	if len(ff.Steps) == 0 {
		c.errorf("no steps")
	}

	fields := map[string]string{} // answer field -> step id
	pages := map[string]string{}  // web page -> step id
	consentSteps := 0
	for i, sf := range ff.Steps {
		where := fmt.Sprintf("step %q", sf.ID)
		switch {
		case sf.ID == "":
			c.errorf("step %d: id is missing", i+1)
			continue
		case sf.ID == StepDone || sf.ID == StepDeclined || sf.ID == StepLanguage || sf.ID == StepOtherLanguage:
			c.errorf("%s: %q is reserved for the end of the flow", where, sf.ID)
			continue
		case !flowNameRe.MatchString(sf.ID):
			c.errorf("%s: use lower-case letters, digits and _ in ids", where)
			continue
		case f.steps[sf.ID] != nil:
			c.errorf("%s: declared twice", where)
			continue
		}
		st := &flowStep{id: sf.ID, kind: sf.Type, field: sf.Answer, next: sf.Next, on: sf.On,
			label: c.word("flow."+sf.ID+".label", sf.Label)}
		f.steps[st.id] = st
		f.order = append(f.order, st.id)
		st.channels = c.channels(where, sf.Channels)
		if st.channels != nil && len(sf.On) > 0 {
			c.errorf("%s: a step asked on %v only cannot branch (on): the other channels skip it to next", where, sf.Channels)
		}
		switch sf.Langs {
		case "":
		case "other":
			st.otherLangs = true
			if len(sf.On) > 0 {
				c.errorf("%s: a step asked in some languages only cannot branch (on): the others skip it to next", where)
			}
		default:
			c.errorf("%s: languages must be other or left out", where)
		}
		if st.asks(core.ChannelSMS) {
			st.prompt = c.template(where, "prompt", sf.Prompt)
			st.reprompt = c.template(where, "reprompt", sf.Reprompt)
			if sf.Type == AnswerText || sf.Type == AnswerTown {
				for _, code := range textMissCodes {
					if id := "flow." + sf.ID + ".errors." + code; cat.Has(lang.English, id) {
						if st.missPrompts == nil {
							st.missPrompts = map[string]string{}
						}
						st.missPrompts[code] = id
						f.msgNames[id] = true
					}
				}
			}
		} else if sf.Prompt != "" || sf.Reprompt != "" {
			c.errorf("%s: a step not asked by SMS takes no prompt or reprompt", where)
		}

		at, ok := answerTypes[sf.Type]
		if !ok {
			c.errorf("%s: unknown type %q", where, sf.Type)
			continue
		}
		if sf.Type == AnswerContact && !slices.Equal(st.channels, []core.Channel{core.ChannelWeb}) {
			c.errorf("%s: a %s step is asked on the web only (channels: [web]): a text's sender is its phone", where, AnswerContact)
		}
		if !slices.Contains(at.fields, sf.Answer) && slices.Contains(extraTypes, sf.Type) &&
			flowNameRe.MatchString(sf.Answer) && !knownField(sf.Answer) {
			st.extra = true
			if sf.Label == "" {
				c.errorf("%s: answer %q is the flow's own: give the step a label, which the adviser reads beside the answer", where, sf.Answer)
			}
		}
		if !st.extra && !slices.Contains(at.fields, sf.Answer) {
			c.errorf("%s: type %s cannot fill answer %q; it fills %s", where, sf.Type, sf.Answer, strings.Join(at.fields, " or "))
		} else if other, dup := fields[sf.Answer]; dup {
			c.errorf("%s: answer %q is already filled by step %q", where, sf.Answer, other)
		} else {
			fields[sf.Answer] = st.id
		}
		if sf.Type == AnswerConsent {
			consentSteps++
		}

		// Choices.
		isChoice := sf.Type == AnswerChoiceMulti || sf.Type == AnswerChoiceOne
		switch {
		case isChoice && len(sf.Choices) == 0:
			c.errorf("%s: type %s needs choices", where, sf.Type)
		case !isChoice && len(sf.Choices) > 0:
			c.errorf("%s: type %s takes no choices", where, sf.Type)
		}
		synonyms := map[string][]string{}
		seenSyn := map[string]string{}
		var smsValues []string
		for j, ch := range sf.Choices {
			cid := "flow." + sf.ID + ".choices." + ch.Value
			ch.Label = c.word(cid+".label", ch.Label)
			ch.Synonyms = c.synonyms(cid+".synonyms", ch.Synonyms)
			if ch.Value == "" || ch.Label == "" {
				c.errorf("%s: choice %d needs a value and a label", where, j+1)
				continue
			}
			if slices.Contains(st.values, ch.Value) {
				c.errorf("%s: choice %q declared twice", where, ch.Value)
				continue
			}
			if sf.Answer == "needs" && !core.Need(ch.Value).Valid() {
				c.errorf("%s: choice %q is not a need code", where, ch.Value)
			}
			if ch.Requires != "" && ch.Requires != "phone" && ch.Requires != "mobile" && ch.Requires != "email" {
				c.errorf("%s: choice %q: requires %q must be phone, mobile or email", where, ch.Value, ch.Requires)
			}
			chs := c.channels(fmt.Sprintf("%s: choice %q", where, ch.Value), ch.Channels)
			st.values = append(st.values, ch.Value)
			if chs == nil || slices.Contains(chs, core.ChannelWeb) {
				st.web.choices = append(st.web.choices, Choice{Value: ch.Value, Label: ch.Label, Requires: ch.Requires})
			}
			if chs != nil && !slices.Contains(chs, core.ChannelSMS) {
				if len(ch.Synonyms) > 0 {
					c.errorf("%s: choice %q is not offered by SMS, so it takes no synonyms", where, ch.Value)
				}
				continue
			}
			smsValues = append(smsValues, ch.Value)
			st.choices = append(st.choices, NumberedChoice{Number: len(smsValues), Label: ch.Label})
			for _, s := range choiceWords(c.code, ch.Label, ch.Synonyms) {
				p := newMatchPhrase(s)
				key := strings.Join(p.words, " ")
				if p.prefix {
					key += "*"
				}
				switch {
				case len(p.words) == 0:
					c.errorf("%s: choice %q: synonym %q has no words", where, ch.Value, s)
				case p.prefix && utf8.RuneCountInString(p.words[len(p.words)-1]) < minStemRunes:
					c.errorf("%s: choice %q: synonym %q: a stem (ending in *) needs at least %d letters", where, ch.Value, s, minStemRunes)
				case strings.ContainsFunc(key, func(r rune) bool { return r >= '0' && r <= '9' }):
					c.errorf("%s: choice %q: synonym %q has digits; numbers are the choice numbers", where, ch.Value, s)
				case seenSyn[key] != "" && seenSyn[key] != ch.Value:
					if c.code == lang.English {
						c.errorf("%s: synonym %q means both %q and %q", where, s, seenSyn[key], ch.Value)
					} // else the language's own meaning, listed first, wins over English's
				default:
					seenSyn[key] = ch.Value
					synonyms[ch.Value] = append(synonyms[ch.Value], s)
				}
			}
		}
		if isChoice {
			st.parser = newChoiceParser(smsValues, synonyms)
			st.parser.capsOnly = capsOnlyIn(c.code)
		}
		c.webStep(where, st, sf, pages)

		// Branches.
		allowed := at.outcomes
		if sf.Type == AnswerChoiceOne {
			allowed = st.values
		}
		for _, o := range slices.Sorted(maps.Keys(sf.On)) {
			if !slices.Contains(allowed, o) {
				c.errorf("%s: cannot branch on %q; it can branch on %v", where, o, allowed)
			}
		}
		switch sf.Unsure {
		case "":
		case "yes":
			if sf.Type != AnswerYesNo {
				c.errorf("%s: unsure is only for %s steps", where, AnswerYesNo)
			}
			st.unsureYes = true
		default:
			c.errorf("%s: unsure must be yes or left out", where)
		}

		// Free-text limits.
		st.minLen, st.maxLen = 1, 60
		if v := sf.Validate; v != nil {
			if sf.Type != AnswerText && sf.Type != AnswerTown {
				c.errorf("%s: validate is only for %s and %s steps", where, AnswerText, AnswerTown)
			}
			if v.MinLen > 0 {
				st.minLen = v.MinLen
			}
			if v.MaxLen > 0 {
				st.maxLen = v.MaxLen
			}

			if st.minLen > st.maxLen || v.MaxWords < 0 {
				c.errorf("%s: validate limits are impossible", where)
			}
			st.words = v.MaxWords
		}
	}
	if consentSteps != 1 {
		c.errorf("the flow needs exactly one %s step, not %d", AnswerConsent, consentSteps)
	}
	if st := f.fieldStep("postcode"); st != nil && st.asks(core.ChannelSMS) && f.Messages.PostcodeKept == "" {
		c.errorf("messages: postcode_kept template is missing: step %q asks for the postcode, which a text may give before it is asked", st.id)
	}
	c.checkGraph()
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	return f, nil
}

// checkGraph checks targets exist, that StepDone is reachable only through
// a YES at consent (so no referral is made without consent), that the
// flow can't loop, and that every step can be reached.
func (c *flowChecker) checkGraph() {
	f := c.f
	exists := func(id string) bool { return id == StepDone || id == StepDeclined || f.steps[id] != nil }
	if f.steps[f.start] == nil {
		c.errorf("start: %q is not a step", f.start)
	}
	if f.steps[f.callbackTo] == nil {
		c.errorf("callback: goto %q is not a step", f.callbackTo)
	}
	if cm := f.fieldStep("contact_method"); cm != nil && !slices.Contains(cm.values, f.callbackSet) {
		c.errorf("callback: contact_method %q is not a choice of step %q", f.callbackSet, cm.id)
	}
	for _, field := range f.callbackAsk {
		if _, ok := hasAnswer(Answers{}, field); !ok {
			c.errorf("callback: cannot ask for %q; ask takes needs, postcode, town, name, contact_method, contact_time", field)
		} else if f.fieldStep(field) == nil {
			c.errorf("callback: no step fills %q", field)
		}
	}
	for _, id := range f.order {
		st := f.steps[id]
		where := fmt.Sprintf("step %q", id)
		if st.next == "" {
			c.errorf("%s: next is missing", where)
		}
		for _, o := range st.outcomes() {
			t := st.target(o)
			if t == "" {
				continue
			}
			if !exists(t) {
				c.errorf("%s: goes to %q, which is not a step", where, t)
			}
			if t == StepDone && !(st.kind == AnswerConsent && o == "yes") {
				c.errorf("%s: only a YES at the consent step may go to %s", where, StepDone)
			}
		}
		if st.web.unknown != "" {
			if t := f.steps[st.target("unknown")]; t == nil || !t.asks(core.ChannelWeb) {
				c.errorf("%s: web unknown links to the page of its \"unknown\" branch, which must be a step the web asks", where)
			}
		}
		if st.kind == AnswerConsent && st.target("no") != StepDeclined {
			c.errorf("%s: a NO to consent must go to %s", where, StepDeclined)
		}
	}
	// Loops: depth-first search with colours.
	const (
		white = iota
		grey
		black
	)
	colour := map[string]int{}
	var visit func(id string)
	visit = func(id string) {
		st := f.steps[id]
		if st == nil || colour[id] == black {
			return
		}
		if colour[id] == grey {
			c.errorf("step %q: the flow loops back to it", id)
			return
		}
		colour[id] = grey
		for _, o := range st.outcomes() {
			visit(st.target(o))
		}
		colour[id] = black
	}
	visit(f.start)
	visit(f.callbackTo)
	for _, field := range f.callbackAsk {
		if st := f.fieldStep(field); st != nil {
			visit(st.id)
		}
	}
	for _, id := range f.order {
		if colour[id] == white {
			c.errorf("step %q: cannot be reached from the start", id)
		}
	}
}

// outcomes lists every outcome a step's answer can have. Steps that never
// branch have the one outcome "", which always goes to next.
func (s *flowStep) outcomes() []string {
	switch s.kind {
	case AnswerChoiceOne:
		return s.values
	case AnswerChoiceMulti, AnswerText, AnswerContact:
		return []string{""}
	}
	if at, ok := answerTypes[s.kind]; ok {
		return at.outcomes
	}
	return []string{""}
}

func (f *Flow) fieldStep(field string) *flowStep {
	for _, id := range f.order {
		if f.steps[id].field == field {
			return f.steps[id]
		}
	}
	return nil
}

// WithConsentVersion returns the flow that asks for consent with the
// given wording version (made once per language and version, see bind):
// the version of the ConsentWording the caller renders into the consent
// question (core's current wording). That flow records it in
// Answers.ConsentVersion when it asks, so the version core stores is the
// one the client was shown even if a new wording is published before
// they reply. Bind it on every message; a flow with no version finishes
// with an empty ConsentVersion, which core refuses.
func (f *Flow) WithConsentVersion(version string) *Flow {
	return f.bind(f.Lang, version)
}

// Templates lists every message the flow uses, sorted.
func (f *Flow) Templates() []string {
	return slices.Sorted(maps.Keys(f.msgNames))
}

// Render renders one of the flow's messages in the flow's language with
// data: the caller's network keys merged with Reply.Data. A missing key is
// an error, not "<no value>" in a client's text. A "Days" key picks the
// plural form of a message that has them. Surrounding blank space is
// trimmed.
func (f *Flow) Render(name string, data map[string]any) (string, error) {
	if !f.msgNames[name] {
		return "", fmt.Errorf("render %q: not a template of flow %s", name, f.ID)
	}
	return f.cat.RenderText(f.Lang, name, data)
}

// languageMenu is the languages offered by number, each by its own name,
// then "other" when the flow offers it.
func (f *Flow) languageMenu() []NumberedChoice {
	langs := f.cat.Languages()
	out := make([]NumberedChoice, len(langs), len(langs)+1)
	for i, l := range langs {
		out[i] = NumberedChoice{Number: i + 1, Label: l.Name}
	}
	if f.Messages.LanguageOther != "" {
		out = append(out, NumberedChoice{Number: len(langs) + 1, Label: f.cat.Text(f.Lang, f.Messages.LanguageOther)})
	}
	return out
}

// pickLanguage reads a reply to the languages offered by number: a
// number in range or a language's name, in itself ("POLSKI") or in
// English ("Polish"), alone or with the words said around a language's
// name ("I speak Polish": readLanguageName).
func (f *Flow) pickLanguage(body string) (string, bool) {
	if n, ok := f.menuNumber(body); ok && n <= len(f.cat.Languages()) {
		return f.cat.Languages()[n-1].Code, true
	}
	for _, name := range f.languageNames(body) {
		if code, ok := f.DetectLanguage(name); ok {
			return code, true
		}
		if tag, ok := core.InterpreterLanguageNamed(name); ok {
			if code, ok := f.shipped(tag); ok {
				return code, true
			}
		}
	}
	return "", false
}

// menuNumber reads a reply that is one number offered in languageMenu.
func (f *Flow) menuNumber(body string) (int, bool) {
	toks := answerTokens(body)
	if len(toks) != 1 {
		return 0, false
	}
	n, err := strconv.Atoi(toks[0])
	if err != nil || n < 1 || n > len(f.languageMenu()) {
		return 0, false
	}
	return n, true
}

// bareNumber reports whether body is a whole number and nothing else.
func bareNumber(body string) bool {
	toks := answerTokens(body)
	if len(toks) != 1 {
		return false
	}
	_, err := strconv.Atoi(toks[0])
	return err == nil
}

// shipped is the language Onward writes in that tag is ("pl-PL" → "pl").
func (f *Flow) shipped(tag string) (string, bool) {
	base, _, _ := strings.Cut(tag, "-")
	if _, ok := f.cat.Language(base); ok {
		return base, true
	}
	return "", false
}

// offersOther reports whether the languages offered end with "other".
func (f *Flow) offersOther() bool { return f.Messages.LanguageOther != "" }

// pickOther reads a reply to the languages offered as the "other" choice:
// its number or its label ("Other", "Other - I speak Tigrinya"), or the
// language that names one Onward has no words in ("romana", "I speak
// Tigrinya": a BCP 47 tag). tag is "" when the choice names none we
// know; other is false for anything else.
func (f *Flow) pickOther(body string) (tag string, other bool) {
	if !f.offersOther() {
		return "", false
	}
	if n, ok := f.menuNumber(body); ok {
		return "", n == len(f.cat.Languages())+1
	}
	if tag, ok := f.otherLanguageTag(body); ok {
		return tag, true
	}
	return "", f.readLanguageName(body).other
}

// otherLanguageTag is the language Onward has no words in that body
// names, alone or with the words around a language's name.
func (f *Flow) otherLanguageTag(body string) (string, bool) {
	for _, name := range f.languageNames(body) {
		if tag, ok := core.InterpreterLanguageNamed(name); ok {
			if _, shipped := f.shipped(tag); !shipped {
				return tag, true
			}
		}
	}
	return "", false
}

// chooseOther records that the client needs an interpreter in the
// language tag ("" when they did not say which one we could read; their
// words are then kept for the adviser), and goes on in English, in plain
// words, to the first question.
func (f *Flow) chooseOther(c Conversation, r Reply, tag string) (Conversation, Reply) {
	g := f.In(lang.English)
	c.Lang, c.Answers.Language = lang.English, lang.English
	c.Answers.Interpreter = true
	c.Misses = 0
	if tag != "" {
		if c.Answers.Extra == nil {
			c.Answers.Extra = map[string]string{}
		}
		c.Answers.Extra[InterpreterLanguageField] = tag
	}
	r.add(g.Messages.InterpreterArranged)
	g.enter(&c, &r, g.start)
	r = g.finish(c, r)
	name := ""
	if tag != "" {
		name = core.LanguageName(tag)
	}
	r.Data["InterpreterLanguage"] = name
	return c, r
}

// chooseOtherLanguage takes the reply to Messages.LanguageOtherAsk by
// text: see answerWhichLanguage.
func (f *Flow) chooseOtherLanguage(c Conversation, body string) (Conversation, Reply) {
	return f.answerWhichLanguage(c, body, true)
}

// otherLanguageRetries is how many replies to "which language?" that
// name none are answered by asking again (Messages.LanguageOtherRetry);
// the next goes on in English with an interpreter asked for, so a client
// who cannot name their language is not held at the question.
const otherLanguageRetries = 2

// answerWhichLanguage takes a reply to "which language?" after "Other"
// (StepOtherLanguage). A language Onward writes in, by name or number,
// is chosen as at the languages offered; any other language's name,
// alone or with the words around one ("other - I speak Tigrinya"), is
// recorded for the interpreter (its tag, or, for a name we do not know,
// the name as written, for the adviser: otherLanguageName) and the
// client goes on in English. A reply that names none (a sentence, a
// need, a number) is no language: by text, it is kept for the adviser
// and the question asked again, saying to send the name alone, up to
// otherLanguageRetries times, then the client goes on in English with
// an interpreter asked for and nothing recorded as their language.
// byText is false for a page's answer (AnswerOtherLanguage), which
// cannot be asked again here: it goes on at once.
//
// Self-harm words in a language Onward writes in ("chcę umrzeć") are
// that language's, as at the languages offered: the crisis lines and
// the questions follow in it (crisisLanguage), and nothing is recorded
// for an interpreter. Other crisis words are no language either: after
// the crisis lines, the question again, after self-harm words with the
// invitation to answer it when ready (Messages.CarryOn), with no miss
// counted.
func (f *Flow) answerWhichLanguage(c Conversation, body string, byText bool) (Conversation, Reply) {
	if _, ok := f.pickLanguage(body); ok {
		return f.chooseLanguage(c, body)
	}
	sig := f.DetectCrisis(body)
	if code := f.crisisLanguage(sig, lang.English); code != lang.English {
		return f.startIn(c, code, body, sig)
	}
	g := f.In(lang.English)
	r := Reply{}
	g.noticeCrisis(&c, &r, sig)
	name, tag, ok := f.otherLanguageName(body, sig)
	if !ok && byText {
		c.Answers.addFreeText(body)
		switch {
		case sig.SelfHarm:
			r.add(g.Messages.CarryOn)
			r.add(g.Messages.LanguageOtherAsk)
			return c, g.finish(c, r)
		case sig.Danger:
			r.add(g.Messages.LanguageOtherAsk)
			return c, g.finish(c, r)
		case g.Messages.LanguageOtherRetry != "" && c.Misses < otherLanguageRetries:
			c.Misses++
			r.add(g.Messages.LanguageOtherRetry)
			return c, g.finish(c, r)
		}
	}
	c.Answers.forgetOtherLanguage() // a second answer (on the web's page) replaces the first
	switch {
	case ok && tag == "":
		c.Answers.addFreeText(otherLanguageNote + name)
	case !ok && !byText:
		c.Answers.addFreeText(body) // the page's words, for the adviser: no language's name
	}
	return f.chooseOther(c, r, tag)
}

// Start begins a conversation: the greeting, then the first question.
// opening is the message that started it (it may be empty); it is kept in
// Answers.FreeText for the adviser and checked for crisis words like any
// other message, so a first text about suicide gets the crisis lines at
// once. now is stored as Conversation.Started. A flow in a language other
// than English (a returning client's), or Chosen (English too), starts in
// it without the menu, and so does a first text with self-harm words in a
// language other than the flow's: the crisis lines, the greeting and the
// questions are in the language the words were written in
// (crisisLanguage). So does a first
// text whose answer words say one other language clearly ("dług":
// clearAnswerLanguage), read there as the answer to the first question,
// as at the languages offered; and a first text that names needs firmly
// in English ("I need help with debt and my rent": firmChoices) starts
// in English the same way. Either way the needs taken are said
// (Messages.NeedsKept) in place of their question. A postcode in the
// opening is kept for the postcode question (keepPostcode).
func (f *Flow) Start(now time.Time, opening string) (Conversation, Reply) {
	c := Conversation{Flow: f.ID, Started: now}
	r := Reply{}
	opening = ClipRunes(opening, MaxBodyRunes)
	code, named := f.DetectLanguage(opening)
	if f.Keyword(opening) != KeywordNone || named {
		opening = "" // RESTART, START or a language: not the client's words about their situation
	}
	sig := f.DetectCrisis(opening)
	if !named {
		switch crisis := f.crisisLanguage(sig, f.Lang); {
		case crisis != f.Lang:
			// "chcę umrzeć" as a first text: the crisis lines, and all
			// that follows, in Polish.
			code, named = crisis, true
		case f.languageKnown():
			// A returning client whose language Onward knows (the caller
			// started the flow in it), or who chose it, English included
			// (Chosen): no menu, they can switch by name.
			code, named = f.Lang, true
		}
	}
	if g := f.In(code); !sig.Found() && g.asksToStop(opening) {
		// "Please stop texting me" as a first text (a client who gets
		// reminders): how to stop the texts, and nothing else; a reply
		// after it is read as at the languages offered, or, in a
		// returning client's language, at the first question.
		c.Step = StepLanguage
		if named {
			f.moveLanguage(&c, code)
			c.Step = g.start
		}
		r.add(g.Messages.StopHow)
		return c, g.finish(c, r)
	}
	if !named {
		if words, ok := f.openingLanguage(opening, sig); ok {
			// "dług" as a first text: the greeting in Polish, and the
			// words read there as the answer to the first question, as
			// they would be in reply to the languages offered (startIn);
			// "I need help with debt" the same in English. The crisis
			// lines, if any, come first.
			f.moveLanguage(&c, words)
			g := f.In(words)
			c.Step = g.start
			g.noticeCrisis(&c, &r, sig)
			r.add(g.Messages.Greeting)
			return g.answer(c, r, opening, sig, readFirst)
		}
	}
	g := f
	if named {
		g = f.In(code)
	}
	g.noticeCrisis(&c, &r, sig)
	c.Answers.addFreeText(opening)
	// A postcode in the first text ("KY1 1AB", after STOP and START) is
	// kept, as one sent with any reply before the postcode question is:
	// that question then says which was taken (givenEarly).
	g.keepPostcode(&c.Answers, g.steps[g.start], opening)
	if named {
		// "POLSKI" as a first text: straight to the questions, in Polish.
		f.moveLanguage(&c, code)
		r.add(g.Messages.Greeting)
		g.enter(&c, &r, g.start)
		return c, g.finish(c, r)
	}
	r.add(f.Messages.Greeting)
	r.add(f.Messages.Languages)
	c.Step = StepLanguage
	if r.Data == nil {
		r.Data = map[string]any{}
	}
	r.Data["Languages"] = f.languageMenu() // beside what noticeCrisis put there (WithCrisisLines)
	return c, f.finish(c, r)
}

// chooseLanguage takes the reply to the languages offered by number. A
// reply that picks none is the answer to the first question, in the
// language of the self-harm words in it (crisisLanguage), else in the one
// language whose words it holds (answerLanguage: "dług" is Polish's),
// else in English (replyLanguage).
func (f *Flow) chooseLanguage(c Conversation, body string) (Conversation, Reply) {
	code, ok := f.pickLanguage(body)
	if tag, other := f.pickOther(body); !ok && other {
		if tag == "" {
			// "7", "Other", "Other, I need help with rent": which
			// language? Words besides the choice are kept for the
			// adviser, not taken for a language.
			c.Step, c.Misses = StepOtherLanguage, 0
			r := Reply{}
			f.noticeCrisis(&c, &r, f.DetectCrisis(body))
			if _, number := f.menuNumber(body); !number && f.readLanguageName(body).more {
				c.Answers.addFreeText(body)
			}
			r.add(f.Messages.LanguageOtherAsk)
			return c, f.finish(c, r)
		}
		return f.chooseOther(c, Reply{}, tag)
	}
	if !ok {
		sig := f.DetectCrisis(body)
		if !sig.Found() && bareNumber(body) {
			// A number the languages offered have not ("8" of seven) was
			// meant for the list in front of the client, not as an answer
			// to a question they have not seen ("8" is a need there): the
			// first question is asked, as first asked.
			code = f.replyLanguage(body, sig)
		} else {
			return f.startIn(c, f.replyLanguage(body, sig), body, sig)
		}
	}
	g := f.In(code)
	f.moveLanguage(&c, code)
	r := Reply{}
	g.enter(&c, &r, g.start)
	return c, g.finish(c, r)
}

// startIn moves c to language code and reads body, whose crisis words
// are sig, as the answer to its first question there: the words the
// client wrote at the languages offered (or after "Other") were not a
// language's name, and in code they may already answer it. The client
// has not been shown that question, so words that do not answer it get
// it as first asked (readUnseen).
func (f *Flow) startIn(c Conversation, code, body string, sig CrisisSignal) (Conversation, Reply) {
	f.moveLanguage(&c, code)
	g := f.In(code)
	c.Step, c.Misses = g.start, 0
	return g.readAnswer(c, Reply{}, body, sig, readUnseen)
}

// KeywordChoosesLanguage moves a conversation still at the languages
// offered to language code, as its number would, for a keyword of that
// language alone ("POMOC") sent there: the keyword is answered in code
// and the first question follows in it, as for a first text that is one.
// moved is false, and c unchanged, for a conversation past the languages
// or a language with no words.
func (f *Flow) KeywordChoosesLanguage(c Conversation, code string) (_ Conversation, moved bool) {
	if c.Step != StepLanguage && c.Step != StepOtherLanguage {
		return c, false
	}
	if _, ok := f.cat.Language(code); !ok {
		return c, false
	}
	c.Answers = c.Answers.clone()
	g := f.In(code)
	f.moveLanguage(&c, code)
	c.Misses = 0
	g.enter(&c, &Reply{}, g.start)
	return c, true
}

// switchLanguage moves an open conversation to language code, keeping its
// answers (but those of "Other": moveLanguage), and asks the open
// question again in that language.
func (f *Flow) switchLanguage(c Conversation, code string) (Conversation, Reply) {
	g := f.In(code)
	f.moveLanguage(&c, code)
	c.Misses = 0
	r := Reply{}
	r.add(g.Messages.LanguageSet)
	if c.Step == StepLanguage || c.Step == StepOtherLanguage {
		c.Step = g.start
		g.enter(&c, &r, g.start)
	} else if owed := g.owedQuestion(c.Answers); owed != nil && g.steps[c.Step] != nil {
		// "POLSKI" after the interpreter question was passed in English:
		// it comes now, then the open question again.
		c.Step = owed.id
		g.ask(&c, &r, owed, false)
	} else if st := g.steps[c.Step]; st != nil {
		g.ask(&c, &r, st, false)
	}
	return c, g.finish(c, r)
}

// owedQuestion is a question asked only in a language other than English
// (the interpreter) that the client's way passed while they were texting
// in English, now that they text in another: the first question on their
// way still to answer (walk, the web form's rule) when it is one of
// those; nil when none is owed. A client who moves language after it is
// asked it next, before consent, so the answer depends on the language
// the conversation ends in, not the one it had when the question came.
func (f *Flow) owedQuestion(a Answers) *flowStep {
	if _, next := f.walk(a, core.ChannelSMS); next != nil && next.otherLangs {
		return next
	}
	return nil
}

// Repeat asks the open question again, for after HELP or START. A
// conversation at an end gets what a text after it gets (afterEnd); one whose step no longer
// exists (the flow changed since it was stored) goes back to the start.
func (f *Flow) Repeat(c Conversation) (Conversation, Reply) {
	c.Answers = c.Answers.clone()
	r := Reply{}
	switch st := f.steps[c.Step]; {
	case c.Step == StepLanguage:
		r.add(f.Messages.Languages)
		r.Data = map[string]any{"Languages": f.languageMenu()}
	case c.Step == StepOtherLanguage:
		r.add(f.Messages.LanguageOtherAsk)
	case c.Step == StepDone || c.Step == StepDeclined:
		r.add(f.afterEnd(c.Step, ""))
	case st == nil || !st.asks(core.ChannelSMS):
		c.Misses = 0
		f.enter(&c, &r, f.start)
	default:
		f.ask(&c, &r, st, false)
	}
	return c, f.finish(c, r)
}

// Advance takes the client's reply to the open question and returns the
// updated conversation and what to send. It never fails: a reply it can't
// use gets the step's reprompt, and from the third miss on one step also
// the call-back offer. The callback keyword, sent at any step, records a
// call-back (ContactMethod "call", and the flow's default need if none was
// given yet), asks only for what core still needs (callback.ask in the flow
// file: the name) and goes to consent. Keywords (STOP, HELP, ...) are the
// caller's job, before Advance. c is not modified.
//
// Self-harm words get the crisis lines first, in the language they were
// written in (crisisLanguage): words in another language than the
// conversation's move it to theirs, as texting that language's name
// would, and the reply says so (Messages.LanguageSet) before the question.
func (f *Flow) Advance(c Conversation, body string) (Conversation, Reply) {
	c.Answers = c.Answers.clone()
	r := Reply{}
	if c.Step == StepDone || c.Step == StepDeclined {
		// The answers are gone (core has them, or nothing was shared), so
		// nothing is recorded; but self-harm words still get the crisis
		// lines first, in their language, which later texts are answered
		// in too.
		// Danger words get 999 and the helpline, every time: the words
		// the conversation had are gone with its answers.
		g := f
		sig := f.DetectCrisis(body)
		if sig.SelfHarm || sig.Danger {
			if code := f.crisisLanguage(sig, f.Lang); code != f.Lang {
				g, c.Lang = f.In(code), code
			}
		}
		if sig.SelfHarm {
			r.SelfHarm = true
			r.add(g.Messages.SelfHarm)
		}
		if sig.Danger && g.Messages.Danger != "" {
			r.Danger = true
			r.add(g.Messages.Danger)
			r.Data = map[string]any{"WithCrisisLines": sig.SelfHarm}
		}
		if c.Step == StepDeclined || !(r.SelfHarm || r.Danger) {
			// After a referral the crisis lines stand alone: "we already
			// have your answers, reply RESTART" read cold to someone in
			// crisis (a black-box review). After a refusal the client is
			// still told nothing was sent: no adviser is coming.
			r.add(g.afterEnd(c.Step, body))
		}
		return c, g.finish(c, r)
	}
	body = ClipRunes(body, MaxBodyRunes)
	if code, ok := f.DetectLanguage(body); ok {
		return f.switchLanguage(c, code)
	}
	switch c.Step {
	case StepLanguage:
		return f.chooseLanguage(c, body)
	case StepOtherLanguage:
		return f.chooseOtherLanguage(c, body)
	}
	if code, ok := f.askedLanguage(body); ok {
		return f.switchLanguage(c, code) // "English please", "1 English": a choice, which wins over a language from before
	}
	sig := f.DetectCrisis(body)
	if code := f.crisisLanguage(sig, f.Lang); code != f.Lang {
		f.moveLanguage(&c, code) // and forgets "Other", as texting the language's name would
		c.Misses = 0             // the question is new in this language
		return f.In(code).readAnswer(c, r, body, sig, readMoved)
	}
	return f.readAnswer(c, r, body, sig, readAsked)
}

// questionSeen is what the client has seen of the question a reply is
// read as the answer to.
type questionSeen int

const (
	// readAsked: the open question, asked in the conversation's language.
	readAsked questionSeen = iota
	// readMoved: asked in another language; the reply's self-harm words
	// have just moved the conversation to f's.
	readMoved
	// readUnseen: never asked. The reply came to the languages offered
	// (or to "which language?"), and the first question is read from it:
	// a reply that does not answer it is no wrong answer, so it gets the
	// question as first asked, with no "Sorry" and no miss counted.
	readUnseen
	// readFirst: never asked, as readUnseen, and the reply is the
	// client's first text, which answered nothing: its needs are read
	// firmly (firmChoices: words, not numbers, no guess) and said
	// (Messages.NeedsKept).
	readFirst
)

// unseen reports whether the client was never shown the question.
func (q questionSeen) unseen() bool { return q == readUnseen || q == readFirst }

// readAnswer is Advance's reading of body as the answer to the open
// question, sig being its crisis words; seen says what the client has
// seen of that question.
func (f *Flow) readAnswer(c Conversation, r Reply, body string, sig CrisisSignal, seen questionSeen) (Conversation, Reply) {
	f.noticeCrisis(&c, &r, sig)
	return f.answer(c, r, body, sig, seen)
}

// answer is readAnswer once the crisis words have been noticed: the
// reply so far, r, has the crisis lines for them.
func (f *Flow) answer(c Conversation, r Reply, body string, sig CrisisSignal, seen questionSeen) (Conversation, Reply) {
	if seen == readMoved {
		r.add(f.Messages.LanguageSet)
	}
	st := f.steps[c.Step]
	if st == nil || !st.asks(core.ChannelSMS) { // gone, or never a text's question
		c.Misses = 0
		f.enter(&c, &r, f.start)
		return c, f.finish(c, r)
	}

	if !sig.SelfHarm && f.asksToStop(body) {
		// "Please stop texting me": no answer, and no miss either. Only
		// the keyword alone opts a phone out at the carrier, so the
		// client is told to send it; Onward does not opt them out on
		// words it may have misread.
		r.add(f.Messages.StopHow)
		return c, f.finish(c, r)
	}
	if !sig.Found() && f.Messages.WhoWeAre != "" && f.asksWho(body) {
		// "Who is this?": who we are, then the question again; no
		// answer, and no miss.
		r.add(f.Messages.WhoWeAre)
		if seen.unseen() {
			f.ask(&c, &r, st, false)
		} else {
			f.askAgain(&c, &r, st)
		}
		return c, f.finish(c, r)
	}
	f.keepPostcode(&c.Answers, st, body)
	callback := f.isCallbackWord(body)
	var outcome string
	ok := false
	firstNeeds, moreWords := seen == readFirst && st.kind == AnswerChoiceMulti, false
	switch {
	case callback && st.freeText():
		// The call-back word, not a name or a town.
	case firstNeeds:
		// A first text, which answered no question: needs named firmly
		// by their words, no number and no guess (firmChoices).
		outcome, ok, moreWords = f.applyFirstText(st, &c.Answers, body)
	default:
		outcome, ok = f.apply(st, &c.Answers, body, sig)
	}
	switch {
	case ok:
		if sig.Found() || moreWords {
			c.Answers.addFreeText(body) // "I need help with debt, they took my car": the rest is the adviser's to read
		}
		if firstNeeds {
			f.confirmNeeds(&r, st, c.Answers.Needs)
		}
		c.Answers.answered(st.id, outcome)
		c.Misses = 0
		target := st.target(outcome)
		if c.Answers.Callback && slices.Contains(f.callbackAsk, st.field) {
			target = f.callbackNext(c.Answers)
		}
		f.enter(&c, &r, target)
	case callback:
		c.Answers.Callback = true
		c.Answers.ContactMethod = f.callbackSet
		if len(c.Answers.Needs) == 0 && f.defaultNeed != "" {
			c.Answers.Needs = []core.Need{f.defaultNeed}
		}
		c.Misses = 0
		r.add(f.Messages.CallbackAccepted)
		f.enter(&c, &r, f.callbackNext(c.Answers))
	case sig.SelfHarm || sig.Danger:
		// Words about suicide, self-harm or danger are not a wrong answer: after
		// the crisis lines, no "Sorry, that doesn't look like…" and no
		// miss counted towards the call-back offer. After self-harm
		// words, an invitation to answer when the client is ready, then
		// the question; after danger words alone (999 and the
		// helpline, or nothing new when they had them already), the
		// question itself again, so the client knows what to answer
		// without scrolling back past the helpline; when the words moved
		// the conversation into their language, the question in it.
		// Asked again, consent is its reprompt, which asks for the answer
		// without showing the wording again: the wording shown is the one
		// the answer is bound to. A question never shown is asked as
		// first asked.
		c.Answers.addFreeText(body)
		switch {
		case seen.unseen():
			f.ask(&c, &r, st, false)
		case seen == readMoved || !sig.SelfHarm:
			f.askAgain(&c, &r, st)
		default:
			r.add(f.Messages.CarryOn)
			f.askAgain(&c, &r, st) // not "reply to our last question": a distressed client may not scroll back
		}
	case seen.unseen():
		c.Answers.addFreeText(body)
		f.ask(&c, &r, st, false)
	case f.keepLater(&c.Answers, &r, st, body):
		// "evening" to "text or call?": kept for the time question, said
		// so, and this question asked again; no miss.
		f.askAgain(&c, &r, st)
	default:
		c.Answers.addFreeText(body)
		c.Misses++
		if why := st.missPrompts[f.textMiss(st, body, sig)]; why != "" {
			r.add(why) // "Too many words: …", "Enter your name using letters"
		} else {
			f.ask(&c, &r, st, true)
		}
		if c.Misses >= f.afterMisses {
			r.add(f.Messages.CallbackOffer)
			r.CallbackOffered = true
		}
	}
	return c, f.finish(c, r)
}

// afterEnd is the reply to a text after the conversation ended at step
// (StepDone or StepDeclined): how to stop texts to one that asks
// (asksToStop), else what became of their request: nothing was sent
// after a refusal (Messages.DeclinedAgain), the answers are with us
// after a referral (Messages.Finished).
func (f *Flow) afterEnd(step, body string) string {
	switch {
	case f.asksToStop(body):
		return f.Messages.StopHow
	case step == StepDeclined:
		return f.Messages.DeclinedAgain
	}
	return f.Messages.Finished
}

// noticeCrisis records the crisis words sig found and puts first in the
// reply the crisis lines, for self-harm, and 999 and the domestic abuse
// helpline, for danger words the conversation has not had them for
// (rendered in the reply's language, f's: the caller picks f by
// crisisLanguage). The reply says which kinds of words the message had
// (Reply.SelfHarm, Reply.Danger).
func (f *Flow) noticeCrisis(c *Conversation, r *Reply, sig CrisisSignal) {
	danger := sig.newDanger(c.Answers.CrisisWords) && f.Messages.Danger != ""
	c.Answers.addCrisisWords(sig.Words)
	if sig.Danger && f.Messages.Danger != "" {
		r.Danger = true // whether or not the helpline is given again
	}
	if sig.SelfHarm {
		c.Answers.SelfHarm = true
		r.SelfHarm = true
		r.add(f.Messages.SelfHarm)
	}
	if danger {
		r.add(f.Messages.Danger)
		if r.Data == nil {
			r.Data = map[string]any{}
		}
		r.Data["WithCrisisLines"] = sig.SelfHarm
	}
}

// callbackNext is where a call-back goes: the first step of callback.ask
// whose answer is still missing, then callback.goto (consent).
func (f *Flow) callbackNext(a Answers) string {
	for _, field := range f.callbackAsk {
		if done, _ := hasAnswer(a, field); !done {
			if st := f.fieldStep(field); st != nil {
				return st.id
			}
		}
	}
	return f.callbackTo
}

// hasAnswer reports whether a has an answer for field; ok is false for
// fields whose absence can't be told (yes/no answers) or that don't exist.
func hasAnswer(a Answers, field string) (done, ok bool) {
	switch field {
	case "needs":
		return len(a.Needs) > 0, true
	case "postcode":
		return a.Postcode != "" || a.District != "", true
	case "town":
		return a.Town != "", true
	case "name":
		return a.Name != "", true
	case "contact_method":
		return a.ContactMethod != "", true
	case "contact_time":
		return a.ContactTime != "", true
	}
	return false, false
}

// enter moves to target and asks its question, or ends the conversation.
// A question answered already is passed by its answer, and a question
// owed for the language (owedQuestion) is asked before target.
func (f *Flow) enter(c *Conversation, r *Reply, target string) {
	for st := f.steps[target]; st != nil; st = f.steps[target] {
		if !st.askedOf(core.ChannelSMS, c.Answers) {
			target = st.next // a web-only question (a text's sender is its phone), or not in this language
			continue
		}
		if o, done := c.Answers.Outcomes[st.id]; done {
			target = st.target(o) // answered before an owed question was asked
			continue
		}
		if owed := f.owedQuestion(c.Answers); owed != nil && owed != st {
			target = owed.id
			break
		}
		outcome, early := c.Answers.givenEarly(st)
		if !early {
			break
		}
		c.Answers.answered(st.id, outcome) // the postcode, sent with the answer to an earlier question
		if st.kind == AnswerPostcodeOrUnknown {
			f.confirmPostcode(r, c.Answers.Postcode)
		} // a choice kept early was said when it was kept (keepLater)
		target = st.target(outcome)
	}
	c.Step = target
	switch target {
	case StepDone:
		if c.Answers.Consent != nil && *c.Answers.Consent {
			r.Done = true
			return
		}
		// LoadFlow makes this unreachable; never make a referral without consent.
		c.Step = StepDeclined
		fallthrough
	case StepDeclined:
		r.Declined = true
		r.add(f.Messages.Declined)
	default:
		f.ask(c, r, f.steps[target], false)
	}
}

// confirmPostcode says, in place of the postcode question, which postcode
// was taken from an earlier reply (Messages.PostcodeKept), so a client who
// sees a wrong one knows it was misread.
func (f *Flow) confirmPostcode(r *Reply, postcode string) {
	if f.Messages.PostcodeKept == "" {
		return
	}
	r.add(f.Messages.PostcodeKept)
	if r.Data == nil {
		r.Data = map[string]any{}
	}
	r.Data["Postcode"] = postcode
}

// askAgain adds the open question to the reply again after the crisis
// lines, not after an answer: its question as first asked, without the
// thanks for the answer before it (AskedAgain), or for consent its
// reprompt (see answer).
func (f *Flow) askAgain(c *Conversation, r *Reply, st *flowStep) {
	f.ask(c, r, st, st.kind == AnswerConsent)
	if r.Data == nil {
		r.Data = map[string]any{}
	}
	r.Data["AskedAgain"] = true
}

// ask adds a step's question (or its reprompt) to the reply.
func (f *Flow) ask(c *Conversation, r *Reply, st *flowStep, again bool) {
	if again {
		r.add(st.reprompt)
	} else {
		r.add(st.prompt)
	}
	if st.choices != nil {
		if r.Data == nil {
			r.Data = map[string]any{}
		}
		r.Data["Choices"] = st.choices
	}
	if st.kind == AnswerConsent && (!again || c.Answers.ConsentVersion == "") {
		f.showConsent(&c.Answers)
	}
}

// finish fills the data every template may use.
func (f *Flow) finish(c Conversation, r Reply) Reply {
	if r.Data == nil {
		r.Data = map[string]any{}
	}
	version := c.Answers.ConsentVersion
	if version == "" {
		version = f.consentVersion
	}
	r.Lang = f.Lang
	if _, ok := r.Data["Languages"]; !ok {
		r.Data["Languages"] = []NumberedChoice(nil) // not offered in this reply
	}
	maps.Copy(r.Data, f.keywordKeys) // HELP, RESTART and CALL in the reply's language
	r.Data["ConsentVersion"] = version
	r.Data["Urgent"] = c.Answers.Crisis()
	r.Data["Callback"] = c.Answers.Callback
	r.Data["ContactMethod"] = c.Answers.ContactMethod
	r.Crisis = c.Answers.Crisis()
	return r
}

// apply reads body as an answer to st and, if it is one, records it in a
// and returns the outcome to branch on. On a miss a is untouched.
func (f *Flow) apply(st *flowStep, a *Answers, body string, sig CrisisSignal) (outcome string, ok bool) {
	switch st.kind {
	case AnswerChoiceMulti:
		values, ok := st.parser.parse(body)
		if !ok {
			return "", false
		}
		needs := make([]core.Need, len(values))
		for i, v := range values {
			needs[i] = core.Need(v)
		}
		a.Needs = needs
		return "", true
	case AnswerChoiceOne:
		values, ok := st.parser.parse(body)
		if !ok || len(values) != 1 {
			return "", false
		}
		a.setText(st, values[0])
		return values[0], true
	case AnswerPostcodeOrUnknown:
		if pc, d, ok := parsePostcodeAnswer(body); ok {
			a.Postcode, a.District = pc, d
			return "postcode", true
		}
		if !sig.SelfHarm && saysUnknownIn(f.unknownWords, body) { // "немає сенсу жити" is no "don't know"
			a.Postcode, a.District = "", ""
			return "unknown", true
		}
		return "", false
	case AnswerTown:
		if pc, d, ok := parsePostcodeAnswer(body); ok {
			a.Postcode, a.District = pc, d
			return "postcode", true
		}
		if !sig.SelfHarm && saysUnknownIn(f.unknownWords, body) {
			a.Town = ""
			return "unknown", true
		}
		if sig.Found() {
			return "", false // a sentence about a crisis is not a town
		}
		town, code := f.textAnswer(body, st.minLen, st.maxLen, st.words)
		if code != "" {
			return "", false
		}
		a.Town = town
		return "town", true
	case AnswerYesNo:
		if sig.SelfHarm || sig.Danger {
			// "nie chcę żyć", "I have no reason to live", "nie jestem
			// bezpieczna w domu": about self-harm or danger, not a NO.
			return "", false
		}
		var yes, unsure bool
		switch parseYesNoIn(f.yesNo, body) {
		case answerYes:
			yes = true
		case answerNo:
		case answerUnsure:
			if !st.unsureYes {
				return "", false
			}
			yes, unsure = true, true // when unsure about a crisis, an adviser checks, knowing they were unsure
		default:
			return "", false
		}
		a.markUnsure(st.field, unsure)
		switch {
		case st.extra:
			a.setText(st, map[bool]string{true: "yes", false: "no"}[yes])
		case st.field == "no_food":
			a.NoFood = yes
		case st.field == "losing_home":
			a.LosingHome = yes
		case st.field == "interpreter":
			a.Interpreter = yes
		}
		if yes {
			return "yes", true
		}
		return "no", true
	case AnswerText:
		if sig.Found() {
			return "", false // a sentence about a crisis is not a name
		}
		if st.field == "name" && f.notAName(body) {
			return "", false
		}
		text, code := f.textAnswer(body, st.minLen, st.maxLen, st.words)
		if code != "" {
			return "", false
		}
		a.setText(st, text)
		return "", true
	case AnswerConsent:
		if sig.SelfHarm || sig.Danger {
			// Words about self-harm or danger are no clear answer, even
			// with a yes or no among them ("لا أريد أن أعيش" is "I don't
			// want to live"): the crisis lines, then the question again.
			return "", false
		}
		var yes bool
		switch readYesNo(f.yesNo, body).consent() {
		case answerYes:
			yes = true
		case answerNo:
		default:
			return "", false // consent must be a clear yes or no
		}
		a.Consent = &yes
		if a.ConsentVersion == "" {
			f.showConsent(a)
		}
		if yes {
			return "yes", true
		}
		return "no", true
	}
	return "", false
}
