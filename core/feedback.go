package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// After a completed self-referral the client is asked by text how helpful
// it was (1–5). Their score is followed by two optional questions, each
// awaited in turn on their phone: a short comment in their own words
// (sealed under their key, so erasing them shreds it; it is born there, so
// key rotation has nothing to move), then whether they would recommend the
// service. Either can be skipped.

// Replies awaited after the score.
const (
	AwaitFeedbackComment   AwaitKind = "feedback_comment"   // "Tell us in a few words, or reply SKIP"
	AwaitFeedbackRecommend AwaitKind = "feedback_recommend" // "Would you recommend us? YES or NO"
)

// FeedbackAnswerWindow is how long each follow-up question waits for its
// answer.
const FeedbackAnswerWindow = 3 * 24 * time.Hour

// MaxFeedbackComment is the longest comment kept, in characters.
const MaxFeedbackComment = 1000

const sqlAwaitNext = `UPDATE sms_awaiting SET kind = $2, expires_at = $3 WHERE phone_hash = $1`

// awaitNext makes the phone's next text the answer to the next question.
func (e *Engine) awaitNext(ctx context.Context, db DB, p Phone, kind AwaitKind) error {
	if _, err := db.Exec(ctx, sqlAwaitNext, e.crypt.PhoneHash(p), kind, e.clock.Now().Add(FeedbackAnswerWindow)); err != nil {
		return fmt.Errorf("await %s reply: %w", kind, err)
	}
	return nil
}

const sqlStoreComment = `UPDATE referrals SET feedback_comment_enc = $2 WHERE id = $1`

// RecordFeedbackComment keeps the client's comment on the help they got
// ("" when they skipped it) and asks for the recommendation next.
// messageSID is the text's MessageSid ("" for none), kept against the
// client with the comment: the text holds their own words, and erasing
// them deletes it at Twilio (client_texts.go).
func (e *Engine) RecordFeedbackComment(ctx context.Context, p Phone, referral ReferralID, comment, messageSID string) error {
	comment = strings.TrimSpace(comment)
	if r := []rune(comment); len(r) > MaxFeedbackComment {
		comment = string(r[:MaxFeedbackComment])
	}
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		r, err := getReferral(ctx, tx, "id = $1", referral)
		if err != nil {
			return fmt.Errorf("feedback comment for referral %d: %w", referral, err)
		}
		if comment != "" {
			k, err := e.writableClientKey(ctx, tx, r.ClientID)
			if err != nil {
				return fmt.Errorf("feedback comment of %s: %w", r.Reference, err)
			}
			enc, err := k.seal("referrals", "feedback_comment_enc", r.ID, comment)
			if err != nil {
				return fmt.Errorf("feedback comment of %s: %w", r.Reference, err)
			}
			if _, err := tx.Exec(ctx, sqlStoreComment, r.ID, enc); err != nil {
				return fmt.Errorf("feedback comment of %s: %w", r.Reference, err)
			}
			if err := keepClientTexts(ctx, tx, r.ClientID, []string{messageSID}, e.clock.Now()); err != nil {
				return err
			}
		}
		if err := e.awaitNext(ctx, tx, p, AwaitFeedbackRecommend); err != nil {
			return err
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventOutcomeRecorded, referral: referral, client: r.ClientID,
			actor: ClientActor, data: eventData("feedback_comment", comment != "")})
	})
}

const sqlStoreRecommend = `UPDATE referrals SET feedback_recommend = $2 WHERE id = $1 RETURNING client_id`

// RecordFeedbackRecommend keeps whether the client would recommend the
// service (nil when they skipped the question); it is the last question.
func (e *Engine) RecordFeedbackRecommend(ctx context.Context, p Phone, referral ReferralID, recommend *bool) error {
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var client ClientID
		if err := tx.QueryRow(ctx, sqlStoreRecommend, referral, recommend).Scan(&client); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				err = ErrNotFound
			}
			return fmt.Errorf("feedback recommendation for referral %d: %w", referral, err)
		}
		if err := e.ClearAwaiting(ctx, tx, p); err != nil {
			return err
		}
		if recommend == nil {
			return nil
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventOutcomeRecorded, referral: referral, client: client,
			actor: ClientActor, data: eventData("feedback_recommend", *recommend)})
	})
}

// FeedbackComment decrypts the client's comment on a referral ("" when
// there is none). An erased client's comment reads as ErrErased.
func (e *Engine) FeedbackComment(ctx context.Context, r Referral) (string, error) {
	if len(r.FeedbackCommentEnc) == 0 {
		return "", nil
	}
	k, err := e.clientKeyOf(ctx, e.pool, r.ClientID)
	if err != nil {
		return "", err
	}
	c, err := k.open("referrals", "feedback_comment_enc", r.ID, "", r.FeedbackCommentEnc)
	if err != nil {
		return "", fmt.Errorf("feedback comment of %s: %w", r.Reference, err)
	}
	return c, nil
}
