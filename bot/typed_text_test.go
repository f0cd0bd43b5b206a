package bot

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTypedTextShownBackAfterTheSessionEnded: a form sent once the
// session has ended is not saved, but the words typed into its boxes of
// free text (a completion note, feedback, a note for the agency, a
// crisis reason) come back on that answer to copy, each under its box's
// label and escaped; the client's name, phone and the form's other
// fields do not.
func TestTypedTextShownBackAfterTheSessionEnded(t *testing.T) {
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
