package bot

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestDataProtectionAuditPage: the audit search on the staff web answers
// "which clients did this adviser view" by reference, a page at a time
// (an "Older" link carrying a cursor, not an offset), with a CSV of the
// whole search; it shows no client's details; an adviser is refused the
// page and the download; a filter that is wrong is named against its
// field; and every search answered, page or download, is recorded with
// what was searched for.
func TestDataProtectionAuditPage(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	ref := tb.selfReferral("dp-audit-page", false)
	viewer := tb.Net.Adviser
	if ref.ToAgencyID == nil || *ref.ToAgencyID != viewer.AgencyID {
		viewer = tb.Net.WelfareAdviser
	}
	// 51 views: one more than a page.
	for range 51 {
		if _, _, err := tb.Engine.DiscloseClient(ctx, ref.ID, viewer.Actor(), "web"); err != nil {
			t.Fatal(err)
		}
	}
	personal := []string{"Morag", "Baird", "KY1 1AB", "Rent arrears"}
	searches := func() (n int) {
		t.Helper()
		if err := tb.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1`, string(core.EventAuditSearched)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	const page = "/staff/data-protection/audit"
	search := page + "?" + url.Values{"staff": {viewer.Email}, "kind": {"disclosed"}}.Encode()
	adviser := tb.signedIn(tb.Net.Adviser)
	for _, path := range []string{page, search, page + "/csv"} {
		resp, body := adviser.get(path)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "coordinators can search the audit log") || strings.Contains(body, ref.Reference) {
			t.Errorf("an adviser's %s: %d, want 403 saying only a coordinator", path, resp.StatusCode)
		}
	}
	if n := searches(); n != 0 {
		t.Fatalf("%d searches recorded after refusals, want none", n)
	}

	coord := tb.signedIn(tb.Net.Coordinator)
	_, requests := coord.get("/staff/data-protection/requests")
	if !strings.Contains(requests, `href="`+page+`"`) {
		t.Error("the data protection requests page does not link to the audit search")
	}
	resp, body := coord.get(search)
	if resp.StatusCode != http.StatusOK || strings.Count(body, ref.Reference) != 50 || !strings.Contains(body, viewer.Name) {
		t.Fatalf("search: %d, %d rows of %s, want 50 (a page) by %s", resp.StatusCode, strings.Count(body, ref.Reference), ref.Reference, viewer.Name)
	}
	for _, p := range personal {
		if strings.Contains(body, p) {
			t.Errorf("the page shows the client's %q", p)
		}
	}
	next := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("no link to the older events")
	}
	older := html.UnescapeString(next[1])
	if !strings.Contains(older, "after=") || strings.Contains(older, "page=") || strings.Contains(older, "offset") {
		t.Errorf("the older events' link is %q, want a cursor", older)
	}
	if _, body = coord.get(older); strings.Count(body, ref.Reference) != 1 || strings.Contains(body, `rel="next"`) {
		t.Errorf("the second page holds %d rows, want the last one and no next page", strings.Count(body, ref.Reference))
	}

	resp, body = coord.get(page + "?staff=nobody%40example.org&from=March")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "nobody in Onward has the email address nobody@example.org") ||
		!strings.Contains(body, `id="from-error"`) {
		t.Errorf("wrong filters: %d, want 400 naming the email and the date", resp.StatusCode)
	}

	resp, body = coord.get(strings.Replace(search, page, page+"/csv", 1))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("download: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	records, err := readDownload(t, body)
	if err != nil || len(records) != 52 || strings.Join(records[0], ",") != strings.Join(core.AuditColumns, ",") {
		t.Fatalf("download: %d records (%v), want the columns and 51 rows", len(records), err)
	}
	if r := records[1]; r[2] != string(core.EventDisclosed) || r[4] != viewer.Name || r[6] != "web" || r[7] != ref.Reference {
		t.Errorf("a row of the download: %v", r)
	}
	for _, p := range personal {
		if strings.Contains(body, p) {
			t.Errorf("the download holds the client's %q", p)
		}
	}

	// Two pages and a download, each recorded with the member of staff
	// searched for; the wrong filters were not searched.
	rows, err := tb.Pool.Query(ctx, `SELECT data->>'via', data->>'kind', (data->>'staff_id')::bigint, data ? 'after', actor_id
		FROM events WHERE kind = $1 ORDER BY id`, string(core.EventAuditSearched))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var (
			via, kind string
			staff, by int64
			hasCursor bool
		)
		if err := rows.Scan(&via, &kind, &staff, &hasCursor, &by); err != nil {
			t.Fatal(err)
		}
		if kind != "disclosed" || staff != int64(viewer.ID) || by != int64(tb.Net.Coordinator.ID) {
			t.Errorf("a search is recorded as %s by %d for staff %d, want disclosed by the coordinator for %d", kind, by, staff, viewer.ID)
		}
		if hasCursor {
			via += "+after"
		}
		got = append(got, via)
	}
	if strings.Join(got, " ") != "web web+after csv" {
		t.Errorf("searches recorded: %v, want web, web+after, csv", got)
	}
}
