package bot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// keptClient is a new client's details as an adviser types them into the
// refer form, with what they need, the agency chosen and a note.
func (tb *testBot) keptClient(key string) url.Values {
	return url.Values{"key": {key}, "name": {"Morag Keptform"}, "phone": {"07700 900931"}, "email": {"morag.keptform@example.org"},
		"postcode": {"KY1 2BB"}, "town": {"Kirkcaldy"}, "language": {"pl"}, "interpreter": {"yes"},
		"needs": {"food", "fuel"}, "crisis": {"yes"}, "crisis_reason": {"Meter on emergency credit & no food today"},
		"notes": {"Prefers a call after 4pm; <b>hard of hearing</b>"}, "agency": {strconv.FormatInt(int64(tb.Net.FoodBank), 10)},
		"scope": {"network"}, "consent": {"yes"}, "wording": {"v1"}, "step": {"send"}}
}

// referSentAfterRunningOut opens page (the refer page, or the one to
// refer a client on) as the adviser, lets the session run out, and sends
// form from it: the answer's body, and the client it was sent from.
func (tb *testBot) referSentAfterRunningOut(page string, form func(key string) url.Values) (*webClient, string) {
	tb.t.Helper()
	c := tb.signedIn(tb.Net.Adviser)
	_, body := c.get(page)
	f := form(referKeyOf(tb.t, body))
	c.runsOut(tb.Net.Adviser.ID)
	f.Set("csrf", c.csrf)
	resp, body := c.post("/staff/refer", f)
	if resp.StatusCode != http.StatusUnauthorized {
		tb.t.Fatalf("the refer form after the session ran out: %d, want 401 asking to sign in", resp.StatusCode)
	}
	return c, body
}

// agencyChosen matches the agency id as chosen on the refer page: a
// suggestion ticked, or the list's option selected.
func agencyChosen(id core.AgencyID) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`value="%d"[^>]*( checked| selected)`, id))
}

// TestKeptReferFormComesBackToItsWriter: an adviser whose session ran
// out while they filled in Refer a client for a new client signs in
// again in the same browser and lands on the refer page with every value
// filled in but the consent tick, and a notice saying nothing was sent
// and why consent must be confirmed again; no client and no referral
// were made. Redis holds the form sealed, with none of the client's
// details in clear, and nothing of it is logged.
func TestKeptReferFormComesBackToItsWriter(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	clients, referrals := coretest.CountRows(t, tb.Pool, "clients"), coretest.CountRows(t, tb.Pool, "referrals")
	c, body := tb.referSentAfterRunningOut(referPath, tb.keptClient)
	if !strings.Contains(body, "Onward is keeping what you sent for 15 minutes, for you alone") ||
		!strings.Contains(body, "the form comes back filled in") {
		t.Errorf("the sign-in page does not say the refer form is kept:\n%s", body)
	}
	kept := tb.keptForms()
	if len(kept) != 1 {
		t.Fatalf("%d kept forms in Redis, want 1", len(kept))
	}
	for key, v := range kept {
		// Unsealed, it holds what the adviser typed, but not the consent
		// tick nor the session's form token.
		plain, err := tb.bot.engine.Crypter().DecryptBytes("bot.kept-form."+key[strings.LastIndex(key, ":")+1:], []byte(v))
		var k keptForm
		if err == nil {
			err = json.Unmarshal(plain, &k)
		}
		if err != nil || k.Fields.Get("name") != "Morag Keptform" || k.Fields.Has("consent") || k.Fields.Has("csrf") || k.Page != referPath {
			t.Errorf("the kept refer form unsealed (%v): page %q, fields %v; want the refer page, the name, no consent, no csrf", err, k.Page, k.Fields)
		}
		for _, plain := range []string{"Morag", "Keptform", "07700", "900931", "morag.keptform", "KY1", "Kirkcaldy", "Prefers a call", "Meter on"} {
			if strings.Contains(v, plain) {
				t.Errorf("the kept refer form holds %q in clear", plain)
			}
		}
	}

	if got := c.landsOn(tb.link(tb.Net.Adviser)); got != referPath {
		t.Fatalf("signing in lands on %q, want %s", got, referPath)
	}
	_, body = c.get(referPath)
	for _, want := range []string{
		"You were signed out before Onward sent this referral, so nothing was done: no referral was made.",
		"consent is not ticked: read the consent words to the client again and tick the box only if they agree",
		`id="name" name="name" type="text" maxlength="200" autocomplete="off" value="Morag Keptform"`,
		`value="07700 900931"`, `value="morag.keptform@example.org"`, `value="KY1 2BB"`, `value="Kirkcaldy"`,
		`<option value="pl" selected>`, `id="interpreter" name="interpreter" value="yes" checked`,
		`id="need-food" name="needs" value="food" checked`, `id="need-fuel" name="needs" value="fuel" checked`,
		`id="crisis" name="crisis" value="yes" checked`, `value="Meter on emergency credit &amp; no food today"`,
		">Prefers a call after 4pm; &lt;b&gt;hard of hearing&lt;/b&gt;</textarea>",
		`id="scope-network" name="scope" value="network" checked`,
		`<input type="checkbox" id="consent" name="consent" value="yes">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the refer page after signing in lacks %q", want)
		}
	}
	if !agencyChosen(tb.Net.FoodBank).MatchString(body) {
		t.Errorf("the refer page after signing in does not have the food bank chosen")
	}
	if n := coretest.CountRows(t, tb.Pool, "clients"); n != clients {
		t.Errorf("%d clients after the kept form came back, want %d: it was sent by itself", n, clients)
	}
	if n := coretest.CountRows(t, tb.Pool, "referrals"); n != referrals {
		t.Errorf("%d referrals after the kept form came back, want %d: it was sent by itself", n, referrals)
	}
	if n := len(tb.keptForms()); n != 0 {
		t.Errorf("%d kept forms left after restoring, want none", n)
	}
	if _, body = c.get(referPath); strings.Contains(body, "You were signed out") || strings.Contains(body, "Morag") {
		t.Errorf("the kept refer form came back twice")
	}
	logs := tb.logText()
	for _, secret := range []string{"Morag", "900931", "morag.keptform", "Prefers a call"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// TestKeptReferFindStepComesBack: a phone number typed to find a client,
// sent after the session ended, comes back in the find box, with the
// notice for that step; the look-up is not made by itself.
func TestKeptReferFindStepComesBack(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c, _ := tb.referSentAfterRunningOut(referPath, func(key string) url.Values {
		return url.Values{"key": {key}, "find_phone": {"07700 900932"}, "step": {"find"}}
	})
	c.landsOn(tb.link(tb.Net.Adviser))
	_, body := c.get(referPath)
	for _, want := range []string{"You were signed out before Onward looked up the client, so nothing was done",
		`id="find_phone" name="find_phone" type="tel" maxlength="40" autocomplete="off" value="07700 900932"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refer page after signing in lacks %q", want)
		}
	}
	if strings.Contains(body, "No client found") || strings.Contains(body, "consent is not ticked") {
		t.Errorf("the kept look-up was made by itself, or the find step's notice speaks of consent")
	}
}

// TestKeptReferFormNotForAnyoneElse: another member of staff signing in
// where the adviser's refer form was kept deletes it: neither they nor
// the adviser signing in afterwards see the client's details.
func TestKeptReferFormNotForAnyoneElse(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c, _ := tb.referSentAfterRunningOut(referPath, tb.keptClient)
	if n := len(tb.keptForms()); n != 1 {
		t.Fatalf("%d kept forms before anyone signed in, want 1", n)
	}
	if got := c.landsOn(tb.link(tb.Net.Adviser2)); got != referPath {
		t.Fatalf("the colleague's sign-in lands on %q, want %s", got, referPath)
	}
	if n := len(tb.keptForms()); n != 0 {
		t.Errorf("%d kept forms left after someone else signed in, want none", n)
	}
	for _, who := range []core.Staff{tb.Net.Adviser2, tb.Net.Adviser} {
		if who.ID == tb.Net.Adviser.ID {
			c.landsOn(tb.link(who))
		}
		resp, body := c.get(referPath)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "You were signed out") || strings.Contains(body, "Morag") ||
			strings.Contains(body, "900931") {
			t.Errorf("%s sees the kept refer form (%d)", who.Name, resp.StatusCode)
		}
	}
}

// TestKeptReferOnFormComesBackOnItsPage: a "Refer this client on" form
// sent after the session ended comes back on the page it was on, the
// refer page opened from that referral, and not on the plain refer page.
func TestKeptReferOnFormComesBackOnItsPage(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	from := tb.act(tb.staffReferral("kept-refer-on"), core.ActionAccept, tb.Net.Adviser)
	onPage := referPath + "?from=" + from.Reference
	c, _ := tb.referSentAfterRunningOut(onPage, func(key string) url.Values {
		return url.Values{"key": {key}, "parent": {from.Reference}, "needs": {"food"}, "notes": {"Referred on: needs a parcel this week"},
			"agency": {strconv.FormatInt(int64(tb.Net.FoodBank), 10)}, "scope": {"agency"}, "consent": {"yes"}, "step": {"send"}}
	})
	if got := c.landsOn(tb.link(tb.Net.Adviser)); got != onPage {
		t.Fatalf("signing in lands on %q, want %s", got, onPage)
	}
	if _, body := c.get(referPath); strings.Contains(body, "You were signed out") || strings.Contains(body, "needs a parcel") {
		t.Errorf("the refer-on form came back on the plain refer page")
	}
	_, body := c.get(onPage)
	for _, want := range []string{"Refer a client on from " + from.Reference, "You were signed out before Onward sent this referral",
		`name="parent" value="` + from.Reference + `"`, ">Referred on: needs a parcel this week</textarea>",
		`id="need-food" name="needs" value="food" checked`, `<input type="checkbox" id="consent" name="consent" value="yes">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refer-on page after signing in lacks %q", want)
		}
	}
	if n := len(tb.keptForms()); n != 0 {
		t.Errorf("%d kept forms left after restoring, want none", n)
	}
}

// TestKeptPage: which forms are kept, and the page each comes back on.
func TestKeptPage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		path, parent, want string
		kept               bool
	}{
		{"/staff/referrals/ONW-7K3M9PQ/reject", "", "/staff/referrals/ONW-7K3M9PQ", true},
		{"/staff/referrals/ONW-7K3M9PQ/details", "", "", false},
		{"/staff/refer", "", "/staff/refer", true},
		{"/staff/refer", "onw-7k3m9pq", "/staff/refer?from=ONW-7K3M9PQ", true},
		{"/staff/refer", "<b>", "", false},
		{"/staff/admin/staff/12/deactivate", "", "", false},
	} {
		got, kept := keptPage(c.path, url.Values{"parent": {c.parent}})
		if got != c.want || kept != c.kept {
			t.Errorf("keptPage(%s, parent %q) = %q, %v; want %q, %v", c.path, c.parent, got, kept, c.want, c.kept)
		}
	}
}
