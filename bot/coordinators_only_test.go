package bot

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestRefusalPagesSayWhatHappened (review m2): a page refused to an
// adviser says what happened in its title ("Coordinators only", "This
// can't be done now"), never "Something went wrong", which reads as a
// fault in Onward; and the coordinators-only page names what the page is
// for (staff, agencies, partner systems, data protection), not always
// "the directory".
func TestRefusalPagesSayWhatHappened(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("refusal-titles", false)
	c := tb.signedIn(tb.Net.Adviser)
	for _, p := range []struct{ path, says string }{
		{"/staff/admin/staff", "can invite staff, change their roles or deactivate them"},
		{"/staff/admin/agencies", "can add agencies to the network"},
		{"/staff/partners", "can connect partner systems"},
		{"/staff/directory", "can change the directory"},
		{"/staff/data-protection/requests", "can see the data protection requests"},
		{"/staff/referrals/" + r.Reference + "/erase", "can erase a client's details"},
		{"/staff/referrals/" + r.Reference + "/export", "can export everything held about a client"},
	} {
		resp, body := c.get(p.path)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "<h1>Coordinators only</h1>") ||
			!strings.Contains(htmlUnescape(strings.ReplaceAll(body, "&#39;", "'")), "Only the network's coordinators "+p.says) {
			t.Errorf("an adviser's %s: %d, want 403 titled Coordinators only saying %q", p.path, resp.StatusCode, p.says)
		}
		if strings.Contains(body, "Something went wrong") {
			t.Errorf("an adviser's %s is titled as a fault", p.path)
		}
	}
	resp, body := c.post("/staff/admin/staff", url.Values{"csrf": {c.csrf}, "email": {"x@example.org"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "can invite staff") {
		t.Errorf("an adviser inviting staff: %d, want the staff page's refusal", resp.StatusCode)
	}

	// Accepted, the referral can no longer be redirected, so no new
	// consent is recorded on it.
	if resp, _ := c.post("/staff/referrals/"+r.Reference+"/accept", url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	resp, body = c.get("/staff/referrals/" + r.Reference + "/consent")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "<h1>This can&#39;t be done now</h1>") || strings.Contains(body, "Something went wrong") {
		t.Errorf("consent form of an accepted referral: %d, want 409 titled This can't be done now", resp.StatusCode)
	}
}
