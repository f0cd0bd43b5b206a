package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// webClient is a browser-like client of the staff inbox: cookies, no
// automatic redirects (so tests see them).
type webClient struct {
	t    *testing.T
	tb   *testBot
	http *http.Client
	csrf string
}

func (tb *testBot) web() *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: tb.t, tb: tb, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// local turns a public link (http://onward.test/…) into one on the test
// server.
func (tb *testBot) local(link string) string {
	return strings.Replace(link, tb.cfg.PublicURL, tb.srv.URL, 1)
}

func (c *webClient) get(path string) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.tb.local(c.tb.srv.URL + path))
	if err != nil {
		c.t.Fatal(err)
	}
	body := readBody(c.t, resp)
	resp.Body.Close()
	c.noteCSRF(body)
	return resp, body
}

func (c *webClient) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.tb.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	body := readBody(c.t, resp)
	resp.Body.Close()
	c.noteCSRF(body)
	return resp, body
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *webClient) noteCSRF(body string) {
	if m := csrfRe.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
}

var tokenRe = regexp.MustCompile(`name="token" value="([^"]+)"`)

// signIn follows a login link the way a person does: open it, press
// Continue.
func (c *webClient) signIn(link string) error {
	c.t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		return err
	}
	resp, body := c.get(u.Path + "?" + u.RawQuery)
	if resp.StatusCode != 200 {
		return fmt.Errorf("login page: %d", resp.StatusCode)
	}
	if resp.Header.Get("X-Robots-Tag") != "noindex, nofollow" {
		return fmt.Errorf("staff page without noindex: X-Robots-Tag %q", resp.Header.Get("X-Robots-Tag"))
	}
	m := tokenRe.FindStringSubmatch(body)
	if m == nil {
		return fmt.Errorf("login page has no token form: %s", body)
	}
	resp, body = c.post("/staff/login", url.Values{"token": {htmlUnescape(m[1])}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/" {
		return fmt.Errorf("login: %d %s", resp.StatusCode, body)
	}
	resp, _ = c.get("/staff/")
	if resp.StatusCode != 200 {
		return fmt.Errorf("inbox after login: %d", resp.StatusCode)
	}
	return nil
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#61;", "=").Replace(s)
}

func (tb *testBot) signInWith(link string) error { return tb.web().signIn(link) }

func (tb *testBot) link(s core.Staff) string {
	tb.t.Helper()
	l, err := LoginLink(tb.cfg, tb.Clock, s)
	if err != nil {
		tb.t.Fatal(err)
	}
	return l
}

func (tb *testBot) signedIn(s core.Staff) *webClient {
	tb.t.Helper()
	c := tb.web()
	if err := c.signIn(tb.link(s)); err != nil {
		tb.t.Fatal(err)
	}
	return c
}

func TestLoginLinks(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	link := tb.link(tb.Net.Adviser)
	if !strings.HasPrefix(link, "http://onward.test/staff/login?token=") {
		t.Fatalf("link %s", link)
	}
	c := tb.web()
	u, _ := url.Parse(link)
	// Opening the link (as Slack's unfurler or a mail scanner does) signs
	// nobody in and does not use it up.
	resp, body := c.get(u.Path + "?" + u.RawQuery)
	if resp.StatusCode != 200 || len(resp.Cookies()) != 0 {
		t.Fatalf("GET of the link: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	tok := htmlUnescape(tokenRe.FindStringSubmatch(body)[1])
	resp, _ = c.post("/staff/login", url.Values{"token": {tok}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	var sess *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/staff" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/staff", sess)
	}
	if sess.Secure {
		t.Errorf("dev session cookie should not be Secure (plain http on localhost)")
	}
	// Single use.
	other := tb.web()
	if resp, body := other.post("/staff/login", url.Values{"token": {tok}}); resp.StatusCode != http.StatusGone || !strings.Contains(body, "already been used") {
		t.Errorf("second use: %d %s", resp.StatusCode, body)
	}
	// Expired after 15 minutes; tampered and wrong-purpose tokens refused.
	late := tb.link(tb.Net.Adviser2)
	tb.Clock.Advance(16 * time.Minute)
	if resp, body := tb.web().get(strings.TrimPrefix(late, tb.cfg.PublicURL)); resp.StatusCode != 400 || !strings.Contains(body, "expired") {
		t.Errorf("expired link: %d", resp.StatusCode)
	}
	fresh := tb.link(tb.Net.Adviser2)
	tampered := strings.Replace(fresh, "token=", "token=x", 1)
	if resp, _ := tb.web().get(strings.TrimPrefix(tampered, tb.cfg.PublicURL)); resp.StatusCode != 400 {
		t.Errorf("tampered link: %d", resp.StatusCode)
	}
	if resp, _ := tb.web().post("/staff/login", url.Values{"token": {sess.Value}}); resp.StatusCode != 400 {
		t.Errorf("a session token used as a login link: %d, want 400", resp.StatusCode)
	}
	// No session: no inbox.
	if resp, _ := tb.web().get("/staff/"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("inbox without a session: %d", resp.StatusCode)
	}
	// Production cookies are Secure.
	cfg := tb.cfg
	cfg.Env = "production"
	prod := &Bot{cfg: cfg, engine: tb.bot.engine, auth: tb.bot.auth, rdb: tb.bot.rdb, prefix: tb.bot.prefix, clock: tb.bot.clock}
	rec := &headerRecorder{h: http.Header{}}
	if err := prod.setSession(context.Background(), rec, tb.Net.Adviser, ""); err != nil {
		t.Fatal(err)
	}
	if c := rec.h.Get("Set-Cookie"); !strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("production cookie %q", c)
	}
}

type headerRecorder struct{ h http.Header }

func (r *headerRecorder) Header() http.Header         { return r.h }
func (r *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *headerRecorder) WriteHeader(int)             {}

func TestInboxActions(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("inbox", false)
	c := tb.signedIn(tb.Net.Adviser)
	resp, body := c.get("/staff/")
	if resp.Header.Get("Content-Security-Policy") != contentSecurityPolicy || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("security headers missing: %v", resp.Header)
	}
	if !strings.Contains(body, r.Reference) || strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Fatalf("inbox should list %s with no inline script or style", r.Reference)
	}
	assertNoPII(t, "the inbox page", body)

	action := fmt.Sprintf("/staff/referrals/%s/accept", r.Reference)
	// Without the form token: refused.
	if resp, _ := c.post(action, url.Values{"version": {strconv.Itoa(r.Version)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("post without CSRF token: %d", resp.StatusCode)
	}
	// Cross-origin posts are refused before anything else.
	req, _ := http.NewRequest(http.MethodPost, tb.srv.URL+action, strings.NewReader("csrf="+url.QueryEscape(c.csrf)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := c.http.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: %v %v", resp.StatusCode, err)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusRequested {
		t.Fatalf("a refused post changed the referral")
	}
	resp, _ = c.post(action, url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	_, body = c.get(resp.Header.Get("Location"))
	if !strings.Contains(body, r.Reference+" accepted") || !strings.Contains(body, "Mark contacted") {
		t.Errorf("after accepting, the inbox should confirm and offer Mark contacted")
	}
	// The same form again (a double click): nothing more changes, and the
	// page says it was already done, by whom (TestUndoPressedTwice).
	resp, body = c.post(action, url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Already done.</strong> Accepted by Ailsa Brodie") {
		t.Errorf("stale accept: %d", resp.StatusCode)
	}
	// A stale rejection with feedback: refused whole, and what the adviser
	// wrote comes back to them rather than being lost.
	resp, body = c.post(fmt.Sprintf("/staff/referrals/%s/reject", r.Reference), url.Values{"csrf": {c.csrf},
		"version": {strconv.Itoa(r.Version)}, "reason": {"not-eligible"}, "feedback": {"Try Methilhaven larder instead"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Try Methilhaven larder instead") {
		t.Errorf("stale reject with feedback: %d, and the feedback typed is not on the page", resp.StatusCode)
	}

	// Details: on a page of their own, audited.
	resp, body = c.post(fmt.Sprintf("/staff/referrals/%s/details", r.Reference), url.Values{"csrf": {c.csrf}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Morag Baird") || !strings.Contains(body, "Rent arrears") {
		t.Errorf("details page: %d", resp.StatusCode)
	}
	if !regexp.MustCompile(`<a href="tel:(?:\+|&#43;)4477009\d{5}">07700 9\d{5}</a>`).MatchString(body) {
		t.Errorf("the phone should be written nationally and be a tel: link")
	}
	if countKind(tb.events(r.ID), core.EventDisclosed) != 1 {
		t.Errorf("web disclosure not audited")
	}

	// Another agency's adviser: the referral is not theirs to see, so it
	// answers "not found" (its existence is not confirmed); audited.
	other := tb.signedIn(tb.Net.WelfareAdviser)
	resp, body = other.post(fmt.Sprintf("/staff/referrals/%s/details", r.Reference), url.Values{"csrf": {other.csrf}})
	if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Morag") {
		t.Errorf("other agency details: %d", resp.StatusCode)
	}
	cur := tb.referral(r.ID)
	resp, _ = other.post(fmt.Sprintf("/staff/referrals/%s/contact", r.Reference), url.Values{"csrf": {other.csrf}, "version": {strconv.Itoa(cur.Version)}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("other agency contact: %d", resp.StatusCode)
	}
	if n := countKind(tb.events(r.ID), core.EventAccessDenied); n != 2 {
		t.Errorf("%d refusals audited, want 2", n)
	}
}

func TestInboxRejectAndRedirectForms(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("forms", false)
	c := tb.signedIn(tb.Net.Adviser)
	_, page := c.get(fmt.Sprintf("/staff/referrals/%s", r.Reference))
	for _, want := range []string{`<label for="reason">`, `<label for="feedback">`, "Kingdom Council Welfare Rights", "offers debt", "<fieldset"} {
		if !strings.Contains(page, want) {
			t.Errorf("referral page lacks %q", want)
		}
	}
	coretest.Golden(t, filepath.Join("testdata", "inbox_referral.html.golden"), csrfRe.ReplaceAllString(page, `name="csrf" value="CSRF"`))

	reject := fmt.Sprintf("/staff/referrals/%s/reject", r.Reference)
	resp, body := c.post(reject, url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}, "reason": {"inappropriate"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="feedback-error"`) || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("reject without feedback: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `<option value="inappropriate" selected>`) {
		t.Errorf("the chosen reason was not kept")
	}
	summaryLinksLand(t, "reject without feedback", body)
	// A redirect without an agency: the summary leads to the choice.
	resp, body = c.post(fmt.Sprintf("/staff/referrals/%s/redirect", r.Reference), url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#agency"`) {
		t.Fatalf("redirect without an agency: %d", resp.StatusCode)
	}
	summaryLinksLand(t, "redirect without an agency", body)
	welfare := strconv.FormatInt(int64(tb.Net.Welfare), 10)
	resp, _ = c.post(fmt.Sprintf("/staff/referrals/%s/redirect", r.Reference), url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}, "agency": {welfare}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("redirect: %d", resp.StatusCode)
	}
	if got := tb.referral(r.ID); got.Reason == nil || *got.Reason != core.ReasonRedirected {
		t.Errorf("not redirected: %+v", got)
	}
}

func TestInboxTriageForCoordinators(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("triage-web", true)
	adviser := tb.signedIn(tb.Net.Adviser)
	if _, body := adviser.get("/staff/"); strings.Contains(body, "Triage queue") {
		t.Errorf("advisers should not see the triage queue")
	}
	co := tb.signedIn(tb.Net.Coordinator)
	_, body := co.get("/staff/")
	if !strings.Contains(body, "Triage queue (1)") || !strings.Contains(body, r.Reference) || !strings.Contains(body, "Claim") {
		t.Fatalf("coordinator inbox should show the triage queue with %s", r.Reference)
	}
	cab := strconv.FormatInt(int64(tb.Net.CAB), 10)
	resp, _ := co.post(fmt.Sprintf("/staff/referrals/%s/assign", r.Reference), url.Values{"csrf": {co.csrf}, "version": {strconv.Itoa(r.Version)}, "agency": {cab}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d", resp.StatusCode)
	}
	if got := tb.referral(r.ID); got.ToAgencyID == nil || *got.ToAgencyID != tb.Net.CAB {
		t.Errorf("not assigned")
	}
	// Capacity from the inbox, as /onward capacity.
	resp, _ = adviser.post("/staff/capacity", url.Values{"csrf": {adviser.csrf}, "at_capacity": {"on"}, "note": {"back in March"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("capacity: %d", resp.StatusCode)
	}
	if a, _ := tb.Engine.Agency(context.Background(), tb.Net.CAB); !a.AtCapacity {
		t.Errorf("capacity not set")
	}
}

// TestCoordinatorClosesATriageReferralNoAgencyCanTake: a self-referral the
// directory has no agency for would wait in triage for good. The
// coordinator closes it from its page with why and what the client was
// told (refused without), back to the queue; it is cancelled and audited.
// An adviser's page of a referral offers no such thing.
func TestCoordinatorClosesATriageReferralNoAgencyCanTake(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("no-agency-fits", true)
	if !r.InTriage() {
		t.Fatal("the self-referral should wait in triage")
	}
	page := fmt.Sprintf("/staff/referrals/%s", r.Reference)
	coord := tb.signedIn(tb.Net.Coordinator)
	if _, body := coord.get(page); !strings.Contains(body, `action="/staff/referrals/`+r.Reference+`/cancel"`) {
		t.Fatal("the coordinator's page of a triage referral offers no way to close it")
	}
	close := fmt.Sprintf("/staff/referrals/%s/cancel", r.Reference)
	resp, body := coord.post(close, url.Values{"csrf": {coord.csrf}, "version": {strconv.Itoa(r.Version)}, "feedback": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "what the client was told") {
		t.Fatalf("closing without a reason: %d, want 422 asking why", resp.StatusCode)
	}
	summaryLinksLand(t, "close without a reason", body)
	if got := tb.referral(r.ID); got.Status != core.StatusRequested {
		t.Fatalf("a refused close changed the referral to %s", got.Status)
	}
	resp, _ = coord.post(close, url.Values{"csrf": {coord.csrf}, "version": {strconv.Itoa(r.Version)},
		"feedback": {"No service covers KY16 for this; phoned the client and gave the council's helpline."}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/staff/?") || !strings.Contains(loc, "done=cancel") {
		t.Fatalf("close: %d to %q, want back at the queue saying it was closed", resp.StatusCode, loc)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusCancelled || got.Feedback == "" {
		t.Fatalf("closed referral: status %s, feedback %q; want cancelled with the reason", got.Status, got.Feedback)
	}

	// An adviser's page of a referral held by their agency: no close.
	held := tb.selfReferral("held-by-cab", false)
	if held.InTriage() {
		t.Skip("the routine self-referral went to triage; the adviser's page is not this test's to check")
	}
	adviser := tb.signedIn(tb.Net.Adviser)
	if _, body := adviser.get(fmt.Sprintf("/staff/referrals/%s", held.Reference)); strings.Contains(body, "/cancel\"") {
		t.Error("an adviser's referral page offers to close it without an agency")
	}
}

// TestActionWithoutAVersionIsRefusedAsStale (review M2): core takes
// version 0 as "whatever is current", so a staff web form whose version
// is missing, not a number, or not a version at all must be refused as an
// out-of-date one is, with what was typed shown back, never let past the
// "two people, one winner" check. A Slack button's value the same.
func TestActionWithoutAVersionIsRefusedAsStale(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("no-version", false)
	c := tb.signedIn(tb.Net.Adviser)
	c.get("/staff/referrals/" + r.Reference)
	for _, version := range []string{"", "abc", "0", "-1", " "} {
		for _, action := range []string{"accept", "hold", "reject"} {
			form := url.Values{"csrf": {c.csrf}, "reason": {"no_capacity"}, "feedback": {"Full until January; try the larder"}}
			if version != "" {
				form.Set("version", version)
			}
			resp, body := c.post("/staff/referrals/"+r.Reference+"/"+action, form)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "That form was out of date, so nothing was changed") {
				t.Errorf("%s with version %q: %d, want 409 saying the form was out of date", action, version, resp.StatusCode)
			}
			if action == "reject" && !strings.Contains(body, "Full until January; try the larder") {
				t.Errorf("reject with version %q: the feedback typed is not shown back", version)
			}
		}
	}
	if got := tb.referral(r.ID); got.Status != core.StatusRequested || got.Version != r.Version {
		t.Fatalf("a form without a version changed the referral: %s v%d", got.Status, got.Version)
	}

	// Slack: a button whose value names version 0.
	tb.slack.emails["U0AILSA"] = tb.Net.Adviser.Email
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", "accept", fmt.Sprintf("%d:0", r.ID))), 200)
	tb.bot.wait()
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].text(), "That button is out of date") {
		t.Errorf("Slack accept with version 0: %+v, want one reply saying the button is out of date", eph)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusRequested {
		t.Fatalf("a Slack button with version 0 changed the referral: %s", got.Status)
	}
}

// TestFieldErrorAndSummaryAgree (review m7): a form's problem is written
// once, as a sentence: the same words beside the field, in the error
// summary, and in Slack's modal.
func TestFieldErrorAndSummaryAgree(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("same-words", false)
	c := tb.signedIn(tb.Net.Adviser)
	c.get("/staff/referrals/" + r.Reference)
	const want = "Choose a reason for rejecting the referral"
	resp, body := c.post("/staff/referrals/"+r.Reference+"/reject", url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)},
		"feedback": {"Full until January"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<li><a href="#reason">`+want+`</a></li>`) ||
		!strings.Contains(body, `<p class="field-error" id="reason-error">`+want+`</p>`) {
		t.Errorf("reject without a reason: %d, want %q in the summary and beside the field alike", resp.StatusCode, want)
	}
	if strings.Contains(body, strings.ToLower(want[:1])+want[1:]) {
		t.Errorf("reject without a reason: the page writes the problem in lower case too")
	}

	press := tb.blockAction("U0AILSA", "C0CAB", "reject", buttonValue(r.ID, r.Version))
	wantStatus(t, tb.interact(press), 200)
	meta := tb.openedView(press["trigger_id"].(string))["private_metadata"].(string)
	got := submitResponse(t, wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0SAME", cbReject, meta,
		map[string]any{blkFeedback: typed("Full until January")})), 200))
	if errs, _ := got["errors"].(map[string]any); errs[blkReason] != want {
		t.Errorf("Slack's reject modal without a reason says %v, want %q", errs[blkReason], want)
	}
}

// A rejection with neither a reason nor feedback names both problems at
// once, on the staff web and in Slack's modal alike (core's one check),
// not the reason first and the feedback after the next try.
func TestRejectNamesEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("both-missing", false)
	c := tb.signedIn(tb.Net.Adviser)
	c.get("/staff/referrals/" + r.Reference)
	resp, body := c.post("/staff/referrals/"+r.Reference+"/reject", url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<li><a href="#reason">`) || !strings.Contains(body, `<li><a href="#feedback">`) {
		t.Errorf("reject with nothing filled in: %d, want both the reason and the feedback in the error summary", resp.StatusCode)
	}
	// In the order the page shows the fields (an email-only adviser's
	// review: the feedback came first).
	if strings.Index(body, `<li><a href="#reason">`) > strings.Index(body, `<li><a href="#feedback">`) {
		t.Error("the error summary lists the feedback before the reason, which the page shows first")
	}
	press := tb.blockAction("U0AILSA", "C0CAB", "reject", buttonValue(r.ID, r.Version))
	wantStatus(t, tb.interact(press), 200)
	meta := tb.openedView(press["trigger_id"].(string))["private_metadata"].(string)
	got := submitResponse(t, wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0BOTH", cbReject, meta, map[string]any{})), 200))
	if errs, _ := got["errors"].(map[string]any); errs[blkReason] == nil || errs[blkFeedback] == nil {
		t.Errorf("Slack's reject modal with nothing filled in says %v, want the reason and the feedback", errs)
	}
}
