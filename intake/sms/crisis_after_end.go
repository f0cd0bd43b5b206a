package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// A client whose conversation ended with a referral may text again, and
// their words may be of self-harm or of danger ("I want to kill myself",
// "my partner hits me"). flow answers them with the crisis lines, and 999
// and the domestic abuse helpline; afterReferral also tells staff, through
// core.RecordCrisisAfterEnd: the coordinators and the agency holding the
// referral are alerted, without the client's words.
//
// The conversation is kept for a day (ConversationTTL). A client who
// texts such words after that starts a new one, which has no referral in
// it; so does any text in a conversation with none (begin and advance).
// Staff are told of it all the same when the phone is the proven phone of
// a client with an open referral: core finds them by the phone
// (RecordCrisisAfterEnd with no reference), and a phone of nobody's, or
// of a client with nothing open, alerts nobody. Only a text flow found
// such words in (flow.Reply.SelfHarm, Danger) costs anything: an
// ordinary text makes no call for this.
//
// A phone that opted out of texts (STOP) gets no reply until START: the
// provider would refuse one (Twilio's error 21610). Its words of
// self-harm or danger are still told to staff the same way
// (tellStaffOptedOut), marked core.CrisisAfterEnd.OptedOut, so every
// alert says Onward could not reply rather than that it sent the lines.
//
// The crisis reply never waits long for that, nor fails because of it:
// core has crisisRecordWait to answer. When PostgreSQL does not answer
// in time, the text's facts (the reference, if any, the phone, the kinds
// of words, the MessageSid; never the words) are held in Redis, sealed,
// and ReplayHeldCrisisTexts records them once it answers (the worker runs
// it with the held opt-outs' replay); core's MessageSid key makes a
// replay of one recorded meanwhile harmless. Only when Redis fails as
// well is the alert lost, and the error log says so.

// crisisRecordWait is how long a crisis text's reply waits for core to
// record it and alert staff before the text is held in Redis instead
// (ReplayHeldCrisisTexts, every few seconds): core answers in
// milliseconds, so this bounds only a PostgreSQL that hangs.
const crisisRecordWait = 2 * time.Second

// afterReferral answers a text after the conversation ended with a
// referral (the state at flow.StepDone; its reference in st.Reference).
// conv and r are flow's reading of it.
//
// A conversation that ended with the client declining (StepDeclined)
// does not come here: no referral stands behind it, so its crisis words
// tell staff only as any text with no referral in its conversation does
// (tellStaffOfCrisis by phone).
func (s *SMS) afterReferral(ctx context.Context, t *smsTurn, st smsState, conv flow.Conversation, r flow.Reply) smsOutcome {
	st.Conv = conv
	o := s.reply(t, r.Templates, r.Data, statePut, &st)
	s.tellStaffOfCrisis(ctx, t, st.Reference, r, &o)
	return o
}

// tellStaffOfCrisis tells staff, through core.RecordCrisisAfterEnd, of a
// text flow found words of self-harm or danger in (r), when it is the
// text of a client with an open referral: the one called reference, or
// with none, the client whose proven phone sent it. o is the text's
// reply, which stands whatever happens here; o.recorded says when
// PostgreSQL (or Redis, holding the text) has it.
func (s *SMS) tellStaffOfCrisis(ctx context.Context, t *smsTurn, reference string, r flow.Reply, o *smsOutcome) {
	if !r.SelfHarm && !r.Danger {
		return
	}
	s.tellStaff(ctx, t, core.CrisisAfterEnd{Reference: reference, Phone: t.phone, SelfHarm: r.SelfHarm, Danger: r.Danger,
		MessageSID: t.msg.SID, At: t.now}, o)
}

// tellStaffOptedOut tells staff, as tellStaffOfCrisis does, of a text
// from a phone that opted out of texts, when flow reads words of
// self-harm or danger in it: no reply goes, so the alert says Onward
// could not reply (core.CrisisAfterEnd.OptedOut). The conversation's
// reference names the client when the state still holds one (STOP drops
// an unfinished conversation, not an ended one), else their phone does.
func (s *SMS) tellStaffOptedOut(ctx context.Context, t *smsTurn, o *smsOutcome) {
	sig := t.flow.DetectCrisis(t.msg.Body)
	if !sig.SelfHarm && !sig.Danger {
		return
	}
	reference := ""
	if t.state != nil {
		reference = t.state.Reference
	}
	s.tellStaff(ctx, t, core.CrisisAfterEnd{Reference: reference, Phone: t.phone, SelfHarm: sig.SelfHarm, Danger: sig.Danger,
		MessageSID: t.msg.SID, At: t.now, OptedOut: true}, o)
}

// tellStaff records c with core, which alerts staff, within crisisWait;
// else it holds c in Redis for ReplayHeldCrisisTexts.
func (s *SMS) tellStaff(ctx context.Context, t *smsTurn, c core.CrisisAfterEnd, o *smsOutcome) {
	rctx, cancel := context.WithTimeout(ctx, s.crisisWait)
	res, err := s.engine.RecordCrisisAfterEnd(rctx, c)
	cancel()
	by := "reference"
	if c.Reference == "" {
		by = "phone"
	}
	if err == nil {
		s.log.Info("sms crisis text after a referral", "sid", t.msg.SID, "by", by, "opted_out", c.OptedOut, "outcome", string(res))
		o.recorded = o.recorded || (res != core.CrisisNotTheirs && res != core.CrisisNoOpenReferral)
		return
	}
	if herr := s.holdCrisisText(context.WithoutCancel(ctx), c); herr != nil {
		s.log.Error("sms crisis text after a referral not recorded nor held: staff were not alerted",
			"sid", t.msg.SID, "by", by, "reference", c.Reference, "opted_out", c.OptedOut, "err", errors.Join(err, herr))
		return
	}
	s.log.Error("sms crisis text after a referral not recorded: held in Redis until PostgreSQL answers",
		"sid", t.msg.SID, "by", by, "reference", c.Reference, "opted_out", c.OptedOut, "err", err)
	o.recorded = true
}

// heldCrisisTextsKey is the Redis hash of crisis texts PostgreSQL has not
// yet recorded: field the MessageSid, value a heldCrisisText sealed with
// the Crypter (it holds the phone).
func heldCrisisTextsKey(keyPrefix string) string { return keyPrefix + "sms:crisis-held" }

// heldCrisisTextField is the Crypter field a held text is sealed for, so
// a value copied under another MessageSid does not open.
func heldCrisisTextField(key, sid string) string { return "redis:" + key + ":" + sid }

// heldCrisisText is what is held of a crisis text: core's input, no words.
// Reference is "" for a text with no referral in its conversation: core
// finds the client by Phone.
type heldCrisisText struct {
	Reference string    `json:"reference"`
	Phone     string    `json:"phone"`
	SelfHarm  bool      `json:"self_harm,omitempty"`
	Danger    bool      `json:"danger,omitempty"`
	At        time.Time `json:"at"`
	// OptedOut: the phone had opted out of texts, so no reply went.
	OptedOut bool `json:"opted_out,omitempty"`
}

// holdCrisisText keeps c in Redis for ReplayHeldCrisisTexts.
func (s *SMS) holdCrisisText(ctx context.Context, c core.CrisisAfterEnd) error {
	raw, err := json.Marshal(heldCrisisText{Reference: c.Reference, Phone: string(c.Phone), SelfHarm: c.SelfHarm, Danger: c.Danger, At: c.At,
		OptedOut: c.OptedOut})
	if err != nil {
		return fmt.Errorf("hold sms crisis text: %w", err)
	}
	key := heldCrisisTextsKey(s.cfg.KeyPrefix)
	sealed, err := s.engine.Crypter().Encrypt(heldCrisisTextField(key, c.MessageSID), string(raw))
	if err != nil {
		return fmt.Errorf("hold sms crisis text: %w", err)
	}
	if err := s.rdb.HSet(ctx, key, c.MessageSID, sealed).Err(); err != nil {
		return fmt.Errorf("hold sms crisis text: %w", err)
	}
	return nil
}

// ReplayHeldCrisisTexts records with core every crisis text (after a
// referral, or with none in its conversation) held in Redis under
// keyPrefix while PostgreSQL did not answer in time
// (core.RecordCrisisAfterEnd, which alerts staff), and forgets each once
// recorded. It returns how many it recorded; on an error the rest stay
// held for the next run. One that does not open is dropped, with an
// error: it never will.
func ReplayHeldCrisisTexts(ctx context.Context, eng *core.Engine, rdb redis.UniversalClient, keyPrefix string) (int, error) {
	key := heldCrisisTextsKey(keyPrefix)
	held, err := rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return 0, fmt.Errorf("read held sms crisis texts: %w", err)
	}
	n := 0
	var errs []error
	for sid, sealed := range held {
		var h heldCrisisText
		raw, err := eng.Crypter().Decrypt(heldCrisisTextField(key, sid), []byte(sealed))
		if err == nil {
			err = json.Unmarshal([]byte(raw), &h)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("open held sms crisis text %s: %w", sid, err))
		} else {
			_, err := eng.RecordCrisisAfterEnd(ctx, core.CrisisAfterEnd{Reference: h.Reference, Phone: core.Phone(h.Phone),
				SelfHarm: h.SelfHarm, Danger: h.Danger, MessageSID: sid, At: h.At, OptedOut: h.OptedOut})
			if err != nil {
				return n, errors.Join(append(errs, err)...)
			}
			n++
		}
		if err := dropIfSame.Run(ctx, rdb, []string{key}, sid, sealed).Err(); err != nil {
			return n, errors.Join(append(errs, fmt.Errorf("forget held sms crisis text: %w", err))...)
		}
	}
	return n, errors.Join(errs...)
}
