package bot

import (
	"errors"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestRefusedStatusChangeWords: a status change core refuses reads the
// same on the staff web and in Slack, in core's plain words alone
// (core.TransitionError), with no generic prefix before them and no
// status code ("in-progress") in them: Could not contact once the client
// was marked contacted, and a completion before they were (Slack's
// Mark completed… refused before its modal opens, keeping core's hint).
func TestRefusedStatusChangeWords(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	contacted := tb.act(tb.act(tb.selfReferral("words-contacted", false), core.ActionAccept, tb.Net.Adviser), core.ActionContact, tb.Net.Adviser)
	accepted := tb.act(tb.selfReferral("words-accepted", false), core.ActionAccept, tb.Net.Adviser)
	c := tb.signedIn(tb.Net.Adviser)
	for _, x := range []struct {
		r      core.Referral
		button button
		form   url.Values
		want   string
	}{
		{contacted, btnFail, url.Values{"confirm": {"yes"}},
			"This referral is already in progress, so it cannot be marked Could not contact: the client was reached. Complete it instead, saying how the help ended."},
		{accepted, btnComplete, url.Values{"outcome": {"help-given"}},
			"This referral is already accepted, so it cannot be marked completed: mark the client contacted first."},
	} {
		var te *core.TransitionError
		if err := tb.bot.engine.ActRefusal(t.Context(), x.r, tb.Net.Adviser.Actor(), x.button.action()); !errors.As(err, &te) || te.Error() != x.want {
			t.Fatalf("core refuses %s on %s as %v, want %q", x.button, x.r.Status, err, x.want)
		}

		x.form.Set("csrf", c.csrf)
		x.form.Set("version", strconv.Itoa(x.r.Version))
		resp, body := c.post("/staff/referrals/"+x.r.Reference+"/"+string(x.button), x.form)
		if text := html.UnescapeString(body); resp.StatusCode != http.StatusConflict || !strings.Contains(text, x.want) ||
			strings.Contains(text, "done now:") || strings.Contains(text, "that is "+string(x.r.Status)) {
			t.Errorf("the staff web refuses %s on %s: %d, want 409 saying %q:\n%s", x.button, x.r.Status, resp.StatusCode, x.want, body)
		}

		tb.slack.reset()
		wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", string(x.button), buttonValue(x.r.ID, x.r.Version))), 200)
		tb.bot.wait()
		eph := tb.slack.called("chat.postEphemeral")
		if len(eph) != 1 || eph[0].text() != x.want {
			t.Errorf("Slack refuses %s on %s with %+v, want %q alone", x.button, x.r.Status, eph, x.want)
		}
		if got := tb.referral(x.r.ID); got.Status != x.r.Status || got.Version != x.r.Version {
			t.Errorf("the refused %s changed the referral: %s v%d", x.button, got.Status, got.Version)
		}
	}
}
