package bot

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// The phone number a client gave passed to a stranger, who proved it two
// years later: staff viewing the former client's details, on the web and
// in Slack, are told it passed on, in plain words, and are shown no
// number to ring.
func TestPassedOnPhoneShownToStaff(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	refer := func(key, name string) core.Referral {
		t.Helper()
		in := coretest.SelfReferral(key)
		in.Client.Name = name
		in.Client.Phone = "07700 900777"
		res, err := tb.Engine.SelfRefer(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return res.Referral
	}
	former := refer("passed-bot-former", "Morag Baird")
	tb.Clock.Advance(2 * 365 * 24 * time.Hour)
	if stranger := refer("passed-bot-stranger", "Ailsa Fictional"); stranger.ClientID == former.ClientID {
		t.Fatal("the stranger joined the former client's record")
	}
	const want = "has since passed to someone else, so it no longer reaches them"
	digits := []string{"900777", "900 777"}

	c := tb.signedIn(tb.Net.Adviser)
	resp, body := c.post("/staff/referrals/"+former.Reference+"/details", url.Values{"csrf": {c.csrf}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("details: %d", resp.StatusCode)
	}
	if !strings.Contains(body, "<dt>Phone</dt><dd>The number the client gave "+want+".</dd>") {
		t.Errorf("the details page does not say the number passed on:\n%s", body)
	}
	staff, err := tb.Engine.StaffByID(ctx, tb.Net.Adviser.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := tb.bot.disclose(ctx, former.ID, staff, "slack")
	if err != nil {
		t.Fatal(err)
	}
	text := say("eph.details", d)
	if !strings.Contains(text, "*Phone:* the number the client gave "+want+"\n") {
		t.Errorf("the Slack details do not say the number passed on:\n%s", text)
	}
	for _, n := range digits {
		if strings.Contains(body, n) || strings.Contains(text, n) {
			t.Errorf("staff are shown the number that passed on (%s)", n)
		}
	}
}
