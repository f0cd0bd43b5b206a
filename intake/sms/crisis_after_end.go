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
// The crisis reply never waits for that. When PostgreSQL does not answer,
// the text's facts (the reference, the phone, the kinds of words, the
// MessageSid; never the words) are held in Redis, sealed, and
// ReplayHeldCrisisTexts records them once it answers (the worker runs it
// with the held opt-outs' replay); core's MessageSid key makes a replay
// of one recorded meanwhile harmless. Only when Redis fails as well is
// the alert lost, and the error log says so, naming the reference.

// afterReferral answers a text after the conversation ended with a
// referral (the state at flow.StepDone; its reference in st.Reference).
// conv and r are flow's reading of it.
//
// A conversation that ended with the client declining (StepDeclined)
// does not come here: its crisis words get the crisis lines from flow and
// nothing more, as no referral and no consent stand behind it, so there is
// nobody's referral to tell staff of and nothing may be recorded.
func (s *SMS) afterReferral(ctx context.Context, t *smsTurn, st smsState, conv flow.Conversation, r flow.Reply) smsOutcome {
	st.Conv = conv
	o := s.reply(t, r.Templates, r.Data, statePut, &st)
	danger := r.Danger
	if st.Reference == "" || (!r.SelfHarm && !danger) {
		return o
	}
	c := core.CrisisAfterEnd{Reference: st.Reference, Phone: t.phone, SelfHarm: r.SelfHarm, Danger: danger,
		MessageSID: t.msg.SID, At: t.now}
	res, err := s.engine.RecordCrisisAfterEnd(ctx, c)
	if err == nil {
		s.log.Info("sms crisis text after a referral", "sid", t.msg.SID, "outcome", string(res))
		o.recorded = res != core.CrisisNotTheirs
		return o
	}
	if herr := s.holdCrisisText(context.WithoutCancel(ctx), c); herr != nil {
		s.log.Error("sms crisis text after a referral not recorded nor held: staff were not alerted",
			"sid", t.msg.SID, "reference", st.Reference, "err", errors.Join(err, herr))
		return o
	}
	s.log.Error("sms crisis text after a referral not recorded: held in Redis until PostgreSQL answers",
		"sid", t.msg.SID, "reference", st.Reference, "err", err)
	o.recorded = true
	return o
}

// heldCrisisTextsKey is the Redis hash of crisis texts PostgreSQL has not
// yet recorded: field the MessageSid, value a heldCrisisText sealed with
// the Crypter (it holds the phone).
func heldCrisisTextsKey(keyPrefix string) string { return keyPrefix + "sms:crisis-held" }

// heldCrisisTextField is the Crypter field a held text is sealed for, so
// a value copied under another MessageSid does not open.
func heldCrisisTextField(key, sid string) string { return "redis:" + key + ":" + sid }

// heldCrisisText is what is held of a crisis text: core's input, no words.
type heldCrisisText struct {
	Reference string    `json:"reference"`
	Phone     string    `json:"phone"`
	SelfHarm  bool      `json:"self_harm,omitempty"`
	Danger    bool      `json:"danger,omitempty"`
	At        time.Time `json:"at"`
}

// holdCrisisText keeps c in Redis for ReplayHeldCrisisTexts.
func (s *SMS) holdCrisisText(ctx context.Context, c core.CrisisAfterEnd) error {
	raw, err := json.Marshal(heldCrisisText{Reference: c.Reference, Phone: string(c.Phone), SelfHarm: c.SelfHarm, Danger: c.Danger, At: c.At})
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

// ReplayHeldCrisisTexts records with core every crisis text after a
// referral held in Redis under keyPrefix while PostgreSQL did not answer
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
				SelfHarm: h.SelfHarm, Danger: h.Danger, MessageSID: sid, At: h.At})
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
