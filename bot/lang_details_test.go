package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// TestDetailsPageNamesTheLanguage: the staff "Client details" page names
// the client's language as the referral's card and page do ("Polish"),
// never the bare code ("pl").
func TestDetailsPageNamesTheLanguage(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	in := coretest.SelfReferral("details-language")
	in.Client.Phone = fmt.Sprintf("07700 9%05d", phoneSeq.Add(1))
	in.Client.Language, in.Client.Interpreter = "pl", true // wanting an interpreter: triaged, so the coordinator holds it
	res, err := tb.Engine.SelfRefer(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	c := tb.signedIn(tb.Net.Coordinator)
	resp, body := c.post("/staff/referrals/"+res.Referral.Reference+"/details", url.Values{"csrf": {c.csrf}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("details: %d", resp.StatusCode)
	}
	if want := "<dt>Language</dt><dd>Polish</dd>"; !strings.Contains(body, want) {
		t.Errorf("the details page does not say %q:\n%s", want, body)
	}
	if strings.Contains(body, "<dd>pl</dd>") {
		t.Error("the details page shows the bare language code")
	}
}
