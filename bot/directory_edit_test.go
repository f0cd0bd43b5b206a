package bot

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

func TestDirectoryEditing(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	services, err := tb.Engine.Services(ctx, tb.Net.CAB)
	if err != nil || len(services) == 0 {
		t.Fatalf("CAB has no services: %v", err)
	}
	svc := services[0]
	path := fmt.Sprintf("/staff/directory/services/%d", svc.ID)

	// Advisers cannot change the directory.
	adviser := tb.signedIn(tb.Net.Adviser)
	if resp, body := adviser.get("/staff/directory"); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Only the network") {
		t.Fatalf("adviser on the directory: %d", resp.StatusCode)
	}
	adviser.get("/staff/")
	if resp, _ := adviser.post(path, url.Values{"csrf": {adviser.csrf}, "name": {"Hijacked"}, "needs": {"debt"}, "districts": {"KY1"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("adviser saving a service: %d, want 403", resp.StatusCode)
	}

	c := tb.signedIn(tb.Net.Coordinator)
	resp, body := c.get("/staff/directory")
	if resp.StatusCode != 200 || !strings.Contains(body, `href="`+path+`"`) || !strings.Contains(body, "Kirkton Citizens Advice") {
		t.Fatalf("directory: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `href="/staff/directory">Directory</a>`) {
		t.Error("the header does not link coordinators to the directory")
	}
	resp, body = c.get(path)
	if resp.StatusCode != 200 || !strings.Contains(body, `value="`+svc.Name+`"`) {
		t.Fatalf("edit form: %d\n%s", resp.StatusCode, body)
	}

	// Bad input: every problem named and linked to its field, nothing saved.
	resp, body = c.post(path, url.Values{"csrf": {c.csrf}, "name": {""}, "districts": {"NOTAPLACE"}, "description": {"<script>x</script>"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid save: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`href="#name"`, `href="#needs"`, "There is a problem", "&lt;script&gt;x&lt;/script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("invalid save page lacks %q:\n%s", want, body)
		}
	}
	if got, _ := tb.Engine.Service(ctx, svc.ID); got.Name != svc.Name {
		t.Fatalf("an invalid form changed the service: %+v", got)
	}
	resp, body = c.post(path, url.Values{"csrf": {c.csrf}, "name": {svc.Name}, "needs": {"debt"}, "districts": {"KY1 ZZZ"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#districts"`) {
		t.Fatalf("a bad district: %d\n%s", resp.StatusCode, body)
	}

	// A good save.
	resp, _ = c.post(path, url.Values{"csrf": {c.csrf}, "name": {"Money and debt advice"}, "needs": {"debt", "fuel"},
		"districts": {"ky1, ky2"}, "languages": {"en pl"}, "opening_hours": {"Mon–Fri 9am–5pm"}, "eligibility": {"Anyone in Fife"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/directory?done=service-saved") {
		t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	got, err := tb.Engine.Service(ctx, svc.ID)
	if err != nil || got.Name != "Money and debt advice" || !slices.Equal(got.PostcodeDistricts, []string{"KY1", "KY2"}) ||
		!slices.Equal(got.Needs, []core.Need{core.NeedDebt, core.NeedFuel}) || !slices.Equal(got.Languages, []string{"en", "pl"}) {
		t.Fatalf("saved %+v, %v", got, err)
	}
	_, body = c.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "Money and debt advice saved") {
		t.Errorf("no confirmation after saving:\n%s", body)
	}
	var events int
	if err := tb.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1 AND agency_id = $2`,
		core.EventServiceChanged, tb.Net.CAB).Scan(&events); err != nil || events != 1 {
		t.Fatalf("%d service-changed events (%v), want 1", events, err)
	}
	if resp, _ := c.get("/staff/directory/services/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a missing service: %d, want 404", resp.StatusCode)
	}
	if resp, _ := c.post(path, url.Values{"name": {"No token"}, "needs": {"debt"}, "districts": {"KY1"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a save without the form token: %d, want 403", resp.StatusCode)
	}
}

// Opening hours the directory cannot read as days and times are saved as
// written, and whoever saved them is told so on the page after saving,
// with how to write them; hours it reads bring no such notice.
func TestSavingUnreadableHours(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	services, err := tb.Engine.Services(ctx, tb.Net.CAB)
	if err != nil || len(services) == 0 {
		t.Fatalf("CAB has no services: %v", err)
	}
	svc := services[0]
	const notice = "We could not read these hours as days and times, so the directory shows them as written and cannot say whether the service is open now. Write them like 'Mon–Fri 9am–5pm; Sat 10am–1pm' to fix that."
	coordinator, adviser := tb.signedIn(tb.Net.Coordinator), tb.signedIn(tb.Net.Adviser)
	adviser.get("/staff/")
	for _, c := range []struct {
		who         *webClient
		path, hours string
		unread      bool
		landing     string // where saving leads
	}{
		{coordinator, fmt.Sprintf("/staff/directory/services/%d", svc.ID), "Tuesdays", true, fmt.Sprintf("/staff/directory/services/%d?done=service-saved", svc.ID)},
		{coordinator, fmt.Sprintf("/staff/directory/services/%d", svc.ID), "Mon–Fri 9am–5pm; Sat 10am–1pm", false, "/staff/directory?done=service-saved"},
		{adviser, fmt.Sprintf("/staff/our-services/%d", svc.ID), "Monday 9am to 12pm, 1pm to 5pm", true, fmt.Sprintf("/staff/our-services/%d?done=service-saved", svc.ID)},
		{adviser, fmt.Sprintf("/staff/our-services/%d", svc.ID), "Monday to Friday 9am to 5pm, by appointment", false, "/staff/our-services?done=service-saved"},
	} {
		resp, _ := c.who.post(c.path, url.Values{"csrf": {c.who.csrf}, "name": {svc.Name}, "needs": {"debt"}, "districts": {"KY1"}, "opening_hours": {c.hours}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), c.landing) {
			t.Fatalf("saving %q: %d to %s, want %s", c.hours, resp.StatusCode, resp.Header.Get("Location"), c.landing)
		}
		if got, err := tb.Engine.Service(ctx, svc.ID); err != nil || got.OpeningHours != c.hours {
			t.Fatalf("saving %q stored %q (%v)", c.hours, got.OpeningHours, err)
		}
		resp, body := c.who.get(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, svc.Name+" saved") {
			t.Errorf("saving %q: %d, no confirmation", c.hours, resp.StatusCode)
		}
		if got := strings.Contains(body, notice); got != c.unread {
			t.Errorf("saving %q: the notice shown %v, want %v:\n%s", c.hours, got, c.unread, body)
		}
		if c.unread && !strings.Contains(body, `value="`+template.HTMLEscapeString(c.hours)+`" aria-describedby="opening_hours-unread"`) {
			t.Errorf("saving %q: the hours are not shown as written beside the notice:\n%s", c.hours, body)
		}
	}
	// The notice comes from the hours stored, not from the link.
	if _, body := coordinator.get(fmt.Sprintf("/staff/directory/services/%d?done=service-saved", svc.ID)); strings.Contains(body, notice) {
		t.Error("the notice is shown for hours the directory reads")
	}
}

func TestAgencyDetailsEditing(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	path := fmt.Sprintf("/staff/directory/agencies/%d", tb.Net.CAB)

	adviser := tb.signedIn(tb.Net.Adviser)
	if resp, _ := adviser.get(path); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("adviser on an agency form: %d, want 403", resp.StatusCode)
	}

	c := tb.signedIn(tb.Net.Coordinator)
	resp, body := c.get("/staff/directory")
	if resp.StatusCode != 200 || !strings.Contains(body, `href="`+path+`"`) {
		t.Fatalf("directory does not link to the agency form:\n%s", body)
	}
	resp, body = c.get(path)
	if resp.StatusCode != 200 || !strings.Contains(body, `value="Kirkton Citizens Advice"`) {
		t.Fatalf("agency form: %d\n%s", resp.StatusCode, body)
	}
	for _, bad := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"name": {""}, "ack_target_hours": {"16"}}, "name"},
		{url.Values{"name": {"CAB"}, "ack_target_hours": {"soon"}}, "ack_target_hours"},
		{url.Values{"name": {"CAB"}, "ack_target_hours": {"0"}}, "ack_target_hours"},
		{url.Values{"name": {"CAB"}, "ack_target_hours": {"16"}, "email": {"not an email"}}, "email"},
		{url.Values{"name": {"CAB"}, "ack_target_hours": {"16"}, "website": {"cab dot org"}}, "website"},
	} {
		bad.form.Set("csrf", c.csrf)
		resp, body := c.post(path, bad.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+bad.field+`"`) {
			t.Errorf("%v: status %d, want 422 naming %s:\n%s", bad.form, resp.StatusCode, bad.field, body)
		}
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.CAB); a.Name != "Kirkton Citizens Advice" {
		t.Fatalf("an invalid form changed the agency: %+v", a)
	}
	resp, _ = c.post(path, url.Values{"csrf": {c.csrf}, "name": {"Kirkton Citizens Advice Bureau"}, "phone": {"01592 000000"},
		"email": {"advice@cab.example.org"}, "website": {"https://cab.example.org"}, "ack_target_hours": {"24"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	a, err := tb.Engine.Agency(ctx, tb.Net.CAB)
	if err != nil || a.Name != "Kirkton Citizens Advice Bureau" || a.AckTargetHours != 24 || a.AcceptsSelfReferrals || a.Email != "advice@cab.example.org" {
		t.Fatalf("saved %+v, %v", a, err)
	}
	// No longer taking self-referrals: matching leaves it out for them.
	m, err := tb.Engine.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedDebt}, District: "KY1", SelfReferral: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, sg := range m.Suggestions {
		if sg.Agency.ID == tb.Net.CAB {
			t.Error("an agency not taking self-referrals is still suggested for one")
		}
	}
	var events int
	if err := tb.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1 AND agency_id = $2`,
		core.EventAgencyChanged, tb.Net.CAB).Scan(&events); err != nil || events != 1 {
		t.Fatalf("%d agency-changed events (%v), want 1", events, err)
	}

	// Where its notifications go by email: refused in plain words with
	// nothing written, then saved with an audit event.
	details := func(v url.Values) url.Values {
		for k, x := range map[string]string{"csrf": c.csrf, "name": "Kirkton Citizens Advice Bureau", "ack_target_hours": "24"} {
			v.Set(k, x)
		}
		return v
	}
	for _, bad := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"notify_email": {"team at cab"}, "email_staff": {"always"}}, "notify_email"},
		{url.Values{"notify_email": {"team@cab.example\r\nBcc: x@y.example"}}, "notify_email"},
		{url.Values{"email_staff": {"sometimes"}, "name": {"A new name"}}, "email_staff"},
	} {
		resp, body := c.post(path, details(bad.form))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+bad.field+`"`) {
			t.Errorf("%v: status %d, want 422 naming %s", bad.form, resp.StatusCode, bad.field)
		}
		summaryLinksLand(t, bad.field, body)
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.CAB); a.NotifyEmail != "" || a.EmailStaff != core.StaffEmailWithoutSlack || a.Name != "Kirkton Citizens Advice Bureau" {
		t.Fatalf("an invalid notifications form changed the agency: %q %q %q", a.NotifyEmail, a.EmailStaff, a.Name)
	}
	resp, _ = c.post(path, details(url.Values{"notify_email": {"team@cab.example.org"}, "email_staff": {"never"}}))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save notifications: %d", resp.StatusCode)
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.CAB); a.NotifyEmail != "team@cab.example.org" || a.EmailStaff != core.StaffEmailNever {
		t.Fatalf("saved notifications %q %q", a.NotifyEmail, a.EmailStaff)
	}
	if _, body := c.get(path); !strings.Contains(body, `value="team@cab.example.org"`) || !strings.Contains(body, `id="email_staff-never" name="email_staff" value="never" checked`) {
		t.Errorf("the form does not show the saved notifications")
	}
	if err := tb.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1 AND agency_id = $2`,
		core.EventNotificationsChanged, tb.Net.CAB).Scan(&events); err != nil || events != 1 {
		t.Fatalf("%d notifications-changed events (%v), want 1", events, err)
	}
	if resp, _ := c.get("/staff/directory/agencies/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a missing agency: %d, want 404", resp.StatusCode)
	}
}
