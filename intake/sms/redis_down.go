package sms

import (
	"context"
	"log/slog"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// withoutRedis answers a text when Redis, which holds conversations, does
// not answer. STOP, START and HELP still work, as they need only Postgres
// (an opt-out must be honoured whatever is down); anything else gets the
// apology with the helpline, and nothing is written. The outage is logged
// once when it starts and once when a text is claimed again (handleText),
// not a line a text.
func (s *SMS) withoutRedis(ctx context.Context, msg inboundSMS, phone core.Phone, cause error) string {
	s.outages.Failed(s.log, slog.LevelError, partConversations, cause,
		"texts", "STOP, START and HELP answered; anything else gets the apology")
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

// partConversations names the conversation store in the log of its
// outages.
const partConversations = "sms conversations (Redis)"
