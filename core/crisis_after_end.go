package core

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A client whose conversation ended with a referral may text again. Words
// of self-harm or danger get the crisis lines (and 999 and the domestic
// abuse helpline) at once, from the conversation; RecordCrisisAfterEnd
// makes sure the people who can act hear of it too: the coordinators, in
// their triage channel and by email, and the agency holding the client's
// referral, in its Slack channel, by email (EmailClientCrisis) and on
// the referral's timeline. Neither the alerts, the emails nor the event
// carry the client's words, name or phone: only the reference, the kind
// of words, that the crisis lines were sent, and (added by notify) a link
// to the referral on the staff web.
//
// A client whose phone opted out of texts (STOP) gets no reply at all
// (the provider refuses one until START), yet their words of self-harm or
// danger are recorded and alerted all the same (CrisisAfterEnd.OptedOut):
// every channel then says Onward could not reply, so staff reach the
// client another way, or call 999, rather than trust that the crisis
// lines were sent.

// AlertCrisisAfterEnd is the Level of the alerts RecordCrisisAfterEnd
// queues. Its rows are urgent (OutboxPayload.UrgentAlert).
const AlertCrisisAfterEnd = "crisis-after-end"

// AlertToAgency is the Channel of an OutboxAlert row meant for the agency
// named by its AgencyID (its Slack channel), not for the coordinators.
const AlertToAgency = "agency"

// EventCrisisAfterEnd records that a client texted words of self-harm or
// danger after their referral was made. Its data says which kinds
// ("self_harm", "danger"), whether staff were alerted ("alerted"), the
// text's MessageSid ("message_sid") and, when Onward could not reply as
// the phone had opted out of texts, "opted_out"; never the words.
const EventCrisisAfterEnd EventKind = "referral.crisis-after-end"

// CrisisAlertWindow is how long after staff were alerted to a kind of
// crisis words from a client the same kind again is recorded without
// alerting them again: a client texting five times in ten minutes is one
// call to act, not five. New words of another kind (danger after
// self-harm) alert at once.
const CrisisAlertWindow = time.Hour

// CrisisAfterEnd is a text a client sent after their conversation ended
// with a referral, whose words were of self-harm or danger.
type CrisisAfterEnd struct {
	// Reference is the referral the conversation ended with.
	Reference string
	// Phone is the number the text came from: it must be the client's.
	Phone Phone
	// SelfHarm and Danger are the kinds of crisis words the text had.
	SelfHarm, Danger bool
	// MessageSID is the provider's id of the text, the idempotency key:
	// a text recorded twice (a retry, a replay of one held while
	// PostgreSQL was down) is recorded and alerted once.
	MessageSID string
	// At is when the text came; zero means now.
	At time.Time
	// OptedOut: the phone had opted out of texts (STOP), so Onward could
	// not reply and the client was not sent the crisis lines. Every
	// channel that tells staff says so.
	OptedOut bool
}

// CrisisAfterEndOutcome is what RecordCrisisAfterEnd did.
type CrisisAfterEndOutcome string

// Outcomes of RecordCrisisAfterEnd.
const (
	// CrisisAlerted: recorded, and staff alerted.
	CrisisAlerted CrisisAfterEndOutcome = "alerted"
	// CrisisAlertedBefore: recorded; staff were alerted to the same kinds
	// of words from the client within CrisisAlertWindow.
	CrisisAlertedBefore CrisisAfterEndOutcome = "alerted before"
	// CrisisReplayed: this text was recorded before; nothing done.
	CrisisReplayed CrisisAfterEndOutcome = "replayed"
	// CrisisNotTheirs: no such referral, its client erased, or the phone
	// is not the client's (found by phone: no client's, not lately);
	// nothing done.
	CrisisNotTheirs CrisisAfterEndOutcome = "not the client's"
	// CrisisNoOpenReferral: found by phone, the client has no open
	// referral under consent not withdrawn; nothing done.
	CrisisNoOpenReferral CrisisAfterEndOutcome = "no open referral"
)

// UrgentAlert reports whether the row is an alert that a client in
// danger texted (AlertCrisisAfterEnd), or one of its emails (the
// coordinators' and the agency's, which carry its level): it is retried
// on the short schedule, and its email reaches everyone it is for at
// once whatever they chose, as a crisis referral's do.
func (p OutboxPayload) UrgentAlert() bool { return p.Level == AlertCrisisAfterEnd }

// CrisisTextNews is what an agency's email about its client's crisis text
// says of the text (OutboxPayload.CrisisText): the kinds of its words,
// and when it came if Onward recorded it late. Never the words.
type CrisisTextNews struct {
	SelfHarm bool `json:"self_harm,omitempty"`
	Danger   bool `json:"danger,omitempty"`
	// TextedAt is when the client texted, set only when Onward recorded
	// it more than a minute later (a text held while PostgreSQL was down).
	TextedAt *time.Time `json:"texted_at,omitempty"`
	// OptedOut: Onward could not reply, as the phone had opted out of
	// texts (CrisisAfterEnd.OptedOut).
	OptedOut bool `json:"opted_out,omitempty"`
}

const (
	// sqlLockCrisisClient takes the lock of the client of referral $1
	// (crisisLocate) and says whether the consent the referral was made
	// under is withdrawn.
	sqlLockCrisisClient = `
SELECT k.withdrawn_at IS NOT NULL FROM referrals r
JOIN consents k ON k.id = r.consent_id JOIN clients c ON c.id = r.client_id
WHERE r.id = $1 FOR UPDATE OF c`
	// sqlCrisisTexts are the client's crisis texts after a referral since
	// $3 ($4 alone: whether the text $4 is among them).
	sqlCrisisTexts = `
SELECT data FROM events WHERE kind = $1 AND client_id = $2 AND (created_at > $3 OR data->>'message_sid' = $4)`
	// sqlCrisisHolders are the open referrals held by an agency among the
	// referral $1 and those carried on from it (a redirect, a return to
	// triage then an assignment, a referral on), newest first per agency:
	// the agencies working with the client now.
	sqlCrisisHolders = `
WITH RECURSIVE tree AS (
    SELECT id, 0 AS depth FROM referrals WHERE id = $1
    UNION ALL
    SELECT r.id, t.depth + 1 FROM referrals r JOIN tree t ON r.parent_id = t.id WHERE t.depth < 50
)
SELECT DISTINCT ON (r.to_agency_id) r.id, r.reference, r.to_agency_id
FROM tree JOIN referrals r ON r.id = tree.id
WHERE r.to_agency_id IS NOT NULL AND r.status IN ('requested', 'accepted', 'in-progress', 'on-hold')
ORDER BY r.to_agency_id, r.id DESC`
)

// RecordCrisisAfterEnd records that the client of the referral called
// c.Reference texted words of self-harm or danger (c.SelfHarm, c.Danger)
// after it was made, and alerts staff: the coordinators (OutboxAlert,
// level AlertCrisisAfterEnd: the triage channel and their email) and
// each agency holding an open referral of the client's from it (the same
// alert in its Slack channel; an EmailClientCrisis email to its staff and
// shared address, as its email setting says; the event on the referral's
// timeline, which its staff see). Nothing is done unless c.Phone is the
// client's (their phone's keyed hash, or the phone given with the
// referral and not passed on since): an unknown reference, an erased
// client or another phone is CrisisNotTheirs.
//
// With no c.Reference (the text came with no referral in its
// conversation: a new one, the last having timed out) the client is found
// by c.Phone instead (crisis_by_phone.go), and alerted of the same way.
//
// The text's MessageSid is the idempotency key (CrisisReplayed). A kind
// of words staff were alerted to within CrisisAlertWindow is recorded
// without a second alert (CrisisAlertedBefore), unless that alert said
// Onward's reply gave the crisis lines and this text got no reply (the
// phone opted out since), or the other way round. When the client has
// withdrawn their consent, no agency hears of it: the event goes on the
// client's own record, not on the referral's timeline, and only the
// coordinators are alerted.
func (e *Engine) RecordCrisisAfterEnd(ctx context.Context, c CrisisAfterEnd) (CrisisAfterEndOutcome, error) {
	if !c.SelfHarm && !c.Danger {
		return "", errors.New("record crisis text after a referral: neither self-harm nor danger words")
	}
	if c.MessageSID == "" {
		return "", errors.New("record crisis text after a referral: no message id")
	}
	var (
		client ClientID
		locate crisisLocate
		out    CrisisAfterEndOutcome
		err    error
	)
	if c.Reference == "" {
		client, locate, out, err = e.crisisByPhone(ctx, c.Phone)
	} else {
		client, locate, out, err = e.crisisByReference(ctx, c.Reference, c.Phone)
	}
	if err != nil || out != "" {
		return out, err
	}
	cal, err := e.calendar(ctx)
	if err != nil {
		return "", fmt.Errorf("record crisis text after a referral: %w", err)
	}
	now := e.clock.Now()
	at := c.At
	if at.IsZero() || at.After(now) {
		at = now
	}
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		t, ok, err := locate(ctx, tx)
		if err != nil {
			return err
		}
		if !ok {
			out = CrisisNoOpenReferral
			return nil
		}
		seen, alerted, err := e.crisisTextsSince(ctx, tx, client, now.Add(-CrisisAlertWindow), c.MessageSID, c.OptedOut)
		if err != nil {
			return err
		}
		if seen {
			out = CrisisReplayed
			return nil
		}
		alert := (c.SelfHarm && !alerted.SelfHarm) || (c.Danger && !alerted.Danger)
		out = CrisisAlertedBefore
		if alert {
			out = CrisisAlerted
		}
		data := map[string]any{"self_harm": c.SelfHarm, "danger": c.Danger, "alerted": alert, "message_sid": c.MessageSID}
		if c.OptedOut {
			data["opted_out"] = true
		}
		evs := make([]newEvent, 0, len(t.on)+1)
		for _, id := range t.on {
			evs = append(evs, newEvent{kind: EventCrisisAfterEnd, referral: id, client: client, actor: ClientActor, data: data})
		}
		if t.withdrawn {
			// Not on the referral's timeline, which the agency that held
			// it still reads: the client no longer shares anything with it.
			withdrawn := maps.Clone(data)
			withdrawn["reference"] = t.about.reference
			evs = append(evs, newEvent{kind: EventCrisisAfterEnd, client: client, actor: ClientActor, data: withdrawn})
		}
		for _, ev := range evs {
			if err := e.appendEvent(ctx, tx, ev); err != nil {
				return err
			}
		}
		if !alert {
			return nil
		}
		late := ""
		news := &CrisisTextNews{SelfHarm: c.SelfHarm, Danger: c.Danger, OptedOut: c.OptedOut}
		if now.Sub(at) > time.Minute {
			late = fmt.Sprintf(" They texted at %s; Onward could not record it until now.", at.In(cal.Location).Format("15:04 on 2 January"))
			news.TextedAt = &at
		}
		told := "The agency holding their referral sees this on it, and is told wherever it gets Onward's notifications (Slack or email)."
		switch {
		case t.withdrawn:
			told = "They have withdrawn their consent, so no agency has been told."
		case len(t.holders) == 0:
			told = "No agency holds an open referral of theirs."
		}
		// The coordinators' row comes first. No row carries the referral
		// in its column, so none waits behind the referral's other
		// messages (a text held for quiet hours, a card Slack refuses).
		rows := []OutboxRow{{Kind: OutboxAlert,
			Payload: OutboxPayload{ReferralID: t.about.id, Level: AlertCrisisAfterEnd,
				Text: crisisAlertText(t.about.reference, c, late, told)},
			Dedupe: "crisis-after-end:" + c.MessageSID}}
		// Each agency is told on every channel it has: its Slack channel
		// (the alert) and email (who gets it is its email setting's,
		// EmailRecipients), each keyed like the other, so a retried text
		// tells it once on each.
		for _, h := range t.holders {
			key := fmt.Sprintf("crisis-after-end:%s:agency:%d", c.MessageSID, h.agency)
			rows = append(rows, OutboxRow{Kind: OutboxAlert,
				Payload: OutboxPayload{ReferralID: h.id, AgencyID: h.agency, Channel: AlertToAgency, Level: AlertCrisisAfterEnd,
					Text: crisisAlertText(h.reference, c, late, "The network's coordinators have been told.")},
				Dedupe: key},
				OutboxRow{Kind: OutboxEmail,
					Payload: OutboxPayload{ReferralID: h.id, AgencyID: h.agency, Email: EmailClientCrisis, Level: AlertCrisisAfterEnd,
						CrisisText: news},
					Dedupe: "mail:" + key})
		}
		return e.outbox.EnqueueAllTx(ctx, tx, rows)
	})
	if err != nil {
		return "", fmt.Errorf("record crisis text of client %d: %w", client, err)
	}
	if out == CrisisAlerted {
		e.wakeWorkers()
	}
	return out, nil
}

// crisisTarget is what a crisis text is recorded on, and who hears of
// it, as read under the client's lock.
type crisisTarget struct {
	// about is the referral the coordinators' alert names.
	about crisisHolder
	// on are the referrals whose timelines tell the text.
	on []ReferralID
	// holders are the agencies told, each with its open referral.
	holders []crisisHolder
	// withdrawn: the client withdrew their consent. The text goes on
	// their own record, naming about, and no agency is told.
	withdrawn bool
}

// crisisLocate takes the client's lock in tx (serialising two crisis
// texts of one client: the SMS edge's phone lock does already, a held
// text replayed by a worker does not take it) and reads what the text is
// recorded on. ok is false when there is nothing to record it on.
type crisisLocate func(ctx context.Context, tx pgx.Tx) (t crisisTarget, ok bool, err error)

// crisisByReference finds the client of the referral called reference,
// when p is their phone (referenceHasPhone); else out is CrisisNotTheirs.
// The text is recorded on that referral, and the agencies holding it or
// a referral carried on from it are told.
func (e *Engine) crisisByReference(ctx context.Context, reference string, p Phone) (ClientID, crisisLocate, CrisisAfterEndOutcome, error) {
	ok, err := e.referenceHasPhone(ctx, reference, p)
	if err != nil {
		return 0, nil, "", fmt.Errorf("record crisis text after a referral: %w", err)
	}
	if !ok {
		return 0, nil, CrisisNotTheirs, nil
	}
	_, r, err := e.ClientByReference(ctx, reference)
	if errors.Is(err, ErrNotFound) {
		return 0, nil, CrisisNotTheirs, nil
	}
	if err != nil {
		return 0, nil, "", fmt.Errorf("record crisis text after a referral: %w", err)
	}
	locate := func(ctx context.Context, tx pgx.Tx) (crisisTarget, bool, error) {
		t := crisisTarget{about: crisisHolder{id: r.ID, reference: r.Reference}}
		if err := tx.QueryRow(ctx, sqlLockCrisisClient, r.ID).Scan(&t.withdrawn); err != nil {
			return t, false, fmt.Errorf("lock client: %w", err)
		}
		if t.withdrawn {
			return t, true, nil
		}
		t.on = []ReferralID{r.ID}
		holders, err := crisisHolders(ctx, tx, r.ID)
		t.holders = holders
		return t, err == nil, err
	}
	return r.ClientID, locate, "", nil
}

// crisisKinds are the kinds of crisis words staff were alerted to.
type crisisKinds struct{ SelfHarm, Danger bool }

// crisisTextsSince reports whether the client's text sid was recorded
// already, and the kinds of words staff were alerted to since by alerts
// that said the same of Onward's reply (optedOut: that none could be
// sent). An alert that the client was sent the crisis lines does not
// cover a later text Onward could not answer, nor the other way round:
// what staff should do differs.
func (e *Engine) crisisTextsSince(ctx context.Context, tx pgx.Tx, client ClientID, since time.Time, sid string, optedOut bool) (bool, crisisKinds, error) {
	rows, _ := tx.Query(ctx, sqlCrisisTexts, EventCrisisAfterEnd, client, since, sid)
	datas, err := pgx.CollectRows(rows, pgx.RowTo[map[string]any])
	if err != nil {
		return false, crisisKinds{}, fmt.Errorf("crisis texts of client %d: %w", client, err)
	}
	var k crisisKinds
	for _, d := range datas {
		if s, _ := d["message_sid"].(string); s == sid {
			return true, k, nil
		}
		if a, _ := d["alerted"].(bool); !a {
			continue
		}
		if o, _ := d["opted_out"].(bool); o != optedOut {
			continue
		}
		sh, _ := d["self_harm"].(bool)
		dg, _ := d["danger"].(bool)
		k.SelfHarm, k.Danger = k.SelfHarm || sh, k.Danger || dg
	}
	return false, k, nil
}

// crisisHolder is an open referral of the client's held by an agency.
type crisisHolder struct {
	id        ReferralID
	reference string
	agency    AgencyID
}

func crisisHolders(ctx context.Context, tx pgx.Tx, id ReferralID) ([]crisisHolder, error) {
	rows, _ := tx.Query(ctx, sqlCrisisHolders, id)
	hs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (crisisHolder, error) {
		var h crisisHolder
		err := row.Scan(&h.id, &h.reference, &h.agency)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("agencies holding referral %d's client: %w", id, err)
	}
	return hs, nil
}

// CrisisWords names the kinds of crisis words, as an alert or a timeline
// says them: "self-harm", "danger", or "self-harm and danger".
func CrisisWords(selfHarm, danger bool) string {
	var kinds []string
	if selfHarm {
		kinds = append(kinds, "self-harm")
	}
	if danger {
		kinds = append(kinds, "danger")
	}
	return strings.Join(kinds, " and ")
}

// crisisAlertText is the alert's words (plain words: the triage channel
// escapes them, the email shows them as they are), about the referral
// called reference. The first sentence is the email's subject. A text
// Onward could not reply to (c.OptedOut) says so, and what to do instead.
func crisisAlertText(reference string, c CrisisAfterEnd, late, told string) string {
	var sent []string
	if c.SelfHarm {
		sent = append(sent, "the crisis lines")
	}
	if c.Danger {
		sent = append(sent, "999 and the domestic abuse helpline")
	}
	lines := strings.Join(sent, ", and ")
	if c.OptedOut {
		return fmt.Sprintf("The client of referral %s texted words of %s after their referral was made. Onward could not reply, as their phone has opted out of texts (they texted STOP), so they were not sent %s.%s %s Please contact them another way now, and call 999 if you believe they are in immediate danger.",
			reference, CrisisWords(c.SelfHarm, c.Danger), lines, late, told)
	}
	return fmt.Sprintf("The client of referral %s texted words of %s after their referral was made. Onward's reply gave them %s.%s %s Please check on them now.",
		reference, CrisisWords(c.SelfHarm, c.Danger), lines, late, told)
}
