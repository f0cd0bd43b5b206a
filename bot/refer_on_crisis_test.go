package bot

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestReferOnKeepsTheCrisis: "Refer this client on" from a crisis
// referral comes with "It is a crisis" ticked and the referral's reason
// filled in, as its needs are, so an adviser who sends it as it stands
// sends a crisis; the page says why the box is ticked. From a routine
// referral the box stays empty.
func TestReferOnKeepsTheCrisis(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	refer := func(key string, crisis bool, reason string) core.Referral {
		t.Helper()
		r, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: tb.Net.WelfareAdviser.Actor(),
			Client: core.ClientDetails{Name: "Fiona Fictional", Phone: "07700 900" + strconv.Itoa(600+len(key)), Postcode: "KY1 2BB"},
			Needs:  []core.Need{core.NeedFood}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1",
			Crisis: crisis, CrisisReason: reason})
		if err != nil {
			t.Fatal(err)
		}
		return tb.act(r, core.ActionAccept, tb.Net.Adviser)
	}
	crisis := refer("refer-on-crisis", true, "No food today & baby formula run out")
	ailsa := tb.signedIn(tb.Net.Adviser)
	_, page := ailsa.get("/staff/refer?from=" + crisis.Reference)
	ticked := regexp.MustCompile(`<input type="checkbox" id="crisis" name="crisis" value="yes" checked`)
	reason := regexp.MustCompile(`id="crisis_reason" name="crisis_reason" type="text" maxlength="\d+" value="([^"]*)"`)
	if !ticked.MatchString(page) {
		t.Errorf("refer on from a crisis: the crisis box is not ticked")
	}
	m := reason.FindStringSubmatch(page)
	if m == nil || html.UnescapeString(m[1]) != "No food today & baby formula run out" {
		t.Errorf("refer on from a crisis: the reason is %q, want the referral's", m)
	}
	if want := crisis.Reference + " is a crisis, so this came ticked"; !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(page) {
		t.Errorf("the page does not say why the crisis box came ticked (%q)", want)
	}

	// Sent as it stands: a crisis, with its reason.
	wording := regexp.MustCompile(`name="wording" value="([^"]*)"`).FindStringSubmatch(page)
	if wording == nil {
		t.Fatal("no consent wording on the refer page")
	}
	form := url.Values{"csrf": {ailsa.csrf}, "key": {referKeyOf(t, page)}, "parent": {crisis.Reference}, "wording": {wording[1]},
		"needs": {"food"}, "agency": {strconv.FormatInt(int64(tb.Net.FoodBank), 10)}, "scope": {"agency"}, "consent": {"yes"}, "step": {"send"}}
	if ticked.MatchString(page) {
		form.Set("crisis", "yes")
	}
	if m != nil {
		form.Set("crisis_reason", html.UnescapeString(m[1]))
	}
	resp, body := ailsa.post("/staff/refer", form)
	sent := tb.sentReferral(resp, body)
	if !sent.Crisis {
		t.Errorf("the referral sent on from a crisis is routine")
	}
	if got, err := tb.Engine.CrisisReasons(ctx, sent); err != nil || len(got) != 1 || got[0] != "No food today & baby formula run out" {
		t.Errorf("the referral sent on gives the crisis as %q (%v)", got, err)
	}

	// From a routine referral: nothing ticked, nothing said.
	routine := refer("refer-on-routine-one", false, "")
	_, page = ailsa.get("/staff/refer?from=" + routine.Reference)
	if ticked.MatchString(page) || regexp.MustCompile(`came ticked`).MatchString(page) {
		t.Errorf("refer on from a routine referral: the crisis box is ticked, or the page says it came ticked")
	}
}

// TestCarriedCrisisReasonFitsTheField: reasons too long for the form's
// field are cut at a word, within its limit.
func TestCarriedCrisisReasonFitsTheField(t *testing.T) {
	t.Parallel()
	long := make([]string, 0, 40)
	for range 40 {
		long = append(long, "no food and no heating today")
	}
	got := carriedCrisisReason(long)
	if n := len([]rune(got)); n > referLimits["crisis_reason"] || n < referLimits["crisis_reason"]-40 {
		t.Errorf("carried reason is %d characters, want at most %d and close to it", n, referLimits["crisis_reason"])
	}
	if got := carriedCrisisReason([]string{"no food", "no heating"}); got != "no food; no heating" {
		t.Errorf("two reasons carried as %q", got)
	}
}
