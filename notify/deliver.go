package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// outcome is how a delivery ended, short of failing.
type outcome struct {
	state      string // stateSent, stateSkipped or stateDeferred
	providerID string
	status     string    // delivery_status to record
	until      time.Time // deferred: when to try again
	// inTx runs in the transaction that marks the row sent (the card's
	// slack_cards row), so the record and the mark commit together.
	inTx func(ctx context.Context, tx pgx.Tx) error
	// after runs once the row is marked sent (asking intake to read the
	// client's next text as an answer).
	after func(ctx context.Context) error
}

const (
	stateSent     = "sent"
	stateSkipped  = "skipped"
	stateDeferred = "deferred"
)

// statusSending marks a text whose API call may be in flight; see the
// package documentation.
const statusSending = "sending"

func sent(providerID, status string) outcome {
	return outcome{state: stateSent, providerID: providerID, status: status}
}

func skipped(why string) outcome { return outcome{state: stateSkipped, status: "skipped: " + why} }

// deferred puts the row back until t without counting the attempt (quiet
// hours, a Slack rate-limit pause).
func deferred(t time.Time, why string) outcome {
	return outcome{state: stateDeferred, until: t, status: "waiting: " + why}
}

// deliver sends one claimed row and records what happened. It never
// returns an error: every end is written to the row.
func (w *Worker) deliver(ctx context.Context, r row) {
	defer func() {
		// A bug in one sender must not take the worker down with every
		// other delivery in flight: the row is retried, then dead-lettered.
		if p := recover(); p != nil {
			w.fail(ctx, r, &Failure{Reason: fmt.Sprintf("delivery panicked: %v", p)})
		}
	}()
	out, err := w.dispatch(ctx, r)
	if err != nil {
		w.fail(ctx, r, err)
		return
	}
	if err := w.finish(ctx, r, out); err != nil {
		w.log.Error("record outbox delivery", "id", r.ID, "kind", r.Kind, "err", err)
	}
}

func (w *Worker) dispatch(ctx context.Context, r row) (outcome, error) {
	switch r.Kind {
	case core.OutboxCard:
		return w.syncCard(ctx, r)
	case core.OutboxClientSMS:
		return w.clientText(ctx, r)
	case core.OutboxCrisisAlert:
		return w.crisisAlert(ctx, r)
	case core.OutboxFeedback:
		return w.rejectionFeedback(ctx, r)
	case core.OutboxAckReminder:
		return w.ackReminder(ctx, r)
	case core.OutboxContactNudge:
		return w.contactNudge(ctx, r)
	case core.OutboxAlert:
		return w.coordinatorAlert(ctx, r)
	case KindDigest:
		return w.digest(ctx, r)
	}
	return outcome{}, permanent(fmt.Sprintf("unknown outbox kind %q", r.Kind), nil)
}

const (
	sqlMarkSent = `
UPDATE outbox SET sent_at = $3, provider_id = $4, delivery_status = $5
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL`
	sqlDefer = `
UPDATE outbox SET available_at = $3, attempts = greatest(attempts - 1, 0), delivery_status = $4
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL`
	sqlMarkSending = `
UPDATE outbox SET delivery_status = 'sending'
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL`
	sqlRetryLater = `
UPDATE outbox SET available_at = $3, last_error = $4, delivery_status = ''
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL`
	sqlMarkDead = `
UPDATE outbox SET dead_at = $3, last_error = $4, delivery_status = 'dead'
WHERE id = $1 AND available_at = $2 AND sent_at IS NULL AND dead_at IS NULL`
)

// errLeaseLost means another worker claimed the row after this one's lease
// ran out; the other worker owns it now.
var errLeaseLost = errors.New("lease on the outbox row ran out and was taken over")

func (w *Worker) finish(ctx context.Context, r row, out outcome) error {
	if out.state == stateDeferred {
		tag, err := w.pool.Exec(ctx, sqlDefer, r.ID, r.Lease, out.until, out.status)
		if err != nil {
			return fmt.Errorf("defer outbox row %d: %w", r.ID, err)
		}
		w.metrics.delivered(r.Kind, stateDeferred)
		if tag.RowsAffected() == 0 {
			return errLeaseLost
		}
		return nil
	}
	now := w.now()
	err := pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlMarkSent, r.ID, r.Lease, now, out.providerID, out.status)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errLeaseLost
		}
		if out.inTx != nil {
			return out.inTx(ctx, tx)
		}
		return nil
	})
	if err != nil {
		w.metrics.delivered(r.Kind, "unrecorded")
		return fmt.Errorf("mark outbox row %d sent: %w", r.ID, err)
	}
	w.metrics.delivered(r.Kind, out.state)
	if out.after != nil {
		if err := out.after(ctx); err != nil {
			w.log.Warn("after delivery", "id", r.ID, "kind", r.Kind, "err", err)
		}
	}
	return nil
}

// markSending records that a text is about to go to Twilio. false means
// the lease was lost and nothing must be sent.
func (w *Worker) markSending(ctx context.Context, r row) (bool, error) {
	tag, err := w.pool.Exec(ctx, sqlMarkSending, r.ID, r.Lease)
	if err != nil {
		return false, fmt.Errorf("mark outbox row %d sending: %w", r.ID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// fail reschedules a transient failure with backoff, or dead-letters a
// permanent one or the last attempt.
func (w *Worker) fail(ctx context.Context, r row, err error) {
	if errors.Is(err, errLeaseLost) {
		w.metrics.delivered(r.Kind, "lease_lost")
		w.log.Warn("outbox row taken over by another worker", "id", r.ID, "kind", r.Kind)
		return
	}
	f := asFailure(err)
	now := w.now()
	if f.Retry() && r.Attempts < w.maxAttempts {
		if f.RetryAfter > 0 && f.Provider == "slack" {
			w.holdSlack(now.Add(f.RetryAfter))
		}
		next := now.Add(w.backoff.Delay(r.Attempts, f.RetryAfter))
		if _, err := w.pool.Exec(ctx, sqlRetryLater, r.ID, r.Lease, next, f.Error()); err != nil {
			w.log.Error("reschedule outbox row", "id", r.ID, "err", err)
			return
		}
		w.metrics.retried(r.Kind)
		w.log.Info("delivery failed, will retry", "id", r.ID, "kind", r.Kind, "attempt", r.Attempts, "retry_at", next, "err", f.Error())
		return
	}
	if err := w.deadLetter(ctx, r, f, now); err != nil {
		w.log.Error("dead-letter outbox row", "id", r.ID, "err", err)
		return
	}
	w.metrics.dead(r.Kind)
	w.log.Warn("delivery dead-lettered", "id", r.ID, "kind", r.Kind, "attempts", r.Attempts, "err", f.Error())
	w.wake() // deliver the coordinators' alert
}

// Retry reports whether another attempt could succeed.
func (f *Failure) Retry() bool { return !f.Permanent }

// deadLetter marks the row dead and, in the same transaction, queues one
// alert to the coordinators (never for an alert itself, so a broken Slack
// cannot feed a loop of alerts about alerts).
func (w *Worker) deadLetter(ctx context.Context, r row, f *Failure, now time.Time) error {
	text, err := w.deadLetterText(ctx, r, f)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlMarkDead, r.ID, r.Lease, now, f.Error())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errLeaseLost
		}
		if r.Kind == core.OutboxAlert {
			return nil
		}
		return w.engine.EnqueueOutbox(ctx, tx, core.OutboxAlert, 0,
			core.OutboxPayload{ReferralID: r.referral(), Level: "dead-letter", Text: text},
			fmt.Sprintf("deadletter:%d:%d", r.ID, now.UnixMicro()), now)
	})
}

func (w *Worker) deadLetterText(ctx context.Context, r row, f *Failure) (string, error) {
	data := map[string]any{"ID": r.ID, "Kind": string(r.Kind), "Attempts": r.Attempts, "Error": f.Error(),
		"Template": r.Payload.Template, "Reference": ""}
	if id := r.referral(); id != 0 {
		if ref, err := w.engine.Referral(ctx, id); err == nil {
			data["Reference"] = ref.Reference
		}
	}
	return w.render("notify_dead_letter.txt", data)
}

// holdSlack pauses Slack deliveries until t (Slack's Retry-After).
func (w *Worker) holdSlack(t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t.After(w.slackHold) {
		w.slackHold = t
	}
}

func (w *Worker) slackHeldUntil(now time.Time) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.slackHold, now.Before(w.slackHold)
}
