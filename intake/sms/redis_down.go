package sms

import (
	"context"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// withoutRedis answers a text when Redis, which holds conversations, does
// not answer. STOP, START and HELP still work, as they need only Postgres
// (an opt-out must be honoured whatever is down); anything else gets the
// apology with the helpline, and nothing is written.
func (s *SMS) withoutRedis(ctx context.Context, msg inboundSMS, phone core.Phone, cause error) string {
	s.log.Error("sms conversation store unavailable", "sid", msg.SID, "err", cause)
	m := s.flow.Messages
	name := m.Unavailable
	switch msg.keyword(s.flow) {
	case flow.KeywordStop:
		if err := s.engine.OptOut(ctx, phone, "sms"); err != nil {
			s.log.Error("record sms opt-out", "sid", msg.SID, "err", err)
			return s.apology(ctx, m.Unavailable)
		}
		name = m.Stop
	case flow.KeywordStart:
		if err := s.engine.OptIn(ctx, phone); err != nil {
			s.log.Error("record sms opt-in", "sid", msg.SID, "err", err)
			return s.apology(ctx, m.Unavailable)
		}
		name = m.Start
	case flow.KeywordHelp:
		name = m.Help
	}
	return s.apology(ctx, name)
}
