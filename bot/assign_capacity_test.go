package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestAssignToAnAgencyAtCapacitySaysSo: a coordinator who assigns a triage
// referral to an agency marked at capacity is told so plainly in the
// confirmation, with the date it published and its note, and where to
// send the referral elsewhere instead, on the staff web and in Slack;
// the assignment is made all the same. Assigned to an agency taking
// referrals, the confirmation is as before.
func TestAssignToAnAgencyAtCapacitySaysSo(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	n := tb.Net
	if _, err := tb.bot.setCapacity(ctx, n.Adviser, n.CAB, true, "Waiting list of about six weeks"); err != nil {
		t.Fatal(err)
	}
	until := time.Date(tb.Clock.Now().Year(), tb.Clock.Now().Month(), tb.Clock.Now().Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 21)
	if err := tb.Engine.PublishCapacityUntil(ctx, n.CAB, &until, n.Adviser.Actor()); err != nil {
		t.Fatal(err)
	}
	cab, err := tb.Engine.Agency(ctx, n.CAB)
	if err != nil {
		t.Fatal(err)
	}
	mark := cab.Name + " is marked at capacity until " + until.Format("2 January 2006") + ": Waiting list of about six weeks."
	cabID, welfareID := strconv.FormatInt(int64(n.CAB), 10), strconv.FormatInt(int64(n.Welfare), 10)

	// The staff web: assigned, then told.
	co := tb.signedIn(n.Coordinator)
	assign := func(r core.Referral, agency string) string {
		t.Helper()
		resp, _ := co.post(fmt.Sprintf("/staff/referrals/%s/assign", r.Reference), url.Values{"csrf": {co.csrf},
			"version": {strconv.Itoa(r.Version)}, "agency": {agency}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("assign %s: %d", r.Reference, resp.StatusCode)
		}
		_, body := co.get(resp.Header.Get("Location"))
		return htmlUnescape(strings.ReplaceAll(body, "&#39;", "'"))
	}
	full := tb.selfReferral("assign-full-web", true)
	body := assign(full, cabID)
	if got := tb.referral(full.ID); got.ToAgencyID == nil || *got.ToAgencyID != n.CAB {
		t.Fatalf("the referral was not assigned to the agency at capacity: %v", got.ToAgencyID)
	}
	for _, want := range []string{full.Reference + " assigned.", mark, `<a href="/staff/referrals/` + full.Reference + `">open ` + full.Reference + `</a> and redirect it`} {
		if !strings.Contains(body, want) {
			t.Errorf("the web confirmation lacks %q:\n%s", want, body)
		}
	}
	open := tb.selfReferral("assign-open-web", true)
	if body := assign(open, welfareID); !strings.Contains(body, open.Reference+" assigned.") || strings.Contains(body, "marked at capacity") {
		t.Errorf("assigned to an agency taking referrals, the confirmation speaks of capacity:\n%s", body)
	}

	// Slack: the modal says so instead of closing.
	submit := func(r core.Referral, agency, viewID string) string {
		t.Helper()
		return wantStatus(t, tb.interact(tb.viewSubmission("U0MORVEN", viewID, cbAssign, buttonValue(r.ID, r.Version),
			map[string]any{blkAgency: radio(agency)})), 200)
	}
	full = tb.selfReferral("assign-full-slack", true)
	resp := submitResponse(t, submit(full, cabID, "V0ASGFULL"))
	if got := tb.referral(full.ID); got.ToAgencyID == nil || *got.ToAgencyID != n.CAB {
		t.Fatalf("the referral was not assigned in Slack: %v", got.ToAgencyID)
	}
	if resp["response_action"] != "update" {
		t.Fatalf("assigned to an agency at capacity, the modal answered %v, want an update saying so", resp)
	}
	text := fmt.Sprint(resp["view"])
	for _, want := range []string{"*" + full.Reference + "* is assigned to *" + cab.Name + "*", "marked at capacity until " + until.Format("2 January 2006"),
		"Waiting list of about six weeks", "<http://onward.test/staff/referrals/" + full.Reference + "|open " + full.Reference + ">"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Slack confirmation lacks %q: %s", want, text)
		}
	}
	open = tb.selfReferral("assign-open-slack", true)
	if body := submit(open, welfareID, "V0ASGOPEN"); strings.TrimSpace(body) != "" {
		t.Errorf("assigned to an agency taking referrals, the modal should close, got %s", body)
	}
}
