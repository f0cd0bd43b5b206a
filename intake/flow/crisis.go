package flow

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onward-network/onward/core/lang"
)

// CrisisSignal is what DetectCrisis found in a message.
type CrisisSignal struct {
	// Words are the crisis phrases found, as the client wrote them but
	// lower-cased and without punctuation ("sheriff officers"), each once,
	// in the order they appear.
	Words []string
	// SelfHarm is set when any of Words is about suicide or self-harm: the
	// reply must carry the Samaritans and NHS 24 numbers at once.
	SelfHarm bool
	// selfHarmLangs are the languages whose self-harm phrases were found
	// (message file codes, English's "en"), each once, in the order found;
	// a phrase two languages share names both. Flow.crisisLanguage reads
	// them.
	selfHarmLangs []string
}

// Found reports whether any crisis phrase was found.
func (s CrisisSignal) Found() bool { return len(s.Words) > 0 }

type crisisKind int

const (
	crisisHardship crisisKind = iota + 1
	crisisSelfHarm
)

// Crisis phrases. Matching is on whole words after answerTokens, so
// "skill myself", "pharmacy" and "I know food banks" do not match, and
// "self-harm", "Self harm!" and "SELF HARM" all do; accents are not
// needed ("nie chce zyc" is "nie chcę żyć"). A trailing * matches
// word endings ("evict*": evict, evicted, eviction). Negations ("I'm not
// homeless") still match: a coordinator reading a false alarm costs less
// than a missed crisis.
var crisisPhrases = []struct {
	kind    crisisKind
	phrases []string
}{
	{crisisHardship, []string{
		// losing their home
		"evic*", "notice to quit", "section 21", "getting kicked out", "lose the house", "losing the house",
		"lose our home", "losing our home", "notice to leave", "kicked out", "thrown out", "chucked out",
		"repossess*", "lose my home", "losing my home", "lose my house", "losing my house",
		// enforcement
		"bailiff*", "sheriff officer*", "sheriff*", "debt collectors at the door",
		// food
		"no food", "nothing to eat", "not eaten", "havent eaten", "have not eaten",
		"no money for food", "cant afford food", "cannot afford food", "starving", "starvin",
		"havnt eaten", "havent ate", "not ate", "nothin to eat", "are hungry", "going hungry", "hungry and skint", "im hungry", "food parcel today",
		"cupboards are empty",
		// fuel
		"no gas", "no electric", "no electricity", "no heating", "no heat", "no power",
		"no money for gas", "no money for electric", "no money for heating",
		"cant afford heating", "cannot afford heating", "cant heat", "cannot heat",
		"meter has run out", "meter run out", "meter ran out", "run out of gas",
		"run out of electric", "ran out of gas", "ran out of electric", "gas cut off",
		"electric cut off", "electricity cut off", "been cut off",
		"no leccy", "run out of leccy", "leccy has run out", "leccy run out", "no heatin", "no hot water",
		"no money for the meter", "cant top up", "cannot top up", "electric meter run out",
		// homelessness
		"homeless*", "sleeping rough", "sleep rough", "rough sleeping", "sleeping on the street*",
		"on the streets", "nowhere to live", "no where to live", "nowhere to stay",
		"no where to stay", "nowhere to sleep", "sofa surfing", "sleeping in my car",
		"sleeping in the car", "homless*",
		// danger at home
		"domestic abuse", "domestic violence", "hits me", "hitting me", "hits us", "beats me", "beat me up",
		"beating me", "hurts me", "abusive", "scared to go home", "afraid to go home", "not safe at home",
		"not safe in my home", "unsafe at home", "kill me", "threatening to kill me", "scared of my partner",
		"scared of him", "locked me in", "violent towards me",
	}},
	{crisisSelfHarm, []string{
		"suicid*", "kill myself", "killing myself", "end my life", "ending my life", "end it all",
		"take my own life", "take my life", "self harm*", "selfharm*", "harm myself",
		"harming myself", "hurt myself", "hurting myself", "cut myself", "cutting myself",
		"want to die", "wanna die", "better off dead", "no reason to live", "not worth living",
		"overdose", "dont want to be here", "dont want to live", "do not want to live",
		// inflections, misspellings and text-speak the corpus taught us
		"ending it all", "end it all", "end it tonight", "want it all to end", "kill my self", "killing my self",
		"kill meself", "kil myself", "kms", "sucid*", "suicd*", "suiside*", "dont wanna be here",
		"do not want to be here", "want 2 die", "wish i was dead", "wish i were dead", "better off without me",
		"better off if i was dead", "cant go on", "can not go on", "cannot go on", "no point living",
		"no point in living", "top myself", "topping myself", "hang myself", "hanging myself",
		"dont wanna live", "dont want to wake up", "done with life", "jump off a bridge",
	}},
}

// crisisFillers are ordinary English words a client may put inside a
// self-harm phrase without changing what it says ("I don't really want to
// live", "I want to just die"); each language adds its own
// ([sms_words] fillers). Only self-harm phrases step over them, where a
// miss costs most: inside a hardship phrase one can turn it round ("no,
// just gas" is not "no gas").
var crisisFillers = []string{"really", "just", "even", "actually", "honestly", "truly", "seriously",
	"literally", "totally", "simply", "so", "still", "ever", "anymore"}

// crisisMatcher finds crisis phrases, self-harm ones with ordinary words
// inside them too.
type crisisMatcher struct {
	phrases *phraseTable[*crisisMeaning]
	byKey   map[string]*crisisMeaning // by kind and words: a phrase is one entry, however many languages have it
	between map[string]bool           // words a self-harm phrase may have inside it
}

// crisisMeaning is what a crisis phrase says and whose words it is: the
// languages whose message files list it (lang.English for the phrases
// in Go), so the crisis lines can be sent in the language the client
// wrote in.
type crisisMeaning struct {
	kind  crisisKind
	langs []string
}

// newCrisisMatcher holds the English phrases and fillers; loadSharedWords
// adds every language's.
func newCrisisMatcher() *crisisMatcher {
	m := &crisisMatcher{phrases: &phraseTable[*crisisMeaning]{}, byKey: map[string]*crisisMeaning{}, between: map[string]bool{}}
	m.addBetween(crisisFillers...)
	for _, group := range crisisPhrases {
		for _, s := range group.phrases {
			m.add(s, group.kind, lang.English)
		}
	}
	return m
}

// add adds phrase s of language code.
func (m *crisisMatcher) add(s string, kind crisisKind, code string) {
	p := newMatchPhrase(s)
	if len(p.words) == 0 {
		return
	}
	key := fmt.Sprintf("%d %t %s", kind, p.prefix, strings.Join(p.words, " "))
	if have := m.byKey[key]; have != nil {
		if !slices.Contains(have.langs, code) {
			have.langs = append(have.langs, code)
		}
		return
	}
	if kind == crisisSelfHarm {
		p.between = m.between // shared: fillers added later count too
	}
	v := &crisisMeaning{kind: kind, langs: []string{code}}
	m.byKey[key] = v
	m.phrases.addPhrase(p, v)
}

// addBetween adds words a self-harm phrase may have inside it; every word
// of each ("po prostu") counts on its own.
func (m *crisisMatcher) addBetween(words ...string) {
	for _, w := range words {
		for _, tok := range answerTokens(w) {
			m.between[tok] = true
		}
	}
}

var crisisTable = newCrisisMatcher()

// DetectCrisis looks for signs that a client needs help today: eviction,
// bailiffs or sheriff officers, no food, no gas or electricity, homelessness,
// and words about suicide or self-harm. It is case-insensitive, ignores
// punctuation and accents, and it only matches whole words.
func DetectCrisis(text string) CrisisSignal { return detectCrisisIn(crisisTable, text) }

// detectCrisisIn is DetectCrisis with a matcher's phrases.
func detectCrisisIn(m *crisisMatcher, text string) CrisisSignal {
	var s CrisisSignal
	words := scanWords(ClipRunes(text, MaxBodyRunes), true)
	m.phrases.scan(words.tokens(), func(v *crisisMeaning, from, to int) {
		if v.kind == crisisSelfHarm {
			s.SelfHarm = true
			for _, code := range v.langs {
				if !slices.Contains(s.selfHarmLangs, code) {
					s.selfHarmLangs = append(s.selfHarmLangs, code)
				}
			}
		}
		if w := words.said(from, to); !slices.Contains(s.Words, w) {
			s.Words = append(s.Words, w)
		}
	}, nil)
	return s
}

// crisisLanguage is the language to answer self-harm words in, for a
// client whose conversation (or web page) is in language current: the
// language the words were written in, so a client who texts "chcę umrzeć"
// reads the crisis lines in Polish, whatever language the conversation
// was in, and the conversation goes on in Polish (the client can text
// another language's name to switch again). The rule, for the words of
// one message:
//
//   - any self-harm words of current's own language keep current: the
//     client wrote in it ("I want to die, chcę umrzeć" in English stays
//     English);
//   - else the language of the first self-harm words that are not
//     English's: the crisis lines are never in a language the client did
//     not write in;
//   - English words alone never move a client out of the language they
//     chose: every language's conversation reads English words, and
//     clients mix them in ("suicidal" in a Polish text);
//   - a phrase two languages share counts as each.
//
// Without self-harm words, or in a flow with no other languages, it is
// current.
func (f *Flow) crisisLanguage(sig CrisisSignal, current string) string {
	own := current
	if own == "" {
		own = lang.English // a conversation's "" is English
	}
	if !sig.SelfHarm || slices.Contains(sig.selfHarmLangs, own) {
		return current
	}
	for _, code := range sig.selfHarmLangs {
		if code != lang.English && f.family[code] != nil {
			return code
		}
	}
	return current
}
