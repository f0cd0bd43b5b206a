package flow

import (
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// Origin is what a channel knows about a finished self-referral besides
// the answers: where it came from and the evidence of consent.
type Origin struct {
	Channel        core.Channel // core.ChannelSMS or core.ChannelWeb
	IdempotencyKey string       // "sms:<conversation>" or "web:<submission>"
	Evidence       string       // the consent's evidence: the YES text's MessageSid, the web submission
	Phone          string       // by text, the sender's number; "" takes Answers.Phone
	LeafletCode    string
	ServiceID      core.ServiceID
	ConfirmBySMS   bool // text the reference to the client (core sends it only to a proven phone)
	// PhoneProofSession: the web form session in which a code sent to
	// Answers.Phone may have been typed back (core checks). A text's sender
	// (Phone) is proven by itself.
	PhoneProofSession string
}

// notesMax is core's limit on a referral's notes.
const notesMax = 4000

// SelfReferral is the one mapping of a finished flow to core's
// self-referral, whichever channel asked the questions: the same answers
// give the same needs, place, crisis flag and reasons, contact details and
// consent. A town with no postcode is placed by core's one town lookup.
func (f *Flow) SelfReferral(a Answers, o Origin) core.SelfReferral {
	phone := o.Phone
	if phone == "" {
		phone = a.Phone
	}
	c := core.ClientDetails{
		Name:             a.Name,
		Phone:            phone,
		Email:            a.Email,
		Postcode:         a.Postcode,
		Town:             a.Town,
		Notes:            ClipRunes(strings.Join(f.notes(a), "\n"), notesMax),
		PreferredContact: a.ContactMethod,
		ContactTime:      a.ContactTime,
		Language:         a.Language,
		Interpreter:      a.Interpreter,
		// Any language, apart from the texts' (InterpreterLanguageField).
		InterpreterLanguage: a.Extra[InterpreterLanguageField],
	}
	if a.Postcode == "" {
		c.District = a.District
	}
	// The consent is in the language its words were shown in, which may
	// not be the client's language now (they switched after agreeing).
	// Answers kept from before that was recorded have only the client's.
	consentLang := a.ConsentLanguage
	if consentLang == "" {
		consentLang = a.Language
	}
	return core.SelfReferral{
		IdempotencyKey: o.IdempotencyKey,
		Client:         c,
		Needs:          a.Needs,
		Crisis:         a.Crisis(),
		CrisisReasons:  a.CrisisReasons(),
		Consent: core.ConsentInput{WordingVersion: a.ConsentVersion, Channel: o.Channel, Evidence: o.Evidence,
			Language: consentLang},
		Source:            core.Source(o.Channel),
		LeafletCode:       o.LeafletCode,
		ServiceID:         o.ServiceID,
		ConfirmBySMS:      o.ConfirmBySMS,
		PhoneProven:       o.Phone != "",
		PhoneProofSession: o.PhoneProofSession,
	}
}

// notes are what the adviser reads besides the answers core has fields
// for: answers to the flow's own questions, under their labels, then the
// client's own words the conversation could not use.
func (f *Flow) notes(a Answers) []string {
	f = f.In(lang.English) // advisers read the questions' English labels
	var out []string
	for _, id := range f.order {
		st := f.steps[id]
		if v, ok := a.Extra[st.field]; ok && st.extra && v != "" {
			out = append(out, a.answerShown(st.field, st.label+": "+v))
		}
	}
	return append(out, a.FreeText...)
}
