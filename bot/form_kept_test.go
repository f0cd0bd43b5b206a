package bot

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// runsOut ends c's session as time does: its record gone from Redis and
// its cookie from the browser, so nothing the browser sends names it.
func (c *webClient) runsOut(staff core.StaffID) {
	c.t.Helper()
	if _, err := EndStaffSessions(context.Background(), c.tb.bot.rdb, c.tb.bot.prefix, staff); err != nil {
		c.t.Fatal(err)
	}
	u, _ := url.Parse(c.tb.srv.URL + "/staff/")
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: "", Path: "/staff", MaxAge: -1}})
}

// keptForms are the kept forms' values in Redis, by key.
func (tb *testBot) keptForms() map[string]string {
	tb.t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, k := range tb.bot.rdb.Keys(ctx, tb.bot.prefix+"bot:kept-form:*").Val() {
		out[k] = tb.bot.rdb.Get(ctx, k).Val()
	}
	return out
}

// sentAfterRunningOut opens the referral's page as the adviser, lets the
// session run out, and sends form to the referral's action: the answer
// and its body.
func (tb *testBot) sentAfterRunningOut(r core.Referral, action string, form url.Values) (*webClient, *http.Response, string) {
	tb.t.Helper()
	c := tb.signedIn(tb.Net.Adviser)
	c.get("/staff/referrals/" + r.Reference)
	c.runsOut(tb.Net.Adviser.ID)
	form.Set("csrf", c.csrf)
	form.Set("version", strconv.Itoa(r.Version))
	resp, body := c.post("/staff/referrals/"+r.Reference+"/"+action, form)
	if resp.StatusCode != http.StatusUnauthorized {
		tb.t.Fatalf("%s after the session ran out: %d, want 401 asking to sign in", action, resp.StatusCode)
	}
	return c, resp, body
}

const keptFeedback = "Full until January; try the Larder on Hill St <b>now</b>"

// TestKeptFormComesBackToItsWriter: an adviser whose session ran out
// while they wrote a rejection signs in again in the same browser and
// finds, on the referral's page, a notice that it was not saved and the
// form filled in as they left it, once; nothing was sent for them. The
// form waits in Redis sealed, for 15 minutes, and its words are never
// logged. A completion's outcome, gains and note come back the same way.
func TestKeptFormComesBackToItsWriter(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("kept-reject", false)
	page := "/staff/referrals/" + r.Reference
	c, resp, body := tb.sentAfterRunningOut(r, "reject", url.Values{"reason": {"no-capacity"}, "feedback": {keptFeedback}})
	if !strings.Contains(body, "Onward is keeping what you sent for 15 minutes, for you alone") || !strings.Contains(body, "copy it now, before you sign in") {
		t.Errorf("the sign-in page does not say the form is kept (and offers no copy):\n%s", body)
	}
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == keptFormCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.Path != "/staff" || cookie.MaxAge != 900 || cookie.SameSite != http.SameSiteLaxMode || len(cookie.Value) != 22 {
		t.Fatalf("kept form cookie %+v: want a 128-bit id, HttpOnly, SameSite=Lax, Path=/staff, for 900 s", cookie)
	}
	kept := tb.keptForms()
	if len(kept) != 1 {
		t.Fatalf("%d kept forms in Redis, want 1", len(kept))
	}
	for key, v := range kept {
		for _, plain := range []string{"Full until January", "no-capacity", "reject", r.Reference} {
			if strings.Contains(v, plain) {
				t.Errorf("the kept form holds %q in clear", plain)
			}
		}
		if strings.Contains(key, cookie.Value) {
			t.Errorf("the kept form's key holds its cookie's id")
		}
		if ttl := tb.bot.rdb.TTL(context.Background(), key).Val(); ttl <= 14*time.Minute || ttl > 15*time.Minute {
			t.Errorf("kept for %s, want 15 minutes", ttl)
		}
	}

	if got := c.landsOn(tb.link(tb.Net.Adviser)); got != page {
		t.Fatalf("signing in lands on %q, want %s", got, page)
	}
	_, body = c.get(page)
	for _, want := range []string{"You were signed out before Onward saved your rejection, so nothing was done.",
		"What you entered is filled in below", `<option value="no-capacity" selected>`,
		">Full until January; try the Larder on Hill St &lt;b&gt;now&lt;/b&gt;</textarea>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the referral's page after signing in lacks %q", want)
		}
	}
	if got := tb.referral(r.ID); got.Status != r.Status || got.Version != r.Version {
		t.Errorf("the kept form was sent by itself: %s v%d", got.Status, got.Version)
	}
	if n := len(tb.keptForms()); n != 0 {
		t.Errorf("%d kept forms left after restoring, want none", n)
	}
	if _, body = c.get(page); strings.Contains(body, "You were signed out") || strings.Contains(body, "Full until January") {
		t.Errorf("the kept form came back twice")
	}
	logs := tb.logText()
	if strings.Contains(logs, "Full until January") || strings.Contains(logs, "no-capacity") {
		t.Errorf("the kept form's contents were logged")
	}
	staff := " staff=" + strconv.FormatInt(int64(tb.Net.Adviser.ID), 10)
	for _, want := range []string{`"staff form kept after its session ended"` + staff, `"kept staff form restored after signing in"` + staff} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q", want)
		}
	}

	// A completion: outcome, gains, topic and note come back.
	done := tb.selfReferral("kept-complete", false)
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact} {
		if _, err := tb.Engine.Act(context.Background(), core.TransitionRequest{Referral: done.ID, Action: a, Actor: tb.Net.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	done = tb.referral(done.ID)
	c, _, _ = tb.sentAfterRunningOut(done, "complete", url.Values{"outcome": {"help-given"}, "gain_weekly_income": {"12.50"},
		"advice_type": {string(core.AdviceTypes[0])}, "outcome_note": {"Two parcels and a fuel voucher"}})
	c.landsOn(tb.link(tb.Net.Adviser))
	_, body = c.get("/staff/referrals/" + done.Reference)
	for _, want := range []string{"You were signed out before Onward saved your completion", `value="help-given" checked`,
		`name="gain_weekly_income" value="12.50"`, `value="` + string(core.AdviceTypes[0]) + `" checked`, ">Two parcels and a fuel voucher</textarea>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the completion form after signing in lacks %q", want)
		}
	}
}

// TestKeptFormNotForAnyoneElse: another member of staff signing in on the
// browser where an adviser's form was kept sees an empty form and no
// notice, and the kept form is deleted: its writer signing in afterwards
// finds nothing either.
func TestKeptFormNotForAnyoneElse(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("kept-other", false)
	page := "/staff/referrals/" + r.Reference
	c, _, _ := tb.sentAfterRunningOut(r, "reject", url.Values{"reason": {"no-capacity"}, "feedback": {keptFeedback}})
	if got := c.landsOn(tb.link(tb.Net.Adviser2)); got != page {
		t.Fatalf("the colleague's sign-in lands on %q, want %s", got, page)
	}
	if n := len(tb.keptForms()); n != 0 {
		t.Errorf("%d kept forms left after someone else signed in, want none", n)
	}
	for _, who := range []core.Staff{tb.Net.Adviser2, tb.Net.Adviser} {
		if who.ID == tb.Net.Adviser.ID {
			c.landsOn(tb.link(who))
		}
		resp, body := c.get(page)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "You were signed out") || strings.Contains(body, "Full until January") ||
			strings.Contains(body, `value="no-capacity" selected`) {
			t.Errorf("%s sees the kept form (%d)", who.Name, resp.StatusCode)
		}
	}
}

// TestKeptFormExpires: a kept form is restored within 15 minutes only;
// past them the page is as it always was.
func TestKeptFormExpires(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("kept-late", false)
	c, _, _ := tb.sentAfterRunningOut(r, "reject", url.Values{"reason": {"no-capacity"}, "feedback": {keptFeedback}})
	tb.Clock.Advance(keptFormTTL + time.Minute)
	c.landsOn(tb.link(tb.Net.Adviser))
	_, body := c.get("/staff/referrals/" + r.Reference)
	if strings.Contains(body, "You were signed out") || strings.Contains(body, "Full until January") {
		t.Errorf("a form kept 16 minutes ago came back")
	}
}

// TestOversizedFormNotKept: a form over the bound is not kept: the
// sign-in page says so and shows its words to copy, as it did before
// forms were kept, and signing in finds nothing.
func TestOversizedFormNotKept(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("kept-big", false)
	big := strings.Repeat("Rang twice, no answer. ", 3000) // 69,000 bytes
	c, resp, body := tb.sentAfterRunningOut(r, "reject", url.Values{"reason": {"no-capacity"}, "feedback": {big}})
	if !strings.Contains(body, "Onward did not keep what you typed: copy it now, before you sign in.") || strings.Contains(body, "Onward is keeping") {
		t.Errorf("the page for a form too big to keep does not say it was not kept")
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == keptFormCookie {
			t.Errorf("a kept-form cookie for a form not kept")
		}
	}
	if n := len(tb.keptForms()); n != 0 {
		t.Errorf("%d kept forms, want none", n)
	}
	c.landsOn(tb.link(tb.Net.Adviser))
	if _, body := c.get("/staff/referrals/" + r.Reference); strings.Contains(body, "You were signed out") {
		t.Errorf("a form too big to keep came back")
	}
}
