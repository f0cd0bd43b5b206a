package bot

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCapacityChangeToldAlike: whoever marks an agency at capacity, or
// taking referrals again, is told the same on Slack and on the staff web
// (capacity.changed): where the agency stands now, with its note, and
// whether the coordinators were told (only a change of state tells
// them), never a flash that leaves the coordinators out. The
// coordinators' agencies page says it the same way.
func TestCapacityChangeToldAlike(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	n := tb.Net
	const note = "Waiting list full"
	set := func(on bool) func() {
		return func() {
			if _, err := tb.bot.setCapacity(t.Context(), n.Adviser, n.CAB, on, note); err != nil {
				t.Fatal(err)
			}
		}
	}
	flash := func(c *webClient, path string, form url.Values) string {
		t.Helper()
		form.Set("csrf", c.csrf)
		form.Set("confirm", "yes")
		resp, _ := c.post(path, form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s %v: %d, want a redirect", path, form, resp.StatusCode)
		}
		_, body := c.get(resp.Header.Get("Location"))
		const open = `<p class="flash" role="status">`
		return html.UnescapeString(strings.TrimPrefix(between(body, open, `</p>`), open))
	}
	adviser := tb.signedIn(n.Adviser)
	for _, step := range []struct {
		on   bool
		want string
		// undo puts the agency back as it was before Slack's reply, for
		// the staff web's turn.
		undo func()
	}{
		{true, "Kirkton Citizens Advice is now marked at capacity (Waiting list full). New referrals are not routed to it. The coordinators have been told.", set(false)},
		{true, "Kirkton Citizens Advice was already marked at capacity; its note is now “Waiting list full”. New referrals are not routed to it. " +
			"The coordinators were told when it was first marked; they are not told again, so tell them yourself if the new note matters to them.", nil},
		{false, "Kirkton Citizens Advice is taking referrals again. The coordinators have been told.", set(true)},
		{false, "Kirkton Citizens Advice was not marked at capacity: it was already taking referrals.", nil},
	} {
		command, form := "capacity off", url.Values{"at_capacity": {"off"}}
		if step.on {
			command, form = "capacity on "+note, url.Values{"at_capacity": {"on"}, "note": {note}}
		}
		tb.slack.reset()
		wantStatus(t, tb.command("U0AILSA", "/onward", command), 200)
		tb.bot.wait()
		if replies := tb.slack.called("response_url"); len(replies) != 1 || !strings.Contains(replies[0].text(), step.want) {
			t.Errorf("Slack's /onward %s says %+v, want %q", command, replies, step.want)
		}
		if step.undo != nil {
			step.undo()
		}
		if got := flash(adviser, "/staff/capacity", form); got != step.want {
			t.Errorf("the staff web's %s flash says %q, want %q", command, got, step.want)
		}
	}

	// A coordinator on the agencies page.
	co := tb.signedIn(n.Coordinator)
	got := flash(co, "/staff/capacity/until", url.Values{"agency": {fmt.Sprint(n.FoodBank)}, "at_capacity": {"on"}, "note": {"Out of stock"}})
	if want := "Kingdom Food Bank is now marked at capacity (Out of stock). New referrals are not routed to it. The coordinators have been told."; got != want {
		t.Errorf("the agencies page's flash says %q, want %q", got, want)
	}
	got = flash(co, "/staff/capacity/until", url.Values{"agency": {fmt.Sprint(n.FoodBank)}, "at_capacity": {"off"}})
	if want := "Kingdom Food Bank is taking referrals again. The coordinators have been told."; got != want {
		t.Errorf("the agencies page's flash says %q, want %q", got, want)
	}
}
