package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestLastToHearOfNewReferralsIsRefused: at an agency off Slack with no
// shared address, the last member of staff who gets new referrals' emails
// cannot turn them off from the settings page or the unsubscribe page:
// they are told nobody there would hear of a new referral, and what to do
// instead. The digest is allowed; so is turning them off while a
// colleague still gets them, or at an agency on Slack. A mail program's
// one-click unsubscribe (RFC 8058) shows nobody anything, so it acts.
func TestLastToHearOfNewReferralsIsRefused(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	if _, err := tb.Pool.Exec(ctx, `UPDATE agencies SET slack_channel_id = '', notify_email = '' WHERE id = $1`, n.CAB); err != nil {
		t.Fatal(err)
	}
	mode := func(s core.Staff) core.MailMode {
		t.Helper()
		prefs, err := tb.Engine.MailPrefs(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		return prefs[core.EmailNewReferral]
	}
	c := tb.signedIn(n.Adviser)
	_, body := c.get("/staff/settings/email")
	c.noteCSRF(body)
	off := url.Values{"csrf": {c.csrf}, "mode-new-referral": {"off"}}

	// Callum still gets them: Ailsa may stop.
	if resp, _ := c.post("/staff/settings/email", off); resp.StatusCode != http.StatusOK || mode(n.Adviser) != core.MailOff {
		t.Fatalf("off while a colleague gets them: %d, %q", resp.StatusCode, mode(n.Adviser))
	}
	if resp, _ := c.post("/staff/settings/email", url.Values{"csrf": {c.csrf}, "mode-new-referral": {"now"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("back on: %d", resp.StatusCode)
	}
	if err := tb.Engine.SetMailPrefs(ctx, n.Adviser2.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailOff}); err != nil {
		t.Fatal(err)
	}

	// Now Ailsa is the last: the settings page refuses, saying why.
	why := "You are the last person at Kirkton Citizens Advice who gets emails about new referrals"
	resp, body := c.post("/staff/settings/email", off)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, why) || mode(n.Adviser) != core.MailNow {
		t.Errorf("settings: %d, new referrals %q; want 409 saying why, nothing saved:\n%s", resp.StatusCode, mode(n.Adviser), body)
	}
	// Said once, in one summary linking to the choice, and beside it.
	if strings.Count(body, "error-summary") != 1 || strings.Count(body, why) != 2 ||
		!strings.Contains(body, `href="#new-referral-now"`) || !strings.Contains(body, `id="new-referral-error"`) {
		t.Errorf("settings: want one error summary linking to the new-referral choice and the words beside it:\n%s", body)
	}
	summaryLinksLand(t, "the last to hear", body)
	// The unsubscribe link's page says why instead of offering the button,
	// and its form's post is refused as well.
	tok := core.UnsubscribeToken([]byte(tb.cfg.SessionSecret), n.Adviser.ID, core.EmailNewReferral)
	resp, body = tb.web().get("/staff/settings/email/unsubscribe?t=" + url.QueryEscape(tok))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, why) || strings.Contains(body, "<form") {
		t.Errorf("unsubscribe page: %d; want 409 saying why, no button:\n%s", resp.StatusCode, body)
	}
	resp, _ = tb.web().post("/staff/settings/email/unsubscribe", url.Values{"t": {tok}})
	if resp.StatusCode != http.StatusConflict || mode(n.Adviser) != core.MailNow {
		t.Errorf("unsubscribe button: %d, new referrals %q; want 409, still on", resp.StatusCode, mode(n.Adviser))
	}
	// The digest still tells her.
	if resp, _ := c.post("/staff/settings/email", url.Values{"csrf": {c.csrf}, "mode-new-referral": {"digest"}}); resp.StatusCode != http.StatusOK || mode(n.Adviser) != core.MailDigest {
		t.Errorf("digest: %d, %q", resp.StatusCode, mode(n.Adviser))
	}
	if err := tb.Engine.SetMailPrefs(ctx, n.Adviser.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailNow}); err != nil {
		t.Fatal(err)
	}
	// A mail program's one-click post acts: notify tells the coordinators.
	r, err := http.Post(tb.srv.URL+"/staff/settings/email/unsubscribe?t="+url.QueryEscape(tok), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK || mode(n.Adviser) != core.MailOff {
		t.Errorf("one-click: %d, %q; want 200, off", r.StatusCode, mode(n.Adviser))
	}
	// On Slack, the channel tells the agency: anyone may stop.
	if _, err := tb.Pool.Exec(ctx, `UPDATE agencies SET slack_channel_id = 'C0CAB' WHERE id = $1`, n.CAB); err != nil {
		t.Fatal(err)
	}
	if err := tb.Engine.SetMailPrefs(ctx, n.Adviser.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailNow}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.post("/staff/settings/email", off); resp.StatusCode != http.StatusOK || mode(n.Adviser) != core.MailOff {
		t.Errorf("on Slack: %d, %q; want 200, off", resp.StatusCode, mode(n.Adviser))
	}
}

// TestNobodyLeftToldOnTheStaffWeb: the staff web's other ways of leaving
// an agency off Slack with nobody told of a new referral are refused by
// the same rule as the settings page, in plain words, with nothing
// written: a coordinator removing the agency's shared address once its
// staff have turned their emails off (the rest of the form is not saved
// either). Deactivating the last member of staff who gets them is not
// refused: a leaver's access goes whatever the settings say.
func TestNobodyLeftToldOnTheStaffWeb(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	if _, err := tb.Pool.Exec(ctx, `UPDATE agencies SET slack_channel_id = '', notify_email = 'team@cab.example' WHERE id = $1`, n.CAB); err != nil {
		t.Fatal(err)
	}
	for _, s := range []core.Staff{n.Adviser, n.Adviser2} {
		if err := tb.Engine.SetMailPrefs(ctx, s.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailOff}); err != nil {
			t.Fatalf("%s turns new referrals' emails off while the shared address gets them: %v", s.Name, err)
		}
	}
	co := tb.signedIn(n.Coordinator)
	path := fmt.Sprintf("/staff/directory/agencies/%d", n.CAB)
	_, body := co.get(path)
	co.noteCSRF(body)
	why := "would leave nobody at Kirkton Citizens Advice told of a new referral"
	resp, body := co.post(path, url.Values{"csrf": {co.csrf}, "name": {"Kirkton Citizens Advice Bureau"}, "ack_target_hours": {"16"},
		"notify_email": {""}, "email_staff": {core.StaffEmailWithoutSlack}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, why) || !strings.Contains(body, `href="#notify_email"`) {
		t.Errorf("removing the shared address: %d; want 422 saying why beside the address:\n%s", resp.StatusCode, body)
	}
	summaryLinksLand(t, "removing the shared address", body)
	if a, _ := tb.Engine.Agency(ctx, n.CAB); a.NotifyEmail != "team@cab.example" || a.Name != "Kirkton Citizens Advice" {
		t.Errorf("the refused form was saved: address %q, name %q", a.NotifyEmail, a.Name)
	}

	// Ailsa alone gets them, and there is no shared address: a
	// coordinator still deactivates her (someone who has left loses their
	// access whatever the settings say; the coordinators are emailed the
	// agency's new referrals meanwhile).
	if err := tb.Engine.SetMailPrefs(ctx, n.Adviser.ID, map[core.EmailKind]core.MailMode{core.EmailNewReferral: core.MailNow}); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Pool.Exec(ctx, `UPDATE agencies SET notify_email = '' WHERE id = $1`, n.CAB); err != nil {
		t.Fatal(err)
	}
	resp, body = co.post(fmt.Sprintf("/staff/admin/staff/%d/deactivate", n.Adviser.ID), url.Values{"csrf": {co.csrf}})
	if resp.StatusCode >= 400 || strings.Contains(body, why) {
		t.Errorf("deactivating the last to be told: %d; want it done:\n%s", resp.StatusCode, body)
	}
	// Done, and the coordinator is told what follows.
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "done=deactivated-last") {
		t.Errorf("deactivating the last to be told redirected to %q, want the flash saying what follows", loc)
	} else if _, page := co.get(loc); !strings.Contains(page, "the network's coordinators are emailed its new referrals") {
		t.Errorf("the flash after deactivating the last to be told does not say what follows:\n%s", page)
	}
	if _, err := tb.Engine.StaffByID(ctx, n.Adviser.ID); err == nil {
		t.Error("the last to be told is still active after the deactivation")
	}
}

// TestCapacityAlertsOnlyOnChange: coordinators are alerted when an
// agency's capacity changes, not when "at capacity" is pressed again or
// only its note changes.
func TestCapacityAlertsOnlyOnChange(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	alerts := func() int {
		k := 0
		for _, o := range coretest.OutboxRows(t, tb.Engine) {
			if o.Kind == core.OutboxAlert {
				k++
			}
		}
		return k
	}
	for i, step := range []struct {
		args string
		want int
	}{
		{"capacity on waiting list", 1},
		{"capacity on waiting list", 1},
		{"capacity on waiting list until March", 1},
		{"capacity off", 2},
		{"capacity off", 2},
		{"capacity on", 3},
	} {
		tb.Clock.Advance(time.Minute)
		wantStatus(t, tb.command("U0AILSA", "/onward", step.args), 200)
		tb.bot.wait()
		if got := alerts(); got != step.want {
			t.Errorf("step %d (%s): %d alerts, want %d", i, step.args, got, step.want)
		}
	}
}
