package bot

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestDataProtectionRequestsPage: a coordinator's "Data protection
// requests" page lists the subject access exports made from the staff web
// and the erasures, newest first, flags an export over UK GDPR's month,
// filters by date and shows a request's reference as erased once the
// client is; the CSV for the register holds the requests' particulars and
// none of the client's details; an adviser is refused both with a plain
// 403; every reading, page or download, is audited.
func TestDataProtectionRequestsPage(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	// A client whose details are easy to spot anywhere they leak.
	in := coretest.SelfReferral("dp-requests-page")
	in.Client.Name, in.Client.Phone, in.Client.Postcode = "Quorra Vantablack", "07700 900987", "KY7 9QZ"
	in.Client.Notes = "Zanzibar tenancy letter"
	res, err := tb.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	quorra := res.Referral
	other := tb.selfReferral("dp-requests-other", false)
	personal := []string{"Quorra", "Vantablack", "900987", "7700900987", "KY7 9QZ", "KY79QZ", "Zanzibar", "Morag", "Baird"}

	coord := tb.signedIn(tb.Net.Coordinator)
	ailsa := tb.signedIn(tb.Net.Adviser)
	const page = "/staff/data-protection/requests"
	views := func() (n int) {
		t.Helper()
		if err := tb.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1`, string(core.EventDataProtectionRequestsViewed)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Monday 23 November: an export answering a letter of 1 October, due
	// by 2 November, so over the month.
	resp, _ := coord.post("/staff/referrals/"+quorra.Reference+"/export", url.Values{"csrf": {coord.csrf}, "format": {"json"},
		"step": {"request"}, "request_channel": {"letter"}, "request_received": {"2026-10-01"}, "request_reference": {"SAR-2026-051"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	// Wednesday 25 November: another client erased.
	tb.Clock.Advance(2 * 24 * time.Hour)
	resp, _ = coord.post("/staff/referrals/"+other.Reference+"/erase", url.Values{"csrf": {coord.csrf}, "reason": {string(core.ErasureClientAsked)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase: %d", resp.StatusCode)
	}

	// An adviser: refused plainly, nothing shown, nothing read.
	for _, path := range []string{page, page + "/csv", page + "?from=nonsense"} {
		resp, body := ailsa.get(path)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "<title>Coordinators only") || !strings.Contains(body, "coordinators can see the data protection requests") ||
			strings.Contains(body, "SAR-2026-051") {
			t.Errorf("an adviser's %s: %d, want 403 saying only a coordinator", path, resp.StatusCode)
		}
	}
	if _, body := ailsa.get("/staff/"); strings.Contains(body, page) {
		t.Error("an adviser's navigation links to the data protection requests")
	}
	if n := views(); n != 0 {
		t.Fatalf("%d readings audited after refusals, want none", n)
	}

	_, inbox := coord.get("/staff/")
	if !strings.Contains(inbox, `href="`+page+`">Data protection</a>`) {
		t.Error("a coordinator's navigation does not link to the data protection requests")
	}
	resp, body := coord.get(page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	erasure, export := strings.Index(body, other.Reference), strings.Index(body, "SAR-2026-051")
	if erasure < 0 || export < 0 || erasure > export {
		t.Errorf("the page should list the erasure of %s, then the older export SAR-2026-051 (at %d and %d)", other.Reference, erasure, export)
	}
	for _, want := range []string{"Subject access export", "By letter", "1 Oct 2026", `<tr class="late">`, `53 <strong class="overdue">Over one month</strong>`, "due by 2 Nov 2026",
		tb.Net.Coordinator.Name, tb.Net.Coordinator.AgencyName, "Erasure", core.ErasureClientAsked.Label()} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	for _, p := range personal {
		if strings.Contains(body, p) {
			t.Errorf("the page shows the client's %q", p)
		}
	}
	if n := views(); n != 1 {
		t.Errorf("%d readings audited after one page, want 1", n)
	}

	// The dates: before the 24th, only the export; a date that is not one
	// is named.
	_, body = coord.get(page + "?to=2026-11-24")
	if !strings.Contains(body, "SAR-2026-051") || strings.Contains(body, other.Reference) {
		t.Error("to the 24th: want the export alone")
	}
	_, body = coord.get(page + "?from=2026-11-24")
	if strings.Contains(body, "SAR-2026-051") || !strings.Contains(body, other.Reference) {
		t.Error("from the 24th: want the erasure alone")
	}
	resp, body = coord.get(page + "?from=nonsense")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter the date as year-month-day") {
		t.Errorf("a start that is not a date: %d, want 400 naming it", resp.StatusCode)
	}

	// The register's download.
	resp, body = coord.get(page + "/csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("download: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	records, err := readDownload(t, body)
	if err != nil || len(records) != 3 {
		t.Fatalf("download: %d records (%v), want a header and 2 rows", len(records), err)
	}
	if got := strings.Join(records[2][:13], "|"); got != "2026-11-23 10:00|Subject access export|"+tb.Net.Coordinator.Name+"|"+tb.Net.Coordinator.AgencyName+
		"|the staff web|By letter|2026-10-01|53|2026-11-02|yes|SAR-2026-051||" {
		t.Errorf("the export's row is %s", got)
	}
	if got := records[1]; got[1] != "Erasure" || got[11] != core.ErasureClientAsked.Label() || got[12] != other.Reference {
		t.Errorf("the erasure's row is %v", got)
	}
	for _, p := range personal {
		if strings.Contains(body, p) {
			t.Errorf("the download holds the client's %q", p)
		}
	}
	if n := views(); n != 5 {
		t.Errorf("%d readings audited after four pages and a download, want 5", n)
	}
	var via string
	if err := tb.Pool.QueryRow(ctx, `SELECT data->>'via' FROM events WHERE kind = $1 ORDER BY id DESC LIMIT 1`,
		string(core.EventDataProtectionRequestsViewed)).Scan(&via); err != nil || via != "csv" {
		t.Errorf("the download is audited through %q (%v), want csv", via, err)
	}

	// Once the client is erased, the reference cannot be opened.
	resp, _ = coord.post("/staff/referrals/"+quorra.Reference+"/erase", url.Values{"csrf": {coord.csrf}, "reason": {string(core.ErasureWithdrewAndAsked)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase: %d", resp.StatusCode)
	}
	_, body = coord.get(page)
	if strings.Contains(body, "SAR-2026-051") || !strings.Contains(body, "<em>erased</em>") || !strings.Contains(body, quorra.Reference) {
		t.Error("after the erasure the export's reference should show as erased, and the erasure name the client's referral")
	}
	_, body = coord.get(page + "/csv")
	if strings.Contains(body, "SAR-2026-051") || !strings.Contains(body, ",erased,") {
		t.Error("after the erasure the download should say the reference was erased")
	}
}

// TestDataProtectionRequestsListWithdrawals: a withdrawal of consent
// recorded on the staff web and one the client texted are rows of the
// data protection officer's page and of the register's CSV, saying who
// and how, known by the client's referral and never by their details.
func TestDataProtectionRequestsListWithdrawals(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	in := coretest.SelfReferral("dp-requests-withdrawn")
	in.Client.Name, in.Client.Phone = "Quorra Vantablack", "07700 900876"
	res, err := tb.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	rang := res.Referral
	in = coretest.SelfReferral("dp-requests-texted")
	in.Client.Name, in.Client.Phone = "Quorra Vantablack", "07700 900875"
	if res, err = tb.Engine.SelfRefer(ctx, in); err != nil {
		t.Fatal(err)
	}
	texted := res.Referral
	coord := tb.signedIn(tb.Net.Coordinator)

	resp, _ := coord.post("/staff/referrals/"+rang.Reference+"/withdraw", url.Values{"csrf": {coord.csrf},
		"evidence": {"Quorra rang from her mobile"}, "confirm": {"yes"}})
	if resp.StatusCode >= 400 {
		t.Fatalf("withdraw on the staff web: %d", resp.StatusCode)
	}
	tb.Clock.Advance(time.Hour)
	if done, err := tb.Engine.WithdrawByPhone(ctx, "+447700900875", "SMwithdrawn"); !done || err != nil {
		t.Fatalf("withdraw by text: %v, %v", done, err)
	}

	const page = "/staff/data-protection/requests"
	_, body := coord.get(page)
	for _, want := range []string{"Withdrawal of consent", "through the staff web", "through the client&#39;s text (withdraw keyword)",
		rang.Reference, texted.Reference, tb.Net.Coordinator.Name} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	_, body = coord.get(page + "/csv")
	records, err := readDownload(t, body)
	if err != nil || len(records) != 3 {
		t.Fatalf("download: %d records (%v), want a header and the 2 withdrawals", len(records), err)
	}
	if got := strings.Join(records[1][1:13], "|"); got != "Withdrawal of consent|the client||the client's text (withdraw keyword)||||||||"+texted.Reference {
		t.Errorf("the texted withdrawal's row is %s", got)
	}
	if got := strings.Join(records[2][1:13], "|"); got != "Withdrawal of consent|"+tb.Net.Coordinator.Name+"|"+tb.Net.Coordinator.AgencyName+"|the staff web||||||||"+rang.Reference {
		t.Errorf("the staff web's withdrawal's row is %s", got)
	}
	for _, p := range []string{"Quorra", "Vantablack", "900876", "900875", "mobile", "SMwithdrawn"} {
		if strings.Contains(body, p) {
			t.Errorf("the download holds %q", p)
		}
	}
}

// TestDataProtectionPageListsReferralsKeptOpen: with a retention period
// set, the data protection page counts and lists the referrals open
// longer than it (which retention leaves alone), by reference, status,
// agency and age, with core's words on why and what to do; no client's
// details. Without any, or without a period, the section is not there.
func TestDataProtectionPageListsReferralsKeptOpen(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	in := coretest.SelfReferral("dp-kept-open")
	in.Client.Name = "Quorra Vantablack"
	res, err := tb.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	coord := tb.signedIn(tb.Net.Coordinator)
	const page = "/staff/data-protection/requests"
	if _, body := coord.get(page); strings.Contains(body, "open for longer than the retention period") {
		t.Error("the page lists referrals kept open with no retention period set")
	}
	dp, _ := tb.Engine.DataProtection(ctx)
	dp.RetentionMonths = 2
	if err := tb.Engine.SetDataProtection(ctx, core.DataProtectionChange{DataProtection: dp, By: tb.Net.Coordinator.Actor()}); err != nil {
		t.Fatal(err)
	}
	if _, body := coord.get(page); strings.Contains(body, "open for longer than the retention period") {
		t.Error("the page lists a referral made today as open past the retention period")
	}
	tb.Clock.Advance(90 * 24 * time.Hour)
	resp, body := coord.get(page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	for _, want := range []string{"1 referral open for longer than the retention period of 2 months",
		`<a href="/staff/referrals/` + res.Referral.Reference + `">` + res.Referral.Reference + `</a>`,
		core.StatusRequested.Label(), "90 days", "once every referral of theirs is closed", "cancel it"} {
		if !strings.Contains(body, strings.ReplaceAll(want, "'", "&#39;")) {
			t.Errorf("the page does not show %q", want)
		}
	}
	if res.Agency != nil && !strings.Contains(body, res.Agency.Name) {
		t.Errorf("the page does not name the agency holding it, %s", res.Agency.Name)
	}
	if strings.Contains(body, "Quorra") || strings.Contains(body, "Vantablack") {
		t.Error("the page shows the client's name")
	}
}
