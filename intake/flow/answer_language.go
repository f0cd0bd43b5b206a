package flow

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// A reply to the languages offered that picks none may still say which
// language the client writes in: "dług" and "czynsz" are Polish answers,
// and no other language's. Such a reply moves the conversation to that
// language, as its number would (moveLanguage), and is read there as the
// answer to the first question (Flow.replyLanguage). What tells a
// language is its own words, those its message file adds to English's
// (Catalogue.Own), and English's own: the words read as answers by text
// (the choices' labels and synonyms, choiceWords; the yes, no, "not sure" and "don't know" words;
// the greetings and apologies read around a name) and its keywords
// ("pomoc z długami" is Polish by POMOC). A word two languages list
// ("ok", "sorry", "cv", "halo", "salam", "سلام") tells neither, but for
// the spelling of Arabic and Urdu (answerLanguage).

// ownAnswerWordIDs are the message files' lists of a language's own
// answer words besides the choices' words (wordTables and
// newTextWords read them).
var ownAnswerWordIDs = []string{"words.yes", "words.no", "words.unsure", "words.unknown", "words.chatter"}

// answerWordLangs maps the words of every language of the family (cat's,
// in order) to the languages that have each: one, which the word tells,
// or two or more, which it tells only with the spelling's help
// (arabicScriptSpelling).
func answerWordLangs(cat *lang.Catalogue, family map[string]*Flow) *phraseTable[[]string] {
	type word struct {
		p     matchPhrase
		langs []string
	}
	words := map[string]*word{}
	var keys []string // in the order first met, so every load makes the same table
	for _, l := range cat.Languages() {
		f := family[l.Code]
		if f == nil {
			continue
		}
		for _, p := range f.ownWords() {
			key := strings.Join(p.words, " ")
			if p.prefix {
				key += "*"
			}
			w := words[key]
			if w == nil {
				w = &word{p: p}
				words[key] = w
				keys = append(keys, key)
			}
			if !slices.Contains(w.langs, l.Code) {
				w.langs = append(w.langs, l.Code)
			}
		}
	}
	t := &phraseTable[[]string]{}
	for _, key := range keys {
		w := words[key]
		t.addPhrase(w.p, w.langs)
	}
	return t
}

// ownWords are the words that tell f's language: for English every
// answer word its conversation reads by text and its keywords; for
// another language the ones its message file adds to English's.
func (f *Flow) ownWords() []matchPhrase {
	var out []matchPhrase
	if f.Lang == lang.English {
		for _, id := range f.order {
			if st := f.steps[id]; st.parser != nil && st.asks(core.ChannelSMS) {
				for _, p := range phrasesOf(st.parser.synonyms.entries) {
					if len(p.words) != 1 || p.prefix || !sharedAcronyms[p.words[0]] { // "dla" is Polish too
						out = append(out, p)
					}
				}
			}
		}
		out = append(out, phrasesOf(f.yesNo.table.entries)...)
		out = append(out, phrasesOf(f.unknownWords.entries)...)
		out = append(out, phrasesOf(f.textWords().chatter.entries)...)
		for word := range keywordWords {
			out = append(out, newMatchPhrase(word))
		}
		return out
	}
	var words []string
	for _, id := range f.order {
		if st := f.steps[id]; st.parser != nil && st.asks(core.ChannelSMS) {
			for _, v := range st.values {
				cid := "flow." + id + ".choices." + v
				words = append(words, choiceWords(f.Lang, f.cat.Own(f.Lang, cid+".label"),
					lang.List(f.cat.Own(f.Lang, cid+".synonyms")))...)
			}
		}
	}
	var ids []string
	ids = append(ids, ownAnswerWordIDs...)
	for _, ki := range keywordIDs {
		ids = append(ids, ki.id)
	}
	for _, id := range ids {
		words = append(words, lang.List(f.cat.Own(f.Lang, id))...)
	}
	for _, s := range words {
		if p := newMatchPhrase(s); len(p.words) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// phrasesOf are the phrases of a table's entries.
func phrasesOf[V any](entries []phraseEntry[V]) []matchPhrase {
	out := make([]matchPhrase, len(entries))
	for i, e := range entries {
		out[i] = e.p
	}
	return out
}

// answerLanguage is the language whose own words body holds (see
// answerWordLangs), when they are all of that one language: "dług" and
// "czynsz, sorry" are Polish, "debt" and "hi" English, and "hi, dług",
// with the words of two languages, says none, nor do "1", "🙂" or words
// no language lists. Words two languages share say one of them when
// nothing else does and their spelling tells it: "السلام علیکم", with
// Urdu's ی and ک, is Urdu, and "السلام عليكم", with Arabic's ي and ك,
// Arabic (arabicScriptSpelling): the words are read with the letters
// folded together, so both languages list the greeting.
func (f *Flow) answerLanguage(body string) (code string, ok bool) {
	if f.words == nil || f.words.answers == nil {
		return "", false
	}
	var found []string
	var shared [][]string
	f.words.answers.scan(answerTokens(body), func(ls []string, _, _ int) {
		switch {
		case len(ls) > 1:
			shared = append(shared, ls)
		case len(ls) == 1 && !slices.Contains(found, ls[0]):
			found = append(found, ls[0])
		}
	}, nil)
	if len(found) == 0 && len(shared) > 0 {
		spelled := arabicScriptSpelling(body)
		if spelled != "" && !slices.ContainsFunc(shared, func(ls []string) bool { return !slices.Contains(ls, spelled) }) {
			return spelled, true
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// arabicScriptSpelling is the language that the letters of body, in the
// Arabic script, say it is written in: Urdu for Urdu's own letters (ی,
// ک, ے, ہ, ں, ٹ, ڈ, ڑ, ھ, گ, پ, چ) with none of Arabic's own (ي, ك, ة,
// ى), Arabic for the reverse, else "" (neither, or both).
func arabicScriptSpelling(body string) string {
	urdu := strings.ContainsAny(body, "یکےہںٹڈڑھگپچ")
	arabic := strings.ContainsAny(body, "يكةى")
	switch {
	case urdu && !arabic:
		return "ur"
	case arabic && !urdu:
		return "ar"
	}
	return ""
}

// maxWeakRunes is the length of a word too short to say a language by
// itself: "tak", "tha", "han", "ji", "ні" are a yes or a no in one
// language and a typo, a name or a word of another in the next, and
// "tha" from an English speaker moved them to Gaelic.
const maxWeakRunes = 4

// clearAnswerLanguage is answerLanguage when the words say the language
// clearly enough to move a client to it. English is never a move. A
// reply of one short word (maxWeakRunes) says another language only when
// it answers its first question there ("dług", "борг": a need named
// firmly, firmChoices); its yes, no or greeting alone ("tak", "tha",
// "han", "ні") does not. A language's name (DetectLanguage) and a
// keyword of one language alone (KeywordLanguage) are the clear signals
// for a short word, and are read before this.
func (f *Flow) clearAnswerLanguage(body string) (code string, ok bool) {
	code, ok = f.answerLanguage(body)
	if !ok || code == lang.English {
		return code, ok
	}
	if toks := answerTokens(body); len(toks) == 1 && utf8.RuneCountInString(toks[0]) <= maxWeakRunes {
		g := f.In(code)
		st := g.steps[g.start]
		if st == nil || st.kind != AnswerChoiceMulti {
			return "", false
		}
		if values, _ := g.firmChoices(st, body); len(values) == 0 {
			return "", false
		}
	}
	return code, true
}

// replyLanguage is the language a reply to the languages offered that
// picks none is read in, as the answer to the first question (and a
// first text, openingLanguage): the language of the self-harm or danger
// words in it, first (crisisLanguage: the crisis lines are in the
// language the client wrote them in, and English words keep English); else
// the one language whose answer words it holds, when they say it clearly
// (clearAnswerLanguage); else English.
func (f *Flow) replyLanguage(body string, sig CrisisSignal) string {
	if sig.SelfHarm || sig.Danger {
		return f.crisisLanguage(sig, lang.English)
	}
	if code, ok := f.clearAnswerLanguage(body); ok {
		return code
	}
	return lang.English
}
