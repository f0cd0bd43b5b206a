package bot

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var sessionFieldRe = regexp.MustCompile(`name="session" value="([0-9a-f]+)"`)

// TestSignOutOfAnotherSession: the settings page lists where the member
// of staff is signed in, this session marked as such and each other one
// with a "Sign out of this" button (with the session's CSRF token); it
// ends that session on the server at once, and is logged. This session
// is refused (Sign out ends it), as is a session that is not theirs, one
// ended already, or a form without the token; none of them ends anything.
func TestSignOutOfAnotherSession(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	here := tb.signedIn(tb.Net.Adviser)
	drop := tb.signedIn(tb.Net.Adviser) // the drop-in's shared computer
	other := tb.signedIn(tb.Net.Adviser2)

	_, page := here.get("/staff/settings/email")
	if !strings.Contains(page, "</strong> (this device)") {
		t.Errorf("the page does not say which session is this one:\n%s", page)
	}
	forms := sessionFieldRe.FindAllStringSubmatch(page, -1)
	if len(forms) != 1 {
		t.Fatalf("%d sessions offered to sign out of, want 1 (the other one):\n%s", len(forms), page)
	}
	hash := forms[0][1]
	if !strings.Contains(page, `Sign out of this<span class="visually-hidden">: Unknown browser, signed in`) {
		t.Errorf("the button does not say, to a screen reader, which session it ends")
	}
	end := func(c *webClient, v url.Values) (int, string) {
		t.Helper()
		resp, body := c.post("/staff/settings/sessions/end", v)
		return resp.StatusCode, body
	}
	stillIn := func(c *webClient) bool {
		t.Helper()
		resp, _ := c.get("/staff/")
		return resp.StatusCode == http.StatusOK
	}

	// Refused, ending nothing: without the token; another member of
	// staff's list; this very session; not a listed session.
	if code, _ := end(here, url.Values{"session": {hash}}); code != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", code)
	}
	if code, _ := end(other, url.Values{"csrf": {other.csrf}, "session": {hash}}); code != http.StatusNotFound {
		t.Errorf("someone else's session: %d, want 404", code)
	}
	current := tb.bot.sessionHash(cookieValue(t, tb, here))
	if code, body := end(here, url.Values{"csrf": {here.csrf}, "session": {current}}); code != http.StatusBadRequest || !strings.Contains(body, "press Sign out") {
		t.Errorf("this session: %d, want 400 pointing to Sign out", code)
	}
	if code, _ := end(here, url.Values{"csrf": {here.csrf}, "session": {"not-a-session"}}); code != http.StatusBadRequest {
		t.Errorf("not a session: %d, want 400", code)
	}
	if !stillIn(drop) || !stillIn(here) || !stillIn(other) {
		t.Fatalf("a refused sign-out ended a session")
	}

	// Signed out of the drop-in's session: gone at once, this one stays.
	resp, _ := here.post("/staff/settings/sessions/end", url.Values{"csrf": {here.csrf}, "session": {hash}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/settings/email?done=session-ended#sessions" {
		t.Fatalf("sign out of the other session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if stillIn(drop) {
		t.Errorf("the session signed out of still opens the inbox")
	}
	if !stillIn(here) || !stillIn(other) {
		t.Errorf("signing out of one session ended another")
	}
	if ss, err := tb.bot.StaffSessions(ctx, tb.Net.Adviser.ID); err != nil || len(ss) != 1 {
		t.Errorf("sessions left: %v, %v; want this one", ss, err)
	}
	if _, page := here.get("/staff/settings/email?done=session-ended"); !strings.Contains(page, "Signed out of that session") || sessionFieldRe.MatchString(page) {
		t.Errorf("after signing out of it, the page should say so and list no other session")
	}
	if code, _ := end(here, url.Values{"csrf": {here.csrf}, "session": {hash}}); code != http.StatusNotFound {
		t.Errorf("the same session again: %d, want 404", code)
	}
	if logs := tb.logText(); !strings.Contains(logs, "staff signed out of another of their sessions") || strings.Contains(logs, hash) {
		t.Errorf("the sign-out should be logged, without the session's hash:\n%s", logs)
	}
}

// cookieValue is the session id in c's cookie.
func cookieValue(t *testing.T, tb *testBot, c *webClient) string {
	t.Helper()
	u, _ := url.Parse(tb.srv.URL)
	for _, ck := range c.http.Jar.Cookies(&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/staff/"}) {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}
