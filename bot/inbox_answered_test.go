package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestInboxAnsweredReferralIsNotDue: a referral the agency put on its
// waiting list after its deadline and took off again was answered: the
// inbox neither flags it overdue nor says "Due … ago", while a referral
// never answered past its deadline is overdue.
func TestInboxAnsweredReferralIsNotDue(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	late := tb.selfReferral("answered-late", false)
	answered := tb.selfReferral("answered-held", false)
	if _, err := tb.Pool.Exec(ctx, `UPDATE referrals SET ack_due_at = $2 WHERE id = ANY($1)`,
		[]core.ReferralID{late.ID, answered.ID}, tb.Clock.Now().Add(-72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, a := range []core.Action{core.ActionHold, core.ActionResume} {
		if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: answered.ID, Action: a, Actor: n.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	_, inbox := tb.signedIn(n.Adviser).get("/staff/")
	row := func(ref string) string {
		t.Helper()
		i := strings.Index(inbox, ref)
		if i < 0 {
			t.Fatalf("the inbox lacks %s:\n%s", ref, inbox)
		}
		end := strings.Index(inbox[i:], "</tr>")
		return inbox[i : i+end]
	}
	if r := row(late.Reference); !strings.Contains(r, "Overdue") {
		t.Errorf("the referral never answered is not overdue: %s", r)
	}
	if r := row(answered.Reference); strings.Contains(r, "Overdue") || strings.Contains(r, "Due ") {
		t.Errorf("the referral answered (held and taken off the list) reads as due: %s", r)
	}
}
