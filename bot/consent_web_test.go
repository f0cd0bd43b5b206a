package bot

import (
	"context"

	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestRecordNewConsentThenRedirect (review R1 #2): a referral made with
// the refer form's default consent (the receiving agency alone) is
// redirected by the agency holding it. The redirect panel says whom the
// consent covers and points to recording new consent in the words of the
// refusal; a refused redirect links there with the agency ticked. The
// form names each missing part; recorded, the consent is in the
// referral's story, and the redirect to the agency the client agreed to
// goes through. Nobody else is offered the form.
func TestRecordNewConsentThenRedirect(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	ref, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "web-new-consent", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900779", Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	tb.Clock.Advance(time.Hour)
	base := "/staff/referrals/" + ref.Reference
	housing := strconv.FormatInt(int64(tb.Net.Housing), 10)
	ailsa := tb.signedIn(tb.Net.Adviser)

	_, page := ailsa.get(base)
	for _, want := range []string{
		"The client agreed to share their details only with Kirkton Citizens Advice.",
		"To redirect it to any other agency, ask the client and record new consent first.",
		`href="` + base + `/consent">Record new consent</a>`,
		"Kingdom Housing Options (outside the client&#39;s consent)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("referral page lacks %q", want)
		}
	}
	resp, page := ailsa.post(base+"/redirect", url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(ref.Version)}, "agency": {housing}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "ask the client and record new consent first") ||
		!strings.Contains(page, `href="`+base+`/consent?agency=`+housing+`">Record new consent</a>`) {
		t.Fatalf("redirect outside the consent: %d, want the refusal beside a link to record new consent with Housing ticked", resp.StatusCode)
	}

	resp, form := ailsa.get(base + "/consent?agency=" + housing)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent form: %d", resp.StatusCode)
	}
	for _, want := range []string{"Version v1", "Kingdom Advice Network will share your name", `value="` + housing + `" checked`,
		`id="scope-agencies" name="scope" value="agencies" checked`, `value="phone"`, `value="in-person"`, `value="writing"`,
		"Ailsa Brodie, Kirkton Citizens Advice", `name="given_date"`} {
		if !strings.Contains(form, want) {
			t.Errorf("consent form lacks %q", want)
		}
	}
	if strings.Contains(form, `name="agencies" value="`+strconv.FormatInt(int64(tb.Net.CAB), 10)+`"`) {
		t.Errorf("the form offers the agency the consent covers already")
	}

	resp, form = ailsa.post(base+"/consent", url.Values{"csrf": {ailsa.csrf}, "wording": {"v1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty consent form: %d", resp.StatusCode)
	}
	for _, want := range []string{`href="#scope"`, `href="#how"`, `href="#given_at"`, `href="#confirm"`} {
		if !strings.Contains(form, want) {
			t.Errorf("empty consent form: the summary lacks %s", want)
		}
	}
	summaryLinksLand(t, "empty consent form", form)
	if n := consentsOf(t, tb, ref.ClientID); n != 1 {
		t.Fatalf("%d consents after a refused form", n)
	}

	cal, err := tb.Engine.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	agreed := tb.Clock.Now().Add(-5 * time.Minute).In(cal.Location)
	resp, _ = ailsa.post(base+"/consent", url.Values{"csrf": {ailsa.csrf}, "wording": {"v1"}, "scope": {"agencies"},
		"agencies": {housing}, "how": {"phone"}, "given_date": {agreed.Format(time.DateOnly)}, "given_time": {agreed.Format("15:04")},
		"confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != base+"?done=consent#redirect" {
		t.Fatalf("record consent: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = ailsa.get(base + "?done=consent")
	for _, want := range []string{
		"The client's new consent is recorded on " + ref.Reference,
		"The client agreed to share their details with Kingdom Housing Options as well, by phone; recorded by Ailsa Brodie",
		"The client agreed at " + agreed.Format("15:04 on Mon 2 Jan 2006"),
		"The client agreed to share their details only with Kirkton Citizens Advice, Kingdom Housing Options.",
		`<option value="` + housing + `">Kingdom Housing Options</option>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("referral page after new consent lacks %q", want)
		}
	}

	resp, _ = ailsa.post(base+"/redirect", url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(ref.Version)}, "agency": {housing}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("redirect after new consent: %d", resp.StatusCode)
	}
	if got := tb.referral(ref.ID); got.Reason == nil || *got.Reason != core.ReasonRedirected {
		t.Errorf("not redirected: %+v", got)
	}

	// The referrer, and a coordinator over the holder's head, are not the
	// ones speaking to the client about it.
	other, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "web-new-consent-2", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900779", Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []core.Staff{tb.Net.WelfareAdviser, tb.Net.Coordinator} {
		c := tb.signedIn(s)
		resp, _ := c.get("/staff/referrals/" + other.Reference + "/consent")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s opened the consent form: %d", s.Name, resp.StatusCode)
		}
		resp, _ = c.post("/staff/referrals/"+other.Reference+"/consent", url.Values{"csrf": {c.csrf}, "scope": {"network"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s posted the consent form: %d", s.Name, resp.StatusCode)
		}
	}
	coord := tb.signedIn(tb.Net.Coordinator)
	_, page = coord.get("/staff/referrals/" + other.Reference)
	if !strings.Contains(page, "ask the client and record new consent first") || strings.Contains(page, "/consent\"") ||
		!strings.Contains(page, "Only the agency holding this referral can record the client&#39;s new consent") {
		t.Errorf("a coordinator's redirect panel should say who can record new consent, without the link")
	}
	if n := consentsOf(t, tb, ref.ClientID); n != 3 {
		t.Errorf("%d consents of the client, want the two referrals' and the one recorded", n)
	}
}

// consentsOf counts the client's consents.
func consentsOf(t *testing.T, tb *testBot, client core.ClientID) int {
	t.Helper()
	var n int
	if err := tb.Pool.QueryRow(context.Background(), `SELECT count(*) FROM consents WHERE client_id = $1`, client).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPressAgainAfterNewConsent: a press sent twice is answered "already
// done" from the referral's last change, even when new consent was
// recorded on it since: that is about the client, not a change the press
// could have made.
func TestPressAgainAfterNewConsent(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	ref, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "press-again-consent", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900779", Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	tb.Clock.Advance(time.Hour)
	base := "/staff/referrals/" + ref.Reference
	ailsa := tb.signedIn(tb.Net.Adviser)
	ailsa.get(base)
	resp, _ := ailsa.post(base+"/hold", url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(ref.Version)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("hold: %d", resp.StatusCode)
	}
	held := tb.referral(ref.ID)
	if resp, _ = ailsa.post(base+"/resume", url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(held.Version)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resume: %d", resp.StatusCode)
	}
	if _, err := tb.Engine.RecordWiderConsent(ctx, core.WiderConsent{Referral: ref.ID, By: tb.Net.Adviser.Actor(), Scope: core.ScopeNetwork,
		How: core.ConsentInPerson, GivenAt: tb.Clock.Now(), WordingVersion: "v1", Confirmed: true, Via: "web"}); err != nil {
		t.Fatal(err)
	}
	resp, body := ailsa.post(base+"/resume", url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(held.Version)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Already done.</strong> Taken off the waiting list by Ailsa Brodie") {
		t.Errorf("resume pressed twice after new consent: %d, want 409 saying it was already done", resp.StatusCode)
	}
}

// TestRedirectFormCarriedThroughNewConsent (review M3): a redirect refused
// for the client's consent offers "Record new consent"; pressed, it posts
// the redirect form itself, so the agency chosen and the why written go
// through the consent form (hidden fields, never the address) and come
// back in the redirect form once the consent is recorded. The consent
// form sent again is answered that the consent is recorded already, with
// the redirect form as it was; nothing more is recorded.
func TestRedirectFormCarriedThroughNewConsent(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	ref, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "carried-consent", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900779", Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	tb.Clock.Advance(time.Hour)
	base := "/staff/referrals/" + ref.Reference
	housing := strconv.FormatInt(int64(tb.Net.Housing), 10)
	const why = "We have no food parcels left this week; Kirkton's <emergency> fund can help."
	const whyHTML = "We have no food parcels left this week; Kirkton&#39;s &lt;emergency&gt; fund can help."
	ailsa := tb.signedIn(tb.Net.Adviser)
	ailsa.get(base)
	redirect := url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(ref.Version)}, "agency": {housing}, "feedback": {why}}
	resp, page := ailsa.post(base+"/redirect", redirect)
	if resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, `<button type="submit" form="redirect-form" formaction="`+base+`/consent" name="open" value="consent">Record new consent</button>`) ||
		!strings.Contains(page, `id="redirect-form"`) {
		t.Fatalf("redirect outside the consent: %d, want its Record new consent to send the redirect form", resp.StatusCode)
	}

	// Record new consent, pressed: the redirect form goes to the consent form.
	opened := url.Values{"open": {"consent"}}
	for k, v := range redirect {
		opened[k] = v
	}
	resp, form := ailsa.post(base+"/consent", opened)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("opening the consent form from the redirect form: %d", resp.StatusCode)
	}
	for _, want := range []string{`value="` + housing + `" checked`, `name="redirect_agency" value="` + housing + `"`,
		`name="redirect_why" value="` + whyHTML + `"`, "is kept: it is back in that form once this consent is recorded"} {
		if !strings.Contains(form, want) {
			t.Errorf("consent form opened from the redirect form lacks %q", want)
		}
	}
	if n := consentsOf(t, tb, ref.ClientID); n != 1 {
		t.Fatalf("opening the form recorded a consent: %d", n)
	}

	cal, err := tb.Engine.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	agreed := tb.Clock.Now().Add(-5 * time.Minute).In(cal.Location)
	consent := url.Values{"csrf": {ailsa.csrf}, "wording": {"v1"}, "scope": {"agencies"}, "agencies": {housing}, "how": {"phone"},
		"given_date": {agreed.Format(time.DateOnly)}, "given_time": {agreed.Format("15:04")}, "confirm": {"yes"},
		"redirect_agency": {housing}, "redirect_why": {why}}
	filled := func(what, page string) {
		t.Helper()
		for _, want := range []string{`<option value="` + housing + `" selected>Kingdom Housing Options</option>`,
			`name="feedback" rows="3" maxlength="2000">` + whyHTML + `</textarea>`,
			"The agency you chose and what you wrote for the redirect are back in the form below"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the referral page lacks %q", what, want)
			}
		}
	}
	resp, page = ailsa.post(base+"/consent", consent)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "The client's new consent is recorded on "+ref.Reference) {
		t.Fatalf("record consent from the redirect form: %d, want the referral page saying it is recorded", resp.StatusCode)
	}
	filled("after new consent", page)

	// Sent again (Back and send, a reload): recorded already, nothing more.
	resp, page = ailsa.post(base+"/consent", consent)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "new consent was already recorded on "+ref.Reference+", so nothing more was recorded") {
		t.Errorf("the same consent form again: %d, want it said to be recorded already", resp.StatusCode)
	}
	filled("the same consent form again", page)
	delete(consent, "redirect_agency")
	delete(consent, "redirect_why")
	resp, _ = ailsa.post(base+"/consent", consent)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != base+"?done=consent-again#redirect" {
		t.Errorf("the plain consent form again: %d to %q, want back to the redirect saying it is recorded already", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page = ailsa.get(base + "?done=consent-again"); !strings.Contains(page, "so nothing more was recorded") {
		t.Errorf("the referral page does not say the consent was recorded already")
	}
	if n := consentsOf(t, tb, ref.ClientID); n != 2 {
		t.Fatalf("%d consents of the client, want the first and the one recorded", n)
	}

	resp, _ = ailsa.post(base+"/redirect", redirect)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("redirect after new consent: %d", resp.StatusCode)
	}
}
