package flow

import "github.com/onward-network/onward/core/lang"

// englishStopAsks are English ways of asking, in a sentence, for the
// texts to stop. Each names the texts or the texting, so "I can't stop
// worrying about rent" is none. A language adds its own
// (words.stop_request in its message file).
var englishStopAsks = []string{
	"stop texting", "stop txting", "stop texting me", "stop sending", "stop sending me",
	"stop messaging", "stop messaging me", "stop contacting me", "stop text", "stop texts",
	"stop txt", "stop txts", "stop sms", "stop messages", "stop the texts", "stop these texts",
	"stop your texts", "stop the messages", "stop these messages", "quit texting",
	"dont text me", "do not text me", "dont txt me", "dont message me", "do not message me",
	"dont contact me", "do not contact me", "no more texts", "no more messages",
	"unsubscribe", "unsubscribe me", "opt out", "opt me out", "remove my number",
	"take me off your list", "take my number off",
}

// stopAskTable is the words that ask for the texts to stop in language
// code: English's and the language's own.
func stopAskTable(cat *lang.Catalogue, code string) *phraseTable[bool] {
	t := &phraseTable[bool]{}
	for _, s := range englishStopAsks {
		t.add(s, true)
	}
	if code != lang.English {
		for _, s := range lang.List(cat.Own(code, "words.stop_request")) {
			t.add(s, true)
		}
	}
	return t
}

// asksToStop reports whether body asks in words for the texts to stop
// ("Please stop texting me", "nie piszcie do mnie więcej"), or is a few
// words that do as a whole ("please stop", "leave me alone": stopsAlone).
// The keyword alone ("STOP") is the caller's, before the flow sees a text.
func (f *Flow) asksToStop(body string) bool {
	if f.stopAsks == nil {
		return false
	}
	found := false
	f.stopAsks.scan(answerTokens(ClipRunes(body, MaxBodyRunes)), func(bool, int, int) { found = true }, nil)
	return found || f.stopsAlone(body)
}
