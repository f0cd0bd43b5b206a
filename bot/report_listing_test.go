package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
)

// TestSentBackDownloadsAreOneTableEach: the sent-back report's CSV is its
// figures, one table a spreadsheet opens; the feedback on each referral
// sent back is a download of its own, linked beside it, with the BOM
// Excel needs and the period in its name. A copy for publication has no
// feedback to download.
func TestSentBackDownloadsAreOneTableEach(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t)
	ctx := context.Background()
	sent, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "sent-back-web",
		By: tb.Net.Adviser.Actor(), Client: core.ClientDetails{Name: "Iain Rennie", Phone: "07700 900777"},
		Needs: []core.Need{core.NeedBenefits}, ToAgency: tb.Net.Welfare, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	tb.Clock.Advance(time.Hour)
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: sent.ID, Action: core.ActionReject, Actor: tb.Net.WelfareAdviser.Actor(),
		Reason: core.ReasonNotEligible, Feedback: "Outside our area of benefit"}); err != nil {
		t.Fatal(err)
	}
	if _, err := report.New(tb.Engine.Pool(), tb.Engine.Clock()).Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	c := tb.signedIn(tb.Net.Coordinator)
	_, page := c.get("/staff/reports/sent-back?period=this+quarter")
	if !strings.Contains(page, `Feedback on referrals sent back, a CSV of its own: <a href="/staff/reports/sent-back/listing/csv?period=this&#43;quarter" download>CSV</a>`) {
		t.Errorf("the sent-back page does not link to its feedback's download")
	}
	if _, page := c.get("/staff/reports/outcomes?period=this+quarter"); strings.Contains(page, "/listing/csv") {
		t.Errorf("a report with no listing offers one")
	}

	for _, tc := range []struct{ path, file, header, row string }{
		{"/staff/reports/sent-back/csv?period=this+quarter", "onward-sent-back-2026-27-Q3-to-2026-11-23.csv",
			"Referrer,Referrals sent,Not eligible,Inappropriate,Sent back,Sent back (%)", "All referrers,"},
		{"/staff/reports/sent-back/listing/csv?period=this+quarter", "onward-sent-back-feedback-2026-27-Q3-to-2026-11-23.csv",
			"Day,Referrer,Sent to,Reason,Feedback", "Outside our area of benefit"},
	} {
		resp, body := c.get(tc.path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename="`+tc.file+`"` {
			t.Fatalf("%s: %d %v %s", tc.path, resp.StatusCode, resp.Header, body)
		}
		recs, err := readDownload(t, body) // the csv reader refuses rows of differing widths
		if err != nil {
			t.Fatalf("%s is not one table: %v\n%s", tc.path, err, body)
		}
		if strings.Join(recs[0], ",") != tc.header || !strings.Contains(body, tc.row) || len(recs) < 2 {
			t.Errorf("%s:\n%s", tc.path, body)
		}
		if strings.Contains(tc.path, "/sent-back/csv") && strings.Contains(body, "Outside our area") {
			t.Errorf("the figures' CSV holds the feedback too:\n%s", body)
		}
	}
	if resp, body := c.get("/staff/reports/sent-back/listing/csv?period=this+quarter&publish=1"); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "only inside the network") || strings.Contains(body, "Outside our area") {
		t.Errorf("the feedback for publication: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.get("/staff/reports/outcomes/listing/csv"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a report with no listing: %d, want 404", resp.StatusCode)
	}
}
