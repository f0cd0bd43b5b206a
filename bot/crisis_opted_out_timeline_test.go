package bot

import (
	"context"
	"html"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestTimelineSaysOnwardCouldNotReplyToAnOptedOutPhone: the client of a
// referral with Kirkton Citizens Advice texts words of danger after it was
// made, and later, from a phone that has opted out of texts, words of
// self-harm. Kirkton's page tells the first as answered with the crisis
// lines, and the second as a text Onward could not reply to, as the phone
// opted out, with what to do: never that the reply gave them the lines.
func TestTimelineSaysOnwardCouldNotReplyToAnOptedOutPhone(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	res, err := tb.Engine.SelfRefer(ctx, coretest.SelfReferral("timeline-opted-out"))
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	for _, c := range []core.CrisisAfterEnd{
		{Reference: r.Reference, Phone: "+447700900123", Danger: true, MessageSID: "SManswered"},
		{Reference: r.Reference, Phone: "+447700900123", SelfHarm: true, MessageSID: "SMoptedout", OptedOut: true},
	} {
		if out, err := tb.Engine.RecordCrisisAfterEnd(ctx, c); err != nil || out != core.CrisisAlerted {
			t.Fatalf("%s: %s, %v", c.MessageSID, out, err)
		}
	}
	_, page := tb.signedIn(tb.Net.Adviser).get("/staff/referrals/" + r.Reference)
	page = html.UnescapeString(page)
	for _, want := range []string{
		"The client texted words of danger after their referral was made; Onward's reply gave them the crisis lines, and the coordinators and the agency holding it were alerted",
		"The client texted words of self-harm after their referral was made; Onward could not reply, as their phone had opted out of texts (they texted STOP), so they were not sent the crisis lines, and the coordinators and the agency holding it were alerted. Contact them another way, and call 999 if you believe they are in immediate danger",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("Kirkton's page of %s does not say %q", r.Reference, want)
		}
	}
	if n := strings.Count(page, "Onward's reply gave them"); n != 1 {
		t.Errorf("Kirkton's page says Onward's reply gave the client the lines %d times, want once (the danger text alone)", n)
	}
}
