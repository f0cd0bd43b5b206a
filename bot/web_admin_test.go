package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestAdministration: a coordinator invites a member of staff, changes a
// role, deactivates, adds an agency with its first service and retires
// one; advisers are refused; an agency keeps its own service, flagged for
// the coordinators.
func TestAdministration(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	adviser := tb.signedIn(tb.Net.Adviser)
	if resp, _ := adviser.get("/staff/admin/staff"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an adviser opened staff administration: %d", resp.StatusCode)
	}
	co := tb.signedIn(tb.Net.Coordinator)
	resp, body := co.post("/staff/admin/staff", url.Values{"csrf": {co.csrf}, "name": {""}, "email": {"not-an-email"}, "role": {"adviser"},
		"agency": {strconv.FormatInt(int64(tb.Net.FoodBank), 10)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter the member of staff&#39;s name") ||
		!strings.Contains(body, "Enter an email address like") || !strings.Contains(body, `href="#email"`) {
		t.Fatalf("invalid invitation: %d", resp.StatusCode)
	}
	summaryLinksLand(t, "invalid invitation", body)
	_, body = co.post("/staff/admin/staff", url.Values{"csrf": {co.csrf}, "name": {"Iona Fleming"}, "email": {"iona@foodbank.example"},
		"role": {"chief"}, "agency": {""}})
	summaryLinksLand(t, "an invitation without an agency or a role", body)
	resp, body = co.post("/staff/admin/staff", url.Values{"csrf": {co.csrf}, "name": {"Iona Fleming"}, "email": {"iona@foodbank.example"},
		"role": {"adviser"}, "agency": {strconv.FormatInt(int64(tb.Net.FoodBank), 10)}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Iona Fleming can now use Onward") || !strings.Contains(body, "iona@foodbank.example") {
		t.Fatalf("invitation: %d", resp.StatusCode)
	}
	iona, err := tb.Engine.StaffByEmail(ctx, "iona@foodbank.example")
	if err != nil || iona.AgencyID != tb.Net.FoodBank {
		t.Fatalf("invited staff %+v, %v", iona, err)
	}
	invitations := 0
	for _, row := range coretest.OutboxRows(t, tb.Engine) {
		if row.Kind == core.OutboxEmailSend && row.Payload.Email == core.EmailInvitation && row.Payload.StaffID == iona.ID {
			invitations++
		}
	}
	if invitations != 1 {
		t.Errorf("%d invitation emails queued for the new member of staff, want 1", invitations)
	}
	resp, _ = co.post(fmt.Sprintf("/staff/admin/staff/%d/role", iona.ID), url.Values{"csrf": {co.csrf}, "role": {"coordinator"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("role: %d", resp.StatusCode)
	}
	if s, _ := tb.Engine.StaffByID(ctx, iona.ID); s.Role != core.RoleCoordinator {
		t.Errorf("role not changed")
	}
	// Iona is the only one at the food bank, which is off Slack: it
	// takes a shared address first, or nobody there would be told of a
	// new referral (TestNobodyLeftToldOnTheStaffWeb).
	if err := tb.Engine.SetAgencyNotifications(ctx, tb.Net.FoodBank, core.AgencyNotifications{NotifyEmail: "team@foodbank.example"}, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	resp, _ = co.post(fmt.Sprintf("/staff/admin/staff/%d/deactivate", iona.ID), url.Values{"csrf": {co.csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", resp.StatusCode)
	}
	// The confirmation names her, though the address does not (a
	// person's name in an address reaches history and proxy logs).
	done := resp.Header.Get("Location")
	if strings.Contains(done, "Iona") || !strings.Contains(done, fmt.Sprintf("staff=%d", iona.ID)) {
		t.Errorf("after deactivating, redirected to %q: want her id and not her name", done)
	}
	if _, page := co.get(done); !strings.Contains(page, iona.Name+" deactivated: they can no longer sign in.") {
		t.Errorf("the page after deactivating does not name her as deactivated")
	}
	if _, err := tb.Engine.StaffByID(ctx, iona.ID); err == nil {
		t.Errorf("deactivated staff still found")
	}
	// A member of staff who is not there (deactivated, or never) is named
	// as what they are, not as a referral.
	resp, body = co.post(fmt.Sprintf("/staff/admin/staff/%d/deactivate", iona.ID), url.Values{"csrf": {co.csrf}})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "That member of staff is not in Onward") || strings.Contains(body, "referral") {
		t.Errorf("deactivating someone no longer there: %d, want 404 naming a member of staff", resp.StatusCode)
	}
	// The network's last coordinator cannot demote herself: refused in
	// plain words, and she stays one.
	resp, body = co.post(fmt.Sprintf("/staff/admin/staff/%d/role", tb.Net.Coordinator.ID), url.Values{"csrf": {co.csrf}, "role": {"adviser"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "the network&#39;s last coordinator: make another member of staff a coordinator first") ||
		!strings.Contains(body, "That change was not made") || strings.Contains(body, "Something went wrong") {
		t.Errorf("the last coordinator demoting herself: %d, want 422 saying why", resp.StatusCode)
	}
	if s, _ := tb.Engine.StaffByID(ctx, tb.Net.Coordinator.ID); s.Role != core.RoleCoordinator {
		t.Errorf("the last coordinator was demoted to %s", s.Role)
	}

	// Add an agency with its first service; mistakes named.
	resp, body = co.post("/staff/admin/agencies/new", url.Values{"csrf": {co.csrf}, "name": {"Levenmouth Fuel Poverty Project"},
		"slug": {"Leven Fuel!"}, "ack_target_hours": {"sixteen"}, "service_name": {"Energy advice"}, "districts": {"KY8 ZZZ"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "whole number of working hours") {
		t.Fatalf("invalid agency: %d", resp.StatusCode)
	}
	resp, body = co.post("/staff/admin/agencies/new", url.Values{"csrf": {co.csrf}, "name": {"Levenmouth Fuel Poverty Project"},
		"slug": {"Leven Fuel!"}, "ack_target_hours": {"16"}, "service_name": {"Energy advice"}, "districts": {"KY8 ZZZ"}})
	for _, want := range []string{`href="#slug"`, `href="#needs"`, `href="#districts"`, "There is a problem"} {
		if !strings.Contains(body, want) {
			t.Errorf("invalid agency page lacks %q", want)
		}
	}
	resp, _ = co.post("/staff/admin/agencies/new", url.Values{"csrf": {co.csrf}, "name": {"Levenmouth Fuel Poverty Project"},
		"slug": {"leven-fuel"}, "ack_target_hours": {"16"}, "service_name": {"Energy advice"}, "districts": {"KY1 KY2"}, "needs": {"fuel"},
		"description": {"Help with fuel bills and keeping warm."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add agency: %d", resp.StatusCode)
	}
	leven, err := tb.Engine.AgencyBySlug(ctx, "leven-fuel")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := tb.Engine.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedFuel}, District: "KY1"})
	if len(m.Suggestions) == 0 || m.Suggestions[0].Agency.ID != leven.ID {
		t.Errorf("the new agency's service is not matched: %+v", m.Suggestions)
	}
	resp, _ = co.post(fmt.Sprintf("/staff/admin/agencies/%d/retire", leven.ID), url.Values{"csrf": {co.csrf}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("retire: %d", resp.StatusCode)
	}
	if m, _ := tb.Engine.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedFuel}, District: "KY1"}); len(m.Suggestions) != 0 {
		t.Errorf("a retired agency is still suggested")
	}

	// An agency keeps its own entry: live at once, flagged for coordinators;
	// another agency's service is not theirs to edit.
	services, _ := tb.Engine.Services(ctx, tb.Net.CAB)
	own := fmt.Sprintf("/staff/our-services/%d", services[0].ID)
	if resp, _ := adviser.get(own); resp.StatusCode != http.StatusOK {
		t.Fatalf("own service form: %d", resp.StatusCode)
	}
	resp, _ = adviser.post(own, url.Values{"csrf": {adviser.csrf}, "name": {"Debt advice (drop-in Tuesdays)"}, "needs": {"debt"}, "districts": {"KY1 KY2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("own save: %d", resp.StatusCode)
	}
	if s, _ := tb.Engine.Service(ctx, services[0].ID); s.Name != "Debt advice (drop-in Tuesdays)" {
		t.Errorf("own change not live: %s", s.Name)
	}
	if _, body := co.get("/staff/directory"); !strings.Contains(body, "Changed by the agency") {
		t.Errorf("coordinators should see the agency changed its service")
	}
	welfare, _ := tb.Engine.Services(ctx, tb.Net.Welfare)
	if resp, _ := adviser.post(fmt.Sprintf("/staff/our-services/%d", welfare[0].ID), url.Values{"csrf": {adviser.csrf}, "name": {"x"}, "needs": {"debt"}, "districts": {"KY1"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an adviser edited another agency's service: %d", resp.StatusCode)
	}
}

// TestSlackSent: `/onward sent` lists what the agency sent, the one
// needing attention first, with who acted, the feedback and the outcome.
func TestSlackSent(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	refer := func(key string, to core.AgencyID) core.Referral {
		r, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: tb.Net.Adviser.Actor(),
			Client: core.ClientDetails{Name: "Rona Guthrie", Phone: "07700 900777"}, Needs: []core.Need{core.NeedHousing}, ToAgency: to,
			ConsentConfirmed: true, WordingVersion: "v1"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	waiting := refer("a", tb.Net.Welfare)
	turned := refer("b", tb.Net.Housing)
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: turned.ID, Action: core.ActionReject,
		Actor: tb.Net.HousingAdviser.Actor(), Reason: core.ReasonNotEligible, Feedback: "Council tenants only"}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, tb.command("U0AILSA", "/onward", "sent"), 200)
	tb.bot.wait()
	replies := tb.slack.called("response_url")
	if len(replies) != 1 {
		t.Fatalf("%d replies", len(replies))
	}
	text := replies[0].text()
	first, second := strings.Index(text, turned.Reference), strings.Index(text, waiting.Reference)
	if first < 0 || second < first || !strings.Contains(text, "1 needs your attention") || !strings.Contains(text, "Euan Tait") ||
		!strings.Contains(text, "Council tenants only") || strings.Contains(text, "Rona") {
		t.Errorf("/onward sent: %s", text)
	}
}
