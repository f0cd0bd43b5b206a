package bot

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

var hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// confirmForm is what the confirmation page's form sends, as a browser
// would send it when its button is pressed: the form posting to action,
// its hidden fields.
func confirmForm(t *testing.T, page, action string) url.Values {
	t.Helper()
	start := strings.Index(page, `<form method="post" action="`+action+`">`)
	if start < 0 {
		t.Fatalf("the page has no form posting to %s:\n%s", action, page)
	}
	form := page[start : start+strings.Index(page[start:], "</form>")]
	v := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(form, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// TestMarkingAtCapacityAsksFirst: "Mark us at capacity" on the staff web
// changes nothing by itself: it answers with a page asking "Are you
// sure?", saying what the change does, whose form (the session's CSRF
// token, the note as typed) marks the agency at capacity, and whose Cancel
// link goes back to the inbox. Taking referrals again needs no asking. A
// coordinator's "Mark at capacity" on the agencies page asks the same way.
func TestMarkingAtCapacityAsksFirst(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	atCapacity := func(id core.AgencyID) bool {
		t.Helper()
		a, err := tb.Engine.Agency(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a.AtCapacity
	}
	alerts := func(id core.AgencyID) int {
		count := 0
		for _, r := range coretest.OutboxRows(t, tb.Engine) {
			if r.Kind == core.OutboxAlert && r.Payload.AgencyID == id {
				count++
			}
		}
		return count
	}

	adviser := tb.signedIn(n.Adviser)
	const note = `Two advisers off sick & "no" appointments`
	resp, page := adviser.post("/staff/capacity", url.Values{"csrf": {adviser.csrf}, "at_capacity": {"on"}, "note": {note}})
	if resp.StatusCode != http.StatusOK || atCapacity(n.CAB) || alerts(n.CAB) != 0 {
		t.Fatalf("the first press: %d, at capacity %v, %d alerts; want the question, and nothing changed", resp.StatusCode, atCapacity(n.CAB), alerts(n.CAB))
	}
	for _, want := range []string{"<h1>Mark Kirkton Citizens Advice at capacity?</h1>", "Are you sure?",
		"New referrals are not routed to Kirkton Citizens Advice", `<a class="button" href="/staff/">Cancel: keep taking referrals</a>`,
		`<button type="submit" class="danger">Yes, mark us at capacity</button>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the confirmation page lacks %s:\n%s", want, page)
		}
	}
	form := confirmForm(t, page, "/staff/capacity")
	if form.Get("csrf") != adviser.csrf || form.Get("confirm") != "yes" || form.Get("at_capacity") != "on" || form.Get("note") != note {
		t.Errorf("the confirmation's form sends %v", form)
	}
	if strings.Contains(page, "<script") {
		t.Errorf("the confirmation page needs no script")
	}

	// Cancel changes nothing: it is a link back to the inbox.
	if _, inbox := adviser.get("/staff/"); !strings.Contains(inbox, "Mark us at capacity") || atCapacity(n.CAB) {
		t.Errorf("after cancelling, the inbox should still offer to mark the agency at capacity")
	}
	// Without the session's token the confirmation is refused.
	forged := confirmForm(t, page, "/staff/capacity")
	forged.Set("csrf", "forged")
	if resp, _ := adviser.post("/staff/capacity", forged); resp.StatusCode != http.StatusForbidden || atCapacity(n.CAB) {
		t.Errorf("a confirmation without the session's token: %d, at capacity %v", resp.StatusCode, atCapacity(n.CAB))
	}
	// Confirmed: at capacity, with the note, and the coordinators told.
	if resp, _ := adviser.post("/staff/capacity", form); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/?done=capacity-on" {
		t.Fatalf("the confirmation: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if a, _ := tb.Engine.Agency(ctx, n.CAB); !a.AtCapacity || a.CapacityNote != note || alerts(n.CAB) != 1 {
		t.Errorf("after confirming: at capacity %v, note %q, %d alerts", a.AtCapacity, a.CapacityNote, alerts(n.CAB))
	}
	// Taking referrals again is the undo: at once.
	if resp, _ := adviser.post("/staff/capacity", url.Values{"csrf": {adviser.csrf}, "at_capacity": {"off"}}); resp.StatusCode != http.StatusSeeOther || atCapacity(n.CAB) {
		t.Errorf("taking referrals again: %d, at capacity %v", resp.StatusCode, atCapacity(n.CAB))
	}

	// The coordinator's agencies page.
	co := tb.signedIn(n.Coordinator)
	agency := fmt.Sprint(n.FoodBank)
	resp, page = co.post("/staff/capacity/until", url.Values{"csrf": {co.csrf}, "agency": {agency}, "at_capacity": {"on"}, "note": {"Out of stock"}})
	if resp.StatusCode != http.StatusOK || atCapacity(n.FoodBank) || !strings.Contains(page, "<h1>Mark Kingdom Food Bank at capacity?</h1>") ||
		!strings.Contains(page, `href="/staff/admin/agencies">Cancel`) {
		t.Fatalf("the coordinator's first press: %d, at capacity %v:\n%s", resp.StatusCode, atCapacity(n.FoodBank), page)
	}
	form = confirmForm(t, page, "/staff/capacity/until")
	if form.Get("agency") != agency || form.Get("note") != "Out of stock" {
		t.Errorf("the coordinator's confirmation sends %v", form)
	}
	if resp, _ := co.post("/staff/capacity/until", form); resp.StatusCode != http.StatusSeeOther || !atCapacity(n.FoodBank) {
		t.Errorf("the coordinator's confirmation: %d, at capacity %v", resp.StatusCode, atCapacity(n.FoodBank))
	}
}

// TestCapacityNoteInCharacters: a capacity note is measured in
// characters, as its box's maxlength is, so 500 accented letters (1,000
// bytes) are a note and 501 are refused; a note of only spaces is kept
// as none.
func TestCapacityNoteInCharacters(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	adviser := tb.signedIn(n.Adviser)
	press := func(note string) (int, string) {
		t.Helper()
		resp, page := adviser.post("/staff/capacity", url.Values{"csrf": {adviser.csrf}, "at_capacity": {"on"}, "note": {note}})
		if resp.StatusCode != http.StatusOK {
			return resp.StatusCode, page
		}
		resp, page = adviser.post("/staff/capacity", confirmForm(t, page, "/staff/capacity"))
		return resp.StatusCode, page
	}
	if status, page := press(strings.Repeat("é", 501)); status != http.StatusUnprocessableEntity {
		t.Errorf("501 characters: %d, want refused:\n%s", status, page)
	}
	if status, page := press(strings.Repeat("é", 500)); status != http.StatusSeeOther {
		t.Fatalf("500 characters (1,000 bytes): %d, want taken:\n%s", status, page)
	}
	if a, _ := tb.Engine.Agency(ctx, n.CAB); !a.AtCapacity || a.CapacityNote != strings.Repeat("é", 500) {
		t.Fatalf("after 500 characters: at capacity %v, note of %d characters", a.AtCapacity, len([]rune(a.CapacityNote)))
	}
	if status, page := press("   "); status != http.StatusSeeOther {
		t.Fatalf("a note of spaces: %d:\n%s", status, page)
	}
	if a, _ := tb.Engine.Agency(ctx, n.CAB); a.CapacityNote != "" {
		t.Errorf("a note of spaces was kept as %q", a.CapacityNote)
	}
}
