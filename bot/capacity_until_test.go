package bot

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// An agency at capacity publishes the date it takes referrals again from
// the inbox: a date not in the future, or not a date, is refused in plain
// words and changes nothing; a good one is published and audited; it can
// be withdrawn again.
func TestInboxPublishesCapacityDate(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	adviser := tb.signedIn(tb.Net.Adviser)
	post := func(v url.Values) (int, string) {
		t.Helper()
		v.Set("csrf", adviser.csrf)
		resp, body := adviser.post("/staff/capacity/until", v)
		return resp.StatusCode, body
	}
	future := tb.Clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	// Not at capacity yet: core says to set that first.
	if code, body := post(url.Values{"date": {future}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "not marked at capacity") {
		t.Fatalf("date while taking referrals: %d\n%s", code, body)
	}
	// A note past the form's 500 characters (sent by something other
	// than the page): the inbox again, the note kept, its problem beside
	// it.
	long := strings.Repeat("Two advisers off sick. ", 30)
	resp, body := adviser.post("/staff/capacity", url.Values{"csrf": {adviser.csrf}, "at_capacity": {"on"}, "note": {long}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="capacity-note-error"`) ||
		!strings.Contains(body, `value="`+long+`"`) || !strings.Contains(body, `href="#capacity-note"`) {
		t.Errorf("a note too long: %d, want the inbox with the note kept and its problem beside it:\n%s", resp.StatusCode, body)
	}
	summaryLinksLand(t, "a capacity note too long", body)
	if resp, _ := adviser.post("/staff/capacity", url.Values{"csrf": {adviser.csrf}, "at_capacity": {"on"}, "note": {"Two advisers off sick"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("capacity on: %d", resp.StatusCode)
	}
	for _, c := range []struct{ date, want string }{
		{tb.Clock.Now().AddDate(0, 0, -2).Format(time.DateOnly), "The date must be in the future"},
		{tb.Clock.Now().Format(time.DateOnly), "The date must be in the future"},
		{tb.Clock.Now().AddDate(2, 0, 0).Format(time.DateOnly), "within a year"},
		{"14/12/2026", "Enter the date you expect"},
		{"", "Choose the date"},
	} {
		code, body := post(url.Values{"date": {c.date}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("date %q: %d, want 422 saying %q", c.date, code, c.want)
		}
		// The inbox again, the date as typed, its problem beside it.
		if !strings.Contains(body, `id="capacity-until-error"`) || !strings.Contains(body, `value="`+c.date+`"`) || !strings.Contains(body, `href="#capacity-until"`) {
			t.Errorf("date %q: the inbox does not come back with the date typed and its problem beside the field", c.date)
		}
		summaryLinksLand(t, "date "+c.date, body)
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.CAB); a.CapacityUntil != nil {
		t.Fatalf("a refused date was published: %v", a.CapacityUntil)
	}
	if code, _ := post(url.Values{"date": {future}}); code != http.StatusSeeOther {
		t.Fatalf("good date: %d", code)
	}
	a, _ := tb.Engine.Agency(ctx, tb.Net.CAB)
	if a.CapacityUntil == nil || a.CapacityUntil.Format(time.DateOnly) != future {
		t.Fatalf("published date = %v, want %s", a.CapacityUntil, future)
	}
	if _, body := adviser.get("/staff/?done=capacity-date"); !strings.Contains(body, "Date published") || !strings.Contains(body, `value="`+future+`"`) {
		t.Errorf("inbox does not show the published date")
	}
	var audited int
	if err := tb.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = 'agency.capacity-changed' AND data->>'published_until' = $1`, future).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("%d audit events for the published date (%v), want 1", audited, err)
	}
	if code, _ := post(url.Values{"date": {future}, "clear": {"yes"}}); code != http.StatusSeeOther {
		t.Fatalf("clear: %d", code)
	}
	if a, _ := tb.Engine.Agency(ctx, tb.Net.CAB); a.CapacityUntil != nil {
		t.Errorf("date still published after Stop showing a date: %v", a.CapacityUntil)
	}
}

// TestCoordinatorCapacityNoteTooLong: a coordinator's "Mark at capacity"
// on the agencies page with a note past the 500 characters core allows
// comes back as the agencies page, the note as typed in that agency's box
// (and no other's), core's words beside it and in the error summary
// linked to it; nothing changes.
func TestCoordinatorCapacityNoteTooLong(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	co := tb.signedIn(tb.Net.Coordinator)
	long := strings.Repeat("Out of tins & fresh food. ", 20)
	field := agencyCapacityNoteField(tb.Net.FoodBank)
	resp, body := co.post("/staff/capacity/until", url.Values{"csrf": {co.csrf}, "agency": {strconv.FormatInt(int64(tb.Net.FoodBank), 10)},
		"at_capacity": {"on"}, "note": {long}})
	for _, want := range []string{"<h1>Agencies</h1>", `<a href="#` + field + `">Note must be at most 500 characters</a>`,
		`id="` + field + `-error">Note must be at most 500 characters`, `value="` + html.EscapeString(long) + `"`,
		`aria-describedby="` + field + `-error" aria-invalid="true"`} {
		if !strings.Contains(body, want) {
			t.Errorf("a coordinator's note too long: the page lacks %s", want)
		}
	}
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Count(body, `value="`+html.EscapeString(long)+`"`) != 1 {
		t.Errorf("a coordinator's note too long: %d, want 422 with the note in one box:\n%s", resp.StatusCode, body)
	}
	summaryLinksLand(t, "a coordinator's capacity note too long", body)
	if a, _ := tb.Engine.Agency(ctx, tb.Net.FoodBank); a.AtCapacity {
		t.Errorf("a refused note marked the agency at capacity")
	}
}

// TestCapacityDateErrorNamesButtonsOnThePage: an empty date is refused
// with words that send the adviser only to a button the page shows. "Stop
// showing a date" is there only while a date is published.
func TestCapacityDateErrorNamesButtonsOnThePage(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	adviser := tb.signedIn(tb.Net.Adviser)
	if resp, _ := adviser.post("/staff/capacity", url.Values{"csrf": {adviser.csrf}, "at_capacity": {"on"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("capacity on: %d", resp.StatusCode)
	}
	pressed := regexp.MustCompile(`press ([A-Z][a-z ]+[a-z])`)
	empty := func(published bool) {
		t.Helper()
		resp, body := adviser.post("/staff/capacity/until", url.Values{"csrf": {adviser.csrf}, "date": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose the date") {
			t.Fatalf("empty date (published %v): %d", published, resp.StatusCode)
		}
		for _, m := range pressed.FindAllStringSubmatch(body, -1) {
			if !strings.Contains(body, ">"+m[1]+"</button>") {
				t.Errorf("date published %v: the refusal says %q, and the page has no button %q", published, m[0], m[1])
			}
		}
	}
	empty(false)
	future := tb.Clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	if resp, _ := adviser.post("/staff/capacity/until", url.Values{"csrf": {adviser.csrf}, "date": {future}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
	empty(true)
}
