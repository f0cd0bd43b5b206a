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
)

var titleRe = regexp.MustCompile(`<title>([^<]*)</title>`)

// TestErrorPagesSayErrorInTheirTitle walks the staff web's forms: each
// sent back for what was typed or chosen in it (or refused as a whole)
// shows an error summary, and its <title> begins "Error: " (GOV.UK's
// pattern, so a screen reader says so first); the same pages shown
// without a problem do not. On every page walked, the title and the
// summary agree.
func TestErrorPagesSayErrorInTheirTitle(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	ailsa, co := tb.signedIn(n.Adviser), tb.signedIn(n.Coordinator)

	// A referral the adviser may reject or redirect, and one accepted and
	// contacted that she may complete.
	fresh := tb.selfReferral("error-titles", false)
	worked := tb.selfReferral("error-titles-worked", false)
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact} {
		if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: worked.ID, Action: a, Actor: n.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	worked = tb.referral(worked.ID)
	freshPage, workedPage := "/staff/referrals/"+fresh.Reference, "/staff/referrals/"+worked.Reference
	svcs, err := tb.Engine.Services(ctx, n.CAB)
	if err != nil || len(svcs) == 0 {
		t.Fatalf("services of the CAB: %v, %v", svcs, err)
	}
	service := fmt.Sprintf("/staff/directory/services/%d", svcs[0].ID)
	agency := fmt.Sprintf("/staff/directory/agencies/%d", n.CAB)
	long := strings.Repeat("Two advisers off sick. ", 30)

	type form = url.Values
	for _, c := range []struct {
		what   string
		who    *webClient // nil: not signed in
		path   string
		form   form   // nil: a GET
		status int    // the refusal's
		afresh string // the page the form is on, shown with nothing wrong
	}{
		{"inbox capacity note", ailsa, "/staff/capacity", form{"at_capacity": {"on"}, "note": {long}}, 422, "/staff/"},
		{"inbox capacity date", ailsa, "/staff/capacity/until", form{"date": {"soon"}}, 422, "/staff/"},
		{"inbox filter", ailsa, "/staff/?from=yesterday", nil, 400, "/staff/"},
		{"agencies capacity note", co, "/staff/capacity/until", form{"agency": {strconv.FormatInt(int64(n.FoodBank), 10)}, "at_capacity": {"on"}, "note": {long}}, 422, "/staff/admin/agencies"},
		{"reject without a reason", ailsa, freshPage + "/reject", form{"version": {strconv.Itoa(fresh.Version)}, "feedback": {"Full"}}, 422, freshPage},
		{"redirect without an agency", ailsa, freshPage + "/redirect", form{"version": {strconv.Itoa(fresh.Version)}, "feedback": {"Debt"}}, 422, freshPage},
		{"completion with a bad gain", ailsa, workedPage + "/complete", form{"version": {strconv.Itoa(worked.Version)}, "outcome": {"help-given"},
			"gain_debt_managed": {"lots"}, "advice_type": {"type-2"}, "advice_topic": {"debt"}}, 422, workedPage},
		{"consent form empty", ailsa, freshPage + "/consent", form{"wording": {"v1"}}, 422, freshPage + "/consent"},
		{"withdrawal without evidence", ailsa, freshPage + "/withdraw", form{"evidence": {" "}, "confirm": {"yes"}}, 422, freshPage + "/withdraw"},
		{"refer form empty", ailsa, "/staff/refer", form{}, 422, "/staff/refer"},
		{"sent filter", ailsa, "/staff/sent?from=yesterday", nil, 400, "/staff/sent"},
		{"email settings", ailsa, "/staff/settings/email", form{"mode-new-referral": {"sometimes"}}, 400, "/staff/settings/email"},
		{"report filter", ailsa, "/staff/reports/national-standards?from=yesterday", nil, 400, "/staff/reports/national-standards"},
		{"invite staff", co, "/staff/admin/staff", form{"name": {""}, "email": {"not-an-email"}, "role": {"adviser"}}, 422, "/staff/admin/staff"},
		{"new agency", co, "/staff/admin/agencies/new", form{"name": {"Leven"}, "slug": {"Leven!"}, "ack_target_hours": {"16"}}, 422, "/staff/admin/agencies/new"},
		{"directory service", co, service, form{"name": {""}}, 422, service},
		{"directory agency", co, agency, form{"name": {""}, "ack_target_hours": {"16"}}, 422, agency},
		{"partner system", co, "/staff/partners", form{"name": {""}, "agency": {"network"}}, 422, "/staff/partners"},
		{"data protection requests filter", co, "/staff/data-protection/requests?from=yesterday", nil, 400, "/staff/data-protection/requests"},
		{"sign-in by email", nil, "/staff/login", form{"email": {"not an address"}}, 400, "/staff/login"},
	} {
		who := c.who
		if who == nil {
			who = tb.web()
		}
		var resp *http.Response
		var body string
		if c.form == nil {
			resp, body = who.get(c.path)
		} else {
			c.form.Set("csrf", who.csrf)
			resp, body = who.post(c.path, c.form)
		}
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.what, resp.StatusCode, c.status)
		}
		if title := pageTitle(body); !strings.HasPrefix(title, "Error: ") {
			t.Errorf("%s: title %q, want it to begin \"Error: \"", c.what, title)
		}
		titleAgreesWithSummary(t, c.what, body)

		// The same page, nothing wrong: no "Error: ".
		_, body = who.get(c.afresh)
		if title := pageTitle(body); strings.HasPrefix(title, "Error") {
			t.Errorf("%s: the page shown afresh (%s) is titled %q", c.what, c.afresh, title)
		}
		titleAgreesWithSummary(t, c.what+", afresh", body)
	}
}

func pageTitle(body string) string {
	if m := titleRe.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// titleAgreesWithSummary: a page with an error summary is titled
// "Error: …", and only such a page.
func titleAgreesWithSummary(t *testing.T, what, body string) {
	t.Helper()
	summary := strings.Contains(body, `class="error-summary"`)
	titled := strings.HasPrefix(pageTitle(body), "Error: ")
	if summary != titled {
		t.Errorf("%s: error summary shown %v, title %q", what, summary, pageTitle(body))
	}
}
