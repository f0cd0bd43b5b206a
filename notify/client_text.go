package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// immediateReplyWindow is how long after it was queued a text core marked
// as answering the client's own messages (OutboxPayload.Answers: a
// self-referral's confirmation, the confirmation of a withdrawal they
// texted) still counts as an answer, which quiet hours do not hold back.
// Later, it is news like any other and waits for the morning.
const immediateReplyWindow = 15 * time.Minute

// awaitReplyFor is how long a question's answer is waited for.
const awaitReplyFor = 7 * 24 * time.Hour

// smsData is what the status texts may say: no personal data beyond what
// the client told us is theirs to hear.
type smsData struct {
	Reference string
	Agency    string
	Days      int
	// WorkingDays is Days in English words, "1 working day" or "3 working
	// days", for the WhatsApp templates: a template cannot choose a
	// plural form, and its wording is English (templates/whatsapp).
	WorkingDays  string
	NetworkName  string
	NetworkPhone string
}

// englishWorkingDays is n working days in English, for WorkingDays.
func englishWorkingDays(n int) string {
	if n == 1 {
		return "1 working day"
	}
	return fmt.Sprintf("%d working days", n)
}

// clientText sends a status text to the client of the row's referral,
// respecting opt-out and quiet hours. See the package documentation for
// the "sending" mark that makes texts at-most-once across crashes, and
// interrupted.go for a text found with that mark.
func (w *Worker) clientText(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	if res, done, err := w.resumeSending(r); done {
		return res, err
	}
	if w.sms == nil {
		return skipped("Twilio not configured"), nil
	}
	ref, err := w.engine.Referral(ctx, r.Referral())
	if errors.Is(err, core.ErrNotFound) {
		return outcome{}, permanent("referral is gone", err)
	}
	if err != nil {
		return outcome{}, err
	}
	tmpl := r.Payload.Template
	// A text that waited (quiet hours, a retry, the contact check, the
	// feedback request held back while the completion could be undone)
	// goes only while what it says is still true, and not once the
	// client withdrew consent (but the texts of the end itself): one rule
	// in core with the agency's reminders. A text dropped is a skip.
	due, why, err := w.engine.ClientTextDue(ctx, ref, r.Payload)
	if err != nil {
		return outcome{}, err
	}
	if !due {
		return skipped(why), nil
	}
	cal, err := w.engine.Calendar(ctx)
	if err != nil {
		return outcome{}, err
	}
	now := w.now()
	if cal.InQuietHours(now) && !answersClient(r, now) {
		return rescheduled(cal.QuietHoursEnd(now), "quiet hours"), nil
	}
	phone, err := w.engine.ClientPhone(ctx, ref.ClientID)
	if errors.Is(err, core.ErrErased) {
		return skipped("client's details were erased"), nil
	}
	if err != nil {
		return outcome{}, err
	}
	if phone == "" {
		return skipped("client has no phone number"), nil
	}
	if !core.Textable(phone) {
		return skipped("the number is not in a country the network texts"), nil
	}
	if core.Landline(phone) {
		// Twilio refuses it (21211, 21614): not a fault to retry or alert.
		return skipped("the client's number is a landline, which cannot get texts"), nil
	}
	out, err := w.engine.OptedOut(ctx, phone)
	if err != nil {
		return outcome{}, err
	}
	if out {
		return skipped("client opted out of texts"), nil
	}
	d, err := w.statusData(ctx, ref, cal)
	if err != nil {
		return outcome{}, err
	}
	code, body, err := w.clientTextBody(ctx, tmpl, ref, d)
	if err != nil {
		return outcome{}, err
	}
	if w.whatsapp != nil {
		m, err := w.engine.MessagingOf(ctx, phone)
		if err != nil {
			return outcome{}, err
		}
		if m.Channel == core.MessagingWhatsApp && r.DeliveryStatus == core.DeliverySending {
			// A WhatsApp message may have gone as a template, whose words
			// Twilio's log does not hold: it cannot be matched.
			return outcome{}, interrupted("the text goes by WhatsApp, whose messages it cannot match", true)
		}
		if m.Channel == core.MessagingWhatsApp {
			res, err := w.whatsAppText(ctx, r, ref, phone, m, body, d)
			if err == nil && res.state == stateSent {
				res.after = w.awaitAfter(tmpl, ref)
			}
			return res, err
		}
	}
	res, err := w.sendText(ctx, r, phone, code, body)
	if err == nil && res.state == stateSent {
		res.after = w.awaitAfter(tmpl, ref)
	}
	return res, err
}

// answersClient reports whether the row's text answers the client's own
// messages and is still fresh enough to go in quiet hours (see
// immediateReplyWindow).
func answersClient(r core.OutboxClaim, now time.Time) bool {
	return r.Payload.Answers && now.Sub(r.CreatedAt) < immediateReplyWindow
}

// awaitAfter, for a text that asks a question, waits for the answer once
// the text is marked sent.
func (w *Worker) awaitAfter(tmpl string, ref core.Referral) func(context.Context) error {
	kind, ok := awaitKinds[tmpl]
	if !ok {
		return nil
	}
	return func(ctx context.Context) error {
		return w.engine.AwaitReply(ctx, ref.ID, kind, w.now().Add(awaitReplyFor))
	}
}

// awaitKinds are the texts that ask a question the client answers by text.
var awaitKinds = map[string]core.AwaitKind{
	core.SMSContactCheck: core.AwaitContactCheck,
	core.SMSFeedbackAsk:  core.AwaitFeedback,
}

// statusData is what a status text about the referral may say.
func (w *Worker) statusData(ctx context.Context, ref core.Referral, cal core.Calendar) (smsData, error) {
	days := cal.AgencyContactDays(ref.Crisis)
	d := smsData{Reference: ref.Reference, Days: days, WorkingDays: englishWorkingDays(days), NetworkName: cal.Name, NetworkPhone: cal.Phone}
	if ref.ToAgencyID != nil {
		a, err := w.agency(ctx, *ref.ToAgencyID)
		if err != nil {
			return smsData{}, err
		}
		d.Agency = a.Name
	}
	return d, nil
}

// clientTextBody renders message status_<template> in the client's
// language (English when the language lacks it), its plural form chosen
// by the working days it names, and returns the language with it.
func (w *Worker) clientTextBody(ctx context.Context, tmpl string, ref core.Referral, d smsData) (string, string, error) {
	code, _, err := w.engine.ClientLanguage(ctx, ref.ClientID)
	if err != nil {
		return "", "", err
	}
	body, err := w.statusText(code, tmpl, d)
	return code, body, err
}

// statusText renders status text tmpl in language code.
func (w *Worker) statusText(code, tmpl string, d smsData) (string, error) {
	if !w.cat.Has(lang.English, "status_"+tmpl) {
		return "", permanent("no text for template "+tmpl, nil)
	}
	body, err := w.cat.RenderText(code, "status_"+tmpl, map[string]any{"Reference": d.Reference, "Agency": d.Agency,
		lang.CountKey: d.Days, "NetworkName": d.NetworkName, "NetworkPhone": d.NetworkPhone})
	if err != nil {
		return "", permanent("render status text "+tmpl, err)
	}
	return body, nil
}
