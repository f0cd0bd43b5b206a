package bot

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/onward-network/onward/core"
)

// This file is where errors become answers to the member of staff who
// acted: answerOf says what each kind of error means, slackReply says it
// in Slack and webAnswer in the staff web. Handlers call those two and
// nothing else to explain an error.

// errBadButton is a button or form value we cannot read.
var errBadButton = errors.New("unreadable button value")

// errStaleForm is a staff web form that does not say which version of the
// referral it was made from: refused as an out-of-date one is.
var errStaleForm = errors.New("the form names no version of the referral")

// answer is what one kind of error means.
type answer struct {
	key    string // the copy that says it (the eph.* words)
	status int    // the staff web's HTTP status
	data   any    // what the copy needs
}

// webTitles are the staff web's page titles for each kind of answer (the
// web.title.* words): what happened, never "Something went wrong" for a
// decision, which reads as a fault in Onward.
var webTitles = map[string]string{
	"eph.conflict": "web.title.conflict", "eph.transition": "web.title.transition", "eph.forbidden": "web.title.forbidden",
	"eph.consent_scope": "web.title.consent_scope", "eph.consent_withdrawn": "web.title.consent_withdrawn",
	"eph.invalid": "web.title.invalid", "eph.not_found": "web.notfound.title", "eph.not_registered": "web.title.not_registered",
	"eph.slack_linked_elsewhere": "web.title.not_registered", "eph.other_workspace": "web.title.not_registered",
	"eph.left_network": "web.title.left_network", "eph.bad_button": "web.title.stale", "eph.stale_form": "web.title.stale",
	"eph.failed": "web.failed.title",
}

// answerOf is the table of what errors from core (and the bot's own)
// mean. ok is false for a fault: nothing was decided, so trying again may
// work.
func (b *Bot) answerOf(ctx context.Context, err error) (a answer, ok bool) {
	var (
		conflict   *core.ConflictError
		transition *core.TransitionError
		forbidden  *core.ForbiddenError
		scope      *core.ConsentScopeError
		invalid    *core.ValidationError
		left       *leftNetworkError
	)
	switch {
	case errors.As(err, &conflict):
		return answer{"eph.conflict", http.StatusConflict, b.conflictWords(ctx, conflict)}, true
	case errors.As(err, &transition):
		return answer{"eph.transition", http.StatusConflict, transition}, true
	case errors.As(err, &forbidden):
		return answer{"eph.forbidden", http.StatusForbidden, forbidden.Why}, true
	case errors.As(err, &scope):
		return answer{"eph.consent_scope", http.StatusUnprocessableEntity, consentScopeWords{Agency: scope.Agency, Link: b.consentLink(ctx, err)}}, true
	case errors.Is(err, core.ErrConsentWithdrawn):
		return answer{"eph.consent_withdrawn", http.StatusConflict, nil}, true
	case errors.As(err, &invalid):
		msgs := make([]string, len(invalid.Fields))
		for i, f := range invalid.Fields {
			msgs[i] = f.Message
		}
		return answer{"eph.invalid", http.StatusUnprocessableEntity, strings.Join(msgs, "; ")}, true
	case errors.Is(err, core.ErrNotFound):
		return answer{"eph.not_found", http.StatusNotFound, nil}, true
	case errors.Is(err, errOtherWorkspace):
		return answer{"eph.other_workspace", http.StatusForbidden, nil}, true
	case errors.Is(err, errNotRegistered):
		return answer{"eph.not_registered", http.StatusForbidden, nil}, true
	case errors.Is(err, errSlackLinkedElsewhere):
		return answer{"eph.slack_linked_elsewhere", http.StatusForbidden, nil}, true
	case errors.As(err, &left):
		return answer{"eph.left_network", http.StatusForbidden, left.agency}, true
	case errors.Is(err, errBadButton):
		return answer{"eph.bad_button", http.StatusBadRequest, nil}, true
	case errors.Is(err, errStaleForm):
		return answer{"eph.stale_form", http.StatusConflict, nil}, true
	}
	return answer{"eph.failed", http.StatusInternalServerError, nil}, false
}

// consentScopeWords are what eph.consent_scope says: the agency refused,
// and where to record new consent, when the refusal is about a referral.
type consentScopeWords struct{ Agency, Link string }

// referralError is an error acting on one referral, for answers that send
// the member of staff to that referral's pages on the staff web (Slack
// has no consent form, so a consent refusal links to the web's).
type referralError struct {
	id  core.ReferralID
	err error
}

func (e *referralError) Error() string { return e.err.Error() }
func (e *referralError) Unwrap() error { return e.err }

// consentLink is the staff web's consent form for the referral err is
// about, "" when err names none or it cannot be read. The address
// carries the reference only, never the client.
func (b *Bot) consentLink(ctx context.Context, err error) string {
	var on *referralError
	if !errors.As(err, &on) {
		return ""
	}
	r, err := b.engine.Referral(ctx, on.id)
	if err != nil {
		return ""
	}
	return strings.TrimRight(b.cfg.PublicURL, "/") + "/staff/referrals/" + url.PathEscape(r.Reference) + "/consent"
}

// slackAnswer is Slack's answer to an error.
type slackAnswer struct {
	text  string // mrkdwn, for messages
	plain string // plain text, for errors shown inside a modal
	// definite is true when pressing again would get the same answer; a
	// fault is not definite, so the press may be tried again, and nor is
	// an answer about the presser (not registered, left the network),
	// which a coordinator can change in a minute.
	definite bool
}

// slackReply is the one place an error becomes a Slack answer. A fault is
// logged here (without personal data) and shown as a generic failure.
func (b *Bot) slackReply(ctx context.Context, err error) slackAnswer {
	a, ok := b.answerOf(ctx, err)
	if !ok {
		b.log.Error("staff action failed", "err", err)
	}
	var left *leftNetworkError
	definite := ok && !errors.Is(err, errNotRegistered) && !errors.Is(err, errSlackLinkedElsewhere) && !errors.As(err, &left)
	return slackAnswer{text: say(a.key, a.data), plain: sayPlain(a.key, a.data), definite: definite}
}

// webAnswer is the one place an error becomes a staff web answer: the
// HTTP status, the title of a page that answers it alone, and the words.
// A fault is 500 with no words: the caller shows the generic failure page
// (failed), which logs it.
func (b *Bot) webAnswer(ctx context.Context, err error) (status int, title, msg string) {
	a, ok := b.answerOf(ctx, err)
	if !ok {
		return http.StatusInternalServerError, "", ""
	}
	return a.status, sayWeb(webTitles[a.key], nil), sayPlain(a.key, a.data)
}
