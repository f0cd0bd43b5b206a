package sms

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/onward-network/onward/intake/flow"

	"github.com/onward-network/onward/core"
)

// begin starts a new conversation with its own id: after an expired one
// with an apology first, and after a picture with no words with a note
// that pictures can't be read; lead, if any, comes before its greeting.
// A first text of self-harm or danger words also tells the staff working
// with the client, if any (tellStaffOfCrisis): the conversation that
// ended with their referral may have timed out.
func (s *SMS) begin(ctx context.Context, t *smsTurn, lead ...string) smsOutcome {
	id, err := s.newRandomID()
	if err != nil {
		s.log.Error("start sms conversation", "sid", t.msg.SID, "err", err)
		return s.reply(t, []string{copyFault}, nil, stateKeep, nil)
	}
	conv, r := t.flow.Start(t.now, t.msg.Body)
	if t.keptOther != nil {
		// Begun again after a conversation that timed out, in which the
		// client chose "Other": the interpreter they asked for stays.
		t.flow.KeepOtherLanguage(&conv, *t.keptOther)
	}
	var names []string
	if t.expired {
		names = append(names, copyExpired)
	}
	if t.mediaOnly() {
		names = append(names, copyMedia)
	}
	names = append(names, lead...)
	names = append(names, t.mediaNote(r)...)
	names = append(names, r.Templates...)
	o := s.reply(t, names, r.Data, statePut, &smsState{ID: id, Conv: conv, Last: t.now, Texts: t.keptTexts})
	s.tellStaffOfCrisis(ctx, t, "", r, &o)
	return o
}

// mediaOnly: a picture or file with no words.
func (t *smsTurn) mediaOnly() bool {
	return t.msg.NumMedia > 0 && strings.TrimSpace(t.msg.Body) == ""
}

// mediaNote is what a reply to a picture or file that came with words
// says of it before the reply r: that the picture could not be opened
// (the words are taken as any text's), so the client does not think an
// adviser will see it. A reply with the crisis lines says nothing of it:
// they come first, and alone.
func (t *smsTurn) mediaNote(r flow.Reply) []string {
	if t.msg.NumMedia == 0 || t.mediaOnly() || r.SelfHarm || r.Danger {
		return nil
	}
	return []string{copyMediaWords}
}

// advance takes the text as the answer to the open question. An empty
// text (or a picture alone) asks the question again without counting a
// miss. When the client says YES to consent, core records the referral.
func (s *SMS) advance(ctx context.Context, t *smsTurn) smsOutcome {
	st := *t.state
	st.Last = t.now
	if strings.TrimSpace(t.msg.Body) == "" {
		conv, r := t.flow.Repeat(st.Conv)
		st.Conv = conv
		names := r.Templates
		if t.mediaOnly() {
			names = append([]string{copyMedia}, names...)
		}
		return s.reply(t, names, r.Data, statePut, &st)
	}
	conv, r := t.flow.Advance(st.Conv, t.msg.Body)
	switch {
	case st.Conv.Step == flow.StepDone:
		// A text after the referral: words of self-harm or danger are
		// also told to staff (crisis_after_end.go).
		return s.afterReferral(ctx, t, st, conv, r)
	case r.Done:
		// The referral this makes carries the crisis words, if any, to
		// the coordinators' triage itself.
		return s.finish(ctx, t, st, conv, r)
	case r.Declined:
		// Nothing is kept: the answers go, only the fact that the
		// conversation ended stays (to answer a later text sensibly).
		st.Conv = flow.Conversation{Flow: conv.Flow, Step: conv.Step, Started: conv.Started, Lang: conv.Lang}
		st.Texts = ""
	default:
		st.Conv = conv
	}
	// No referral in this conversation: words of self-harm or danger are
	// told to the staff working with the client, if any, found by the
	// phone (crisis_after_end.go).
	o := s.reply(t, append(t.mediaNote(r), r.Templates...), r.Data, statePut, &st)
	s.tellStaffOfCrisis(ctx, t, "", r, &o)
	return o
}

// finish records the referral with core, once per conversation (the
// conversation id is the idempotency key), with this text's MessageSid as
// the evidence of consent, and answers with the reference, how many
// working days to wait before calling and who will be in touch
// (flow.DoneKeys). If core fails the conversation stays
// at the consent question, so the client's next YES tries again.
func (s *SMS) finish(ctx context.Context, t *smsTurn, st smsState, conv flow.Conversation, r flow.Reply) smsOutcome {
	in := t.flow.In(conv.Lang).SelfReferral(conv.Answers, flow.Origin{Channel: core.ChannelSMS,
		IdempotencyKey: "sms:" + st.ID, Evidence: t.msg.evidence(), Phone: string(t.phone)})
	// The client's texts go with their referral, so that erasing them
	// deletes the texts at Twilio; the state keeps them no longer.
	in.MessageSIDs = st.textSIDs(t.msg.SID)
	res, err := s.engine.SelfRefer(ctx, in)
	if err != nil {
		var ve *core.ValidationError
		if errors.As(err, &ve) {
			fields := make([]string, len(ve.Fields))
			for i, f := range ve.Fields {
				fields[i] = f.Field
			}
			s.log.Error("sms self-referral refused by core", "sid", t.msg.SID, "fields", strings.Join(fields, ","))
		} else {
			s.log.Error("sms self-referral", "sid", t.msg.SID, "err", err)
		}
		return s.reply(t, []string{copyFault}, nil, stateKeep, nil)
	}
	s.log.Info("sms self-referral recorded", "sid", t.msg.SID, "referral", int64(res.Referral.ID),
		"triage", res.Agency == nil, "crisis", in.Crisis, "replayed", res.Replayed)
	data := maps.Clone(r.Data)
	maps.Copy(data, flow.DoneKeys(res, t.network))
	// A client no local service could take is told a coordinator will
	// say where to get help, not that a local service will be in touch.
	names := append(append([]string{}, r.Templates...), t.flow.DoneMessage(res, conv.Answers.Callback))
	// The answers are in Postgres now, encrypted; Redis keeps only the end.
	st.Conv = flow.Conversation{Flow: conv.Flow, Step: flow.StepDone, Started: conv.Started, Lang: conv.Lang}
	st.Reference, st.Texts = res.Referral.Reference, ""
	o := s.reply(t, names, data, statePut, &st)
	o.recorded = true
	return o
}
