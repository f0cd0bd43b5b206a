package bot

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestUnsubscribeNamesTheEmails: the page an email's "Stop these emails"
// link opens, and the page after pressing its button, name the emails
// stopped: the kind and, for an agency's own kinds, the agency.
func TestUnsubscribeNamesTheEmails(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	for kind, want := range map[core.EmailKind]string{
		core.EmailNewReferral:    "emails about new referrals for Kirkton Citizens Advice",
		core.EmailAckReminder:    "reminders about referrals waiting for Kirkton Citizens Advice",
		core.EmailReferralUpdate: "emails about what became of referrals you made",
	} {
		tok := core.UnsubscribeToken([]byte(tb.cfg.SessionSecret), tb.Net.Adviser.ID, kind)
		resp, body := tb.web().get("/staff/settings/email/unsubscribe?t=" + url.QueryEscape(tok))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You will no longer get "+want+" from Onward.") {
			t.Errorf("%s: the confirmation page (%d) does not name %q", kind, resp.StatusCode, want)
		}
		resp, body = tb.web().post("/staff/settings/email/unsubscribe", url.Values{"t": {tok}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You will no longer get "+want+".") {
			t.Errorf("%s: the page after unsubscribing (%d) does not name %q", kind, resp.StatusCode, want)
		}
	}
}
