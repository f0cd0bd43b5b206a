package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// SignInLinkMinutes is how long the sign-in links the emails carry work
// (bot's login link lifetime), for the copy.
const SignInLinkMinutes = 15

// DeliveryEmailed is the status of an email the mail server accepted
// (its 250 after DATA).
const DeliveryEmailed core.DeliveryStatus = "email accepted"

// hostOf is the host of a URL, or "".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// messageID is an email's Message-ID, derived from its outbox row: the
// same row always has the same id, so a receiving system that sees it
// twice can tell.
func (w *Worker) messageID(r core.OutboxClaim) string {
	h := sha256.Sum256([]byte(r.DedupeKey))
	host := hostOf(w.cfg.PublicURL)
	if host == "" {
		host = "onward.invalid"
	}
	return fmt.Sprintf("outbox-%d.%s@%s", r.ID, hex.EncodeToString(h[:6]), host)
}

func (w *Worker) publicURL(path string) string {
	return strings.TrimRight(w.cfg.PublicURL, "/") + path
}

// slackReaches reports whether Slack carries the kind's notifications:
// Onward is connected to Slack and, for coordinator kinds, the triage
// channel is set (agency kinds also need the agency's channel, which
// core checks per agency).
func (w *Worker) slackReaches(kind core.EmailKind) bool {
	if w.slack == nil {
		return false
	}
	return !kind.ForCoordinators() || w.cfg.SlackTriageChannel != ""
}

// expandEmail turns an email cause into one send row per recipient, in
// the transaction that marks the cause sent.
func (w *Worker) expandEmail(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	if w.mail == nil {
		return skipped("email not configured"), nil
	}
	kind := r.Payload.Email
	var to []core.EmailRecipient
	var err error
	if kind == core.EmailDigest {
		to, err = w.engine.DigestRecipients(ctx, r.Payload.AgencyID, w.slack != nil)
	} else {
		var referrer core.StaffID
		crisis := false
		if id := r.Referral(); id != 0 {
			ref, err := w.engine.Referral(ctx, id)
			if errors.Is(err, core.ErrNotFound) {
				return outcome{}, permanent("referral is gone", err)
			}
			if err != nil {
				return outcome{}, err
			}
			// Reminders, and news of a completion held back while it
			// could be undone, follow the rule their Slack and text twins do.
			if due, why := ref.StillDue(r.Kind, r.Payload); !due {
				return skipped(why), nil
			}
			if ref.FromStaffID != nil {
				referrer = *ref.FromStaffID
			}
			// An alert that a client in danger texted reaches everyone
			// at once, as a crisis referral's emails do.
			crisis = ref.Crisis || r.Payload.UrgentAlert()
		}
		to, err = w.engine.EmailRecipients(ctx, kind, r.Payload.AgencyID, referrer, crisis, w.slackReaches(kind), false)
		if err == nil && len(to) == 0 && kind == core.EmailNewReferral {
			to, err = w.nobodyAtAgency(ctx, r.Payload.AgencyID)
		}
	}
	if err != nil {
		return outcome{}, err
	}
	if len(to) == 0 {
		return skipped("nobody to email"), nil
	}
	now := w.now()
	res := sent("", core.DeliveryStatus(fmt.Sprintf("emailing %d", len(to))))
	res.inTx = func(ctx context.Context, tx pgx.Tx) error {
		return w.outbox.QueueEmailSends(ctx, tx, r, to, now)
	}
	res.after = func(context.Context) error { w.wake(); return nil }
	return res, nil
}

// nobodyAtAgency is who gets a new referral's email when nobody at its
// agency would: the network's coordinators, whatever they chose for their
// own email, when Slack does not reach the agency either and nobody there
// gathers new referrals in a daily digest. For an agency off Slack these
// emails are its only notice, and a referral nobody is told of would wait
// in silence until it escalated. The coordinators' email says why they
// got it (emailFacts: the recipient is not at the referral's agency).
func (w *Worker) nobodyAtAgency(ctx context.Context, agency core.AgencyID) ([]core.EmailRecipient, error) {
	if agency == 0 {
		return nil, nil
	}
	a, err := w.agency(ctx, agency)
	if err != nil {
		return nil, err
	}
	if w.slack != nil && a.SlackChannelID != "" {
		return nil, nil // the agency's Slack channel has the card
	}
	later, err := w.engine.EmailRecipients(ctx, core.EmailNewReferral, agency, 0, false, false, true)
	if err != nil || len(later) > 0 {
		return nil, err
	}
	// Slack has no card for it (the agency has no channel) and the
	// coordinators did not choose this kind for their own agency: both
	// "slack" and the choice are set aside (always).
	const always = true
	return w.engine.EmailRecipients(ctx, core.EmailNewReferral, 0, 0, always, false, false)
}

// sendEmail sends one email to one address. Like a text, it is marked
// "sending" at the last moment before the provider may hold it, so a
// worker killed before it records the server's answer leaves a row that
// is dead-lettered, not sent twice (see the package documentation). For
// an email that moment is the end of its data, the final "." (see
// MailSender): a worker stopped or killed while the server has not
// greeted it, or anywhere else before, leaves a row that is simply tried
// again. The same holds for a worker that waited for the server's answer
// to the "." and got none: the email is dead-lettered as interrupted.
//
// The send, with its wait for that answer, ends while the row's lease
// holds, so that its outcome is recorded by this worker. While the mail
// server cannot be reached the email waits, uncounted (mailGate).
func (w *Worker) sendEmail(ctx context.Context, r core.OutboxClaim) (outcome, error) {
	if r.DeliveryStatus == core.DeliverySending {
		return outcome{}, &Failure{Provider: "smtp", Permanent: true, Interrupted: true,
			Reason: "interrupted during send: the worker stopped after the mail server had the whole email and before its answer, so it may have taken it; not sent again: look for Message-ID <" +
				w.messageID(r) + "> in the mail server's log before retrying"}
	}
	if w.mail == nil {
		return skipped("email not configured"), nil
	}
	if r.Payload.Email == core.EmailSignIn && !w.now().Before(r.CreatedAt.Add(SignInLinkMinutes*time.Minute)) {
		// Put off by the mail server past the link's life: it would
		// arrive saying "works for 15 minutes" with a link that no longer
		// does. The member of staff asks for another.
		return skipped("the sign-in link expired before the mail server took the email"), nil
	}
	ctx, cancel := context.WithDeadline(ctx, w.leaseEnd(r))
	defer cancel()
	until, probe, ok := w.mailGate.admit(ctx, w.now)
	if !ok {
		return deferred(until, mailWaitWhy), nil
	}
	defer w.mailGate.cancelProbe(probe) // a probe that never reached the server
	staff, agency, referral := emailSubjectIDs(r)
	subj, err := w.engine.EmailSubjects(ctx, staff, agency, referral)
	if err != nil {
		return outcome{}, err
	}
	m, err := w.composeEmail(ctx, r, subj)
	if err != nil {
		return outcome{}, err
	}
	if m.To == "" {
		return skipped("nobody at this address any more"), nil
	}
	// A lost lease (core.ErrLeaseLost) calls the send off: another
	// worker has the row.
	commit := func() error { return w.outbox.MarkSending(ctx, r) }
	err = w.mail.SendMail(ctx, m, commit)
	var down *MailServerDown
	if errors.As(err, &down) {
		until := w.mailGate.failed(down, probe, w.now())
		w.log.Debug("email waits for the mail server", "id", r.ID, "until", until, "err", down.Cause)
		return deferred(until, mailWaitWhy), nil
	}
	w.mailGate.answered(probe)
	if err != nil {
		return outcome{}, err
	}
	return sent("<"+m.MessageID+">", DeliveryEmailed), nil
}

// emailSubjectIDs are the ids an email send row is about: its recipient
// (a member of staff, or else an agency's shared address) and its referral.
func emailSubjectIDs(r core.OutboxClaim) (core.StaffID, core.AgencyID, core.ReferralID) {
	p := r.Payload
	var agency core.AgencyID
	if p.StaffID == 0 {
		agency = p.AgencyID
	}
	var referral core.ReferralID
	if k := p.Email; k != core.EmailSignIn && k != core.EmailInvitation && k != core.EmailDigest {
		referral = r.Referral()
	}
	return p.StaffID, agency, referral
}

// composeEmail renders a send row's email to its recipient, from what
// the row is about (subj). No To means nobody to send to any more.
func (w *Worker) composeEmail(ctx context.Context, r core.OutboxClaim, subj core.EmailSubjects) (Mail, error) {
	p := r.Payload
	kind := p.Email
	cal, err := w.engine.Calendar(ctx)
	if err != nil {
		return Mail{}, err
	}
	d := emailData{Network: cal.Name, Link: w.publicURL("/staff/"), Settings: w.publicURL("/staff/settings/email"),
		LoginPage: w.publicURL("/staff/login"), Minutes: SignInLinkMinutes, RepliesUnread: w.cfg.MailReplyTo == ""}
	m := Mail{MessageID: w.messageID(r), Date: w.now()}
	if p.StaffID != 0 {
		st := subj.Staff
		if st == nil {
			return Mail{}, nil // deactivated since: no email
		}
		m.To, m.ToName, d.Name = st.Email, st.Name, st.Name
		d.Agency = st.AgencyName
		// An email the recipient's choice does not govern (one about a
		// crisis referral reaches everyone, whatever they chose) offers no
		// way to stop it.
		crisis := (subj.Referral != nil && subj.Referral.Crisis) || p.UrgentAlert()
		if kind.ChoiceApplies(crisis) && w.cfg.SessionSecret != "" {
			d.Unsubscribe = w.publicURL("/staff/settings/email/unsubscribe?t=" + url.QueryEscape(core.UnsubscribeToken([]byte(w.cfg.SessionSecret), st.ID, kind)))
		}
	} else if p.AgencyID != 0 {
		a := subj.Agency
		if a == nil {
			return Mail{}, permanent(fmt.Sprintf("agency %d is gone", p.AgencyID), core.ErrNotFound)
		}
		m.To, m.ToName, d.Name = a.NotifyEmail, a.Name, a.Name
		d.Agency, d.SharedAddress = a.Name, true
	}
	if m.To == "" {
		return Mail{}, nil
	}
	if err := w.emailFacts(ctx, r, cal, subj, &d); err != nil {
		return Mail{}, err
	}
	m.Unsubscribe = d.Unsubscribe
	m.Subject, m.Text, m.HTML, err = w.mailTmpl.render(kind, d)
	return m, err
}

// emailFacts fills in what the kind says about its referral (read with
// the recipient, in subj) or its day.
func (w *Worker) emailFacts(ctx context.Context, r core.OutboxClaim, cal core.Calendar, subj core.EmailSubjects, d *emailData) error {
	p := r.Payload
	switch p.Email {
	case core.EmailSignIn, core.EmailInvitation:
		link, err := w.engine.EmailLink(p)
		if err != nil {
			return permanent("read sign-in link", err)
		}
		d.SignInLink = link
		return nil
	case core.EmailDigest:
		return w.digestFacts(ctx, p.AgencyID, p.StaffID, cal, d)
	case core.EmailDeadLetter:
		d.DeadKind, d.DeadError, d.DeadID, d.Attempts = p.Template, p.Text, p.Level, p.Version
		d.DeadWhat = kindWords(core.OutboxKind(p.Template))
	case core.EmailAlert:
		d.Alert, d.AlertSubject = p.Text, alertSubject(p.Text)
		d.Triage = p.Level == core.AlertTriageWaiting || p.Level == core.AlertTriageOverdue
		d.TriageOverdue = p.Level == core.AlertTriageOverdue
		d.InboxLists = p.Level == core.AlertRetiredHeld
	case core.EmailClientCrisis:
		c := p.CrisisText
		if c == nil || (!c.SelfHarm && !c.Danger) {
			return permanent("crisis text email without its kinds of words", nil)
		}
		d.CrisisWords, d.SelfHarm, d.Danger = core.CrisisWords(c.SelfHarm, c.Danger), c.SelfHarm, c.Danger
		d.CrisisOptedOut = c.OptedOut
		if c.TextedAt != nil {
			d.TextedAt = when(cal, *c.TextedAt)
		}
	}
	id := r.Referral()
	if id == 0 {
		return nil
	}
	if subj.Referral == nil {
		return permanent("referral is gone", fmt.Errorf("referral %d: %w", id, core.ErrNotFound))
	}
	ref := *subj.Referral
	d.Reference, d.Needs, d.District, d.Crisis = ref.Reference, needLabels(ref.Needs), ref.PostcodeDistrict, ref.Crisis
	// The language line is there for a client who texts in another
	// language or wants an interpreter, in whichever language: an
	// interpreter need is never left out, even when texts are in English.
	code, need, err := w.engine.ClientLanguages(ctx, ref.ClientID)
	if err != nil {
		return err
	}
	d.Language = ""
	if code != "" && (code != lang.English || need.Wanted) {
		d.Language = w.cat.EnglishName(code)
		if label := need.Label(); label != "" {
			d.Language += " · " + label
		}
	}
	d.Link = w.publicURL("/staff/referrals/" + url.PathEscape(ref.Reference))
	d.Agency = ""
	if ref.ToAgencyID != nil {
		a := subj.ToAgency
		if a == nil {
			return permanent(fmt.Sprintf("agency %d is gone", *ref.ToAgencyID), core.ErrNotFound)
		}
		d.Agency = a.Name
		target := cal.AckTarget(*a, ref.Crisis)
		d.Target, d.Waited = int(target.Hours()), 2*int(target.Hours())
	}
	switch {
	case ref.Status != core.StatusRequested || ref.AcknowledgedAt != nil:
	case ref.AckDueAt != nil:
		d.Due, d.DuePassed = when(cal, *ref.AckDueAt), !ref.AckDueAt.After(w.now())
	case ref.Crisis:
		d.Due = when(cal, cal.AckDue(ref.CreatedAt, core.Agency{}, true))
	}
	if d.Triage {
		// The facts' clock is an agency's acknowledgement; a referral in
		// triage waits for a coordinator to choose one, by its triage target.
		d.Due, d.TriageDue = "", when(cal, cal.TriageDue(ref.CreatedAt, ref.Crisis))
	}
	if p.Email == core.EmailContactReminder {
		d.Days = cal.ContactNudgeDays
		if p.Level == core.AlertNotContacted {
			words := core.NotContactedWords(ref.Reference)
			d.ClientSaysNotContacted = &words
		}
		if d.WaitingList = p.Level == core.LevelWaitingList; d.WaitingList {
			d.Days = core.WaitingListReviewDays
		} else if d.AcceptedBy, err = w.acceptedBy(ctx, ref.ID, cal); err != nil {
			return err
		}
	}
	d.SelfReferral = ref.SelfReferral()
	if p.Email == core.EmailNewReferral {
		o, redirected, err := w.engine.RedirectOrigin(ctx, ref)
		if err != nil {
			return err
		}
		if redirected {
			d.RedirectedBy, d.RedirectWhy = o.Agency, o.Feedback != ""
		}
		if from := subj.FromAgency; from != nil {
			d.ReferredFrom = from.Name
			// Named only while at the agency the referral came from: someone
			// who has left it, or moved, is not the one to ask.
			if by := subj.Referrer; by != nil && by.AgencyID == from.ID {
				d.ReferredBy = by.Name
			}
		}
	}
	if p.Email == core.EmailNewReferral && subj.Staff != nil && ref.ToAgencyID != nil && subj.Staff.AgencyID != *ref.ToAgencyID {
		// A coordinator told in place of an agency nobody at which gets
		// these emails (nobodyAtAgency): their own unsubscribe link would
		// not stop these.
		d.NobodyThere, d.Unsubscribe = true, ""
	}
	if p.Email == core.EmailReferralUpdate {
		d.Update = updateWords(p.Action, ref)
		switch p.Action {
		case core.ActionReject, core.ActionRedirect:
			if ref.Reason != nil {
				d.Reason = ref.Reason.Label()
			}
			d.Feedback = ref.Feedback != ""
		case core.ActionComplete:
			// News of a completion goes only while it stands (StillDue),
			// so its outcome is the one the email is about.
			if ref.Outcome != nil {
				d.Outcome = ref.Outcome.Label()
			}
		case "":
			// A row queued before the action was named: the status is all there is.
			if ref.Reason != nil {
				d.Reason = ref.Reason.Label()
			}
			if ref.Outcome != nil {
				d.Outcome = ref.Outcome.Label()
			}
			d.Feedback = ref.Feedback != ""
		}
		if p.Action == core.ActionRedirect || p.Action == "" {
			// The referrer needs to know whom to follow it up with: the
			// agency it went to (its name is no personal data), in place
			// of the reason code, which would only say "redirected" again.
			to, ok, err := w.engine.RedirectedTo(ctx, ref)
			if err != nil {
				return err
			}
			if ok {
				d.Update, d.Reason = "redirected to "+to, ""
			}
		}
	}
	return nil
}

// when formats a moment for an email in the network's time zone.
func when(cal core.Calendar, t time.Time) string {
	return t.In(cal.Location).Format("15:04 on Monday 2 January")
}

// updateWords says in a few words what the referrer's update email tells
// of: the change that queued it (action), not the referral as it is when
// the email is built, which may have moved on since (accepted, then marked
// could not contact, is two emails, each of its own change).
func updateWords(action core.Action, ref core.Referral) string {
	switch action {
	case core.ActionAccept:
		return "accepted"
	case core.ActionReject:
		return "not accepted"
	case core.ActionRedirect:
		return "redirected to another agency"
	case core.ActionContact:
		return "client contacted"
	case core.ActionComplete:
		return "completed"
	case core.ActionFail:
		return failedWords
	case core.ActionCancel:
		return "cancelled"
	}
	return statusWords(ref)
}

// failedWords tell of a referral closed as "could not contact": the
// agency never reached the client, which says nothing of whether they
// could have been helped.
const failedWords = "closed: the agency could not contact the client"

// statusWords says in a few words where a referral stands.
func statusWords(ref core.Referral) string {
	switch ref.Status {
	case core.StatusRequested:
		return "waiting to be accepted"
	case core.StatusAccepted:
		return "accepted"
	case core.StatusRejected:
		if ref.Reason != nil && *ref.Reason == core.ReasonRedirected {
			return "redirected to another agency"
		}
		return "not accepted"
	case core.StatusInProgress:
		return "client contacted"
	case core.StatusCompleted:
		return "completed"
	case core.StatusFailed:
		return failedWords
	case core.StatusCancelled:
		return "cancelled"
	}
	return string(ref.Status)
}

// digestFacts fills in a member of staff's day: for each kind they chose
// to have in the digest, what those emails would have said. Kinds they
// get at once or turned off are left out.
func (w *Worker) digestFacts(ctx context.Context, agency core.AgencyID, staff core.StaffID, cal core.Calendar, d *emailData) error {
	a, err := w.agency(ctx, agency)
	if err != nil {
		return err
	}
	st, err := w.engine.StaffByID(ctx, staff)
	if err != nil {
		return err
	}
	prefs, err := w.engine.MailPrefs(ctx, staff)
	if err != nil {
		return err
	}
	in := func(k core.EmailKind) bool { return prefs[k] == core.MailDigest }
	coordinates := st.Actor().Coordinates()
	now := w.now()
	since := now.Add(-24 * time.Hour)
	d.Agency, d.Date = a.Name, now.In(cal.Location).Format("Monday 2 January")
	d.DigestNew, d.DigestWaiting = in(core.EmailNewReferral), in(core.EmailAckReminder)
	d.DigestNotContacted = in(core.EmailContactReminder)
	d.DigestUpdates = in(core.EmailReferralUpdate)
	d.DigestEscalations = coordinates && in(core.EmailEscalation)
	d.DigestDead = coordinates && in(core.EmailDeadLetter)
	d.DigestTriage = coordinates && in(core.EmailAlert)
	if d.DigestNew || d.DigestWaiting || d.DigestNotContacted {
		if d.Counts, err = w.digestCounts(ctx, a); err != nil {
			return err
		}
	}
	if d.DigestNew {
		news, err := w.engine.DigestNewReferrals(ctx, agency, since)
		if err != nil {
			return err
		}
		for _, r := range news {
			d.Items = append(d.Items, digestItem{Reference: r.Reference, Needs: needLabels(r.Needs), District: r.District, Crisis: r.Crisis,
				Status: statusWords(core.Referral{Status: r.Status, Reason: r.Reason})})
		}
	}
	if d.DigestUpdates {
		ups, err := w.engine.DigestUpdates(ctx, staff, since)
		if err != nil {
			return err
		}
		for _, u := range ups {
			d.Updates = append(d.Updates, digestUpdate{Reference: u.Reference,
				Words: statusWords(core.Referral{Status: u.Status, Reason: u.Reason})})
		}
	}
	if d.DigestEscalations {
		if d.Escalated, err = w.engine.WaitingPastTarget(ctx, now); err != nil {
			return err
		}
	}
	if d.DigestDead {
		if d.Dead, err = w.engine.DeadLettersSince(ctx, since); err != nil {
			return err
		}
	}
	if d.DigestTriage {
		queue, err := w.engine.TriageQueue(ctx, now)
		if err != nil {
			return err
		}
		for i, q := range queue {
			if q.Overdue {
				d.TriageOverdueCount++
			}
			if i < maxDigestTriage {
				d.Triaging = append(d.Triaging, digestItem{Reference: q.Reference, Needs: needLabels(q.Needs),
					District: q.District, Crisis: q.Crisis, Overdue: q.Overdue, Claimed: q.Claimed})
			}
		}
		d.TriageCount = len(queue)
	}
	return nil
}

// maxDigestTriage is how many referrals in triage a digest lists by
// reference; it counts them all.
const maxDigestTriage = 50
