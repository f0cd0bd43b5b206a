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

// TestTheListWinsOverASuggestion: an adviser who ticks a suggestion and
// then picks another agency from the list means the one picked last, as
// in Slack's modals, whose radio buttons cannot be unticked.
func TestTheListWinsOverASuggestion(t *testing.T) {
	tb := newTestBot(t)
	ctx := context.Background()
	ref, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "web-list-wins", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900779", Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1", Scope: core.ScopeNetwork})
	if err != nil {
		t.Fatal(err)
	}
	ailsa := tb.signedIn(tb.Net.Adviser)
	suggestion, listed := strconv.FormatInt(int64(tb.Net.Welfare), 10), strconv.FormatInt(int64(tb.Net.Housing), 10)
	// The form sends the ticked suggestion first, then the list's choice.
	resp, _ := ailsa.post(fmt.Sprintf("/staff/referrals/%s/redirect", ref.Reference), url.Values{"csrf": {ailsa.csrf},
		"version": {strconv.Itoa(ref.Version)}, "agency": {suggestion, listed}})
	if resp.StatusCode >= 400 {
		t.Fatalf("redirect: %d", resp.StatusCode)
	}
	var to core.AgencyID
	if err := tb.Pool.QueryRow(ctx, `SELECT to_agency_id FROM referrals WHERE parent_id = $1`, ref.ID).Scan(&to); err != nil {
		t.Fatal(err)
	}
	if to != tb.Net.Housing {
		t.Errorf("the referral went on to agency %d, want the one picked from the list (%d), not the ticked suggestion (%d)", to, tb.Net.Housing, tb.Net.Welfare)
	}
}
