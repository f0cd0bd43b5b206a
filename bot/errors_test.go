package bot

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// Each kind of error means one thing on both edges: the same words in
// Slack and the staff web, the web's status, and whether a Slack press may
// be tried again. Errors arrive wrapped, as core returns them.
func TestErrorAnswers(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := t.Context()
	wrap := func(err error) error { return fmt.Errorf("accept referral 1: %w", err) }
	cases := []struct {
		err      error
		status   int
		definite bool // a decision, not a fault
		again    bool // yet the same press may be made again (about the presser)
		words    string
	}{
		{&core.ConflictError{Reference: "ONW-1", Status: core.StatusAccepted, By: "Ailsa", At: tb.Clock.Now()}, http.StatusConflict, true, false, "Already accepted by Ailsa"},
		{&core.TransitionError{Action: core.ActionAccept, Status: core.StatusCompleted}, http.StatusConflict, true, false, "This referral is already completed, so it cannot be accepted."},
		{&core.ForbiddenError{Why: "not your agency"}, http.StatusForbidden, true, false, "Not allowed: not your agency"},
		{&core.ConsentScopeError{Agency: "Fife Housing"}, http.StatusUnprocessableEntity, true, false, "sharing their details with Fife Housing"},
		{core.ErrConsentWithdrawn, http.StatusConflict, true, false, "withdrawn consent"},
		{&core.ValidationError{Fields: []core.FieldError{{Field: "reason", Message: "choose a reason"}, {Field: "feedback", Message: "say why"}}}, http.StatusUnprocessableEntity, true, false, "choose a reason; say why"},
		{core.ErrNotFound, http.StatusNotFound, true, false, "no longer exists"},
		{errNotRegistered, http.StatusForbidden, true, true, "not registered with Onward"},
		{errOtherWorkspace, http.StatusForbidden, true, true, "signed in to another"},
		{errBadButton, http.StatusBadRequest, true, false, "button is out of date"},
		{errStaleForm, http.StatusConflict, true, false, "That form was out of date"},
		{&leftNetworkError{agency: "Fife Housing"}, http.StatusForbidden, true, true, "Fife Housing has left the network"},
		{errors.New("connection reset"), http.StatusInternalServerError, false, false, "Something went wrong on our side"},
	}
	for _, c := range cases {
		err := wrap(c.err)
		reply := tb.bot.slackReply(ctx, err)
		if !strings.Contains(reply.text, c.words) || !strings.Contains(reply.plain, c.words) || reply.definite != (c.definite && !c.again) {
			t.Errorf("%v: Slack %+v, want %q, definite %v", c.err, reply, c.words, c.definite && !c.again)
		}
		status, title, msg := tb.bot.webAnswer(ctx, err)
		if status != c.status {
			t.Errorf("%v: web status %d, want %d", c.err, status, c.status)
		}
		if c.definite && (title == "" || strings.HasPrefix(title, "!copy") || title == sayWeb("web.failed.title", nil)) {
			t.Errorf("%v: the web's page title %q does not say what happened", c.err, title)
		}
		if c.definite && msg != reply.plain {
			t.Errorf("%v: web says %q, Slack %q", c.err, msg, reply.plain)
		}
		if !c.definite && msg != "" {
			t.Errorf("a fault has words on the web (the failure page says them): %q", msg)
		}
	}
	if !strings.Contains(tb.logText(), "staff action failed") {
		t.Errorf("the fault was not logged")
	}
}
