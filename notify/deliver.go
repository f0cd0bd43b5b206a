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
	state      string // stateSent, stateSkipped or stateDeferred (a metrics label)
	providerID string
	status     core.DeliveryStatus // what the row's delivery status records
	until      time.Time           // deferred: when to try again
	// inTx runs in the transaction that marks the row sent (the card's
	// slack_cards row), so the record and the mark commit together.
	inTx func(ctx context.Context, tx pgx.Tx) error
	// after runs once the row is marked sent (asking intake to read the
	// client's next text as an answer).
	after func(ctx context.Context) error
	// why and alert, for stateHeld: the held status and the coordinators'
	// alert (see whatsapp.go).
	why, alert string
	// newTime, for stateDeferred: the row is given a new time (quiet
	// hours, a paused subscription), not late until then, rather than
	// put off while late (core.Outbox.Reschedule and Defer).
	newTime bool
}

const (
	stateSent     = "sent"
	stateSkipped  = "skipped"
	stateDeferred = "deferred"
	stateHeld     = "held"
)

func sent(providerID string, status core.DeliveryStatus) outcome {
	return outcome{state: stateSent, providerID: providerID, status: status}
}

// sentSMS is the outcome of a text sent by SMS: its segments are counted
// for the reports in the transaction that marks it sent, so a text is
// counted once however often the worker restarts.
func (w *Worker) sentSMS(receipt SMSReceipt, language, body string) outcome {
	res := sent(receipt.SID, core.DeliverySMS(receipt.Status))
	at := w.now()
	res.inTx = func(ctx context.Context, tx pgx.Tx) error {
		return w.engine.SentTexts().RecordTx(ctx, tx, at, language, body)
	}
	return res
}

func skipped(why string) outcome {
	return outcome{state: stateSkipped, status: core.DeliverySkipped(why)}
}

// deferred puts the row back until t without counting the attempt, still
// late (a Slack rate-limit pause, a mail server that cannot be reached).
func deferred(t time.Time, why string) outcome {
	return outcome{state: stateDeferred, until: t, status: core.DeliveryWaiting(why)}
}

// rescheduled puts the row back for the new time t without counting the
// attempt, not late until then (quiet hours, a paused subscription).
func rescheduled(t time.Time, why string) outcome {
	out := deferred(t, why)
	out.newTime = true
	return out
}

// claim leases due rows for this worker, committed before any delivery.
func (w *Worker) claim(ctx context.Context, limit int) ([]core.OutboxClaim, error) {
	return w.outbox.Claim(ctx, w.now(), w.lease, limit)
}

// deliver sends one claimed row and records what happened. It never
// returns an error: every end is written to the row.
func (w *Worker) deliver(ctx context.Context, r core.OutboxClaim) {
	defer func() {
		// A bug in one sender must not take the worker down with every
		// other delivery in flight: the row is retried, then dead-lettered.
		if p := recover(); p != nil {
			w.fail(ctx, r, &Failure{Reason: fmt.Sprintf("delivery panicked: %v", p)})
		}
	}()
	if r.CutShort >= w.maxAttempts {
		// Every claim of it ended with its worker gone: a row that takes
		// the worker down with it is not tried for ever.
		w.fail(ctx, r, permanent(fmt.Sprintf("the worker stopped %d times while delivering it", r.CutShort), nil))
		return
	}
	out, err := w.dispatch(ctx, r)
	if err != nil {
		w.fail(ctx, r, err)
		return
	}
	if err := w.finish(ctx, r, out); err != nil {
		if errors.Is(err, core.ErrLeaseLost) {
			w.log.Warn("record outbox delivery", "id", r.ID, "kind", r.Kind, "err", err)
		} else {
			w.notRecorded(ctx, err)
		}
	}
}

// notRecorded notes an outcome the database did not take: PostgreSQL is
// away (logged once an outage), unless the worker was stopped past its
// grace (ctx ended) and the row is left to its lease.
func (w *Worker) notRecorded(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	w.databaseDown(err)
}

func (w *Worker) dispatch(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	switch r.Kind {
	case core.OutboxCard:
		return w.syncCard(ctx, r)
	case core.OutboxClientSMS:
		return w.clientText(ctx, r)
	case core.OutboxDirectoryText:
		return w.directoryText(ctx, r)
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
	case core.OutboxPhoneCode:
		return w.phoneCode(ctx, r)
	case core.OutboxWithdrawalAsk:
		return w.withdrawalAsk(ctx, r)
	case KindDigest:
		return w.digest(ctx, r)
	case core.OutboxWebhook:
		return w.webhook(ctx, r)
	case core.OutboxEmail:
		return w.expandEmail(ctx, r)
	case core.OutboxEmailSend:
		return w.sendEmail(ctx, r)
	case core.OutboxProviderErase:
		return w.eraseAtProvider(ctx, r)
	}
	return outcome{}, permanent(fmt.Sprintf("unknown outbox kind %q", r.Kind), nil)
}

func (w *Worker) finish(ctx context.Context, r core.OutboxClaim, out outcome) error {
	if out.state == stateHeld {
		err := w.outbox.Hold(ctx, r, out.until, out.why, out.alert)
		if err != nil && !errors.Is(err, core.ErrLeaseLost) {
			return err
		}
		w.metrics.delivered(r.Kind, stateHeld)
		w.log.Warn("client text held: no WhatsApp template", "id", r.ID, "template", r.Payload.Template)
		w.wake() // deliver the coordinators' alert
		return err
	}
	if out.state == stateDeferred {
		put := w.outbox.Defer
		if out.newTime {
			put = w.outbox.Reschedule
		}
		err := put(ctx, r, out.until, out.status)
		if err != nil && !errors.Is(err, core.ErrLeaseLost) {
			return err
		}
		w.metrics.delivered(r.Kind, stateDeferred)
		return err
	}
	if err := w.markSent(ctx, r, out); err != nil {
		w.metrics.delivered(r.Kind, "unrecorded")
		return err
	}
	w.metrics.delivered(r.Kind, out.state)
	if out.after != nil {
		if err := out.after(ctx); err != nil {
			w.log.Warn("after delivery", "id", r.ID, "kind", r.Kind, "err", err)
		}
	}
	return nil
}

// recordMargin is how long before its lease runs out a worker stops
// trying to record a delivery, leaving the row to the next claim.
const recordMargin = 5 * time.Second

// markSent records a delivery that happened. The provider has the
// message now, so a database that does not answer (a restart, a
// failover) must not turn it into a failure: the mark is retried while
// the lease holds. If the lease runs out first, the provider's id is
// still recorded on a text marked "sending", for the next claim to
// check with the provider rather than call it lost.
func (w *Worker) markSent(ctx context.Context, r core.OutboxClaim, out outcome) error {
	until := w.leaseEnd(r)
	wait := 50 * time.Millisecond
	for {
		err := w.outbox.MarkSent(ctx, r, w.now(), out.providerID, out.status, out.inTx)
		if err == nil || errors.Is(err, core.ErrLeaseLost) || ctx.Err() != nil {
			if errors.Is(err, core.ErrLeaseLost) && out.providerID != "" {
				w.keepProviderID(ctx, r, out.providerID)
			}
			return err
		}
		if time.Now().Add(wait).After(until) {
			if out.providerID != "" {
				w.keepProviderID(ctx, r, out.providerID)
			}
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// leaseEnd is when the worker stops trying to record the delivery of r,
// recordMargin before its lease runs out (or halfway through a lease
// shorter than twice that), on the system clock: a send waits for its
// provider no longer.
func (w *Worker) leaseEnd(r core.OutboxClaim) time.Time {
	left := r.Lease.Sub(w.now())
	return time.Now().Add(max(left-recordMargin, left/2))
}

// keepProviderID records the provider's id of a text left "sending",
// trying for up to one more lease while the database does not answer.
func (w *Worker) keepProviderID(ctx context.Context, r core.OutboxClaim, providerID string) {
	until := time.Now().Add(w.lease)
	wait := 100 * time.Millisecond
	for {
		_, err := w.outbox.RecordSendingID(ctx, r.ID, providerID)
		if err == nil || time.Now().After(until) || ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// urgent reports whether the row is a crisis alert (a crisis referral's,
// or a client in danger texting after their referral: UrgentAlert, and
// its emails), the coordinators' crisis email, or a crisis referral's
// card or new-referral email, retried on the short schedule.
func (w *Worker) urgent(ctx context.Context, r core.OutboxClaim) bool {
	switch r.Kind {
	case core.OutboxCrisisAlert:
		return true
	case core.OutboxAlert:
		return r.Payload.UrgentAlert()
	case core.OutboxEmail, core.OutboxEmailSend:
		switch {
		case r.Payload.UrgentAlert() || r.Payload.Email == core.EmailCrisis:
			return true
		case r.Payload.Email == core.EmailNewReferral && r.Referral() != 0:
			return w.crisisReferral(ctx, r.Referral())
		}
	case core.OutboxCard:
		return w.crisisReferral(ctx, r.Referral())
	}
	return false
}

// crisisReferral reports whether referral id is a crisis (false when it
// cannot be read: the routine schedule is the safe default).
func (w *Worker) crisisReferral(ctx context.Context, id core.ReferralID) bool {
	ref, err := w.engine.Referral(ctx, id)
	return err == nil && ref.Crisis
}

// fail reschedules a transient failure with backoff, or dead-letters a
// permanent one or the last attempt.
func (w *Worker) fail(ctx context.Context, r core.OutboxClaim, err error) {
	if errors.Is(err, core.ErrLeaseLost) {
		w.leaseLost(r)
		return
	}
	f := asFailure(err)
	now := w.now()
	if next, ok := w.retryAt(ctx, r, f, now); ok {
		if f.RetryAfter > 0 && f.Provider == "slack" {
			w.holdSlack(now.Add(f.RetryAfter))
		}
		if f.Credentials {
			w.credentialsRefused(f, now)
		}
		retry := w.outbox.RetryLater
		if f.Interrupted {
			retry = w.outbox.CheckLater
		}
		if err := retry(ctx, r, next, f.Error()); err != nil {
			if errors.Is(err, core.ErrLeaseLost) {
				w.leaseLost(r)
				return
			}
			w.notRecorded(ctx, err) // logged once for the whole outage, not per row
			return
		}
		w.metrics.retried(r.Kind)
		w.log.Info("delivery failed, will retry", "id", r.ID, "kind", r.Kind, "attempt", r.Attempts, "retry_at", next, "err", f.Error())
		return
	}
	text, err := w.deadLetterText(ctx, r, f)
	if err == nil {
		var inTx func(context.Context, pgx.Tx) error
		if r.Kind == core.OutboxProviderErase {
			inTx = w.engine.ProviderEraseStopped(r)
		}
		err = w.outbox.DeadLetter(ctx, r, now, f.Error(), text, inTx)
	}
	if err != nil {
		if errors.Is(err, core.ErrLeaseLost) {
			w.leaseLost(r)
		} else {
			w.notRecorded(ctx, err)
		}
		return
	}
	w.metrics.dead(r.Kind)
	if f.Interrupted {
		// The provider may have the message: one line that says so, and
		// why it is not sent again.
		w.metrics.interrupted(r.Kind)
		w.log.Warn("delivery interrupted: the provider may have taken it, so it is not sent again; dead-lettered for someone to check",
			"id", r.ID, "kind", r.Kind, "attempts", r.Attempts, "err", f.Error())
	} else {
		w.log.Warn("delivery dead-lettered", "id", r.ID, "kind", r.Kind, "attempts", r.Attempts, "err", f.Error())
	}
	w.wake() // deliver the coordinators' alert
}

// retryAt returns when a row that failed with f is tried again, or false
// when it is given up. A webhook event follows core.WebhookRetrySchedule,
// hours long, whatever the worker's attempts: its subscription pauses
// when the schedule is spent with the receiver still failing, so an event
// given up is one a receiver refused while it took others. Crisis rows
// (urgent) retry on the short schedule; the rest on the routine one.
func (w *Worker) retryAt(ctx context.Context, r core.OutboxClaim, f *Failure, now time.Time) (time.Time, bool) {
	if !f.Retry() {
		return time.Time{}, false
	}
	if r.Kind == core.OutboxWebhook {
		wait, ok := core.WebhookRetryWait(r.Attempts)
		return now.Add(max(wait, f.RetryAfter)), ok
	}
	if r.Attempts >= w.maxAttempts && !w.stillTrying(r, now) && !waitedOn(f, r, now) && !stillErasing(f, r, now) {
		return time.Time{}, false
	}
	b := w.backoff
	if w.urgent(ctx, r) {
		b = w.urgentBackoff
	}
	return now.Add(b.Delay(r.Attempts, f.RetryAfter)), true
}

// stillTrying reports whether a row that has used its attempts is tried
// again all the same: an email, within its retry window. Mail servers
// keep a message they could not pass on for days (RFC 5321 §4.5.4.1); an
// hour's trouble with the network's own server must not lose a crisis
// alert or an agency's new referral. After a day the coordinators are
// told, as for any row given up on.
func (w *Worker) stillTrying(r core.OutboxClaim, now time.Time) bool {
	return r.Kind == core.OutboxEmailSend && now.Sub(r.CreatedAt) < w.emailWindow
}

// rateLimitWindow is how long after it was queued a row the provider
// keeps asking to wait for (429 with Retry-After), or that fails because
// the provider refuses Onward's credentials, is still tried past its
// attempts.
const rateLimitWindow = time.Hour

// waitedOn reports whether a row that has used its attempts is tried
// again all the same because the provider asked it to wait (Slack's 429
// with Retry-After) or refused Onward's own credentials (a revoked Slack
// token, a rotated Twilio auth token): neither says anything is wrong
// with the row, so a busy hour on Slack or a token fixed within the hour
// dead-letters nothing. Past rateLimitWindow the coordinators are told,
// as for any row given up on.
func waitedOn(f *Failure, r core.OutboxClaim, now time.Time) bool {
	return f.RetryAfter > 0 && now.Sub(r.CreatedAt) < rateLimitWindow
}

// credentialsRefused says, at most once per credentialsRecheck for each
// provider, that the provider refuses Onward's credentials: one error
// line for the engineer on call, naming the setting, however many rows
// wait on it.
func (w *Worker) credentialsRefused(f *Failure, now time.Time) {
	w.mu.Lock()
	if last, said := w.credentialsSaid[f.Provider]; said && now.Sub(last) < credentialsRecheck {
		w.mu.Unlock()
		return
	}
	w.credentialsSaid[f.Provider] = now
	w.mu.Unlock()
	w.log.Error("provider refuses Onward's credentials: its deliveries wait and are retried for an hour, then dead-lettered",
		"provider", f.Provider, "code", f.Code, "fix", f.Reason)
}

// leaseLost notes a row another worker took over after this one's lease
// ran out; the other worker owns it now.
func (w *Worker) leaseLost(r core.OutboxClaim) {
	w.metrics.delivered(r.Kind, "lease_lost")
	w.log.Warn("outbox row taken over by another worker", "id", r.ID, "kind", r.Kind)
}

// Retry reports whether another attempt could succeed.
func (f *Failure) Retry() bool { return !f.Permanent }

// kindWords names what a row of kind k delivers, in plain words and with
// its article, for the coordinators told it could not be delivered
// ("Onward could not deliver an email"): the one place a kind gets its
// words, for the triage channel's alert and the dead-letter email alike.
func kindWords(k core.OutboxKind) string {
	switch k {
	case core.OutboxCard:
		return "a Slack card"
	case core.OutboxFeedback:
		return "a Slack message with rejection feedback"
	case core.OutboxCrisisAlert:
		return "a crisis alert"
	case core.OutboxAckReminder:
		return "a reminder of a referral not acknowledged in time"
	case core.OutboxContactNudge:
		return "a reminder of a client not yet contacted"
	case core.OutboxAlert:
		return "an alert to the coordinators"
	case KindDigest:
		return "a daily digest"
	case core.OutboxClientSMS:
		return "a text to a client"
	case core.OutboxDirectoryText:
		return "a text of a service's details"
	case core.OutboxPhoneCode:
		return "a text with a phone code"
	case core.OutboxWithdrawalAsk:
		return "a client's ask for a code to withdraw consent"
	case core.OutboxEmail, core.OutboxEmailSend:
		return "an email"
	case core.OutboxWebhook:
		return "a webhook event for a partner system"
	case core.OutboxProviderErase:
		return "the deletion at Twilio of an erased client's messages"
	}
	return "a message (" + string(k) + ")"
}

// deadLetterText is the coordinators' alert of a row given up on
// (templates/alerts/dead_letter.txt): What is the kind in words
// (kindWords), Kind the kind as `onward outbox list` shows it.
func (w *Worker) deadLetterText(ctx context.Context, r core.OutboxClaim, f *Failure) (string, error) {
	data := map[string]any{"ID": r.ID, "Kind": string(r.Kind), "What": kindWords(r.Kind), "Attempts": r.Attempts, "Error": f.Error(),
		"Template": r.Payload.Template, "Reference": ""}
	if id := r.Referral(); id != 0 {
		if ref, err := w.engine.Referral(ctx, id); err == nil {
			data["Reference"] = ref.Reference
		}
	}
	return w.render("dead_letter.txt", data)
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
