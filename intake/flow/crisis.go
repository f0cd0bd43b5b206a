package flow

import "strings"

// CrisisSignal is what DetectCrisis found in a message.
type CrisisSignal struct {
	// Words are the crisis phrases found, as the client wrote them but
	// lower-cased and without punctuation ("sheriff officers"), each once,
	// in the order they appear.
	Words []string
	// SelfHarm is set when any of Words is about suicide or self-harm: the
	// reply must carry the Samaritans and NHS 24 numbers at once.
	SelfHarm bool
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
// "self-harm", "Self harm!" and "SELF HARM" all do. A trailing * matches
// word endings ("evict*": evict, evicted, eviction). Negations ("I'm not
// homeless") still match: a coordinator reading a false alarm costs less
// than a missed crisis.
var crisisPhrases = []struct {
	kind    crisisKind
	phrases []string
}{
	{crisisHardship, []string{
		// losing their home
		"evict*", "notice to quit", "notice to leave", "kicked out", "thrown out", "chucked out",
		"repossess*", "lose my home", "losing my home", "lose my house", "losing my house",
		// enforcement
		"bailiff*", "sheriff officer*", "sheriff*", "debt collectors at the door",
		// food
		"no food", "nothing to eat", "not eaten", "havent eaten", "have not eaten",
		"no money for food", "cant afford food", "cannot afford food", "starving",
		// fuel
		"no gas", "no electric", "no electricity", "no heating", "no heat", "no power",
		"no money for gas", "no money for electric", "no money for heating",
		"cant afford heating", "cannot afford heating", "cant heat", "cannot heat",
		"meter has run out", "meter run out", "meter ran out", "run out of gas",
		"run out of electric", "ran out of gas", "ran out of electric", "gas cut off",
		"electric cut off", "electricity cut off", "been cut off",
		// homelessness
		"homeless*", "sleeping rough", "sleep rough", "rough sleeping", "sleeping on the street*",
		"on the streets", "nowhere to live", "no where to live", "nowhere to stay",
		"no where to stay", "nowhere to sleep", "sofa surfing", "sleeping in my car",
		"sleeping in the car",
	}},
	{crisisSelfHarm, []string{
		"suicid*", "kill myself", "killing myself", "end my life", "ending my life", "end it all",
		"take my own life", "take my life", "self harm*", "selfharm*", "harm myself",
		"harming myself", "hurt myself", "hurting myself", "cut myself", "cutting myself",
		"want to die", "wanna die", "better off dead", "no reason to live", "not worth living",
		"overdose", "dont want to be here", "dont want to live", "do not want to live",
	}},
}

var crisisTable = func() *phraseTable[crisisKind] {
	t := &phraseTable[crisisKind]{}
	for _, group := range crisisPhrases {
		for _, s := range group.phrases {
			t.add(s, group.kind)
		}
	}
	return t
}()

// DetectCrisis looks for signs that a client needs help today: eviction,
// bailiffs or sheriff officers, no food, no gas or electricity, homelessness,
// and words about suicide or self-harm. It is case-insensitive and ignores
// punctuation, and it only matches whole words.
func DetectCrisis(text string) CrisisSignal {
	var s CrisisSignal
	toks := answerTokens(ClipRunes(text, MaxBodyRunes))
	crisisTable.scan(toks, func(kind crisisKind, matched []string) {
		w := strings.Join(matched, " ")
		for _, have := range s.Words {
			if have == w {
				return
			}
		}
		s.Words = append(s.Words, w)
		if kind == crisisSelfHarm {
			s.SelfHarm = true
		}
	}, nil)
	return s
}
