package bot

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// A coordinator's review: rejecting a client's own referral said "The
// referrer will see your reason", yet there is no referrer to read it;
// Onward sends the client on. The confirmation says so.
func TestRejectingAClientsOwnReferralSaysWhereItGoes(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("reject-self", false)
	c := tb.signedIn(tb.Net.Adviser)
	resp, _ := c.post(fmt.Sprintf("/staff/referrals/%s/reject", r.Reference), url.Values{"csrf": {c.csrf},
		"version": {strconv.Itoa(r.Version)}, "reason": {"no-capacity"}, "feedback": {"No appointments free this month"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", resp.StatusCode)
	}
	to := resp.Header.Get("Location")
	_, page := c.get(to)
	if !strings.Contains(page, r.Reference+" rejected. It was the client's own request, so Onward sends it on") ||
		strings.Contains(page, "The referrer will see your reason") {
		t.Errorf("after rejecting a client's own referral (%s) the page does not say where it goes:\n%s", to, page)
	}
}

// A coordinator's review: a form whose version was changed by hand to one
// the referral never had said "Already changed by Onward", a race that
// never happened. It is answered as a form out of date.
func TestAFormNamingAVersionNeverHadIsOutOfDate(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("version-never-had", false)
	c := tb.signedIn(tb.Net.Adviser)
	resp, body := c.post(fmt.Sprintf("/staff/referrals/%s/accept", r.Reference), url.Values{"csrf": {c.csrf},
		"version": {strconv.Itoa(r.Version + 998)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "That form was out of date") || strings.Contains(body, "Already changed by") {
		t.Errorf("accept with a version the referral never had: %d, want it answered as a form out of date", resp.StatusCode)
	}
	if got := tb.referral(r.ID); got.Status != r.Status {
		t.Errorf("the referral changed: %s", got.Status)
	}
}
