package sms

import "github.com/onward-network/onward/core"

// A conversation's own texts stay at Twilio after Onward has their
// answers. Their MessageSids ride in the conversation's state (Texts),
// which every text reads and saves already, so keeping them costs no
// round trip of its own; the self-referral hands them to core, which
// keeps them against the client, and an erasure deletes the texts at
// Twilio (core/client_texts.go). A conversation begun again (RESTART, or
// after it timed out) keeps those of the one it replaces, whose texts the
// same phone sent; one the client declined keeps none, as it keeps none
// of their answers.

// sidLen is the length of a Twilio MessageSid: "SM" (or "MM") and 32 hex
// digits.
const sidLen = 34

// keepText adds a text's MessageSid to the conversation's. Past
// core.MaxConversationTexts the oldest goes, so the state stays small
// however long a client keeps texting. A SID of another length is not
// Twilio's, and would misalign the rest: it is left out.
func (st *smsState) keepText(sid string) {
	if len(sid) != sidLen {
		return
	}
	st.Texts += sid
	if over := len(st.Texts) - core.MaxConversationTexts*sidLen; over > 0 {
		st.Texts = st.Texts[over:]
	}
}

// textSIDs are the MessageSids the conversation kept, oldest first, with
// sid (the text being handled, "" for none) after them.
func (st *smsState) textSIDs(sid string) []string {
	out := make([]string, 0, len(st.Texts)/sidLen+1)
	for i := 0; i+sidLen <= len(st.Texts); i += sidLen {
		out = append(out, st.Texts[i:i+sidLen])
	}
	if sid != "" {
		out = append(out, sid)
	}
	return out
}
