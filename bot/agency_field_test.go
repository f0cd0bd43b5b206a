package bot

import (
	"context"
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

// formSection is the part of a referral page from its <section id="id">
// to the end of that section.
func formSection(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<section id="`+id+`"`)
	if start < 0 {
		t.Fatalf("the page has no %s section", id)
	}
	end := strings.Index(page[start:], "</section>")
	return page[start : start+end]
}

// listedAgency is the value of the option labelled label (or starting
// so) in the choice of any agency (<select name="agency">), "" if absent.
func listedAgency(section, label string) string {
	sel := regexp.MustCompile(`(?s)<select [^>]*name="agency"[^>]*>.*?</select>`).FindString(section)
	m := regexp.MustCompile(`<option value="(\d+)"[^>]*>` + regexp.QuoteMeta(label)).FindStringSubmatch(sel)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestAssignAnyAgencyWhenNoneFits: a crisis self-referral from a district
// the directory does not cover (EH1, for a Fife network) waits in triage with no agency
// suggested. Its page lets the coordinator choose any agency of the
// network, as the refer page does, and the assignment goes through core:
// without a choice it is refused beside the list, with one it is made.
func TestAssignAnyAgencyWhenNoneFits(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	in := coretest.SelfReferral("uncovered-district")
	in.Client.Postcode, in.Client.Phone = "EH1 1YZ", "07700 900991"
	in.Crisis, in.CrisisReasons = true, []string{"bailiffs are coming today"}
	res, err := tb.Engine.SelfRefer(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	if !r.InTriage() || r.PostcodeDistrict != "EH1" {
		t.Fatalf("want a triage referral in EH1, got in triage %v, district %q", r.InTriage(), r.PostcodeDistrict)
	}
	co := tb.signedIn(tb.Net.Coordinator)
	_, page := co.get("/staff/referrals/" + r.Reference)
	assign := formSection(t, page, "assign")
	if !strings.Contains(assign, "No agency in the directory fits these needs and this area (EH1): choose one below.") {
		t.Errorf("the triage page should say no agency fits EH1 and offer a choice below:\n%s", assign)
	}
	welfare := listedAgency(assign, "Kingdom Council Welfare Rights")
	if welfare != strconv.FormatInt(int64(tb.Net.Welfare), 10) {
		t.Fatalf("the triage page offers no list of every agency to choose from:\n%s", assign)
	}
	if listedAgency(assign, "Kirkton Citizens Advice") == "" || listedAgency(assign, "Kingdom Housing Options") == "" {
		t.Errorf("the list should hold every agency of the network:\n%s", assign)
	}

	action := fmt.Sprintf("/staff/referrals/%s/assign", r.Reference)
	resp, body := co.post(action, url.Values{"csrf": {co.csrf}, "version": {strconv.Itoa(r.Version)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#agency"`) ||
		!strings.Contains(body, "Choose the agency to send the referral to") {
		t.Fatalf("assign without an agency: %d, want 422 leading to the list", resp.StatusCode)
	}
	summaryLinksLand(t, "assign without an agency", body)

	resp, _ = co.post(action, url.Values{"csrf": {co.csrf}, "version": {strconv.Itoa(r.Version)}, "agency": {welfare}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign to an agency from the list: %d", resp.StatusCode)
	}
	if got := tb.referral(r.ID); got.ToAgencyID == nil || *got.ToAgencyID != tb.Net.Welfare {
		t.Errorf("the referral was not assigned to Welfare Rights: %+v", got.ToAgencyID)
	}
	if n := countKind(tb.events(r.ID), core.EventAssigned); n != 1 {
		t.Errorf("%d assignment events, want 1", n)
	}
}

// TestRedirectToAnyAgencyOutsideConsent: a referral whose consent covers
// only the agency holding it. Nothing is suggested; the list of every
// agency names those outside the consent, and choosing one anyway is
// refused beside the list in plain words, the choice kept.
func TestRedirectToAnyAgencyOutsideConsent(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	ref, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "web-consent-scope", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900778", Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	ailsa := tb.signedIn(tb.Net.Adviser)
	_, page := ailsa.get("/staff/referrals/" + ref.Reference)
	redirect := formSection(t, page, "redirect")
	housing := listedAgency(redirect, "Kingdom Housing Options (outside the client&#39;s consent)")
	if housing == "" {
		t.Fatalf("the redirect form should list every agency, naming those outside the consent:\n%s", redirect)
	}
	if listedAgency(redirect, "Kirkton Citizens Advice") != "" {
		t.Errorf("the list offers the agency that holds the referral")
	}
	resp, body := ailsa.post(fmt.Sprintf("/staff/referrals/%s/redirect", ref.Reference), url.Values{"csrf": {ailsa.csrf},
		"version": {strconv.Itoa(ref.Version)}, "agency": {housing}})
	if resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "The client&#39;s consent does not cover sharing their details with Kingdom Housing Options") {
		t.Fatalf("redirect outside the consent: %d, want 422 saying the consent does not cover it", resp.StatusCode)
	}
	summaryLinksLand(t, "redirect outside the consent", body)
	if !regexp.MustCompile(`<option value="` + housing + `" selected>`).MatchString(body) {
		t.Errorf("the agency chosen was not kept in the list")
	}
	if got := tb.referral(ref.ID); got.Status != core.StatusRequested {
		t.Errorf("a refused redirect changed the referral to %s", got.Status)
	}
}

// TestTwoAgenciesChosenAreNotGuessed: an adviser who ticks a suggestion
// and also picks another agency from the list is not sent to either: on
// the web the list can be set back, so the form comes back (422) and the
// referral is unchanged, where Slack's modal lets the list win (its
// radio buttons cannot be unticked). The same agency twice, or the list
// left at "Choose an agency", is one choice.
func TestTwoAgenciesChosenAreNotGuessed(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		values []string
		want   string
		two    bool
	}{
		{[]string{"5"}, "5", false},
		{[]string{"5", ""}, "5", false},
		{[]string{"", "9"}, "9", false},
		{[]string{" 5", "5 "}, "5", false},
		{nil, "", false},
		{[]string{"5", "9"}, "", true},
	} {
		got, err := formAgency(url.Values{"agency": c.values})
		if got != c.want || (err != nil) != c.two {
			t.Errorf("agency=%q: %q, %v; want %q, refused %v", c.values, got, err, c.want, c.two)
		}
	}

	tb := newTestBot(t)
	ctx := context.Background()
	ref, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "web-two-agencies", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900779", Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1", Scope: core.ScopeNetwork})
	if err != nil {
		t.Fatal(err)
	}
	ailsa := tb.signedIn(tb.Net.Adviser)
	suggestion, listed := strconv.FormatInt(int64(tb.Net.Welfare), 10), strconv.FormatInt(int64(tb.Net.Housing), 10)
	// The form sends the ticked suggestion first, then the list's choice.
	resp, body := ailsa.post(fmt.Sprintf("/staff/referrals/%s/redirect", ref.Reference), url.Values{"csrf": {ailsa.csrf},
		"version": {strconv.Itoa(ref.Version)}, "agency": {suggestion, listed}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#agency"`) ||
		!strings.Contains(body, "You chose a suggested agency and another one from the list") {
		t.Errorf("redirect to two agencies: %d, want 422 asking which one", resp.StatusCode)
	}
	if got := tb.referral(ref.ID); got.Status != core.StatusRequested || got.Version != ref.Version {
		t.Errorf("redirect to two agencies changed the referral: %s v%d", got.Status, got.Version)
	}

	// The refer form says which two.
	_, page := ailsa.get("/staff/refer")
	resp, body = ailsa.post("/staff/refer", url.Values{"csrf": {ailsa.csrf}, "key": {referKeyOf(t, page)}, "name": {"Kenny Lumsden"},
		"phone": {"07700 900779"}, "needs": {"debt"}, "agency": {suggestion, listed}, "consent": {"yes"}, "step": {"send"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "You chose a suggested agency and another one from the list") ||
		!strings.Contains(body, `href="#agency"`) {
		t.Errorf("refer to two agencies: %d, want 422 asking which one", resp.StatusCode)
	}
}

// TestAtCapacityAgenciesMarked: an agency at capacity is not suggested,
// and in the list of any other agency (the refer page's, the assign and
// redirect forms') it is marked so, with its own note on the wait, so
// whoever chooses it knows the client may wait. The note's own full stop
// is left off, as the mark goes on after it.
func TestAtCapacityAgenciesMarked(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	if err := tb.Engine.SetCapacity(ctx, tb.Net.Housing, true, "Waiting list of about six weeks.", core.SystemActor); err != nil {
		t.Fatal(err)
	}
	const marked = "Kingdom Housing Options (at capacity: Waiting list of about six weeks)"
	ailsa := tb.signedIn(tb.Net.Adviser)
	_, page := ailsa.get("/staff/refer")
	_, body := ailsa.post("/staff/refer", url.Values{"csrf": {ailsa.csrf}, "key": {referKeyOf(t, page)}, "name": {"Rona Guthrie"},
		"phone": {"07700 900777"}, "postcode": {"KY1 2AB"}, "needs": {"housing"}, "step": {"match"}})
	if listedAgency(body, marked) != strconv.FormatInt(int64(tb.Net.Housing), 10) {
		t.Errorf("the refer page's list does not mark the agency at capacity with its note:\n%s",
			regexp.MustCompile(`(?s)<select [^>]*name="agency".*?</select>`).FindString(body))
	}
	if listedAgency(body, "Kirkton Citizens Advice (") != "" {
		t.Errorf("an agency taking referrals is marked")
	}

	r := tb.selfReferralNeeds("capacity-marked", core.NeedHousing)
	co := tb.signedIn(tb.Net.Coordinator)
	_, page = co.get("/staff/referrals/" + r.Reference)
	if listedAgency(formSection(t, page, "assign"), marked) == "" {
		t.Errorf("the assign form's list does not mark the agency at capacity:\n%s", formSection(t, page, "assign"))
	}
}
