package bot

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestEachFormKeepsItsOwnText: the reject form's feedback and the
// redirect form's why are both sent as "feedback"; a refused one comes
// back in its own box only, with its problem beside that box and the
// summary linking there. Words meant for the referrer never wait in the
// box whose words go to another agency, nor the other way round.
func TestEachFormKeepsItsOwnText(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("own-boxes", false)
	c := tb.signedIn(tb.Net.Adviser)
	page := "/staff/referrals/" + r.Reference
	box := func(body, id string) string {
		t.Helper()
		m := regexp.MustCompile(`(?s)<textarea id="` + id + `"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the page has no %s box", id)
		}
		return m[1]
	}
	version := strconv.Itoa(r.Version)

	// Reject without a reason: the feedback is kept in the reject box.
	resp, body := c.post(page+"/reject", url.Values{"csrf": {c.csrf}, "version": {version}, "feedback": {"Full this month; try the larder"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("reject without a reason: %d", resp.StatusCode)
	}
	if got := box(body, "feedback"); got != "Full this month; try the larder" {
		t.Errorf("the reject box holds %q after a refused reject", got)
	}
	if got := box(body, "redirect-note"); got != "" {
		t.Errorf("the redirect's why holds the reject feedback %q", got)
	}

	// Redirect without an agency: the why is kept in the redirect box.
	resp, body = c.post(page+"/redirect", url.Values{"csrf": {c.csrf}, "version": {version}, "feedback": {"They need a debt specialist"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("redirect without an agency: %d", resp.StatusCode)
	}
	if got := box(body, "redirect-note"); got != "They need a debt specialist" {
		t.Errorf("the redirect box holds %q after a refused redirect", got)
	}
	if got := box(body, "feedback"); got != "" {
		t.Errorf("the reject feedback box holds the redirect's why %q", got)
	}

	// A redirect whose why is refused: the problem is beside the why,
	// the summary links to it, and the reject box is untouched.
	welfare := strconv.FormatInt(int64(tb.Net.Welfare), 10)
	long := strings.Repeat("x", 2001)
	resp, body = c.post(page+"/redirect", url.Values{"csrf": {c.csrf}, "version": {version}, "agency": {welfare}, "feedback": {long}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("redirect with a why too long: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `href="#redirect-note"`) || !strings.Contains(body, `id="redirect-note-error"`) {
		t.Errorf("a refused why is not named beside the redirect's box, or the summary does not link there")
	}
	if strings.Contains(body, `id="feedback-error"`) || box(body, "feedback") != "" {
		t.Errorf("a refused redirect marks or fills the reject feedback box")
	}
	summaryLinksLand(t, "redirect with a why too long", body)
}
