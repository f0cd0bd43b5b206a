package flow

import (
	"strings"
	"unicode"
)

// Keyword is a control word a client can text at any point. Keywords
// override a running conversation; the caller checks for one before it
// calls Flow.Advance.
//
// Opting out of messages (STOP) is not withdrawing consent to share details:
// a client who texts STOP keeps whatever referral they agreed to, and a
// client who withdraws consent does it through an adviser.
type Keyword int

// The keywords. The STOP and START words are the ones UK carriers and Twilio
// Advanced Opt-Out act on, so our records agree with the carrier's. Those
// networks know only the English words: a client who texts a translation
// ("POMOC", "СТОП", "توقف") is answered and recorded by Onward alone
// (Flow.Keyword), and Twilio does not block later texts to them.
const (
	KeywordNone    Keyword = iota // not a keyword: an answer to the conversation
	KeywordStop                   // stop all texts from the network
	KeywordStart                  // allow texts again after STOP
	KeywordHelp                   // send the help text; the conversation stays where it was
	KeywordRestart                // throw away the conversation and start again
	// KeywordWithdraw is a translation of the network's withdraw keyword
	// (sms_words.withdraw in a message file); the network's own word is
	// core.DataProtection's, and withdrawing by text is on only when the
	// network has set one.
	KeywordWithdraw
)

var keywordWords = map[string]Keyword{
	"STOP":        KeywordStop,
	"STOPALL":     KeywordStop,
	"UNSUBSCRIBE": KeywordStop,
	"CANCEL":      KeywordStop,
	"END":         KeywordStop,
	"QUIT":        KeywordStop,
	"REVOKE":      KeywordStop,
	"OPTOUT":      KeywordStop,
	"START":       KeywordStart,
	"UNSTOP":      KeywordStart,
	"HELP":        KeywordHelp,
	"INFO":        KeywordHelp,
	"RESTART":     KeywordRestart,
}

// String names the keyword for logs and tests.
func (k Keyword) String() string {
	switch k {
	case KeywordStop:
		return "stop"
	case KeywordStart:
		return "start"
	case KeywordHelp:
		return "help"
	case KeywordRestart:
		return "restart"
	case KeywordWithdraw:
		return "withdraw"
	}
	return "none"
}

// DetectKeyword reports which English keyword body is (Flow.Keyword also
// knows every shipped language's). Only a lone keyword counts,
// in any case, with surrounding spaces, punctuation and emoji ignored
// ("Stop.", " help? "): that is how carriers read opt-outs, and it stops a
// sentence like "I can't stop worrying about rent" ending a referral.
func DetectKeyword(body string) Keyword {
	word := strings.TrimFunc(body, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(word) > len("UNSUBSCRIBE") {
		return KeywordNone
	}
	return keywordWords[strings.ToUpper(word)]
}

// ResubscribeYes reports whether body is a lone YES. Twilio's opt-out
// handling on a long code opts a phone back in on START, UNSTOP or YES
// (and answers it itself), so from a phone that opted out Onward reads a
// lone YES as START, to keep its record the carrier's; from any other
// phone YES is an answer to the conversation.
func ResubscribeYes(body string) bool {
	word := strings.TrimFunc(body, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.EqualFold(word, "YES")
}
