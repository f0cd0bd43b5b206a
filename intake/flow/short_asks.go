package flow

import "github.com/onward-network/onward/core/lang"

// Short replies that are no answer to any question, whatever it asked: a
// few words asking for the texts to stop ("please stop", "leave me
// alone"), asking who is texting ("who is this?"), or a keyword with a
// word or two around it ("help me"). A black-box review saw each taken as
// a client's name. They are read only as the whole message: inside a
// sentence the same words may say something else ("how do I stop it",
// "he won't leave me alone", "who is this letter from?").

// englishStopAlone are short English ways of asking the texts to stop,
// beside any language's STOP keyword ("please stop", "no, stop",
// "KONIEC proszę").
var englishStopAlone = []string{"stop it", "stop that", "stop this", "stop now", "just stop", "stop all",
	"leave me alone", "leave me be", "go away", "stop bothering me", "stop bugging me"}

// stopAloneCourtesy are the words around such a reply that change
// nothing in it ("please stop", "stop please", "stop now thanks").
var stopAloneCourtesy = []string{"please", "pls", "plz", "plse", "now", "thanks", "thank you", "thx", "ok", "okay"}

// englishWhoAsks ask who is texting; a language adds its own
// ([words] who_ask in its message file).
var englishWhoAsks = []string{"who is this", "whos this", "who this", "who is that", "who are you", "who r u",
	"who ru", "who are u", "who is it", "whos texting", "who is texting me", "whos texting me", "what is this",
	"whats this", "what is this about", "whats this about", "who is this please", "sorry who is this",
	"who are you please", "who sent this", "who is messaging me", "how did you get my number"}

// defaultWhoWeAreMessage is FlowMessages.WhoWeAre for a flow file that
// names none: the message files' short line about who is texting.
const defaultWhoWeAreMessage = "conv_who_we_are"

// shortAskTables are the whole-message tables of language code: English's
// words and the language's own.
type shortAskTables struct {
	stopAlone *phraseTable[bool] // englishStopAlone
	courtesy  *phraseTable[bool] // stopAloneCourtesy
	whoAsks   *phraseTable[bool] // englishWhoAsks and words.who_ask
}

// newShortAskTables builds them for language code of cat.
func newShortAskTables(cat *lang.Catalogue, code string) *shortAskTables {
	t := &shortAskTables{stopAlone: &phraseTable[bool]{}, courtesy: &phraseTable[bool]{}, whoAsks: &phraseTable[bool]{}}
	for _, s := range englishStopAlone {
		t.stopAlone.add(s, true)
	}
	for _, s := range stopAloneCourtesy {
		t.courtesy.add(s, true)
	}
	who := englishWhoAsks
	if cat != nil && code != lang.English {
		who = append(append([]string{}, who...), lang.List(cat.Own(code, "words.who_ask"))...)
	}
	for _, s := range who {
		t.whoAsks.add(s, true)
	}
	return t
}

// shortAskTables are f's language's tables (nil for a flow not made by
// the loader, which reads none of these).
func (f *Flow) shortAskTables() *shortAskTables {
	if f.words == nil {
		return nil
	}
	return f.words.shortAsks[f.Lang]
}

// stopsAlone reports whether body, as a whole, asks for the texts to stop
// in a few words: a STOP keyword of any language or one of
// englishStopAlone, with nothing else but courtesy words ("please"), the
// language's greetings and thanks (chatter: "proszę") and yes or no words
// ("no, stop"). STOP alone is a keyword, the caller's, and not one of
// these.
func (f *Flow) stopsAlone(body string) bool {
	t := f.shortAskTables()
	if t == nil || f.Keyword(body) != KeywordNone {
		return false
	}
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	if len(toks) == 0 || len(toks) > 8 {
		return false
	}
	stop := false
	for i := 0; i < len(toks); {
		if _, n, ok := t.stopAlone.longest(toks, i); ok {
			stop, i = true, i+n
			continue
		}
		if f.Keyword(toks[i]) == KeywordStop {
			stop, i = true, i+1
			continue
		}
		if _, n, ok := t.courtesy.longest(toks, i); ok {
			i += n
			continue
		}
		if _, n, ok := f.textWords().chatter.longest(toks, i); ok { // "proszę", "hi"
			i += n
			continue
		}
		if _, n, ok := f.yesNo.table.longest(toks, i); ok {
			i += n
			continue
		}
		return false
	}
	return stop
}

// asksWho reports whether body, as a whole, asks who is texting ("who is
// this?", "kto to?"), with any greeting or apology around it.
func (f *Flow) asksWho(body string) bool {
	t := f.shortAskTables()
	if t == nil {
		return false
	}
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	from, to := f.textWords().around(toks)
	if from >= to {
		return false
	}
	_, n, ok := t.whoAsks.longest(toks[from:to], 0)
	return ok && n == to-from
}

// keywordWithCourtesy reports whether body is a keyword of any language
// with a word or two of courtesy or about the client around it ("help
// me", "help please", "restart pls"): no name, and no answer, though not
// the keyword alone the caller acts on.
func (f *Flow) keywordWithCourtesy(body string) bool {
	t := f.shortAskTables()
	if t == nil {
		return false
	}
	toks := answerTokens(ClipRunes(body, MaxBodyRunes))
	if len(toks) < 2 || len(toks) > 4 {
		return false
	}
	kw := false
	for _, tok := range toks {
		switch {
		case f.Keyword(tok) != KeywordNone:
			kw = true
		case tok == "me" || tok == "us":
		default:
			if _, n, ok := t.courtesy.longest([]string{tok}, 0); !ok || n != 1 {
				return false
			}
		}
	}
	return kw
}
