package flow

import (
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/onward-network/onward/core"
)

// Problem is why a web answer was not taken: the input to fix, a code, and
// the flow file's words for it.
type Problem struct {
	Field   string // the input's name: the step's answer field, or phone/email
	Code    string // required, invalid, unclear, phone, email, changed, needs_phone, ...
	Message string
}

// emailCheck is go-playground/validator's address rule, the one the staff
// pages and core use too.
var emailCheck = validator.New()

// Answer takes a web page's inputs as the answer to step id, through the
// same parsers and rules a text answer goes through, and records it in a.
// form is the posted form (url.Values): the step's answer field names its
// input; a contact step has "phone" and "email", a consent step "version"
// for the wording it showed. Answering a page that only a branch leads to
// (the town) takes that branch. On a problem a keeps its earlier answer to the step; crisis
// words typed in any box are kept either way, as by text.
func (f *Flow) Answer(a *Answers, id string, form map[string][]string) []Problem {
	st := f.steps[id]
	if st == nil || !st.asks(core.ChannelWeb) {
		return []Problem{{Field: "main", Code: "invalid"}}
	}
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return core.CleanLine(v[0])
		}
		return ""
	}
	problem := func(field, code string) []Problem {
		return []Problem{{Field: field, Code: code, Message: f.Message(id, code)}}
	}
	body := get(st.field)
	sig := f.DetectCrisis(body)
	a.addCrisisWords(sig.Words)
	if sig.SelfHarm {
		a.SelfHarm = true
		// Self-harm words in another language than the page's make it
		// the client's (crisisLanguage, as by text): the next page, and
		// its crisis panel, are in it, and a language given after
		// "Other" is forgotten (ChooseLanguage).
		if code := f.crisisLanguage(sig, f.Lang); code != f.Lang {
			f.ChooseLanguage(a, code)
		}
	}
	next := a.clone()
	f.enterBranch(&next, id)
	var outcome string
	switch st.kind {
	case AnswerChoiceMulti:
		var picked []string
		for _, v := range form[st.field] {
			if !slices.ContainsFunc(st.web.choices, func(c Choice) bool { return c.Value == v }) {
				return problem(st.field, "invalid")
			}
			picked = append(picked, v)
		}
		if len(picked) == 0 {
			return problem(st.field, "required")
		}
		next.Needs = nil
		for _, c := range st.web.choices { // the flow's order, each once
			if slices.Contains(picked, c.Value) {
				next.Needs = append(next.Needs, core.Need(c.Value))
			}
		}
	case AnswerChoiceOne:
		i := slices.IndexFunc(st.web.choices, func(c Choice) bool { return c.Value == body })
		switch {
		case body == "":
			return problem(st.field, "required")
		case i < 0:
			return problem(st.field, "invalid")
		case next.lacks(st.web.choices[i].Requires) != "":
			return problem(st.field, next.lacks(st.web.choices[i].Requires))
		}
		next.setText(st, body)
		outcome = body
	case AnswerPostcodeOrUnknown:
		if body == "" {
			return problem(st.field, "required")
		}
		o, ok := f.apply(st, &next, body, sig)
		if !ok {
			return problem(st.field, "invalid")
		}
		outcome = o
	case AnswerYesNo:
		if body == "" {
			return problem(st.field, "required")
		}
		if body != "yes" && body != "no" {
			return problem(st.field, "invalid")
		}
		outcome, _ = f.apply(st, &next, body, sig)
	case AnswerTown, AnswerText:
		if body == "" {
			return problem(st.field, "required")
		}
		o, ok := f.apply(st, &next, body, sig)
		if !ok {
			return problem(st.field, f.textProblem(st, body, sig))
		}
		outcome = o
	case AnswerConsent:
		if body != "yes" {
			return problem(st.field, "required")
		}
		// The page says which language's words it showed: a client who
		// switched language in another tab since agreed to words other
		// than those this request would record, so is shown them again.
		if get("version") != f.consentVersion || f.consentVersion == "" || get("language") != "" && get("language") != f.Lang {
			return problem(st.field, "changed")
		}
		f.showConsent(&next)
		outcome, _ = f.apply(st, &next, body, sig)
	case AnswerContact:
		phone, email := get("phone"), get("email")
		var ps []Problem
		if phone == "" && email == "" {
			return problem("phone", "required")
		}
		if _, err := core.ParsePhone(phone); phone != "" && err != nil {
			ps = append(ps, problem("phone", "phone")...)
		}
		if email != "" && (utf8.RuneCountInString(email) > 320 || emailCheck.Var(email, "email") != nil) {
			ps = append(ps, problem("email", "email")...)
		}
		if ps != nil {
			return ps
		}
		next.Phone, next.Email = phone, email
	}
	next.answered(id, outcome)
	f.tidy(&next)
	*a = next
	return nil
}

// textProblem is the code for a typed answer to text or town step st
// that apply refused: what is wrong when the client can put it right
// (too_many_words, no_letters: textMiss), "invalid" — whose words name
// the length — only when it is longer than the step takes, and
// "unclear" for anything else that fits (a greeting, "no", words about
// how the client feels), whose words ask for just the name or town
// rather than name a rule the client did not break.
func (f *Flow) textProblem(st *flowStep, body string, sig CrisisSignal) string {
	if code := f.textMiss(st, body, sig); code != "" {
		return code
	}
	if utf8.RuneCountInString(body) > st.maxLen {
		return "invalid"
	}
	return "unclear"
}

// lacks says what the client has not given of the contact detail a
// choice requires ("phone", "mobile": a phone that is no landline, since
// no text reaches one, "email", or "" for none): the error code to show
// ("needs_phone", "needs_mobile", "needs_email"), or "" when nothing is
// missing.
func (a Answers) lacks(detail string) string {
	switch detail {
	case "phone", "mobile":
		phone := strings.TrimSpace(a.Phone)
		if phone == "" {
			return "needs_phone"
		}
		if p, err := core.ParsePhone(phone); detail == "mobile" && err == nil && core.Landline(p) {
			return "needs_mobile"
		}
	case "email":
		if strings.TrimSpace(a.Email) == "" {
			return "needs_email"
		}
	}
	return ""
}

// tidy forgets answers the client's way no longer passes — a question only
// a different answer leads to (the town, once a postcode is given) — and
// choices whose contact detail was taken away, so they are asked again.
// A question not answered yet may still lead anywhere, so what lies beyond
// it is kept.
func (f *Flow) tidy(a *Answers) {
	reach := f.reachable(*a)
	for _, id := range f.order {
		st := f.steps[id]
		if _, ok := a.Outcomes[id]; !ok {
			continue
		}
		if !reach[id] {
			a.forget(st)
			continue
		}
		if st.kind == AnswerChoiceOne {
			v := a.text(st)
			i := slices.IndexFunc(st.web.choices, func(c Choice) bool { return c.Value == v })
			if i >= 0 && a.lacks(st.web.choices[i].Requires) != "" {
				a.forget(st)
			}
		}
	}
}

// enterBranch is for a page reached by a link rather than by an answer —
// the town, from "I do not know my postcode": answering it takes the
// branch that leads to it, and forgets the answer that led elsewhere.
func (f *Flow) enterBranch(a *Answers, id string) {
	reach := f.reachable(*a)
	for _, pid := range f.order {
		if p := f.steps[pid]; p.next == id && reach[pid] {
			return // an ordinary next question, not a branch's
		}
	}
	for _, pid := range f.order {
		p := f.steps[pid]
		for _, o := range slices.Sorted(maps.Keys(p.on)) {
			if p.on[o] != id || !reach[pid] {
				continue
			}
			if got, ok := a.Outcomes[pid]; ok && p.target(got) == id {
				return // already on this branch
			}
			a.forget(p)
			a.answered(pid, o)
			return
		}
	}
}

// reachable lists the steps the client may still pass: following their
// answers, and every way out of a question not answered yet.
func (f *Flow) reachable(a Answers) map[string]bool {
	reach := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		st := f.steps[id]
		if st == nil || reach[id] {
			return
		}
		reach[id] = true
		if o, ok := a.Outcomes[id]; ok {
			visit(st.target(o))
			return
		}
		for _, o := range st.outcomes() {
			visit(st.target(o))
		}
	}
	visit(f.start)
	return reach
}
