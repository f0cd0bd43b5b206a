package bot

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestTypedTextShownBackAfterTheSessionEnded: a form sent once the
// session has ended is not saved, but the words typed into its boxes of
// free text (a completion note, feedback, a note for the agency, a
// crisis reason) come back on that answer to copy, each under its box's
// label and escaped; the client's name, phone and the form's other
// fields do not.
func TestTypedTextShownBackAfterTheSessionEnded(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("typed-back", false)
	for _, c := range []struct {
		path    string
		form    url.Values
		want    []string
		notWant []string
	}{
		{"/staff/referrals/" + r.Reference + "/complete",
			url.Values{"outcome": {"help-given"}, "outcome_note": {"Gave 2 parcels <b>and</b> a £20 voucher"}},
			[]string{"Note:", "Gave 2 parcels &lt;b&gt;and&lt;/b&gt; a £20 voucher"}, []string{"<b>and</b>", "help-given"}},
		{"/staff/referrals/" + r.Reference + "/reject",
			url.Values{"reason": {"no_capacity"}, "feedback": {"Full until January; try the larder"}},
			[]string{"Feedback for the referrer:", "Full until January; try the larder"}, []string{"no_capacity"}},
		{"/staff/refer",
			url.Values{"name": {"Rona Guthrie"}, "phone": {"07700 900777"}, "email": {"rona@example.org"}, "postcode": {"KY1 2BB"},
				"notes": {"Call after 3pm <script>alert(1)</script>"}, "crisis_reason": {"No food today"}},
			[]string{"Note for the agency:", "Call after 3pm &lt;script&gt;alert(1)&lt;/script&gt;", "Why it is a crisis:", "No food today"},
			[]string{"Rona Guthrie", "07700 900777", "rona@example.org", "KY1 2BB", "<script>alert"}},
	} {
		resp, body := tb.web().post(c.path, c.form) // no session
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "copy it now, before you sign in") {
			t.Errorf("%s without a session: %d, want 401 offering what was typed to copy", c.path, resp.StatusCode)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s without a session: the page lacks %q", c.path, w)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(body, w) {
				t.Errorf("%s without a session: the page shows %q", c.path, w)
			}
		}
	}

	// Nothing typed: the page says so as before.
	resp, body := tb.web().post("/staff/referrals/"+r.Reference+"/accept", url.Values{"version": {"1"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "if your browser's Back button still shows it") {
		t.Errorf("an accept without a session: %d, or the page offers text to copy where none was typed", resp.StatusCode)
	}
}

// TestTypedTextShownBackWhenTheFormExpired (review M1): a form from a page
// opened before its member of staff signed in again (another tab, an
// emailed sign-in link) carries the old session's form token. It is
// refused as before, but answered as an ended session's form is: nothing
// was saved, the words typed into its boxes come back to copy (never the
// client's details), and a link leads back to the referral it was about.
func TestTypedTextShownBackWhenTheFormExpired(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("expired-form", false)
	c := tb.signedIn(tb.Net.Adviser)
	c.get("/staff/referrals/" + r.Reference)
	old := c.csrf
	if err := c.signIn(tb.link(tb.Net.Adviser)); err != nil { // a fresh sign-in link, in the same browser
		t.Fatal(err)
	}
	if c.csrf == old {
		t.Fatal("signing in again kept the old form token")
	}
	const feedback = "We only do food parcels on Tuesdays; try the <larder>."
	resp, body := c.post("/staff/referrals/"+r.Reference+"/reject", url.Values{"csrf": {old},
		"version": {strconv.Itoa(r.Version)}, "reason": {"other"}, "feedback": {feedback}})
	for _, want := range []string{"Form expired: nothing was saved", "opened before you last signed in",
		"Copy what you typed, below, then go back to " + r.Reference, "Feedback for the referrer:",
		"We only do food parcels on Tuesdays; try the &lt;larder&gt;.",
		`<a href="/staff/referrals/` + r.Reference + `">Back to referral ` + r.Reference + `</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("reject with an earlier session's form token: the page lacks %q", want)
		}
	}
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Signed in as") {
		t.Errorf("reject with an earlier session's form token: %d, want 403 on a page of the session", resp.StatusCode)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusRequested {
		t.Fatalf("a refused form changed the referral: %s", got.Status)
	}

	// The refer form: its note comes back, the client's details do not.
	resp, body = c.post("/staff/refer", url.Values{"csrf": {old}, "name": {"Rona Guthrie"}, "phone": {"07700 900777"},
		"postcode": {"KY1 2BB"}, "notes": {"Call after 3pm; she works mornings"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Note for the agency:") ||
		!strings.Contains(body, "Call after 3pm; she works mornings") || !strings.Contains(body, `<a href="/staff/refer">Back to the form</a>`) {
		t.Errorf("refer with an earlier session's form token: %d, the note or the way back is not on the page", resp.StatusCode)
	}
	for _, pii := range []string{"Rona Guthrie", "07700 900777", "KY1 2BB"} {
		if strings.Contains(body, pii) {
			t.Errorf("refer with an earlier session's form token: the page shows %q", pii)
		}
	}
}

// TestCrossOriginRefusalIsAStaffPage (review m3): a form post that Go's
// CrossOriginProtection refuses (no Sec-Fetch-Site, and an Origin that is
// not this host: an older browser, a proxy) gets the staff page of a form
// not saved, with the staff pages' headers and the typed words shown
// back, not the protection's bare text.
func TestCrossOriginRefusalIsAStaffPage(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("cross-origin", false)
	c := tb.signedIn(tb.Net.Adviser)
	c.get("/staff/referrals/" + r.Reference)
	form := url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}, "reason": {"other"}, "feedback": {"Full until January"}}
	req, _ := http.NewRequest(http.MethodPost, tb.srv.URL+"/staff/referrals/"+r.Reference+"/reject", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		resp.Header.Get("Content-Security-Policy") != contentSecurityPolicy {
		t.Errorf("cross-origin post: %d %q, want 403 as a staff page with its headers", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"Form refused: nothing was saved", "Feedback for the referrer:", "Full until January",
		`<a href="/staff/referrals/` + r.Reference + `">Back to referral ` + r.Reference + `</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("cross-origin post: the page lacks %q", want)
		}
	}
	if strings.Contains(body, "cross-origin request detected") {
		t.Error("cross-origin post: the protection's bare text is shown")
	}
	if got := tb.referral(r.ID); got.Status != core.StatusRequested {
		t.Fatalf("a refused form changed the referral: %s", got.Status)
	}
}
