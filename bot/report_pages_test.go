package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/report"
)

// reportsBot is a test bot serving the inbox and the reports pages, with
// referrals to count: 6 self-referrals to Citizens Advice (4 accepted, 1
// of them contacted and completed with help given and a gain) and 3
// referrals from Welfare Rights to Citizens Advice.
func reportsBot(t *testing.T) *testBot {
	t.Helper()
	tb := newTestBot(t)
	mux := http.NewServeMux()
	tb.bot.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tb.srv = srv
	ctx := context.Background()
	var contacted core.ReferralID
	for i := range 6 {
		r := tb.selfReferral(fmt.Sprintf("reports-%d", i), false)
		if i < 4 {
			tb.Clock.Advance(time.Hour)
			res, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: tb.Net.Adviser.Actor()})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				tb.Clock.Advance(5 * time.Hour)
				if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionContact, Actor: tb.Net.Adviser.Actor()}); err != nil {
					t.Fatal(err)
				}
				contacted = res.Referral.ID
			}
		}
	}
	for i := range 3 {
		if _, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: fmt.Sprintf("reports-staff-%d", i),
			By: tb.Net.WelfareAdviser.Actor(), Client: core.ClientDetails{Name: "Iain Rennie", Phone: fmt.Sprintf("07700 900%03d", 700+i)},
			Needs: []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
			t.Fatal(err)
		}
	}
	// Texts sent, for the texts report: the consent text in English and a
	// status text in Polish.
	tb.Engine.SentTexts().Count(tb.Clock.Now(), "en", strings.Repeat("a", 400))
	tb.Engine.SentTexts().Count(tb.Clock.Now(), "pl", "Przyjęliśmy Twoje zgłoszenie.")
	if err := tb.Engine.SentTexts().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// The contacted client was helped, with a gain, as completing in
	// Slack or the staff web records it.
	tb.Clock.Advance(time.Hour)
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: contacted, Action: core.ActionComplete, Actor: tb.Net.Adviser.Actor(),
		Outcome: core.OutcomeHelpGiven, Gain: core.Gain{WeeklyIncome: 2500, DebtWrittenOff: 100000},
		AdviceType: core.AdviceTypeII, AdviceTopic: "debt"}); err != nil {
		t.Fatal(err)
	}
	// What the clients of the accepted referrals said: their scores and
	// whether they would recommend the agency.
	if _, err := tb.Engine.Pool().Exec(ctx, `
WITH c AS (SELECT id, row_number() OVER (ORDER BY id)::int AS i FROM referrals WHERE status IN ('accepted', 'completed'))
UPDATE referrals r SET feedback_score = 3 + c.i % 3, feedback_recommend = c.i % 2 = 1, feedback_at = r.status_at
FROM c WHERE r.id = c.id`); err != nil {
		t.Fatal(err)
	}
	if _, err := report.New(tb.Engine.Pool(), tb.Engine.Clock()).Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	return tb
}

var (
	scriptRe   = regexp.MustCompile(`(?i)<script|javascript:|\son[a-z]+=`)
	externalRe = regexp.MustCompile(`(?:src|href)="(?:https?:)?//`)
)

func TestReportPagesShowChartsTablesAndDownloads(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t)
	c := tb.signedIn(tb.Net.Coordinator)
	resp, body := c.get("/staff/reports?from=2026-01-01&to=2026-11-23&need=debt")
	if resp.StatusCode != 200 {
		t.Fatalf("reports index: %d %s", resp.StatusCode, body)
	}
	for _, spec := range report.List() {
		// The links carry the filter, as a query string the server reads.
		if !strings.Contains(body, `href="/staff/reports/`+spec.Name+`?from=2026-01-01&amp;need=debt&amp;to=2026-11-23"`) {
			t.Errorf("index does not link to %s with the filter", spec.Name)
		}
	}
	if !strings.Contains(body, `<select id="agency" name="agency">`) {
		t.Error("a coordinator should be able to choose an agency")
	}
	for _, spec := range report.List() {
		resp, body := c.get("/staff/reports/" + spec.Name)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", spec.Name, resp.StatusCode, body)
		}
		if scriptRe.MatchString(body) || externalRe.MatchString(body) {
			t.Errorf("%s: the page has script or loads something from elsewhere", spec.Name)
		}
		if !strings.Contains(body, "<table") || !strings.Contains(body, "<caption") ||
			!strings.Contains(body, `<th scope="col">`) || !strings.Contains(body, `<th scope="row">`) {
			t.Errorf("%s: no accessible table (table, caption, th scope)", spec.Name)
		}
		switch spec.Name {
		case "partners":
			if !strings.Contains(body, `class="report heat"`) || !strings.Contains(body, "heat-5") {
				t.Errorf("partners: no heat table")
			}
		default:
			if !strings.Contains(body, `<svg xmlns="http://www.w3.org/2000/svg"`) || !strings.Contains(body, `role="img"`) ||
				!strings.Contains(body, "<title id=\"chart-title\">") {
				t.Errorf("%s: no SVG chart with a title", spec.Name)
			}
		}
		for _, f := range []string{"csv", "json"} {
			if !strings.Contains(body, `href="/staff/reports/`+spec.Name+`/`+f+`?`) {
				t.Errorf("%s: no %s download link", spec.Name, f)
			}
		}
		if !strings.Contains(body, "the whole network") {
			t.Errorf("%s: a coordinator's default view should be the network", spec.Name)
		}
	}

	// A coordinator inside the network sees exact figures: Welfare
	// Rights sent 3.
	_, body = c.get("/staff/reports/partners")
	if !strings.Contains(body, "<th scope=\"row\">Kingdom Council Welfare Rights</th><td class=\"heat-") ||
		!regexp.MustCompile(`Kingdom Council Welfare Rights</th><td class="heat-\d">3</td>`).MatchString(body) || strings.Contains(body, "&lt;5</td>") {
		t.Errorf("a coordinator's partners matrix should show Welfare Rights' 3 referrals exactly")
	}

	// Downloads parse: exact like the page, or marked for publication.
	resp, body = c.get("/staff/reports/partners/csv?from=2026-01-01&to=2026-11-23")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="onward-partners-2026-01-01-to-2026-11-23.csv"` {
		t.Fatalf("CSV download: %d %v", resp.StatusCode, resp.Header)
	}
	recs, err := readDownload(t, body)
	if err != nil || recs[0][0] != `From \ To` {
		t.Fatalf("CSV: %v %q", err, recs)
	}
	if !strings.Contains(body, "Kingdom Council Welfare Rights,3,3") {
		t.Errorf("a coordinator's CSV should be exact:\n%s", body)
	}
	resp, body = c.get("/staff/reports/partners/csv?from=2026-01-01&to=2026-11-23&publish=1")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") != `attachment; filename="onward-partners-2026-01-01-to-2026-11-23-for-publication.csv"` {
		t.Fatalf("CSV for publication: %d %v", resp.StatusCode, resp.Header)
	}
	// Welfare Rights' 3 are hidden; so are the self-referrals' 6, which
	// with the total of 9 would give the 3 back.
	if want := utf8BOM + "From \\ To,Kirkton Citizens Advice,Kirkton Citizens Advice_suppressed,Total,Total_suppressed\n" +
		"Self-referral (SMS),,true,,true\nKingdom Council Welfare Rights,,true,,true\nTotal,9,false,9,false\n"; body != want {
		t.Errorf("CSV for publication:\n%s\nwant\n%s", body, want)
	}
	if resp, _ := c.get("/staff/reports/partners/csv?publish=yes"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("publish=yes: %d, want 400", resp.StatusCode)
	}
	resp, body = c.get("/staff/reports/outcomes/json?from=2026-01-01&to=2026-11-23&need=debt")
	var doc struct {
		Report     string `json:"report"`
		Need       string `json:"need"`
		Suppressed bool   `json:"suppressed"`
		Rows       [][]any
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || resp.StatusCode != 200 || doc.Report != "outcomes" || doc.Need != "debt" || doc.Suppressed {
		t.Fatalf("JSON download: %d %v %+v", resp.StatusCode, err, doc)
	}
	resp, body = c.get("/staff/reports/outcomes/json?from=2026-01-01&to=2026-11-23&need=debt&publish=1")
	doc.Rows = nil
	if err := json.Unmarshal([]byte(body), &doc); err != nil || resp.StatusCode != 200 || !doc.Suppressed {
		t.Fatalf("JSON for publication: %d %v %+v", resp.StatusCode, err, doc)
	}
	// Accepted: 3 of 9 debt referrals — a count withheld as null with its
	// flag, and its share of 9 too (9 × 33.3% would give the 3 back).
	if got := fmt.Sprint(doc.Rows[1]); got != "[Accepted <nil> true <nil> true]" {
		t.Errorf("JSON row for publication = %s", got)
	}

	// Bad input is explained, not failed on.
	resp, body = c.get("/staff/reports/outcomes?from=yesterday")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "The start date must be a date") {
		t.Errorf("bad date: %d", resp.StatusCode)
	}
	// A date in the year 1 (the zero time, to Go) is refused the same way.
	for _, q := range []string{"from=0001-01-01&to=2026-01-01", "to=0001-01-01", "from=1899-12-31&to=2026-01-01"} {
		for _, path := range []string{"/staff/reports/outcomes?", "/staff/reports/outcomes/csv?", "/staff/reports?"} {
			if resp, body := c.get(path + q); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "2000-01-01 or later") {
				t.Errorf("%s%s: %d, want 400 naming the earliest date", path, q, resp.StatusCode)
			}
		}
	}
	// Dates past the last day Onward reports on name the limit; a start
	// in the year 1 with an end in 9999 names it too, never "give both".
	for _, q := range []string{"from=0001-01-01&to=9999-12-31", "from=2026-01-01&to=9999-12-31"} {
		for _, path := range []string{"/staff/reports/seasonality-monthly?", "/staff/reports/seasonality-monthly/csv?", "/staff/reports?"} {
			if resp, body := c.get(path + q); resp.StatusCode != http.StatusBadRequest ||
				!strings.Contains(body, "Onward reports on days from 2000-01-01 to 2099-12-31") || strings.Contains(body, "ive both") {
				t.Errorf("%s%s: %d, want 400 naming the days Onward reports on", path, q, resp.StatusCode)
			}
		}
	}
	// A period that ends before it starts is named as such, on the page
	// and in the downloads: one rule, core's (report.CheckPeriod).
	for _, path := range []string{"/staff/reports/outcomes?", "/staff/reports/outcomes/csv?", "/staff/reports?"} {
		if resp, body := c.get(path + "from=2026-03-01&to=2026-02-01"); resp.StatusCode != http.StatusBadRequest ||
			!strings.Contains(body, "nd date must not be before the start date") {
			t.Errorf("%s with the end before the start: %d, want 400 saying so", path, resp.StatusCode)
		}
	}
	if resp, _ := c.get("/staff/reports/nonsense"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown report: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/staff/reports/outcomes/xml"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown format: %d", resp.StatusCode)
	}
}

func TestReportPagesScopeAgencyStaff(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t)
	c := tb.signedIn(tb.Net.Adviser) // Citizens Advice
	// Asking for another agency, or the network, gives their own figures.
	resp, body := c.get("/staff/reports/partners?agency=kc-welfare-rights")
	if resp.StatusCode != 200 {
		t.Fatalf("partners: %d", resp.StatusCode)
	}
	if strings.Contains(body, `name="agency"`) {
		t.Error("an adviser should not be offered other agencies")
	}
	if !strings.Contains(body, "· Kirkton Citizens Advice") {
		t.Error("an adviser's reports should be scoped to their own agency")
	}
	// Their own agency's figures are exact: Welfare Rights sent them 3.
	_, body = c.get("/staff/reports/partners/csv")
	if !strings.Contains(body, "Kingdom Council Welfare Rights,3") || strings.Contains(body, "<5") {
		t.Errorf("own-agency CSV should be exact:\n%s", body)
	}
	// Welfare Rights staff see Welfare Rights' figures: suppression follows
	// the viewer, not the referral.
	w := tb.signedIn(tb.Net.WelfareAdviser)
	_, body = w.get("/staff/reports/partners/csv")
	if !strings.Contains(body, "Kingdom Council Welfare Rights,3") {
		t.Errorf("Welfare Rights staff see the 3 they sent exactly:\n%s", body)
	}
	// Signed out: nothing.
	resp, _ = tb.web().get("/staff/reports/outcomes")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("reports without a session: %d", resp.StatusCode)
	}
	resp, _ = tb.web().get("/staff/reports/outcomes/csv")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("CSV without a session: %d", resp.StatusCode)
	}
}

// TestPublishedChartPointsAreWithheld: in a copy for publication a chart
// point of a hidden count is null in the JSON series and flagged
// suppressed, and the page's chart draws it as withheld — labelled, with
// no bar — never as a bar of 0.
func TestPublishedChartPointsAreWithheld(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t)
	f := report.Filter{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Need: core.NeedDebt}
	rep, err := tb.bot.reports().Run(context.Background(), "outcomes", f, report.ViewerFor(tb.Net.Coordinator).Published())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Series []struct {
			Points []map[string]any `json:"points"`
		} `json:"series"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var accepted map[string]any
	for _, p := range doc.Series[0].Points {
		if p["label"] == "Accepted" {
			accepted = p
		}
	}
	if v, ok := accepted["value"]; !ok || v != nil || accepted["suppressed"] != true {
		t.Errorf("JSON point of the 3 accepted: %v; want value null and suppressed true", accepted)
	}
	chart := chartFor(rep)
	if chart == nil {
		t.Fatal("no chart")
	}
	for _, row := range chart.Rows {
		if row.Label == "Accepted" && (len(row.Bars) != 1 || row.Bars[0].W != 0 || row.Bars[0].Text != report.SuppressedText) {
			t.Errorf("the chart draws the 3 accepted as %+v; want a labelled <5 and no bar", row.Bars)
		}
	}
}

// TestAdvisersReportsAreTheirOwn (review m5): the texts report counts the
// whole network alone, so an adviser (whose reports are their agency's)
// is not offered it, and asking for it says whose it is and who reads it
// rather than showing an empty table with advice they cannot follow;
// asking for another agency's figures, or an agency that does not exist,
// shows their own and says so, never "choose an agency from the list"
// (they have no list). Coordinators keep the texts report.
func TestAdvisersReportsAreTheirOwn(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t)
	c := tb.signedIn(tb.Net.Adviser)
	if _, body := c.get("/staff/reports"); strings.Contains(body, `href="/staff/reports/texts?`) || !strings.Contains(body, `href="/staff/reports/outcomes?`) {
		t.Error("an adviser's list of reports should leave out the network's texts report, and only it")
	}
	const networks = "is counted for the whole network, not for one agency, so the network's coordinators read it"
	for _, path := range []string{"/staff/reports/texts?from=2025-12-06&to=2026-11-23", "/staff/reports/texts/csv", "/staff/reports/texts/json"} {
		resp, body := c.get(path)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(html.UnescapeString(body), networks) ||
			strings.Contains(body, "clear those filters") {
			t.Errorf("an adviser's %s: %d, want 403 saying the report is the network's and coordinators read it", path, resp.StatusCode)
		}
	}
	// A download is refused in its own kind (a coordinator's review: an
	// HTML page answered a JSON link): JSON with the reason, or text.
	resp, body := c.get("/staff/reports/texts/json")
	var refused struct{ Error string }
	if err := json.Unmarshal([]byte(body), &refused); err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(refused.Error, networks) {
		t.Errorf("the JSON download refused: %s %q (%v), want JSON saying why", resp.Header.Get("Content-Type"), body, err)
	}
	if resp, body := c.get("/staff/reports/outcomes/json?from=nonsense"); resp.StatusCode != http.StatusBadRequest ||
		json.Unmarshal([]byte(body), &refused) != nil || refused.Error == "" {
		t.Errorf("the JSON download with a bad date: %d %q, want 400 in JSON", resp.StatusCode, body)
	}
	for _, agency := range []string{"nope", "kc-welfare-rights"} {
		resp, body := c.get("/staff/reports/outcomes?agency=" + agency)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "Choose an agency from the list") ||
			!strings.Contains(body, "You see Kirkton Citizens Advice&#39;s own figures: only the network&#39;s coordinators can see another agency&#39;s") ||
			!strings.Contains(body, "· Kirkton Citizens Advice") {
			t.Errorf("an adviser asking for agency %q: %d, want their own figures, saying so", agency, resp.StatusCode)
		}
	}
	if _, body := c.get("/staff/reports/outcomes"); strings.Contains(body, "own figures: only the network") {
		t.Error("an adviser who asked for no other agency is told they cannot see one")
	}

	coord := tb.signedIn(tb.Net.Coordinator)
	if _, body := coord.get("/staff/reports"); !strings.Contains(body, `href="/staff/reports/texts?`) {
		t.Error("a coordinator's list of reports should offer the texts report")
	}
	if resp, _ := coord.get("/staff/reports/texts"); resp.StatusCode != http.StatusOK {
		t.Errorf("a coordinator's texts report: %d", resp.StatusCode)
	}
	if resp, body := coord.get("/staff/reports/outcomes?agency=nope"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Choose an agency from the list") {
		t.Errorf("a coordinator's unknown agency: %d, want 400 asking to choose from the list", resp.StatusCode)
	}
}
