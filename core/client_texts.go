package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The texts a client sent Onward stay at Twilio, body and phone number
// with them, until the account deletes them. Onward keeps their
// MessageSids against the client (the client_texts table) so that
// erasing the client deletes them there too (OutboxProviderErase): the
// answers of the conversation that made their self-referral
// (SelfReferral.MessageSIDs), and the texts later linked to them, a
// withdrawal by text and a feedback comment. A SID opens nothing without
// the Twilio account, and these rows are removed at erasure, so they are
// kept in clear as the outbox keeps the SIDs of the texts it sent; only
// the audit log, which can never be changed, keeps SIDs sealed.

// MaxConversationTexts is how many of a conversation's texts a
// self-referral keeps the SIDs of. A conversation is a dozen texts or so;
// one past this many is a client who sent the same answers again and
// again, and intake keeps the newest (its state in Redis stays bounded).
const MaxConversationTexts = 48

// sqlKeepClientTexts keeps SIDs ($2) of texts from client $1.
const sqlKeepClientTexts = `
INSERT INTO client_texts (client_id, message_sid, kept_at)
SELECT $1, sid, $3 FROM unnest($2::text[]) AS sid
ON CONFLICT DO NOTHING`

// clientTextSIDs are the SIDs among sids that name a Twilio message
// (a "whatsapp:" evidence prefix taken off), each once, at most
// MaxConversationTexts of them.
func clientTextSIDs(sids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range sids {
		s = strings.TrimPrefix(s, "whatsapp:")
		if !messageSIDRe.MatchString(s) || seen[s] {
			continue
		}
		seen[s] = true
		if out = append(out, s); len(out) == MaxConversationTexts {
			break
		}
	}
	return out
}

// queueClientTexts adds the keeping of a client's texts to a batch (none
// when no SID names a message), so it costs no round trip of its own.
func queueClientTexts(b *pgx.Batch, client ClientID, sids []string, now time.Time) {
	if sids = clientTextSIDs(sids); len(sids) > 0 {
		b.Queue(sqlKeepClientTexts, client, sids, now)
	}
}

// keepClientTexts keeps the SIDs of a client's texts now, in db's
// transaction.
func keepClientTexts(ctx context.Context, db DB, client ClientID, sids []string, now time.Time) error {
	if sids = clientTextSIDs(sids); len(sids) == 0 {
		return nil
	}
	if _, err := db.Exec(ctx, sqlKeepClientTexts, client, sids, now); err != nil {
		return fmt.Errorf("keep the ids of %d texts from client %d: %w", len(sids), client, err)
	}
	return nil
}

// sqlForgetClientTexts removes a client's texts' SIDs at their erasure,
// once the twilio.erase row carries them.
const sqlForgetClientTexts = `DELETE FROM client_texts WHERE client_id = $1`
