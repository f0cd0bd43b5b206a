package flow

import (
	"regexp"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// The flow is asked on two channels: a conversation by text, one message a
// question (Advance), and the web form, one page a question (Answer). A
// step or a choice can be kept to one channel with `channels:` in the flow
// file; everything else — the questions' order and branches, the choices,
// the parsers, the crisis rules and the consent rule — is the same for
// both, because it is defined once, here and in the flow file.

// Choice is one of a question's choices as the web form offers it.
type Choice struct {
	Value string
	Label string
	// Requires is "phone", "mobile" (a phone that is no landline) or
	// "email" when choosing it needs that contact detail (being texted
	// needs a mobile number), "" otherwise.
	Requires string
}

// webPageRe is a page's name: the last part of /refer/{page}.
var webPageRe = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// errorCodes are the problems a web page can name (see Problem).
// A message a step lacks falls back to its "invalid" one (Message), so
// too_many_words, for a text or town with validate.max_words,
// no_letters, for a text or town with no letter in it ("12345"), and
// unclear, for a text or town that fits but is no name or town ("hi",
// "no": textProblem), are optional.
var errorCodes = []string{"required", "invalid", "unclear", "no_letters", "too_many_words", "phone", "email", "changed", "needs_phone", "needs_mobile", "needs_email"}

// reservedPages are the web form's own pages, which no step may take.
var reservedPages = []string{"new", "check", "done", "text"}

// channels reads a `channels:` list; nil means every channel.
func (c *flowChecker) channels(where string, names []string) []core.Channel {
	if len(names) == 0 {
		return nil
	}
	var out []core.Channel
	for _, n := range names {
		ch := core.Channel(n)
		switch {
		case ch != core.ChannelSMS && ch != core.ChannelWeb:
			c.errorf("%s: channel %q: use sms or web", where, n)
		case slices.Contains(out, ch):
			c.errorf("%s: channel %q listed twice", where, n)
		default:
			out = append(out, ch)
		}
	}
	return out
}

// webStep checks and keeps a step's web page: its name, question, hint and
// error messages. Every step the web asks needs a title and a "required"
// message; types that can refuse an answer for other reasons need those
// messages too, so no client ever sees an empty error.
func (c *flowChecker) webStep(where string, st *flowStep, sf stepFile, pages map[string]string) {
	if !st.asks(core.ChannelWeb) {
		if sf.Web != nil {
			c.errorf("%s: a step not asked on the web takes no web page", where)
		}
		return
	}
	if sf.Web == nil {
		c.errorf("%s: web is missing: the web form needs the page's title and messages", where)
		return
	}
	w := sf.Web
	st.web.page = w.Page
	if st.web.page == "" {
		st.web.page = strings.ReplaceAll(st.id, "_", "-")
	}
	switch {
	case !webPageRe.MatchString(st.web.page):
		c.errorf("%s: web page %q: use lower-case letters, digits and -", where, st.web.page)
	case slices.Contains(reservedPages, st.web.page):
		c.errorf("%s: web page %q is the form's own page", where, st.web.page)
	case pages[st.web.page] != "":
		c.errorf("%s: web page %q is already step %q's", where, st.web.page, pages[st.web.page])
	default:
		pages[st.web.page] = st.id
	}
	id := "flow." + st.id + "."
	st.web.title, st.web.hint = c.word(id+"title", w.Title), c.hint(id+"hint", w.Hint)
	st.web.autocomplete, st.web.unknown = w.Autocomplete, c.word(id+"unknown", w.Unknown)
	st.web.errors = map[string]string{}
	for _, code := range errorCodes {
		if m := c.word(id+"errors."+code, w.Errors[code]); m != "" {
			st.web.errors[code] = m
		}
	}
	for code := range w.Errors {
		if !slices.Contains(errorCodes, code) {
			c.errorf("%s: web errors.%s: the codes are %s", where, code, strings.Join(errorCodes, ", "))
		}
	}
	if st.label == "" {
		st.label = st.web.title
	}
	if st.web.title == "" {
		c.errorf("%s: web title is missing", where)
	}
	need := []string{"required"}
	switch st.kind {
	case AnswerPostcodeOrUnknown, AnswerTown, AnswerText:
		need = append(need, "invalid")
	case AnswerContact:
		need = append(need, "phone", "email")
	case AnswerConsent:
		need = append(need, "changed")
	}
	for _, ch := range st.web.choices {
		codes := []string{"needs_" + ch.Requires}
		switch ch.Requires {
		case "":
			codes = nil
		case "mobile":
			codes = []string{"needs_phone", "needs_mobile"}
		}
		for _, code := range codes {
			if !slices.Contains(need, code) {
				need = append(need, code)
			}
		}
	}
	for _, code := range need {
		if strings.TrimSpace(st.web.errors[code]) == "" {
			c.errorf("%s: web errors.%s is missing", where, code)
		}
	}
	if st.kind == AnswerPostcodeOrUnknown && st.web.unknown == "" {
		c.errorf("%s: web unknown is missing: the words of the \"I do not know\" button", where)
	}
	if st.kind != AnswerPostcodeOrUnknown && st.web.unknown != "" {
		c.errorf("%s: web unknown is only for %s steps", where, AnswerPostcodeOrUnknown)
	}
}

// hint is a step's web hint as word gives it, with no example: a hint
// may give the network's example postcode or town ({{with
// .ExamplePostcode}} For example, {{.}}.{{end}}), which the web fills in
// for each page (Flow.Hint).
func (c *flowChecker) hint(id, inline string) string {
	if !c.cat.Has(c.code, id) && !c.cat.Has(lang.English, id) {
		return inline
	}
	s, err := c.cat.Render(c.code, id, LocalKeys("", AreaExample{}), nil)
	if err != nil {
		c.errorf("%s: %v", id, err)
		return ""
	}
	return s
}

// Hint is the web hint of step id in the flow's language, with the
// network's example postcode and town (AreaExampleOf) where it gives one:
// the page's hint says "For example, PA1 1AB" in the network's own area.
func (f *Flow) Hint(id string, ex AreaExample) string {
	st := f.steps[id]
	if st == nil {
		return ""
	}
	key := "flow." + id + ".hint"
	if !f.cat.Has(f.Lang, key) && !f.cat.Has(lang.English, key) {
		return st.web.hint
	}
	s, err := f.cat.Render(f.Lang, key, LocalKeys("", ex), nil)
	if err != nil { // it rendered at load with the same keys
		return st.web.hint
	}
	return s
}

// knownField reports whether field is one of the answers core has a place
// for (needs, postcode, name, ...).
func knownField(field string) bool {
	for _, at := range answerTypes {
		if slices.Contains(at.fields, field) {
			return true
		}
	}
	return false
}

// Step is one question as a channel shows it. It is a copy: changing it
// changes nothing in the flow.
type Step struct {
	ID    string
	Type  string // AnswerChoiceMulti, AnswerYesNo, ...
	Field string // the answer it fills; also the form input's name
	Label string // short, for "check your answers" and the adviser's notes
	// The web page: /refer/{Page}, its heading, hint, autocomplete token,
	// and (postcode) the words of the "I do not know" link and the page
	// it leads to.
	Page, Title, Hint, Autocomplete, Unknown, UnknownPage string
	Choices                                               []Choice
	// Crisis is true for a crisis question: a yes sends the request to a
	// coordinator first.
	Crisis bool
	MaxLen int // free text
}

func (f *Flow) view(st *flowStep) Step {
	unknownPage := ""
	if t := f.steps[st.target("unknown")]; st.web.unknown != "" && t != nil {
		unknownPage = t.web.page
	}
	return Step{UnknownPage: unknownPage, ID: st.id, Type: st.kind, Field: st.field, Label: st.label,
		Page: st.web.page, Title: st.web.title, Hint: st.web.hint, Autocomplete: st.web.autocomplete,
		Unknown: st.web.unknown, Choices: slices.Clone(st.web.choices),
		Crisis: st.field == "no_food" || st.field == "losing_home", MaxLen: st.maxLen}
}

// Step returns the step with the given id.
func (f *Flow) Step(id string) (Step, bool) {
	st := f.steps[id]
	if st == nil {
		return Step{}, false
	}
	return f.view(st), true
}

// PageStep returns the step the web form shows at /refer/{page}.
func (f *Flow) PageStep(page string) (Step, bool) {
	for _, id := range f.order {
		if st := f.steps[id]; st.asks(core.ChannelWeb) && st.web.page == page {
			return f.view(st), true
		}
	}
	return Step{}, false
}

// Message is the web's words for problem code on a step: its own message
// for the code, else its "invalid", else its "required".
func (f *Flow) Message(stepID, code string) string {
	st := f.steps[stepID]
	if st == nil {
		return ""
	}
	for _, k := range []string{code, "invalid", "required"} {
		if m := st.web.errors[k]; m != "" {
			return m
		}
	}
	return ""
}

// walk follows the client's recorded answers from the start, on channel
// ch: path is every question answered on the way, in order; next is the
// first question on the way still to answer, "" when the path reaches the
// end of the flow.
func (f *Flow) walk(a Answers, ch core.Channel) (path []*flowStep, next *flowStep) {
	id := f.start
	for range len(f.order) + 1 { // the flow has no loops (LoadFlow)
		st := f.steps[id]
		if st == nil {
			return path, nil
		}
		if !st.askedOf(ch, a) {
			id = st.next
			continue
		}
		o, ok := a.Outcomes[st.id]
		if !ok {
			return path, st
		}
		path = append(path, st)
		id = st.target(o)
	}
	return path, nil
}

// Next is the first question on channel ch the client has still to
// answer, given what they answered so far; ok is false when every question
// on their way is answered.
func (f *Flow) Next(a Answers, ch core.Channel) (Step, bool) {
	_, next := f.walk(a, ch)
	if next == nil {
		return Step{}, false
	}
	return f.view(next), true
}

// Previous is the question asked before step id on the client's way, ""
// when id is the first.
func (f *Flow) Previous(a Answers, ch core.Channel, id string) string {
	path, _ := f.walk(a, ch)
	prev := ""
	for _, st := range path {
		if st.id == id {
			return prev
		}
		prev = st.id
	}
	return prev
}

// Row is one answer on "check your answers".
type Row struct {
	Step   Step
	Values []string // what to show, one line each: choice labels, the text typed
}

// Summary lists the client's answers on channel ch in the order asked,
// each with the step that asked it (for its label and page).
func (f *Flow) Summary(a Answers, ch core.Channel) []Row {
	path, _ := f.walk(a, ch)
	rows := make([]Row, 0, len(path))
	for _, st := range path {
		r := Row{Step: f.view(st)}
		label := func(v string) string {
			for _, c := range st.web.choices {
				if c.Value == v {
					return c.Label
				}
			}
			return v
		}
		switch st.kind {
		case AnswerChoiceMulti:
			for _, n := range a.Needs {
				r.Values = append(r.Values, label(string(n)))
			}
		case AnswerChoiceOne:
			r.Values = []string{label(a.text(st))}
		case AnswerPostcodeOrUnknown:
			if a.Outcomes[st.id] == "unknown" {
				r.Values = []string{st.web.unknown}
			} else {
				r.Values = []string{a.Postcode + a.districtOnly()}
			}
		case AnswerTown:
			if a.Outcomes[st.id] == "postcode" {
				r.Values = []string{a.Postcode + a.districtOnly()}
			} else {
				r.Values = []string{a.Town}
			}
		case AnswerYesNo:
			r.Values = []string{f.yesNoLabel(a.Outcomes[st.id])}
		case AnswerText:
			r.Values = []string{a.text(st)}
		case AnswerConsent:
			r.Values = []string{a.ConsentVersion}
		case AnswerContact:
			for _, v := range []string{a.Phone, a.Email} {
				if v != "" {
					r.Values = append(r.Values, v)
				}
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// districtOnly is "" for a full postcode and the district for an answer
// that gave only the district ("KY1"), which Postcode does not hold.
func (a Answers) districtOnly() string {
	if a.Postcode == "" {
		return a.District
	}
	return ""
}

func (f *Flow) yesNoLabel(outcome string) string {
	if outcome == "yes" {
		return f.cat.Text(f.Lang, "words.yes_label")
	}
	return f.cat.Text(f.Lang, "words.no_label")
}

// After is the question that follows step id on the client's way on
// channel ch, given its recorded answer; ok is false when the flow ends
// there (or id is not answered).
func (f *Flow) After(a Answers, ch core.Channel, id string) (Step, bool) {
	st := f.steps[id]
	o, answered := a.Outcomes[id]
	if st == nil || !answered {
		return Step{}, false
	}
	next := st.target(o)
	for range len(f.order) {
		n := f.steps[next]
		if n == nil {
			return Step{}, false
		}
		if n.askedOf(ch, a) {
			return f.view(n), true
		}
		next = n.next
	}
	return Step{}, false
}

// FieldStep is the step that fills an answer field ("name", "contact"),
// for turning core's objection to a field into the question that fixes it.
func (f *Flow) FieldStep(field string) (Step, bool) {
	st := f.fieldStep(field)
	if st == nil {
		return Step{}, false
	}
	return f.view(st), true
}

// Form is a step's answer as its page's inputs show it: the value of each
// input by name, and for choices which are selected. It is the inverse of
// Answer, for showing a page again with what the client said before.
func (f *Flow) Form(a Answers, id string) (values map[string]string, selected map[string]bool) {
	values, selected = map[string]string{}, map[string]bool{}
	st := f.steps[id]
	if st == nil {
		return values, selected
	}
	o, answered := a.Outcomes[id]
	switch st.kind {
	case AnswerChoiceMulti:
		for _, n := range a.Needs {
			selected[string(n)] = true
		}
	case AnswerChoiceOne:
		if v := a.text(st); v != "" {
			selected[v] = true
		}
	case AnswerYesNo:
		if answered {
			values[st.field] = o
		}
	case AnswerText, AnswerTown:
		values[st.field] = a.text(st)
		if st.kind == AnswerTown && o == "postcode" {
			values[st.field] = a.Postcode + a.districtOnly()
		}
	case AnswerPostcodeOrUnknown:
		if o == "postcode" {
			values[st.field] = a.Postcode + a.districtOnly()
		}
	case AnswerContact:
		values["phone"], values["email"] = a.Phone, a.Email
	case AnswerConsent:
		if answered && a.ConsentVersion != "" && a.ConsentVersion == f.consentVersion {
			values[st.field] = "yes"
		}
	}
	return values, selected
}
