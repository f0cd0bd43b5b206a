package flow

import (
	"slices"
	"strconv"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// A client asked which language they speak, at the languages offered or
// after "Other", writes its name with words around it: "I speak
// Tigrinya", "my language is Tigrinya", "Other - Tigrinya" (the choice's
// label echoed back), "Tigrinya please". Those words are not the
// language: what is left once they are off is its name, read as
// core.InterpreterLanguageNamed reads one. A reply that leaves no short
// name ("Other, I need help with rent") names no language, and is never
// recorded as one.

// The English words around a language's name; a language adds its own
// ([words] language_lead_in and language_tail in its message file). A
// client who names a language we have no words in may write the words
// around it in any language ("أتكلم ..."), at a menu in English, so every
// flow reads every language's, with their greetings and thanks (the
// chatter around a name, textWords), and the label of "Other" in each
// ("Other", "Inny", "Eile") as a lead-in.
var (
	englishLanguageLeadIns = []string{"i speak", "i speak in", "i can speak", "i only speak", "i can only speak",
		"i speak only", "we speak", "speak", "speaking", "i talk", "i talk in",
		"my language is", "my language", "the language is", "language is",
		"my first language is", "my main language is", "my mother tongue is", "mother tongue",
		"i need an interpreter in", "i need an interpreter for", "i need an interpreter who speaks",
		"an interpreter in", "an interpreter for", "interpreter in", "interpreter for",
		"it is", "its", "it's", "in",
		// asking to be written to in a language ("can you text me in English")
		"write in", "please write in", "can you write in", "could you write in", "text me in", "please text me in",
		"can you text me in", "reply in", "please reply in", "can you reply in", "can we speak in", "do you speak"}
	englishLanguageTails = []string{"language", "speaker", "speaking", "only", "interpreter", "interpreter please"}
)

// Limits of a language's name as a client writes it: CLDR's longest
// English names run to four words ("Northern Sotho", "Ancient Church
// Slavonic", "language of my village" for one we do not know).
const (
	maxLanguageNameWords = 4
	maxLanguageNameRunes = 40
)

// languageNameWords are the words around a language's name: the English
// ones and every language's of cat, with the label of otherID
// ("conv_language_other", "" when the flow offers no "Other") in every
// language as a lead-in.
func languageNameWords(cat *lang.Catalogue, otherID string) *textWords {
	w := &textWords{}
	for _, l := range []struct {
		t  *phraseTable[bool]
		en []string
		id string
	}{{&w.leadIn, englishLanguageLeadIns, "words.language_lead_in"}, {&w.tail, englishLanguageTails, "words.language_tail"},
		{&w.chatter, englishChatter, "words.chatter"}} {
		words := slices.Clone(l.en)
		for _, lg := range cat.Languages() {
			if lg.Code != lang.English {
				words = append(words, lang.List(cat.Own(lg.Code, l.id))...)
			}
		}
		for _, s := range words {
			l.t.add(s, true)
		}
	}
	if otherID != "" {
		for _, l := range cat.Languages() {
			w.leadIn.add(cat.Text(l.Code, otherID), true)
		}
	}
	return w
}

// otherLabelWords is the label of otherID ("conv_language_other", ""
// when the flow offers no "Other") in every language of cat, as the words
// a reply is read in, each label once; read on every answer, so made once
// with the flow.
func otherLabelWords(cat *lang.Catalogue, otherID string) [][]string {
	if otherID == "" {
		return nil
	}
	var labels [][]string
	for _, l := range cat.Languages() {
		label := answerTokens(cat.Text(l.Code, otherID))
		if len(label) > 0 && !slices.ContainsFunc(labels, func(o []string) bool { return slices.Equal(o, label) }) {
			labels = append(labels, label)
		}
	}
	return labels
}

// languageName is a reply read as a language's name (readLanguageName).
type languageName struct {
	// name is the name as the client wrote it, without the words around
	// it; "" when none is left, or what is left is no short name (too
	// many words, no letters).
	name string
	// other: the reply begins with the label of "Other" ("Other -
	// Tigrinya"), after any greeting.
	other bool
	// more: the reply holds words besides the label and the words around
	// a name ("Other, I need help with rent").
	more bool
}

// readLanguageName reads body as a language's name with the words around
// it (languageNameWords).
func (f *Flow) readLanguageName(body string) languageName {
	w := f.nameWords
	toks := answerTokens(body)
	var out languageName
	i := 0
	for i < len(toks) {
		if _, n, ok := w.chatter.longest(toks, i); ok {
			i += n
			continue
		}
		break
	}
	if i < len(toks) {
		for _, label := range f.otherLabels {
			if i+len(label) <= len(toks) && slices.Equal(toks[i:i+len(label)], label) {
				out.other = true
				break
			}
		}
	}
	from, to := w.around(toks)
	out.more = from < to
	if name, code := w.answer(body, 1, maxLanguageNameRunes, maxLanguageNameWords); code == "" {
		out.name = name
	}
	return out
}

// languageNames are the ways body may name a language: as written, then
// without the words around a name ("I speak Polish": "Polish").
func (f *Flow) languageNames(body string) []string {
	names := []string{body}
	if n := f.readLanguageName(body).name; n != "" && n != body {
		names = append(names, n)
	}
	return names
}

// otherLanguageName reads the reply to "which language?" after "Other"
// as a language Onward has no words in: its tag when core knows its name
// ("Tigrinya", "ትግርኛ", "I speak Tigrinya"); else, for a name we do not
// know ("Sylheti", "language of my village"), the name as written, for
// the adviser. ok is false for words that are no language's name: words
// about a crisis, nothing but the words around a name ("other", "I
// speak"), too many words for a name ("I need help with rent"), no
// letters ("7"), or any word the conversation reads as an answer (a
// need, a yes or no, a keyword: "rent", "help").
func (f *Flow) otherLanguageName(body string, sig CrisisSignal) (name, tag string, ok bool) {
	if sig.Found() {
		return "", "", false
	}
	if tag, ok := f.otherLanguageTag(body); ok {
		return "", tag, true
	}
	name = f.readLanguageName(body).name
	if name == "" || f.holdsAnswerWords(name) {
		return "", "", false
	}
	if _, known := core.InterpreterLanguageNamed(name); known {
		return "", "", false // a language Onward writes in that pickLanguage did not take: no interpreter's
	}
	return name, "", true
}

// holdsAnswerWords reports whether s holds a word that some language's
// conversation reads as an answer or a keyword (answerWordLangs: the
// choices' words, yes and no, "don't know", greetings, HELP).
func (f *Flow) holdsAnswerWords(s string) bool {
	if f.words == nil || f.words.answers == nil {
		return false
	}
	found := false
	f.words.answers.scan(answerTokens(s), func([]string, int, int) { found = true }, nil)
	return found
}

// askedLanguage is the language Onward writes in that body asks for at a
// question: its name with the words said around a language's name ("in
// English", "English please", "I speak Polish": readLanguageName), or
// after its number in the languages offered ("1 English", from a client
// who saw them before). A black-box review's returning Polish client,
// started in Polish, who texted "1 English" or "English please" stayed in
// Polish, their words read as needs ("English" is a word for Learning).
// The name alone is DetectLanguage's; a name inside a longer sentence
// ("I need English classes") asks for nothing.
func (f *Flow) askedLanguage(body string) (code string, ok bool) {
	if code, ok := f.DetectLanguage(body); ok {
		return code, true
	}
	if name := f.readLanguageName(body).name; name != "" && name != body {
		if code, ok := f.DetectLanguage(name); ok {
			return code, true
		}
	}
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	if len(toks) < 2 {
		return "", false
	}
	n, err := strconv.Atoi(toks[0])
	langs := f.cat.Languages()
	if err != nil || n < 1 || n > len(langs) {
		return "", false
	}
	rest := strings.Join(toks[1:], " ")
	if code, ok := f.DetectLanguage(rest); ok && code == langs[n-1].Code {
		return code, true
	}
	return "", false
}
