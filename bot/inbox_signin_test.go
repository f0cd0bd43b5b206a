package bot

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestFormSentAfterTheSessionEnded: a form sent once the session has
// ended says plainly that nothing was saved and which referral signing
// in goes back to, and signing in lands there, not on the inbox.
func TestFormSentAfterTheSessionEnded(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("ended", false)
	if r.ToAgencyID == nil || *r.ToAgencyID != tb.Net.CAB {
		t.Fatalf("the self-referral went to %v, want the adviser's agency", r.ToAgencyID)
	}
	for _, c := range []struct {
		path, back, words string
	}{
		{"/staff/referrals/" + r.Reference + "/reject", "/staff/referrals/" + r.Reference, "Sign in again to go back to " + r.Reference},
		{"/staff/refer", "/staff/refer", "Sign in again to go back to the page you were on"},
	} {
		c2 := tb.signedIn(tb.Net.Adviser)
		_, body := c2.get("/staff/")
		c2.noteCSRF(body)
		if resp, _ := c2.post("/staff/logout", url.Values{"csrf": {c2.csrf}}); resp.StatusCode != http.StatusOK {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		resp, body := c2.post(c.path, url.Values{"csrf": {c2.csrf}, "version": {strconv.Itoa(r.Version)},
			"reason": {"no_capacity"}, "feedback": {"Rang twice"}, "name": {"Rona Guthrie"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Your session ended, so nothing was saved.") ||
			!strings.Contains(body, c.words) || strings.Contains(body, "You need to sign in to see this page") {
			t.Errorf("%s after the session ended: %d, want 401 saying nothing was saved and %q", c.path, resp.StatusCode, c.words)
		}
		if got := c2.landsOn(tb.link(tb.Net.Adviser)); got != c.back {
			t.Errorf("%s: signing in lands on %q, want %s", c.path, got, c.back)
		}
	}
	if got := tb.referral(r.ID); got.Status != r.Status || got.Version != r.Version {
		t.Errorf("the referral changed: %s v%d", got.Status, got.Version)
	}
}

// landsOn signs in with link, as a person does, and says where the
// browser is sent.
func (c *webClient) landsOn(link string) string {
	c.t.Helper()
	u, _ := url.Parse(link)
	_, body := c.get(u.Path + "?" + u.RawQuery)
	m := tokenRe.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no token form: %s", body)
	}
	resp, _ := c.post("/staff/login", url.Values{"token": {htmlUnescape(m[1])}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in: %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// TestFormPage: the page a form is on, from the address it posts to.
func TestFormPage(t *testing.T) {
	t.Parallel()
	for path, want := range map[string][2]string{
		"/staff/referrals/ONW-7K3M9PQ/reject":   {"/staff/referrals/ONW-7K3M9PQ", "ONW-7K3M9PQ"},
		"/staff/referrals/ONW-7K3M9PQ/withdraw": {"/staff/referrals/ONW-7K3M9PQ/withdraw", "ONW-7K3M9PQ"},
		"/staff/referrals/<b>/reject":           {"/staff/referrals/<b>", ""},
		"/staff/refer":                          {"/staff/refer", ""},
		"/staff/admin/staff/12/deactivate":      {"/staff/admin/staff", ""},
		"/staff/admin/agencies/3/retire":        {"/staff/admin/agencies", ""},
		"/staff/admin/agencies/new":             {"/staff/admin/agencies/new", ""},
		"/staff/partners/4/revoke":              {"/staff/partners", ""},
		"/staff/directory/services/9/referable": {"/staff/directory/services/9", ""},
		"/staff/capacity/until":                 {"/staff/", ""},
		"/staff/settings/email":                 {"/staff/settings/email", ""},
		"/staff/settings/sessions/end":          {"/staff/settings/email", ""},
	} {
		if p, ref := formPage(path); p != want[0] || ref != want[1] {
			t.Errorf("formPage(%q) = %q, %q; want %q, %q", path, p, ref, want[0], want[1])
		}
	}
}

// TestSignInProblemIsSummedUpOnce: a bad address is named once in a
// summary (one role="alert") and once at its field.
func TestSignInProblemIsSummedUpOnce(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	resp, body := tb.web().post("/staff/login", url.Values{"email": {"not-an-email"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if n := strings.Count(body, `role="alert"`); n != 1 {
		t.Errorf("%d alerts, want one summary", n)
	}
	if strings.Contains(body, "That didn't work") || !strings.Contains(body, `href="#email"`) || !strings.Contains(body, `id="email-error"`) {
		t.Errorf("want the one summary linked to the field, and the field's own message")
	}
	summaryLinksLand(t, "bad address", body)
}

// TestSlackIsOfferedOnlyWhenConfigured: the sign-in page and the page of
// a used link mention /onward login only on a network with Slack.
func TestSlackIsOfferedOnlyWhenConfigured(t *testing.T) {
	t.Parallel()
	for _, slack := range []bool{true, false} {
		tb := newTestBot(t)
		if !slack {
			tb.bot.cfg.SlackBotToken, tb.bot.cfg.SlackSigningSecret = "", ""
		}
		c := tb.web()
		_, signIn := c.get("/staff/login")
		link := tb.link(tb.Net.Adviser)
		if err := c.signIn(link); err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(link)
		resp, used := tb.web().post("/staff/login", url.Values{"token": {u.Query().Get("token")}})
		if resp.StatusCode != http.StatusGone || !strings.Contains(used, "already been used") || !strings.Contains(used, `name="email"`) {
			t.Errorf("used link: %d, want 410 saying so, with the form to ask for another", resp.StatusCode)
		}
		for name, body := range map[string]string{"sign-in page": signIn, "used link": used} {
			if got := strings.Contains(body, "/onward login"); got != slack {
				t.Errorf("Slack configured %v: the %s mentions /onward login: %v", slack, name, got)
			}
		}
	}
}

// TestRefuseStaffNamesTheBox: the staff web's answer to a form the edge
// refused is a staff page, status 400, naming the box and sending the
// adviser Back to their text; an unreadable address is not found.
func TestRefuseStaffNamesTheBox(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"NUL in the note", "/staff/refer", "csrf=x&name=Rona&notes=a%00b", 400, "The “Note for the agency” box holds characters"},
		{"invalid UTF-8 in feedback", "/staff/referrals/ONW-7K3M9PQ/reject", "csrf=x&feedback=%FF", 400, "The “Feedback” box holds characters"},
		{"an unreadable name", "/staff/our-services/3", "csrf=x&%FF=1", 400, "One of the boxes holds characters"},
		{"a field named as words", "/staff/directory/agencies/2", "opening_hours=%00", 400, "The “Opening hours” box"},
		{"unreadable address", "/staff/referrals/%FF", "", 404, "That page does not exist"},
	} {
		r := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.body))
		if c.body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		RefuseStaff(rec, r, c.status, http.StatusText(c.status), "the form holds characters that cannot be read")
		body := rec.Body.String()
		if rec.Code != c.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
			rec.Header().Get("Content-Security-Policy") != contentSecurityPolicy {
			t.Errorf("%s: %d %q, want %d as a staff page", c.name, rec.Code, rec.Header().Get("Content-Type"), c.status)
		}
		if !strings.Contains(body, c.want) || !strings.Contains(body, `/staff/static/inbox.css`) {
			t.Errorf("%s: the page lacks %q:\n%s", c.name, c.want, body)
		}
		if c.status == 400 && !strings.Contains(body, "Go Back: what you typed is still in the form") && !strings.Contains(body, "address") {
			t.Errorf("%s: the page does not send the adviser back to their text", c.name)
		}
	}
}
