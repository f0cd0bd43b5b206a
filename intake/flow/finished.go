package flow

import "time"

// Finished is the conversation of a client whose self-referral was
// recorded on another channel (the web form), as the SMS channel keeps a
// conversation of its own that ended with a referral: at StepDone, in
// language code (English for a code the flow has no words in), holding
// none of the answers (core has them) but the consent wording version
// the client agreed to, in whose words later replies name the network's
// details. A text from the client is then answered as one after their
// referral (Advance): the crisis lines for words of self-harm, how to
// stop texts to one who asks, or that their answers are with us; not the
// greeting of a new request.
func (f *Flow) Finished(now time.Time, code, consentVersion string) Conversation {
	if f.cat == nil {
		code = ""
	} else if _, ok := f.cat.Language(code); !ok {
		code = "" // English
	}
	return Conversation{Flow: f.ID, Lang: code, Step: StepDone, Started: now,
		Answers: Answers{ConsentVersion: consentVersion}}
}
