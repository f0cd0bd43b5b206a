package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestInboxShowsWhatIsDue: the inbox says what each referral waits on and
// by when, counts a client not contacted in time as overdue (in the
// overdue filter and first in the order), and the referral's page and
// its Slack card say the same.
func TestInboxShowsWhatIsDue(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	accept := func(r core.Referral) {
		t.Helper()
		if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: n.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	late := tb.selfReferral("due-late", false) // accepted on Monday 23 November at 10:00
	accept(late)
	tb.Clock.Advance(10 * 24 * time.Hour) // Thursday 3 December, 10:00
	soon := tb.selfReferral("due-soon", false)
	accept(soon)
	waiting := tb.selfReferral("due-waiting", false)

	browser := tb.signedIn(n.Adviser)
	_, inbox := browser.get("/staff/")
	row := func(page, ref string) (string, int) {
		t.Helper()
		i := strings.Index(page, ref)
		if i < 0 {
			t.Fatalf("the list lacks %s:\n%s", ref, page)
		}
		return page[i : i+strings.Index(page[i:], "</tr>")], i
	}
	lateRow, lateAt := row(inbox, late.Reference)
	waitingRow, waitingAt := row(inbox, waiting.Reference)
	soonRow, soonAt := row(inbox, soon.Reference)
	for _, c := range []struct{ ref, row, want string }{
		{late.Reference, lateRow, "Overdue: contact the client since Mon 30 Nov, 10:00"},
		{waiting.Reference, waitingRow, "Acknowledge by Mon 7 Dec, 10:00"},
		{soon.Reference, soonRow, "Contact the client by Thu 10 Dec, 10:00"},
	} {
		if !strings.Contains(c.row, c.want) {
			t.Errorf("%s's row does not say %q: %s", c.ref, c.want, c.row)
		}
	}
	if !(lateAt < waitingAt && waitingAt < soonAt) {
		t.Errorf("the inbox's order is not the overdue, then the soonest due: %s at %d, %s at %d, %s at %d",
			late.Reference, lateAt, waiting.Reference, waitingAt, soon.Reference, soonAt)
	}

	_, overdue := browser.get("/staff/?overdue=yes")
	if !strings.Contains(overdue, late.Reference) || strings.Contains(overdue, soon.Reference) || strings.Contains(overdue, waiting.Reference) {
		t.Errorf("the overdue list should hold %s alone:\n%s", late.Reference, overdue)
	}

	_, page := browser.get("/staff/referrals/" + late.Reference)
	if !strings.Contains(page, "Overdue: contact the client since Mon 30 Nov, 10:00") {
		t.Errorf("the referral's page does not say its contact is overdue:\n%s", page)
	}
	_, _, blocks, err := NewCards(tb.Engine, tb.cfg).Card(ctx, late.ID, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := jsonString(blocks)
	if !strings.Contains(b, ":warning: *Overdue: contact the client since Mon 30 Nov, 10:00*") {
		t.Errorf("the Slack card does not mark the contact overdue: %s", b)
	}
}
