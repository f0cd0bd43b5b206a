package flow

import (
	"slices"
	"strings"

	"github.com/onward-network/onward/core/lang"
)

// A client who chose "Other" and named their language goes on in English
// with an interpreter asked for. The channel remembers the conversation's
// language for the phone beyond the conversation's own lifetime, so one
// begun again after the last timed out is in it (Chosen); the "Other"
// answer is kept with it (OtherLanguageKept), or the conversation begun
// again would go on in English with no interpreter and no language for
// one, and the client, who chose already, would not be asked again.

// OtherLanguageKept is a client's answer to "which language?" after
// "Other", as kept beside the language remembered for their phone: the
// interpreter's language (its tag), or the note of their words for it.
// Interpreter alone (neither) is a client who could not name one.
type OtherLanguageKept struct {
	Tag  string `json:"tag,omitempty"`
	Note string `json:"note,omitempty"`
}

// KeptOtherLanguage returns the "Other" answer of a conversation in
// language code to keep for a conversation begun again, and whether
// there is one: an interpreter asked for in English is "Other"'s (the
// flow's own interpreter question is asked only in the other languages).
func (a Answers) KeptOtherLanguage(code string) (OtherLanguageKept, bool) {
	if !a.Interpreter || (code != lang.English && code != "") {
		return OtherLanguageKept{}, false
	}
	k := OtherLanguageKept{Tag: a.Extra[InterpreterLanguageField]}
	if i := slices.IndexFunc(a.FreeText, func(s string) bool { return strings.HasPrefix(s, otherLanguageNote) }); i >= 0 {
		k.Note = a.FreeText[i]
	}
	return k, true
}

// KeepOtherLanguage gives c, a conversation begun again after the one
// that recorded k timed out, that "Other" answer: the interpreter, and
// their language or the note of their words for it. Only while c goes
// on in English past the languages offered: a client whose first text
// now named a language Onward writes in chose it instead (ChooseLanguage).
func (f *Flow) KeepOtherLanguage(c *Conversation, k OtherLanguageKept) {
	if c.Lang != lang.English || c.Step == StepLanguage || c.Step == StepOtherLanguage {
		return
	}
	c.Answers.Interpreter = true
	if k.Tag != "" {
		if c.Answers.Extra == nil {
			c.Answers.Extra = map[string]string{}
		}
		c.Answers.Extra[InterpreterLanguageField] = k.Tag
	}
	if strings.HasPrefix(k.Note, otherLanguageNote) && !slices.Contains(c.Answers.FreeText, k.Note) {
		c.Answers.addFreeText(k.Note)
	}
}
