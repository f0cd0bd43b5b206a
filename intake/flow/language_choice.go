package flow

import (
	"slices"
	"strings"

	"github.com/onward-network/onward/core/lang"
)

// A client chooses the language they are texted (or shown the form) in
// at the languages offered, by texting a language's name later, or with
// the web form's switcher; and self-harm words written in one of them
// move the conversation to it (crisisLanguage), as do words of one of
// them alone sent to the languages offered (answerLanguage). "Other" is a choice too:
// a language Onward has no words in, for which an interpreter is asked
// for (chooseOther). The rule for what one choice does to the other
// lives here, once, for both channels and for every move (moveLanguage,
// ChooseLanguage).

// otherLanguageNote starts the note kept for the adviser when a client
// answers "which language?" with words that name no language we know.
const otherLanguageNote = "Language, for the interpreter: "

// ChooseLanguage records that the client chose code, a language Onward
// writes in. A client who had said after "Other" that they speak a
// language Onward has no words in, and now chooses one it has, no longer
// needs the other: the interpreter's language, the note of their words
// for it and the interpreter it asked for are forgotten, so staff are not
// told to book a Romanian interpreter for a client writing in Polish. An
// answer to the flow's own interpreter question (asked in the languages
// other than English) is the client's answer for the language they chose,
// and stands.
func (f *Flow) ChooseLanguage(a *Answers, code string) {
	a.Language = code
	a.forgetOtherLanguage()
	a.Interpreter = false
	if st := f.fieldStep("interpreter"); st != nil {
		if o, answered := a.Outcomes[st.id]; answered {
			a.Interpreter = o == "yes"
		}
	}
}

// moveLanguage moves conversation c to language code, a language Onward
// writes in: the one way a conversation changes language, whether the
// client chose it (a number at the languages offered, a language's name
// texted, a keyword of it there), wrote its words there (answerLanguage)
// or wrote self-harm words in it (crisisLanguage). Either way the client
// now reads code, so ChooseLanguage's rule goes with every move: "Other"
// is forgotten.
func (f *Flow) moveLanguage(c *Conversation, code string) {
	c.Lang = code
	f.ChooseLanguage(&c.Answers, code)
}

// Chosen is f for a client whose own texts chose its language, English
// included: a number or a language's name at the languages offered, or
// words that moved them to it, in this conversation or in the one before
// it that timed out or was dropped (the SMS edge remembers its language).
// Start then begins in that language without the languages offered, as
// for a returning client whose record names a language other than
// English. English is every client's language until they choose, so a
// flow in English that is not Chosen offers the languages: the one
// definition of "English was chosen" (languageKnown), so that a client
// who chose English is never treated as one who chose nothing. Call it
// last: In and WithConsentVersion give the family's flows, not chosen.
func (f *Flow) Chosen() *Flow {
	if f.chosen {
		return f
	}
	g := *f
	g.chosen = true
	return &g
}

// languageKnown reports whether f's language is the client's own, not
// the default: chosen (Chosen), or a language other than English, which
// only a choice or the client's record gives.
func (f *Flow) languageKnown() bool {
	return f.chosen || (f.Lang != "" && f.Lang != lang.English)
}

// SaidOtherLanguage reports whether a holds an answer to "which
// language?" after "Other": a language for the interpreter, or the
// client's words for one. ChooseLanguage forgets it, even when the
// language chosen is the one the client already reads (English, which
// "Other" goes on in): a channel that can tell such a choice from a
// page merely kept in its language (the web's switcher) asks this to
// know whether the choice changes anything.
func (a Answers) SaidOtherLanguage() bool {
	return a.Extra[InterpreterLanguageField] != "" ||
		slices.ContainsFunc(a.FreeText, func(s string) bool { return strings.HasPrefix(s, otherLanguageNote) })
}

// forgetOtherLanguage drops what a client's answer to "which language?"
// recorded besides the interpreter wanted: the language's tag and the
// note of their words.
func (a *Answers) forgetOtherLanguage() {
	delete(a.Extra, InterpreterLanguageField)
	a.FreeText = slices.DeleteFunc(a.FreeText, func(s string) bool { return strings.HasPrefix(s, otherLanguageNote) })
}

// AnswerOtherLanguage takes the answer to "which language?"
// (StepOtherLanguage) given on a page rather than by text: words name
// the language as the client would text it, and are read as that text
// is (answerWhichLanguage). A language Onward writes in is chosen
// (ChooseLanguage); any other language's name is recorded for the
// interpreter, and the client goes on in English; other words are kept
// for the adviser (not as a language: a page is not asked again here),
// and an interpreter is asked for all the same, but for self-harm words
// in a language Onward writes in, which move the answers to it.
// tag, when the client picked the language from a list
// (core.InterpreterLanguages), is the one recorded for the interpreter:
// two languages can share an English name ("Kurdish"). It returns the
// answers as that text would leave them; a is not modified.
func (f *Flow) AnswerOtherLanguage(a Answers, words, tag string) Answers {
	c := Conversation{Flow: f.ID, Lang: lang.English, Step: StepOtherLanguage, Answers: a.clone()}
	c, _ = f.In(lang.English).answerWhichLanguage(c, ClipRunes(words, MaxBodyRunes), false)
	if tag != "" && c.Answers.Interpreter && c.Answers.Extra[InterpreterLanguageField] != "" {
		c.Answers.Extra[InterpreterLanguageField] = tag
	}
	return c.Answers
}
