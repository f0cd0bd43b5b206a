package bot

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestCompletionNoteIsReadable: the note written on completing a referral
// can be read back on its page, at a press, by the agency that completed
// it and by coordinators, each reading recorded as a disclosure is; the
// referrer is offered nothing and a forged request is refused, and
// recorded.
func TestCompletionNoteIsReadable(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.staffReferral("note-readable") // Welfare to CAB
	r = tb.act(tb.act(r, core.ActionAccept, tb.Net.Adviser), core.ActionContact, tb.Net.Adviser)
	page := "/staff/referrals/" + r.Reference
	ailsa := tb.signedIn(tb.Net.Adviser)
	note := "Gave 2 parcels; pointed to <school uniform> grant. £20 voucher."
	resp, _ := ailsa.post(page+"/complete", url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(r.Version)},
		"outcome": {"help-given"}, "outcome_note": {note}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete: %d", resp.StatusCode)
	}
	escaped := "Gave 2 parcels; pointed to &lt;school uniform&gt; grant. £20 voucher."
	disclosed := func() (n int) {
		for _, ev := range tb.events(r.ID) {
			if ev.Kind == core.EventDisclosed && ev.Data["what"] == "outcome-note" && ev.Data["via"] == "web" {
				n++
			}
		}
		return n
	}

	for i, who := range []struct {
		name  string
		staff core.Staff
	}{{"the adviser who completed it", tb.Net.Adviser}, {"a coordinator", tb.Net.Coordinator}} {
		c := ailsa
		if i > 0 {
			c = tb.signedIn(who.staff)
		}
		_, body := c.get(page)
		if !strings.Contains(body, `action="`+page+`/note"`) || strings.Contains(body, "school uniform") {
			t.Errorf("%s: the page does not offer the note behind a button", who.name)
		}
		if disclosed() != i {
			t.Errorf("%s: opening the page recorded a reading of the note", who.name)
		}
		resp, body = c.post(page+"/note", url.Values{"csrf": {c.csrf}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, escaped) {
			t.Errorf("%s: reading the note: %d, note shown: %v", who.name, resp.StatusCode, strings.Contains(body, escaped))
		}
		if disclosed() != i+1 {
			t.Errorf("%s: reading the note was not recorded as a disclosure", who.name)
		}
	}

	// The referrer sees the outcome, never the note.
	isla := tb.signedIn(tb.Net.WelfareAdviser)
	_, body := isla.get(page)
	if !strings.Contains(body, "Help given") || strings.Contains(body, page+"/note") {
		t.Errorf("the referrer's page lacks the outcome, or offers the note")
	}
	denied := countKind(tb.events(r.ID), core.EventAccessDenied)
	resp, body = isla.post(page+"/note", url.Values{"csrf": {isla.csrf}})
	if resp.StatusCode != http.StatusForbidden || strings.Contains(body, "school uniform") {
		t.Errorf("the referrer asking for the note: %d, want 403 without it", resp.StatusCode)
	}
	if countKind(tb.events(r.ID), core.EventAccessDenied) != denied+1 || disclosed() != 2 {
		t.Errorf("the referrer's refused reading was not recorded, or was recorded as a disclosure")
	}
}
