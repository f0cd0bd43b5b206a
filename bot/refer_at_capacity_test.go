package bot

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A coordinator's review: an adviser referring a client (a crisis
// included) to an agency marked at capacity was told only "Referral …
// made.", though a coordinator assigning there is told plainly. The
// referral's page says so, with what to do instead.
func TestReferringToAnAgencyAtCapacitySaysSo(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	if err := tb.Engine.SetCapacity(context.Background(), tb.Net.Housing, true, "Waiting list of about six weeks", tb.Net.HousingAdviser.Actor()); err != nil {
		t.Fatal(err)
	}
	c := tb.signedIn(tb.Net.Adviser)
	_, page := c.get("/staff/refer")
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	resp, _ := c.post("/staff/refer", url.Values{"csrf": {c.csrf}, "key": {key}, "name": {"Rona Guthrie"}, "phone": {"07700 900777"},
		"postcode": {"KY1 2AB"}, "needs": {"housing"}, "agency": {strconv.FormatInt(int64(tb.Net.Housing), 10)},
		"consent": {"yes"}, "step": {"send"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("refer: %d", resp.StatusCode)
	}
	_, done := c.get(resp.Header.Get("Location"))
	if !strings.Contains(done, "Kingdom Housing Options is marked at capacity") || !strings.Contains(done, "cancel it below and refer them again") {
		t.Errorf("the page after referring to an agency at capacity does not say so")
	}
}

// A coordinator's review: a refer form whose hidden client had been
// changed to one the adviser may not find said "That referral no longer
// exists". It names the client, beside the box to find one again.
func TestReferringAClientNotFoundSaysSo(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.signedIn(tb.Net.Adviser)
	_, page := c.get("/staff/refer")
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	for _, client := range []string{"999999"} {
		resp, body := c.post("/staff/refer", url.Values{"csrf": {c.csrf}, "key": {key}, "client": {client},
			"needs": {"housing"}, "agency": {strconv.FormatInt(int64(tb.Net.Housing), 10)}, "consent": {"yes"}, "step": {"send"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The client chosen is not one you can refer") ||
			strings.Contains(body, "no longer exists") || !strings.Contains(body, `href="#find_phone"`) {
			t.Errorf("client %s: %d, want the client named as not found beside the box to find one", client, resp.StatusCode)
		}
	}
}
