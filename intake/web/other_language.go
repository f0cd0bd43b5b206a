package web

import (
	"net/http"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/flow"
)

// A client whose language the form is not written in says which one it
// is on /refer/other-language, a page in simple English: chosen from a
// list of languages by their English names, or typed. Their answer goes
// through the SMS conversation's own reading of a language named after
// "Other" (flow.AnswerOtherLanguage), so both channels record the same
// answers: an interpreter wanted, its language (or the client's words
// for the adviser when they name none we know), and the questions go on
// in English. A language the form is written in, chosen or typed, turns
// the form to it instead, as by text, and forgets the other language
// (flow.ChooseLanguage), as the switcher does.

// pathOtherLanguage is the page for a language the form is not in.
const pathOtherLanguage = "/refer/other-language"

// The page's inputs.
const (
	fieldLanguage     = "language"      // the <select>: a BCP 47 tag from core.InterpreterLanguages
	fieldLanguageName = "language_name" // the language's name as the client types it
)

// maxLanguageNameRunes caps a typed language name: the longest English
// name of a language is under 40 letters.
const maxLanguageNameRunes = 100

// otherLanguageData is what web/other-language shows.
type otherLanguageData struct {
	Languages []core.LanguageChoice
}

func (w *Web) showOtherLanguage(rw http.ResponseWriter, r *http.Request, s *webSession) {
	p := w.otherLanguagePage(r, s)
	if s.Answers.Interpreter {
		p.Form[fieldLanguage] = s.Answers.Extra[flow.InterpreterLanguageField]
	}
	w.render(rw, r, http.StatusOK, "web/other-language", p)
}

func (w *Web) saveOtherLanguage(rw http.ResponseWriter, r *http.Request, s *webSession) {
	code, typed := r.PostForm.Get(fieldLanguage), core.CleanLine(r.PostForm.Get(fieldLanguageName))
	name, errs := w.checkOtherLanguage(code, typed)
	if errs != nil {
		p := w.otherLanguagePage(r, s)
		p.Errors = errs
		p.Form[fieldLanguage], p.Form[fieldLanguageName] = code, typed
		w.render(rw, r, http.StatusBadRequest, "web/other-language", p)
		return
	}
	// The reply to "which language?" by text, read the way it is read
	// there.
	s.Answers = w.flow.AnswerOtherLanguage(s.Answers, name, code)
	next := w.firstMissing(s)
	if next == "" {
		next = pathCheck
	}
	w.savedTo(rw, r, s, next)
}

// checkOtherLanguage is the language the page's inputs name, as the
// client would text it: the chosen language's English name, else the
// words typed. errs says what to fix.
func (w *Web) checkOtherLanguage(code, typed string) (name string, errs []formError) {
	if code != "" {
		langs := core.InterpreterLanguages()
		i := slices.IndexFunc(langs, func(c core.LanguageChoice) bool { return c.Code == code })
		if i < 0 {
			return "", []formError{w.fieldError(fieldLanguage, "invalid")}
		}
		return langs[i].Name, nil
	}
	switch {
	case typed == "":
		return "", []formError{w.fieldError(fieldLanguage, "required")}
	case utf8.RuneCountInString(typed) > maxLanguageNameRunes:
		return "", []formError{w.fieldError(fieldLanguageName, "max")}
	case !slices.ContainsFunc([]rune(typed), unicode.IsLetter):
		return "", []formError{w.fieldError(fieldLanguageName, "letters")} // "7" is no language's name
	}
	return typed, nil
}

// otherLanguagePage is the page in English, whatever language the form
// was in: the client may read none of those. It has no switcher (a page
// only in English); its back link returns to the start page.
func (w *Web) otherLanguagePage(r *http.Request, s *webSession) webPage {
	p := w.page(r, s)
	en, _ := w.cat.Language(lang.English)
	p.Lang = pageLang{Language: en, cat: w.cat}
	p.carryLang = lang.English != w.browserLang(r)
	p.Languages, p.OtherLanguage, p.LangQuery = nil, "", ""
	p.Back = pathStart
	p.Data = otherLanguageData{Languages: core.InterpreterLanguages()}
	return p
}

// interpreterRow is the "check your answers" row of a client who asked
// for an interpreter on the other language page: "Interpreter: Romanian"
// ("Yes" when the words they typed name no language we know). ok is false
// for everyone else; a client in a language the form is written in
// answers the flow's own interpreter question, which has its row.
func (w *Web) interpreterRow(s *webSession, page string) (label, value string, ok bool) {
	a := s.Answers
	if !a.Interpreter || w.cat.Code(a.Language) != lang.English {
		return "", "", false
	}
	label = "Interpreter"
	if st, asked := w.flow.In(page).FieldStep("interpreter"); asked && st.Label != "" {
		label = st.Label
	}
	value = w.cat.Text(page, "words.yes_label")
	if tag := a.Extra[flow.InterpreterLanguageField]; tag != "" {
		value = core.LanguageName(tag)
	}
	return label, value, true
}
