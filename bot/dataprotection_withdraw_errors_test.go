package bot

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The withdrawal form left empty is answered with every problem at once
// (the box for how the client asked, and the confirmation), not one and
// then, after the confirmation is ticked, the other. Found by exploratory
// testing: an empty post named only the confirmation.
func TestWithdrawFormNamesEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("withdraw-errors", false)
	ailsa := tb.signedIn(tb.Net.Coordinator)
	resp, body := ailsa.post("/staff/referrals/"+r.Reference+"/withdraw", url.Values{"csrf": {ailsa.csrf}, "evidence": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty withdrawal: %d", resp.StatusCode)
	}
	for _, want := range []string{`href="#evidence"`, `href="#confirm"`} {
		if !strings.Contains(body, want) {
			t.Errorf("empty withdrawal's error summary lacks %s", want)
		}
	}
}
