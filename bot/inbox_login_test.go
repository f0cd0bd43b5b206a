package bot

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// signInRows are the sign-in emails queued so far.
func (tb *testBot) signInRows() []core.OutboxEntry {
	tb.t.Helper()
	tb.bot.wait()
	var out []core.OutboxEntry
	for _, r := range coretest.OutboxRows(tb.t, tb.Engine) {
		if r.Kind == core.OutboxEmailSend && r.Payload.Email == core.EmailSignIn {
			out = append(out, r)
		}
	}
	return out
}

func TestSignInByEmail(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.web()
	resp, form := c.get("/staff/login")
	if resp.StatusCode != 200 || !strings.Contains(form, `name="email"`) {
		t.Fatalf("login page without a token: %d, want the email form", resp.StatusCode)
	}
	ask := func(email string) (int, string) {
		resp, body := tb.web().post("/staff/login", url.Values{"email": {email}})
		return resp.StatusCode, strings.ReplaceAll(body, email, "EMAIL")
	}
	// A member of staff, an unknown address and a deactivated one get the
	// same answer; only the first gets an email.
	okStatus, okBody := ask("Ailsa@CAB.example")
	if okStatus != 200 || !strings.Contains(okBody, "on its way") {
		t.Fatalf("known address: %d %s", okStatus, okBody)
	}
	rows := tb.signInRows()
	if len(rows) != 1 || rows[0].Payload.StaffID != tb.Net.Adviser.ID {
		t.Fatalf("sign-in rows %+v: want one for Ailsa", rows)
	}
	if err := tb.Engine.DeactivateStaff(context.Background(), tb.Net.Adviser2.ID, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{"nobody@cab.example", tb.Net.Adviser2.Email} {
		st, body := ask(other)
		if st != okStatus || body != okBody {
			t.Errorf("%s: %d, and the page differs from a member of staff's: enumeration", other, st)
		}
	}
	if n := len(tb.signInRows()); n != 1 {
		t.Errorf("%d sign-in emails, want still 1", n)
	}
	// The emailed link signs in (it is stored encrypted in the outbox).
	link, err := tb.Engine.EmailLink(rows[0].Payload)
	if err != nil || !strings.HasPrefix(link, "http://onward.test/staff/login?token=") {
		t.Fatalf("link %q, %v", link, err)
	}
	if err := tb.web().signIn(link); err != nil {
		t.Fatal(err)
	}
	// A bad address is named.
	if resp, body := tb.web().post("/staff/login", url.Values{"email": {"not an address"}}); resp.StatusCode != 400 || !strings.Contains(body, "Enter your work email address") {
		t.Errorf("bad address: %d", resp.StatusCode)
	}
}

func TestSignInByEmailIsLimited(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	statuses := func(email string) []int {
		var out []int
		for range 20 {
			resp, body := tb.web().post("/staff/login", url.Values{"email": {email}})
			if resp.StatusCode == http.StatusTooManyRequests && !strings.Contains(body, "Too many sign-in requests") {
				t.Errorf("limited answer does not say so plainly: %s", body)
			}
			out = append(out, resp.StatusCode)
		}
		return out
	}
	known := statuses(tb.Net.Adviser.Email)
	unknown := statuses("nobody@cab.example")
	if known[4] != 200 || known[5] != http.StatusTooManyRequests || known[19] != http.StatusTooManyRequests {
		t.Errorf("statuses for one address: %v; want 5 answered, then limited", known)
	}
	for i := range known {
		if known[i] != unknown[i] {
			t.Fatalf("known %v and unknown %v addresses are limited differently", known, unknown)
		}
	}
	if n := len(tb.signInRows()); n != 5 {
		t.Errorf("%d sign-in emails, want 5", n)
	}
}

func TestSessionsEndOnSignOutDeactivationAndFollowRole(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	u, _ := url.Parse(tb.srv.URL)
	cookieOf := func(c *webClient) *http.Cookie {
		for _, ck := range c.http.Jar.Cookies(&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/staff/"}) {
			if ck.Name == sessionCookie {
				return ck
			}
		}
		t.Fatal("no session cookie")
		return nil
	}
	inboxWith := func(ck *http.Cookie) int {
		req, _ := http.NewRequest(http.MethodGet, tb.srv.URL+"/staff/", nil)
		req.AddCookie(ck)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// The cookie carries only a random id.
	a := tb.signedIn(tb.Net.Adviser)
	ck := cookieOf(a)
	if len(ck.Value) != sessionIDLen || strings.Count(ck.Value, ".") != 0 {
		t.Errorf("cookie %q: want a bare session id", ck.Value)
	}
	b2 := tb.signedIn(tb.Net.Adviser)
	if ss, err := tb.bot.StaffSessions(ctx, tb.Net.Adviser.ID); err != nil || len(ss) != 2 {
		t.Fatalf("sessions %v, %v: want 2", ss, err)
	}
	// Sign-out ends the session on the server: the old cookie is refused.
	_, body := a.get("/staff/")
	a.noteCSRF(body)
	if resp, _ := a.post("/staff/logout", url.Values{"csrf": {a.csrf}}); resp.StatusCode != 200 {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if st := inboxWith(ck); st != http.StatusUnauthorized {
		t.Errorf("signed-out session: %d, want 401", st)
	}
	if ss, _ := tb.bot.StaffSessions(ctx, tb.Net.Adviser.ID); len(ss) != 1 {
		t.Errorf("sessions after sign-out: %d, want 1", len(ss))
	}
	// A role change shows on the next request.
	if resp, body := b2.get("/staff/settings/email"); resp.StatusCode != 200 || strings.Contains(body, "Escalations") {
		t.Fatalf("adviser's settings: %d, escalations shown %v", resp.StatusCode, strings.Contains(body, "Escalations"))
	}
	if err := tb.Engine.SetStaffRole(ctx, tb.Net.Adviser.ID, core.RoleCoordinator, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	if _, body := b2.get("/staff/settings/email"); !strings.Contains(body, "Escalations") {
		t.Errorf("after the role change the page still shows an adviser's choices")
	}
	// Deactivation refuses the open session on its next request.
	ck2 := cookieOf(b2)
	if err := tb.Engine.DeactivateStaff(ctx, tb.Net.Adviser.ID, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	if st := inboxWith(ck2); st != http.StatusUnauthorized {
		t.Errorf("deactivated staff's session: %d, want 401", st)
	}
}

func TestEmailSettingsAndUnsubscribe(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	c := tb.signedIn(tb.Net.Adviser)
	_, body := c.get("/staff/settings/email")
	c.noteCSRF(body)
	resp, _ := c.post("/staff/settings/email", url.Values{"csrf": {c.csrf}, "mode-new-referral": {"digest"}, "mode-referral-update": {"off"}})
	if resp.StatusCode != 200 {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	prefs, _ := tb.Engine.MailPrefs(ctx, tb.Net.Adviser.ID)
	if prefs[core.EmailNewReferral] != core.MailDigest || prefs[core.EmailReferralUpdate] != core.MailOff {
		t.Errorf("prefs %v", prefs)
	}
	if resp, _ := c.post("/staff/settings/email", url.Values{"csrf": {c.csrf}, "mode-ack-reminder": {"sometimes"}}); resp.StatusCode != 400 {
		t.Errorf("bad mode: %d, want 400", resp.StatusCode)
	}
	// One-click unsubscribe, as a mail program posts it.
	tok := core.UnsubscribeToken([]byte(tb.cfg.SessionSecret), tb.Net.Adviser.ID, core.EmailAckReminder)
	resp, err := http.Post(tb.srv.URL+"/staff/settings/email/unsubscribe?t="+url.QueryEscape(tok), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("one-click unsubscribe: %v %v", resp, err)
	}
	resp.Body.Close()
	if prefs, _ := tb.Engine.MailPrefs(ctx, tb.Net.Adviser.ID); prefs[core.EmailAckReminder] != core.MailOff {
		t.Errorf("after unsubscribe: %v", prefs[core.EmailAckReminder])
	}
	bad := tok[:len(tok)-2] + "xx"
	if resp, _ := tb.web().post("/staff/settings/email/unsubscribe?t="+url.QueryEscape(bad), url.Values{}); resp.StatusCode != 400 {
		t.Errorf("forged token: %d, want 400", resp.StatusCode)
	}
}

// An adviser who opens an email's link to a referral before signing in is
// asked to sign in there, and lands on that referral afterwards; a page to
// return to is only ever a staff page of this site.
func TestSignInReturnsToThePageOpened(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.web()
	resp, body := c.get("/staff/settings/email?from=email")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `action="/staff/login"`) || !strings.Contains(body, "come back to it") {
		t.Fatalf("page before signing in: %d, want 401 with the sign-in form saying it comes back:\n%s", resp.StatusCode, body)
	}
	u, _ := url.Parse(tb.link(tb.Net.Adviser))
	_, body = c.get(u.Path + "?" + u.RawQuery)
	m := tokenRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no token form: %s", body)
	}
	resp, _ = c.post("/staff/login", url.Values{"token": {htmlUnescape(m[1])}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/staff/settings/email?from=email" {
		t.Fatalf("after signing in: %d to %q, want the page opened", resp.StatusCode, loc)
	}
	if resp, _ := c.get("/staff/settings/email?from=email"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the page after signing in: %d", resp.StatusCode)
	}
	// Once only: the next sign-in goes to the inbox.
	if err := c.signIn(tb.link(tb.Net.Adviser)); err != nil {
		t.Fatal(err)
	}

	for _, p := range []string{"/staff//evil.example/x", "/staff/login?token=x", "/staff/\\evil", "https://evil.example/staff/"} {
		if returnPath(p) {
			t.Errorf("%q accepted as a page to return to", p)
		}
	}
	// A cookie forged to point elsewhere is ignored.
	c2 := tb.web()
	su, _ := url.Parse(tb.srv.URL + "/staff")
	c2.http.Jar.SetCookies(su, []*http.Cookie{{Name: nextCookie, Value: url.QueryEscape("//evil.example/"), Path: "/staff"}})
	if err := c2.signIn(tb.link(tb.Net.Adviser)); err != nil {
		t.Fatalf("a forged page to return to: %v", err)
	}
}

// TestSignInLinkPressedTwice: "Continue" pressed twice (a double click,
// the page sent again) signs in once and then goes on to the inbox, not
// to "already used"; the same used link is still refused to anyone else,
// even signed in as another member of staff.
func TestSignInLinkPressedTwice(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	link := tb.link(tb.Net.Adviser)
	c := tb.web()
	if err := c.signIn(link); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(link)
	tok := url.Values{"token": {u.Query().Get("token")}}
	resp, body := c.post("/staff/login", tok)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/staff/" {
		t.Errorf("the link pressed again by its person: %d to %q, want on to the inbox: %s", resp.StatusCode, loc, body)
	}
	for who, other := range map[string]*webClient{"signed out": tb.web(), "someone else": tb.signedIn(tb.Net.Adviser2)} {
		if resp, body := other.post("/staff/login", tok); resp.StatusCode != http.StatusGone || !strings.Contains(body, "already been used") {
			t.Errorf("the used link from %s: %d, want 410 saying it was used", who, resp.StatusCode)
		}
	}
}

// TestStaffPagesKeepTheirOrigin: staff pages tell other sites nothing of
// where a click came from, but their own form posts carry their real
// Origin: with no-referrer a browser sends Origin: null, which Safari
// before 16.4 (no Sec-Fetch-Site) then had refused on every staff form,
// signing in included.
func TestStaffPagesKeepTheirOrigin(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.signedIn(tb.Net.Adviser)
	resp, page := c.get("/staff/")
	if got := resp.Header.Get("Referrer-Policy"); got != "same-origin" || !strings.Contains(page, `<meta name="referrer" content="same-origin">`) {
		t.Fatalf("staff page referrer policy %q (and meta); want same-origin, so posts carry their Origin", got)
	}
}

// An email-only adviser's review: the page to return to after signing in
// lived only in a cookie, so a sign-in link asked for in one browser and
// opened in another (a phone's mail app opens links in its own) landed on
// the inbox. The emailed link carries the page (its path, never a query),
// and signing in from it anywhere returns there.
func TestSignInLinkReturnsToThePageInAnotherBrowser(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("sign-in-elsewhere", false)
	asked := tb.web()
	page := "/staff/referrals/" + r.Reference
	if resp, _ := asked.get(page + "?from=email"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the referral before signing in: %d, want the sign-in form", resp.StatusCode)
	}
	if resp, body := asked.post("/staff/login", url.Values{"email": {tb.Net.Adviser.Email}}); resp.StatusCode != 200 || !strings.Contains(body, "on its way") {
		t.Fatalf("asking for a link: %d", resp.StatusCode)
	}
	rows := tb.signInRows()
	if len(rows) != 1 {
		t.Fatalf("%d sign-in emails, want 1", len(rows))
	}
	link, err := tb.Engine.EmailLink(rows[0].Payload)
	if err != nil || !strings.HasSuffix(link, "&next="+url.QueryEscape(page)) {
		t.Fatalf("the emailed link %q (%v), want it to name %s and no query", link, err, page)
	}
	// Another browser: no cookie of the page.
	other := tb.web()
	u, _ := url.Parse(link)
	_, body := other.get(u.Path + "?" + u.RawQuery)
	m := tokenRe.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `name="next" value="`+page+`"`) {
		t.Fatalf("the link's page: %s", body)
	}
	resp, _ := other.post("/staff/login", url.Values{"token": {htmlUnescape(m[1])}, "next": {page}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != page {
		t.Errorf("signing in from the link in another browser: %d to %q, want %s", resp.StatusCode, loc, page)
	}
	// A next that is no staff page is ignored.
	fresh, _ := url.Parse(tb.link(tb.Net.Adviser))
	resp, _ = tb.web().post("/staff/login", url.Values{"token": {fresh.Query().Get("token")}, "next": {"//evil.example/"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/staff/" {
		t.Errorf("a next elsewhere: %d to %q, want the inbox", resp.StatusCode, loc)
	}
}
