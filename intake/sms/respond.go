package sms

import (
	"context"
	"time"

	"github.com/onward-network/onward/intake/flow"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// smsOutcome is what one text did: the texts to reply with, and what to
// store for the phone's conversation.
type smsOutcome struct {
	texts  []string
	lang   string // the texts' language, for the count of texts sent ("" = English)
	change stateChange
	state  *smsState
	// recorded: something was written to Postgres (an opt-out, an answer,
	// a referral), so the reply stands even if Redis then fails.
	recorded bool
	// optOut is the phone's opt-out answer for the cache: "1", "0", or ""
	// to leave the cache as it is.
	optOut string
	// memo is what to remember of the language for the phone (langMemo).
	memo langMemo
}

// smsTurn is everything one text is handled with, under the phone's lock.
type smsTurn struct {
	ctx     context.Context // the text's request, for the consent wording in the client's language
	msg     inboundSMS
	phone   core.Phone
	now     time.Time
	flow    *flow.Flow     // bound to the current consent wording version, in the conversation's language
	version string         // the current consent wording version
	network core.Network   // the settings the keys were built from
	keys    map[string]any // network keys for templates (shared by texts: read only)
	state   *smsState      // the running conversation, nil if none (or expired)
	expired bool           // a conversation was running but timed out
	// keywordLang: the text is a keyword of one language alone, not
	// English, and nothing else says the client's language (no
	// conversation, none on record), so flow speaks the keyword's.
	keywordLang bool
	// ownLang: flow speaks a language the client's own texts chose (their
	// conversation's, the one remembered from a conversation dropped
	// since, or a keyword's), not their record's or the default.
	ownLang bool
	// keptOther is the "Other" answer of the conversation that timed out
	// (or remembered from it), which one begun again keeps (begin).
	keptOther *flow.OtherLanguageKept
	// keptTexts are the MessageSids of the open conversation that timed
	// out or was begun again (RESTART), which the new one keeps (begin).
	keptTexts string
}

// respond decides what a text means (answer) in the client's language:
// their conversation's, even when it has timed out; else the one
// remembered for the phone (langMemoOf: a running conversation's, or one
// that was dropped, as STOP drops an unfinished one), which is newer than
// their record's; else their record's; else a keyword's own.
func (s *SMS) respond(ctx context.Context, msg inboundSMS, phone core.Phone, c smsClaim) smsOutcome {
	n, w, err := s.settings(ctx)
	if err != nil {
		s.readFailed("sms settings", msg.SID, err)
		return s.faultOutcome(ctx)
	}
	s.readsAnswered(ctx)
	t := &smsTurn{ctx: ctx, msg: msg, phone: phone, now: s.engine.Clock().Now(), flow: s.flow.WithConsentVersion(w.Version),
		version: w.Version, network: n, keys: s.keysFor(n, w, s.areaExample(ctx)), state: c.state}
	ownLang := c.lang // the language the client's own texts last chose
	// chosen: ownLang was chosen in a conversation that timed out. What
	// is remembered for the phone was chosen (langMemoOf remembers only a
	// language a conversation had or a keyword spoke), English included:
	// once Redis has let the conversation itself expire, that is all
	// that is left of the choice.
	chosen := c.lang != ""
	t.keptOther = c.other
	if t.state != nil && t.now.Sub(t.state.Last) > s.cfg.ConversationTTL {
		// Timed out: the conversation goes, the language the client chose
		// in it stays, so the apology and the new start are in it.
		t.expired = t.state.open()
		if t.expired {
			t.keptTexts = t.state.Texts
		}
		if t.expired && t.state.Conv.Lang != "" {
			ownLang = t.state.Conv.Lang
			chosen = t.state.Conv.Step != flow.StepLanguage
			t.keptOther = nil
			if k, ok := t.state.Conv.Answers.KeptOtherLanguage(t.state.Conv.Lang); ok {
				t.keptOther = &k
			}
		}
		t.state = nil
	}
	if t.state != nil {
		if code, ok := t.flow.KeywordLanguage(msg.Body); ok && code != lang.English {
			// "POMOC" at the languages offered picks Polish, as it does as
			// a first text: the help, and the question after it, in Polish.
			if conv, moved := t.flow.KeywordChoosesLanguage(t.state.Conv, code); moved {
				st := *t.state
				st.Conv = conv
				t.state = &st
			}
		}
		t.flow, t.ownLang = t.flow.In(t.state.Conv.Lang), true
	} else if _, ok := s.cat.Language(ownLang); ok {
		t.flow, t.ownLang = t.flow.In(ownLang), true
		if chosen {
			// A language chosen in the conversation that timed out,
			// English included: not the languages offered again.
			t.flow = t.flow.Chosen()
		}
	} else if code, err := s.engine.PhoneLanguage(ctx, phone); err != nil {
		s.readFailed("sms client language", msg.SID, err)
	} else if code != "" {
		// No conversation (it ended, expired or was dropped by STOP): the
		// client's known language answers HELP, START and later texts.
		t.flow = t.flow.In(code)
	} else if code, ok := t.flow.KeywordLanguage(msg.Body); ok && code != t.flow.Lang {
		// Nothing says the client's language but the keyword itself
		// ("СТОП", "POMOC", "توقف"): it is answered in its language.
		t.flow, t.keywordLang, t.ownLang = t.flow.In(code), true, true
	}
	if t.state == nil && c.seen {
		t.expired = true
	}
	s.recordChannel(ctx, t)
	o := s.answer(ctx, t, c)
	if o.change == statePut && o.state.open() {
		o.state.keepText(msg.SID)
	}
	o.memo = langMemoOf(t, c, o)
	return o
}

// langMemoOf is what the text does to the language remembered for the
// phone. A conversation dropped is remembered in the language the client
// last used in it. A running conversation that has a language is
// remembered in it too, beside its state: the state goes when the
// conversation times out (Redis expires it), and a client who comes back
// after that is apologised to and started again in their language, not
// the default. The memo rides on the text's save, so it costs no round
// trip. A finished conversation forgets it (the client's record says
// their language from then on).
func langMemoOf(t *smsTurn, c smsClaim, o smsOutcome) langMemo {
	switch {
	case o.change == stateDrop && t.ownLang && (t.keywordLang || t.state == nil || t.state.Conv.Lang != ""):
		// Not a conversation dropped before any language was chosen:
		// the languages are offered again after it.
		code := t.flow.Lang
		if code == "" {
			code = lang.English
		}
		return langMemo{set: code}
	case o.change == statePut && o.state.open() && o.state.Conv.Lang != "":
		// With the answer to "Other", if any, for a conversation begun
		// again after this one times out (begin).
		m := langMemo{set: o.state.Conv.Lang}
		if k, ok := o.state.Conv.Answers.KeptOtherLanguage(o.state.Conv.Lang); ok {
			m.other = &k
		}
		return m
	case o.change != stateKeep && c.lang != "":
		return langMemo{forget: true}
	}
	return langMemo{}
}

// answer decides what a text means. Keywords come first and override any
// conversation; then an opted-out phone gets no reply (its words of
// self-harm or danger still alert staff: tellStaffOptedOut); then a bare
// digit (or a yes or no, to the contact check) may answer a question
// Onward asked by text (contact check, feedback); anything else is the
// conversation's.
func (s *SMS) answer(ctx context.Context, t *smsTurn, c smsClaim) smsOutcome {
	msg := t.msg
	kw := msg.keyword(t.flow)
	if dp, err := s.engine.DataProtection(ctx); err == nil && dp.WithdrawKeyword != "" &&
		(dp.IsWithdrawKeyword(msg.Body) || kw == flow.KeywordWithdraw) {
		return s.withdraw(ctx, t, c.optOut)
	}
	switch kw {
	case flow.KeywordStop:
		return s.stop(ctx, t)
	case flow.KeywordStart:
		return s.start(ctx, t)
	case flow.KeywordHelp:
		return s.help(ctx, t, c.optOut)
	}
	out, looked, err := s.optedOut(ctx, t, c.optOut)
	if err != nil {
		return s.faultOutcome(ctx)
	}
	if out && flow.ResubscribeYes(msg.Body) {
		return s.start(ctx, t) // as Twilio reads it (flow.ResubscribeYes)
	}
	if out {
		// No texts of any kind until START. Twilio would refuse the
		// reply anyway (error 21610). Words of self-harm or danger are
		// told to staff all the same, saying no reply could go.
		s.log.Info("text from an opted-out phone, not answered", "sid", msg.SID)
		o := smsOutcome{change: stateKeep, optOut: looked}
		s.tellStaffOptedOut(ctx, t, &o)
		return o
	}
	o := s.converse(ctx, t)
	if o.optOut == "" {
		o.optOut = looked
	}
	return o
}

// optedOut reports whether the text's phone opted out of texts, from the
// claim's cached answer (cached) or else Postgres, and the answer to cache
// when Postgres was asked ("" when not). An error is logged.
func (s *SMS) optedOut(ctx context.Context, t *smsTurn, cached string) (out bool, looked string, err error) {
	if cached != "" {
		return cached == "1", "", nil
	}
	if out, err = s.engine.OptedOut(ctx, t.phone); err != nil {
		// A STOP held while PostgreSQL is down counts already.
		if held, herr := s.heldOptOut(ctx, t.phone); herr == nil && held {
			return true, "", nil
		}
		s.readFailed("sms opt-out check", t.msg.SID, err)
		return false, "", err
	}
	if out {
		return true, "1", nil
	}
	return false, "0", nil
}

// converse handles a text from a phone that has not opted out: RESTART,
// an answer to a question asked by text, or the conversation.
func (s *SMS) converse(ctx context.Context, t *smsTurn) smsOutcome {
	msg := t.msg
	if msg.keyword(t.flow) == flow.KeywordRestart {
		if t.state.open() {
			t.keptTexts = t.state.Texts
		}
		t.state, t.expired = nil, false
		return s.begin(ctx, t)
	}
	if !t.state.open() {
		if o, handled := s.answerAwaiting(ctx, t); handled {
			return o
		}
	}
	if t.state == nil {
		return s.begin(ctx, t)
	}
	return s.advance(ctx, t)
}

// reply renders templates into an outcome; a template that fails to
// render (a bug, caught by tests) becomes the apology.
func (s *SMS) reply(t *smsTurn, names []string, data map[string]any, change stateChange, st *smsState) smsOutcome {
	code := t.flow.Lang
	if st != nil && st.Conv.Lang != "" {
		code = st.Conv.Lang // the language the client chose or switched to with this text
	}
	version := t.version
	if st != nil && st.Conv.Answers.ConsentVersion != "" {
		version = st.Conv.Answers.ConsentVersion
	}
	texts, err := s.renderAll(code, names, s.keysIn(t.ctx, t.keys, version, code), data)
	if err != nil {
		s.log.Error("render sms reply", "sid", t.msg.SID, "err", err)
		texts, _ = s.renderAll(code, []string{copyFault}, t.keys, nil)
		return smsOutcome{texts: texts, lang: code, change: stateKeep}
	}
	return smsOutcome{texts: texts, lang: code, change: change, state: st}
}

// faultOutcome apologises and changes nothing: the client sends again.
func (s *SMS) faultOutcome(ctx context.Context) smsOutcome {
	keys, ok := s.apologyKeys(ctx)
	name := copyFault
	if !ok {
		keys, name = map[string]any{}, copyUnavailable
	}
	texts, err := s.renderAll(lang.English, []string{name}, keys, nil)
	if err != nil {
		s.log.Error("render sms apology", "err", err)
	}
	return smsOutcome{texts: texts, change: stateKeep}
}
