package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestWithdrawalEvidenceLimitOnTheStaffWeb (audit B 2): the withdrawal
// form's box allows as many characters as core keeps, and 100,000
// characters posted past it are refused with the limit named, nothing
// withdrawn and nothing logged.
func TestWithdrawalEvidenceLimitOnTheStaffWeb(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r := tb.selfReferral("withdraw-limit", false)
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: tb.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	ailsa := tb.signedIn(tb.Net.Adviser)
	base := "/staff/referrals/" + r.Reference
	_, form := ailsa.get(base + "/withdraw")
	if want := fmt.Sprintf(`maxlength="%d"`, core.MaxWithdrawalEvidence); !strings.Contains(form, want) {
		t.Errorf("the evidence box should say %s, as core's limit", want)
	}
	resp, body := ailsa.post(base+"/withdraw", url.Values{"csrf": {ailsa.csrf}, "evidence": {strings.Repeat("Zebedee ", 12_500)}, "confirm": {"yes"}})
	if want := fmt.Sprintf("at most %d characters", core.MaxWithdrawalEvidence); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
		t.Errorf("100,000 characters of evidence: %d, want %d naming %q", resp.StatusCode, http.StatusUnprocessableEntity, want)
	}
	if cur := tb.referral(r.ID); cur.Status != core.StatusAccepted {
		t.Errorf("a refused withdrawal changed the referral: %s", cur.Status)
	}
	var logged int
	if err := tb.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = 'consent.withdrawn'`).Scan(&logged); err != nil || logged != 0 {
		t.Errorf("%d withdrawals logged after the refusal, %v", logged, err)
	}
}
