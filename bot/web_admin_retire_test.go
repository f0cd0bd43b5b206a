package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestRetireAgencyAsksFirstThenEndsItsStaffsAccess: Retire first shows
// what it will do (the referrals that go back, those that stay for a
// coordinator, the staff who lose access for good) and
// changes nothing; confirming retires the agency, ends its staff's
// sessions and sign-in, marks it retired in the lists, and a coordinator
// can cancel a referral it had accepted from the referral's page.
func TestRetireAgencyAsksFirstThenEndsItsStaffsAccess(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	if _, err := tb.Engine.SelfRefer(ctx, coretest.SelfReferral("retire-web-waiting")); err != nil {
		t.Fatal(err)
	}
	res, err := tb.Engine.SelfRefer(ctx, coretest.SelfReferral("retire-web-accepted"))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionAccept, Actor: tb.Net.Adviser.Actor()})
	if err != nil {
		t.Fatal(err)
	}
	accepted := acc.Referral
	adviser := tb.signedIn(tb.Net.Adviser)
	co := tb.signedIn(tb.Net.Coordinator)
	_, body := co.get("/staff/admin/agencies")
	co.noteCSRF(body)
	retire := fmt.Sprintf("/staff/admin/agencies/%d/retire", tb.Net.CAB)

	resp, body := co.post(retire, url.Values{"csrf": {co.csrf}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Retire pressed: %d, want the confirmation page", resp.StatusCode)
	}
	for _, want := range []string{"Retire Kirkton Citizens Advice?", "its staff's access does not come back with it",
		"1 referral it has not accepted goes back", "1 referral it accepted, is working on or has on its waiting list stays",
		"a coordinator must open each one", "Its 2 members of staff can no longer sign in", `name="confirm" value="yes"`} {
		if !strings.Contains(body, want) {
			t.Errorf("confirmation page lacks %q", want)
		}
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.CAB); a.RetiredAt != nil {
		t.Fatal("the agency was retired before the coordinator confirmed")
	}

	resp, _ = co.post(retire, url.Values{"csrf": {co.csrf}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.CAB); a.RetiredAt == nil {
		t.Fatal("the agency is not retired after the confirmation")
	}
	// Its staff: the open session ended in Redis, and refused; a sign-in
	// link says plainly why it no longer works.
	if ss, _ := tb.bot.StaffSessions(ctx, tb.Net.Adviser.ID); len(ss) != 0 {
		t.Errorf("the retired agency's adviser still has %d open sessions", len(ss))
	}
	if resp, _ := adviser.get("/staff/"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the retired agency's adviser's inbox: %d, want 401", resp.StatusCode)
	}
	if err := tb.web().signIn(tb.link(tb.Net.Adviser)); err == nil || !strings.Contains(err.Error(), "403") ||
		!strings.Contains(err.Error(), "Kirkton Citizens Advice has left the network") {
		t.Errorf("the retired agency's adviser signing in: %v, want refused saying the agency left the network", err)
	}
	// The lists mark it.
	if _, body := co.get("/staff/directory"); !strings.Contains(within(body, "Kirkton Citizens Advice", "</section>"), "retired") {
		t.Errorf("the staff directory does not mark the retired agency")
	}
	if _, body := co.get("/staff/admin/agencies"); !strings.Contains(body, "Retired ") {
		t.Errorf("the agencies page does not mark the retired agency")
	}
	// Its accepted referral: the coordinator is told, and can cancel it.
	page := "/staff/referrals/" + accepted.Reference
	_, body = co.get(page)
	if !strings.Contains(body, "Kirkton Citizens Advice has left the network") || !strings.Contains(body, "/cancel") {
		t.Fatalf("a coordinator's page of the retired agency's accepted referral offers no cancel:\n%s", within(body, "<h1>", "</main>"))
	}
	co.noteCSRF(body)
	resp, _ = co.post(page+"/cancel", url.Values{"csrf": {co.csrf}, "version": {fmt.Sprint(accepted.Version)},
		"feedback": {"The CAB closed; the client will be referred to Welfare Rights."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	if r, _ := tb.Engine.Referral(ctx, accepted.ID); r.Status != core.StatusCancelled {
		t.Errorf("after cancelling: %s", r.Status)
	}
}

// TestInviteToARetiredAgencyIsRefused: a Staff page opened before another
// coordinator retired an agency still offers it; inviting someone there
// is refused beside the agency field, saying the agency has left the
// network, and nobody is added or emailed. A made-up agency is refused
// the same way, never "Something went wrong".
func TestInviteToARetiredAgencyIsRefused(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	co := tb.signedIn(tb.Net.Coordinator)
	_, body := co.get("/staff/admin/staff")
	co.noteCSRF(body)
	if err := tb.Engine.RetireAgency(ctx, tb.Net.Housing, tb.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		agency core.AgencyID
		want   string
	}{
		{tb.Net.Housing, "Kingdom Housing Options has left the network"},
		{999999, "That agency does not exist"},
	} {
		resp, body := co.post("/staff/admin/staff", url.Values{"csrf": {co.csrf}, "name": {"New Starter"},
			"email": {"starter@housing.example"}, "role": {"adviser"}, "agency": {fmt.Sprint(c.agency)}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#agency"`) ||
			!strings.Contains(within(body, `id="agency-error"`, "</p>"), c.want) {
			t.Errorf("invitation to agency %d: %d, want 422 saying %q beside the agency:\n%s", c.agency, resp.StatusCode, c.want,
				within(body, "<main", "</form>"))
		}
	}
	if _, err := tb.Engine.StaffByEmail(ctx, "starter@housing.example"); err == nil {
		t.Error("a member of staff was added to an agency that has left the network")
	}
}

// TestDoneNoticesNameOnlyWhatIsThere: the notice after retiring, adding
// or bringing back an agency, or saving one or a service, names it from
// the address it returns to; a link anyone wrote, with other words in
// that address, shows no notice, so it cannot put words of its own on a
// coordinator's page as Onward's.
func TestDoneNoticesNameOnlyWhatIsThere(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	if err := tb.Engine.RetireAgency(ctx, tb.Net.Housing, tb.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	co := tb.signedIn(tb.Net.Coordinator)
	forged := url.QueryEscape("Your session is ending: email your password to help@evil.example. Kirkton Citizens Advice")
	for _, page := range []string{
		"/staff/admin/agencies?done=agency-retired&name=" + forged,
		"/staff/admin/agencies?done=agency-added&name=" + forged,
		"/staff/admin/agencies?done=agency-unretired&name=" + forged,
		"/staff/directory?done=agency-saved&name=" + forged,
		"/staff/directory?done=service-saved&name=" + forged,
		"/staff/our-services?done=service-saved&name=" + forged,
		// An agency's real name, but not what happened to it.
		"/staff/admin/agencies?done=agency-retired&name=" + url.QueryEscape("Kirkton Citizens Advice"),
	} {
		if _, body := co.get(page); strings.Contains(body, "help@evil.example") || strings.Contains(body, `class="flash"`) ||
			strings.Contains(body, "Kirkton Citizens Advice retired") {
			t.Errorf("%s shows a notice of words from its address:\n%s", page, within(body, "<main", "<h1"))
		}
	}
	if _, body := co.get("/staff/admin/agencies?done=agency-retired&name=" + url.QueryEscape("Kingdom Housing Options")); !strings.Contains(body, "Kingdom Housing Options retired") {
		t.Errorf("the notice after retiring an agency does not name it:\n%s", within(body, "<main", "<h1"))
	}
}

// TestUnretireAgencyFromAgenciesPage: a retired agency's row on the
// agencies page offers Bring back; pressing it shows what it will do
// (its services return, its former staff stay signed out) and changes
// nothing; confirming brings it back, and the page says so. Its staff
// still cannot sign in. An agency in the network is refused, saying it
// has not retired, and an adviser cannot bring one back.
func TestUnretireAgencyFromAgenciesPage(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	for _, a := range []core.AgencyID{tb.Net.CAB, tb.Net.Housing} {
		if err := tb.Engine.RetireAgency(ctx, a, tb.Net.Coordinator.Actor()); err != nil {
			t.Fatal(err)
		}
	}
	co := tb.signedIn(tb.Net.Coordinator)
	_, body := co.get("/staff/admin/agencies")
	co.noteCSRF(body)
	unretire := fmt.Sprintf("/staff/admin/agencies/%d/unretire", tb.Net.CAB)
	if row := within(body, "Kirkton Citizens Advice", "</tr>"); !strings.Contains(row, `action="`+unretire+`"`) || !strings.Contains(row, "Bring back") {
		t.Fatalf("the retired agency's row offers no Bring back:\n%s", row)
	}
	if row := within(body, "Kingdom Council Welfare Rights", "</tr>"); strings.Contains(row, "Bring back") {
		t.Errorf("an agency in the network is offered Bring back")
	}

	resp, body := co.post(unretire, url.Values{"csrf": {co.csrf}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Bring back pressed: %d, want the confirmation page", resp.StatusCode)
	}
	for _, want := range []string{"Bring back Kirkton Citizens Advice?", "The 1 service it offered when it retired returns",
		"Its former staff stay signed out.", "The 2 members of staff whose access ended when it retired keep no access",
		`name="confirm" value="yes"`} {
		if !strings.Contains(body, want) {
			t.Errorf("confirmation page lacks %q", want)
		}
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.CAB); a.RetiredAt == nil {
		t.Fatal("the agency was brought back before the coordinator confirmed")
	}

	resp, _ = co.post(unretire, url.Values{"csrf": {co.csrf}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=agency-unretired") {
		t.Fatalf("confirm: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.CAB); a.RetiredAt != nil {
		t.Fatal("the agency is still retired after the confirmation")
	}
	_, body = co.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "Kirkton Citizens Advice is back in the network") || !strings.Contains(body, "Its former staff stay signed out") {
		t.Errorf("the agencies page does not say the agency is back and its staff stay signed out")
	}
	if strings.Contains(within(body, "Kirkton Citizens Advice</a>", "</tr>"), "Retired ") {
		t.Errorf("the agencies page still marks the agency retired")
	}
	if err := tb.web().signIn(tb.link(tb.Net.Adviser)); err == nil {
		t.Errorf("the agency's former adviser can sign in again after it came back")
	}

	welfare := fmt.Sprintf("/staff/admin/agencies/%d/unretire", tb.Net.Welfare)
	resp, body = co.post(welfare, url.Values{"csrf": {co.csrf}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Kingdom Council Welfare Rights has not retired") {
		t.Errorf("bringing back an agency in the network: %d, want 422 saying it has not retired", resp.StatusCode)
	}
	adviser := tb.signedIn(tb.Net.WelfareAdviser)
	_, body = adviser.get("/staff/")
	adviser.noteCSRF(body)
	housing := fmt.Sprintf("/staff/admin/agencies/%d/unretire", tb.Net.Housing)
	if resp, _ := adviser.post(housing, url.Values{"csrf": {adviser.csrf}, "confirm": {"yes"}}); resp.StatusCode == http.StatusSeeOther {
		t.Errorf("an adviser brought an agency back")
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.Housing); a.RetiredAt == nil {
		t.Errorf("an adviser's press brought the agency back")
	}
}

// TestCoordinatorMarksAnotherAgencyAtCapacity: from the agencies page a
// coordinator marks another agency at capacity (a food share phones in)
// and back; core records it under the coordinator's name, the
// coordinators' alert goes once per change, and an adviser cannot.
func TestCoordinatorMarksAnotherAgencyAtCapacity(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	alerts := func() int {
		tb.bot.wait()
		n := 0
		for _, r := range coretest.OutboxRows(t, tb.Engine) {
			if r.Kind == core.OutboxAlert && r.Payload.AgencyID == tb.Net.FoodBank {
				n++
			}
		}
		return n
	}
	co := tb.signedIn(tb.Net.Coordinator)
	_, body := co.get("/staff/admin/agencies")
	co.noteCSRF(body)
	if !strings.Contains(within(body, "Kingdom Food Bank", "</tr>"), "Mark at capacity") {
		t.Fatalf("the agencies page offers no capacity change for the food bank")
	}
	mark := func(c *webClient, on string) int {
		resp, _ := c.post("/staff/capacity/until", url.Values{"csrf": {c.csrf}, "agency": {fmt.Sprint(tb.Net.FoodBank)},
			"at_capacity": {on}, "note": {"Out of stock until Friday"}, "confirm": {"yes"}})
		return resp.StatusCode
	}
	if st := mark(co, "on"); st != http.StatusSeeOther {
		t.Fatalf("mark at capacity: %d", st)
	}
	a, _ := tb.Engine.Agency(ctx, tb.Net.FoodBank)
	if !a.AtCapacity || a.CapacityNote != "Out of stock until Friday" {
		t.Fatalf("food bank after the coordinator marked it: at capacity %v, note %q", a.AtCapacity, a.CapacityNote)
	}
	if n := alerts(); n != 1 {
		t.Errorf("%d coordinators' alerts, want 1", n)
	}
	var by int64
	if err := tb.Pool.QueryRow(ctx, `SELECT actor_id FROM events WHERE kind = $1 AND agency_id = $2 ORDER BY id DESC LIMIT 1`,
		string(core.EventCapacityChanged), int64(tb.Net.FoodBank)).Scan(&by); err != nil || by != int64(tb.Net.Coordinator.ID) {
		t.Errorf("the change is recorded as by %d (%v), want the coordinator %d", by, err, tb.Net.Coordinator.ID)
	}
	_, body = co.get("/staff/admin/agencies")
	if !strings.Contains(within(body, "Kingdom Food Bank", "</tr>"), "At capacity") {
		t.Errorf("the agencies page does not show the food bank at capacity")
	}
	if mark(co, "on"); alerts() != 1 {
		t.Errorf("marking it again alerted again")
	}
	if st := mark(co, "off"); st != http.StatusSeeOther {
		t.Fatalf("taking referrals again: %d", st)
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.FoodBank); a.AtCapacity || alerts() != 2 {
		t.Errorf("after taking referrals again: at capacity %v, %d alerts (want false, 2)", a.AtCapacity, alerts())
	}
	adviser := tb.signedIn(tb.Net.Adviser)
	_, body = adviser.get("/staff/")
	adviser.noteCSRF(body)
	if st := mark(adviser, "on"); st != http.StatusForbidden {
		t.Errorf("an adviser marking another agency: %d, want 403", st)
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.FoodBank); a.AtCapacity {
		t.Errorf("an adviser marked another agency at capacity")
	}
}

// TestPartnersPageShowsSubscriptions: each partner's webhook
// subscriptions are listed with the id webhook-resume takes, the address
// and whether they are paused; a retired agency is neither offered nor
// taken for a new partner system.
func TestPartnersPageShowsSubscriptions(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	tb.Engine.UseWebhookReceivers(core.LocalReceivers)
	creds, err := tb.Engine.AddPartner(ctx, core.NewPartner{Name: "Kirkton casework", AgencyID: tb.Net.CAB,
		Scopes: []core.PartnerScope{core.ScopeRead}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	live, _, err := tb.Engine.Subscribe(ctx, creds.Partner.ID, "http://127.0.0.1:9/live")
	if err != nil {
		t.Fatal(err)
	}
	paused, _, err := tb.Engine.Subscribe(ctx, creds.Partner.ID, "http://127.0.0.1:9/broken")
	if err != nil {
		t.Fatal(err)
	}
	coretest.PauseSubscription(t, tb.Engine, paused.ID)
	if _, err := tb.Engine.AddPartner(ctx, core.NewPartner{Name: "Kingdom case system", AgencyID: tb.Net.Housing,
		Scopes: []core.PartnerScope{core.ScopeRead}}, core.SystemActor); err != nil {
		t.Fatal(err)
	}
	if err := tb.Engine.RetireAgency(ctx, tb.Net.Housing, tb.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	co := tb.signedIn(tb.Net.Coordinator)
	_, body := co.get("/staff/partners")
	if row := within(body, "Kingdom case system", "</tr>"); !strings.Contains(row, "stopped") || !strings.Contains(row, "Revoke Kingdom case system") {
		t.Errorf("the retired agency's partner is not shown as stopped (and still revocable):\n%s", row)
	}
	co.noteCSRF(body)
	row := within(body, "Kirkton casework", "</tr>")
	if !strings.Contains(within(row, fmt.Sprintf("%d: ", live.ID), "</li>"), "http://127.0.0.1:9/live") ||
		strings.Contains(within(row, fmt.Sprintf("%d: ", live.ID), "</li>"), "paused") {
		t.Errorf("the live subscription is not shown as delivering:\n%s", row)
	}
	if s := within(row, fmt.Sprintf("%d: ", paused.ID), "</li>"); !strings.Contains(s, "http://127.0.0.1:9/broken") || !strings.Contains(s, "paused") ||
		!strings.Contains(s, fmt.Sprintf("webhook-resume %d", paused.ID)) {
		t.Errorf("the paused subscription is not shown as paused with how to resume it:\n%s", row)
	}
	if strings.Contains(row, "stopped") {
		t.Errorf("a partner of an agency still in the network is shown as stopped:\n%s", row)
	}
	if strings.Contains(within(body, `<select id="agency"`, "</select>"), "Kingdom Housing Options") {
		t.Errorf("a retired agency is offered for a new partner system")
	}
	resp, body := co.post("/staff/partners", url.Values{"csrf": {co.csrf}, "name": {"Housing casework"},
		"agency": {fmt.Sprint(tb.Net.Housing)}, "scopes": {"read"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "has left the network") {
		t.Errorf("a partner for a retired agency: %d, want refused saying it left the network", resp.StatusCode)
	}
	if ps, _ := tb.Engine.Partners(ctx); len(ps) != 2 {
		t.Errorf("%d partners, want 2", len(ps))
	}
}

// within is the part of s from the first start to the next end after it
// ("" when start is missing), to look at one row or section of a page.
func within(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return s
}
