package flow

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onward-network/onward/core/lang"
)

// defaultDangerMessage is FlowMessages.Danger for a flow file that names
// none: the message files' words for 999 and Scotland's Domestic Abuse
// and Forced Marriage Helpline.
const defaultDangerMessage = "conv_danger"

// CrisisSignal is what DetectCrisis found in a message.
type CrisisSignal struct {
	// Words are the crisis phrases found, as the client wrote them but
	// lower-cased and without punctuation ("sheriff officers"), each once,
	// in the order they appear.
	Words []string
	// SelfHarm is set when any of Words is about suicide or self-harm: the
	// reply must carry the Samaritans and NHS 24 numbers at once.
	SelfHarm bool
	// Danger is set when any of Words says the client is in danger from
	// someone (abuse at home, threats, violence, forced marriage): the
	// reply must carry 999 and the domestic abuse helpline at once.
	Danger bool
	// danger are the Words that set Danger, so a conversation is given
	// the helpline again only for words it has not had it for.
	danger []string
	// urgentLangs are the languages whose self-harm or danger phrases
	// were found (message file codes, English's "en"), each once, in the
	// order found; a phrase two languages share names both.
	// Flow.crisisLanguage reads them.
	urgentLangs []string
}

// Found reports whether any crisis phrase was found.
func (s CrisisSignal) Found() bool { return len(s.Words) > 0 }

// newDanger reports whether s has danger words that are not among had, a
// conversation's crisis words so far: the helpline is given once in a
// conversation, and again only when the client writes of danger in new
// words ("he hits me", later "he raped me"), which may be a new danger.
func (s CrisisSignal) newDanger(had []string) bool {
	return slices.ContainsFunc(s.danger, func(w string) bool { return !slices.Contains(had, w) })
}

type crisisKind int

const (
	crisisHardship crisisKind = iota + 1
	crisisSelfHarm
	crisisDanger
	// crisisNone are phrases that hold a crisis phrase but say something
	// else ("hit me up", "end things with him"): the longest match wins,
	// so one of these, found first, hides the crisis phrase inside it.
	crisisNone
)

// urgent reports whether phrases of kind k are answered at once, in the
// client's language (crisisLanguage), and may have ordinary words inside
// them (crisisFillers).
func (k crisisKind) urgent() bool { return k == crisisSelfHarm || k == crisisDanger }

// Crisis phrases. Matching is on whole words after answerTokens, so
// "skill myself", "pharmacy" and "I know food banks" do not match, and
// "self-harm", "Self harm!" and "SELF HARM" all do; accents are not
// needed ("nie chce zyc" is "nie chcę żyć"). A trailing * matches
// word endings ("evict*": evict, evicted, eviction); one with a trailing
// $ is found only where a sentence or clause ends (ordinary words may
// follow it), for the words that alone say "I can't any more" but start
// ordinary sentences too ("не можу більше$": "не можу більше,
// допоможіть", not "не можу більше чекати"). Negations ("I'm not
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
		// put out of home by someone: not (only) violence
		"kicked me out", "threw me out", "thrown me out", "chucked me out",
	}},
	{crisisDanger, append([]string{
		"domestic abuse", "domestic violence", "hits me", "hitting me", "hits us", "beats me", "beat me up",
		"beating me", "hurts me", "abusive", "scared to go home", "afraid to go home", "not safe at home",
		"not safe in my home", "unsafe at home", "kill me", "threatening to kill me", "locked me in",
		"violent towards me",
		// what was done, in any tense: "hit me" alone reads as violence
		// (see crisisNone for "hit me up" and "it hit me"), "hurt me" and
		// threats only after someone (doneBy)
		"hit me", "beat me", "beaten me", "beaten up", "been beaten", "punched me", "kicked me", "slapped me",
		"strangled me", "strangles me", "choked me", "chokes me", "attacked me", "assaulted me", "sexually assaulted",
		"sexual assault", "rape", "raped", "rapes", "raping", "abused me", "abuses me", "abusing me", "been abused",
		"financial abuse", "economic abuse", "coercive control*", "controlling partner", "controlling husband",
		"controlling boyfriend", "stalking me", "being stalked", "threatened to hurt me", "threatening to hurt me",
		"threatens to hurt me", "wont let me leave the house", "wont let me out", "keeps me locked in",
		"with a knife", "has a knife", "pulled a knife",
		// fear and safety
		"scared of him", "afraid of him", "frightened of him", "terrified of him", "scared of her", "afraid of her",
		"dont feel safe at home", "do not feel safe at home", "dont feel safe in my home", "not safe with him",
		"dont feel safe with him", "feel unsafe at home", "fear for my life", "scared for my life",
		"in danger",
		// forced marriage, and asking for the help there is
		"forced marriage", "forced to marry", "forcing me to marry", "force me to marry", "making me marry",
		"womens aid", "womens refuge", "a refuge",
		// what someone will do, and fear of it ("he'll" is "hell" once
		// its apostrophe goes)
		"hell hurt me", "hell kill me", "hell hit me", "hell beat me", "hell batter me",
		"scared of what he will do", "afraid of what he will do", "scared what he will do", "afraid what he will do",
		"scared of what he might do", "afraid of what he might do", "scared what hell do", "afraid what hell do",
		"scared he will find out", "afraid he will find out", "terrified he will find out", "scared hell find out",
		"afraid hell find out", "scared he finds out", "afraid he finds out",
	}, doneBy(
		[]string{"hit me", "hurt me", "hurting me", "threatened me", "threatening me", "threatens me",
			"harassing me", "pushed me", "grabbed me",
			// threats of what is to come (a review's misses: "he will
			// hurt me if he finds out", "my husband will hurt me")
			"will hurt me", "will hit me", "will beat me", "will batter me", "will hurt us", "will hurt my kids",
			"will hurt the kids", "will hurt my children", "will hurt the children", "would hurt me",
			"going to hurt me", "gonna hurt me", "going to hit me", "gonna hit me", "going to beat me",
			"gonna beat me", "wants to hurt me",
			// watching the client's phone ("please dont text, he reads my
			// phone"): a text from us may be seen by them
			"reads my phone", "reads my texts", "reads my messages", "reading my phone", "reading my texts",
			"reading my messages", "checks my phone", "checks my texts", "checks my messages", "checking my phone",
			"checking my texts", "checking my messages", "goes through my phone", "going through my phone",
			"looks through my phone", "monitors my phone", "tracks my phone", "tracking my phone"},
		[]string{"scared of my", "afraid of my", "frightened of my", "terrified of my", "hit by my", "hurt by my",
			"threatened by my", "attacked by my", "abused by my"})...)},
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
		// a review's misses ("honestly i dont want to be alive anymore",
		// "life isnt worth living", "nobody would miss me if i was gone")
		// and their kin
		"dont want to be alive", "do not want to be alive", "dont wanna be alive", "dont want to exist",
		"do not want to exist", "wish i wasnt alive", "wish i wasnt here", "wish i was never born",
		"wish i had never been born", "wish i could die", "want to be dead", "wanna be dead",
		"isnt worth living", "aint worth living", "no longer worth living", "life isnt worth it",
		"life is not worth it", "lifes not worth it", "life aint worth it", "not worth living for",
		"whats the point in living", "whats the point of living", "what is the point of living",
		"what is the point in living", "no point to living",
		"tired of living", "tired of life", "sick of living", "sick of life", "fed up with life", "fed up of life",
		"fed up of living", "had enough of life", "done with it all",
		"end things", "ending things", "end everything", "ending everything", "want to end it", "wanna end it",
		"going to end it", "gonna end it", "want to end it all", "wanna end it all", "going to end it all",
		"gonna end it all", "thinking of ending it", "thinking about ending it",
		"nobody would miss me", "no one would miss me", "noone would miss me", "nobody will miss me",
		"no one will miss me", "nobody would care if i died", "no one would care if i died",
		"if i was gone", "if i were gone", "if i wasnt here anymore", "if i wasnt around anymore",
		"hope i dont wake up", "hope i never wake up", "sleep and never wake up", "sleep and not wake up",
		"cant do this anymore", "cant do this any more", "cannot do this anymore", "cannot do this any more",
		"can not do this anymore", "cant do it anymore", "cant do it any more", "cant take it anymore",
		"cant take it any more", "cant take this anymore", "cannot take it anymore", "cant cope anymore",
		"cant cope any more", "cannot cope anymore", "cant carry on like this", "cannot carry on like this",
		"cant carry on anymore", "cant keep going like this",
		// how: pills, trains, heights, ropes
		"take all my pills", "taking all my pills", "took all my pills", "take all of my pills",
		"taking all of my pills", "took all of my pills", "take all my tablets", "taking all my tablets", "took all my tablets", "take all my meds",
		"took all my meds", "take all the pills", "took all the pills", "swallow all my pills",
		"take a load of pills", "took a load of pills", "take the whole bottle", "pills to end it",
		"in front of a train", "in front of a bus", "in front of a lorry", "in front of a car",
		"in front of traffic", "under a train", "under a bus", "throw myself", "jump off the bridge",
		"jump off a building", "jump off the roof", "jump off a cliff", "jump off the balcony",
		"jumping off a bridge", "jumping off the bridge", "drown myself", "gas myself", "poison myself",
		"shoot myself", "stab myself", "slit my wrists", "slash my wrists", "cut my wrists", "burn myself",
		"hurt my self", "harm my self", "have a rope", "got a rope", "bought a rope", "rope ready",
		"rope round my neck", "rope around my neck", "noose",
	}},
	{crisisNone, []string{
		// "hit me": news, bills, realising, being in touch
		"hit me up", "hit me back", "hit me hard", "it hit me", "its hit me", "that hit me", "this hit me", "reality hit me",
		"hit me for", "hit me with a fine", "hit me with a bill", "hit me with charge*", "hit me with fees",
		"beat me to it", "kicked me off",
		// living somewhere, figures of speech
		"tired of living in", "tired of living with", "tired of living here", "sick of living in",
		"sick of living with", "sick of living here", "fed up of living in", "fed up of living with",
		"fed up of living here", "isnt worth living in", "not worth living in", "aint worth living in",
		"throw myself into", "me under a bus", "me under the bus", "thrown under a bus",
		"in front of a bus stop", "in front of a bus station", "in front of a train station", "in front of a car park",
		// ending a relationship, contract or tenancy
		"end things with", "ending things with", "end it with", "ending it with", "want to end it with",
		"wanna end it with", "going to end it with", "gonna end it with", "end everything with",
		// a rope swing, the danger of losing something
		"have a rope swing", "got a rope swing", "in danger of",
	}},
	// Someone who reads the client's texts for them, or to them (a son
	// whose English is better), or checks a bill, is no danger.
	{crisisNone, doneBy([]string{"reads my texts for me", "reads my messages for me", "reads my phone for me",
		"checks my phone for me", "checks my texts for me", "checks my messages for me", "reads my texts to me",
		"reads my messages to me", "reading my texts for me", "reading my messages for me",
		"checks my phone bill", "checking my phone bill", "reads my phone bill", "checks my phone contract"}, nil)},
}

// doneBy is every phrase that is someone ("he", "partner") and one of
// acts ("hit me"), and every one of fears ("scared of my") and someone
// named by who they are to the client ("partner"). Words like "is" and
// "has" may come between (crisisFillers): "my ex is threatening me"; a
// name may stand after who they are: "my ex Tam is threatening me".
func doneBy(acts, fears []string) []string {
	pronouns := []string{"he", "she", "hes", "shes"}
	people := []string{"partner", "boyfriend", "girlfriend", "husband", "wife", "ex", "dad", "stepdad", "father",
		"mum", "mother", "son", "brother", "fiance", "fiancee"}
	var out []string
	for _, act := range acts {
		for _, who := range pronouns {
			out = append(out, who+" "+act)
		}
		for _, who := range people {
			out = append(out, who+"+ "+act)
		}
	}
	for _, fear := range fears {
		for _, who := range people {
			out = append(out, fear+" "+who)
		}
	}
	return out
}

// crisisFillers are ordinary English words a client may put inside a
// self-harm or danger phrase without changing what it says ("I don't
// really want to live", "I want to just die", "he has hit me"); each
// language adds its own ([sms_words] fillers). Only those phrases step
// over them, where a miss costs most: inside a hardship phrase one can
// turn it round ("no, just gas" is not "no gas").
var crisisFillers = []string{"really", "just", "even", "actually", "honestly", "truly", "seriously",
	"literally", "totally", "simply", "so", "still", "ever", "anymore",
	// "my ex is threatening me", "he has hit me", "he keeps threatening me"
	"is", "has", "had", "was", "keeps", "always"}

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
	key := fmt.Sprintf("%d %t %t %s", kind, p.prefix, p.end, strings.Join(p.words, " "))
	if have := m.byKey[key]; have != nil {
		if !slices.Contains(have.langs, code) {
			have.langs = append(have.langs, code)
		}
		return
	}
	if kind != crisisHardship {
		// Shared: fillers added later count too. The phrases that hide
		// an urgent one step over them as it does ("it really hit me").
		p.between = m.between
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
// words about suicide or self-harm, and danger from someone (abuse at home,
// violence, threats, forced marriage). It is case-insensitive, ignores
// punctuation and accents, and it only matches whole words.
func DetectCrisis(text string) CrisisSignal { return detectCrisisIn(crisisTable, text) }

// detectCrisisIn is DetectCrisis with a matcher's phrases.
func detectCrisisIn(m *crisisMatcher, text string) CrisisSignal {
	var s CrisisSignal
	words := scanWords(ClipRunes(text, MaxBodyRunes), true)
	m.phrases.scanIn(words.tokens(), words.clauseEnds(), func(v *crisisMeaning, from, to int) {
		if v.kind == crisisNone {
			return
		}
		w := words.said(from, to)
		switch v.kind {
		case crisisSelfHarm:
			s.SelfHarm = true
		case crisisDanger:
			s.Danger = true
			if !slices.Contains(s.danger, w) {
				s.danger = append(s.danger, w)
			}
		}
		if v.kind.urgent() {
			for _, code := range v.langs {
				if !slices.Contains(s.urgentLangs, code) {
					s.urgentLangs = append(s.urgentLangs, code)
				}
			}
		}
		if !slices.Contains(s.Words, w) {
			s.Words = append(s.Words, w)
		}
	}, nil)
	return s
}

// crisisLanguage is the language to answer self-harm or danger words in
// (the urgent ones, the reply to which goes at once: "self-harm words"
// below), for a client whose conversation (or web page) is in language
// current: the
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
// Without self-harm or danger words, or in a flow with no other
// languages, it is current.
func (f *Flow) crisisLanguage(sig CrisisSignal, current string) string {
	own := current
	if own == "" {
		own = lang.English // a conversation's "" is English
	}
	if len(sig.urgentLangs) == 0 || slices.Contains(sig.urgentLangs, own) {
		return current
	}
	for _, code := range sig.urgentLangs {
		if code != lang.English && f.family[code] != nil {
			return code
		}
	}
	return current
}
