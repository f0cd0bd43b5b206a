package bot

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// A data protection review: the data protection officer's list of
// requests did not show the number each export carries (format
// onward-subject-access/2), so a copy handed over could not be matched
// to its request, least of all once the client was erased and the
// request's reference could no longer be read. The page and the
// register's CSV show it, before the erasure and after.
func TestDataProtectionRequestsShowTheExportNumber(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	client := tb.selfReferral("dp-requests-export-number", false)
	coord := tb.signedIn(tb.Net.Coordinator)
	resp, body := coord.post("/staff/referrals/"+client.Reference+"/export", url.Values{"csrf": {coord.csrf}, "format": {"json"},
		"step": {"request"}, "request_channel": {"email"}, "request_received": {"2026-11-20"}, "request_reference": {"SAR-2026-077"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	var copyHanded struct {
		Format       string       `json:"format"`
		ExportNumber core.EventID `json:"export_number"`
	}
	if err := json.Unmarshal([]byte(body), &copyHanded); err != nil || copyHanded.ExportNumber == 0 {
		t.Fatalf("the export has no number (%v):\n%s", err, body)
	}
	number := strconv.FormatInt(int64(copyHanded.ExportNumber), 10)

	const page = "/staff/data-protection/requests"
	check := func(when string) {
		t.Helper()
		_, body := coord.get(page)
		if !strings.Contains(body, `<th scope="col">Export number</th>`) || !strings.Contains(body, "<td>"+number+"</td>") {
			t.Errorf("%s, the page does not show the export number %s of the copy handed over", when, number)
		}
		_, body = coord.get(page + "/csv")
		records, err := readDownload(t, body)
		if err != nil || len(records) < 2 {
			t.Fatalf("%s, download: %d records (%v)", when, len(records), err)
		}
		col := len(records[0]) - 1
		if records[0][col] != "Export number" {
			t.Fatalf("%s, the download's last column is %q, want Export number", when, records[0][col])
		}
		found := false
		for _, row := range records[1:] {
			if row[1] == "Subject access export" {
				found = row[col] == number
			} else if row[col] != "" {
				t.Errorf("%s, a %s has export number %q", when, row[1], row[col])
			}
		}
		if !found {
			t.Errorf("%s, the download does not give the export its number %s:\n%s", when, number, body)
		}
	}
	check("before the erasure")
	resp, _ = coord.post("/staff/referrals/"+client.Reference+"/erase", url.Values{"csrf": {coord.csrf}, "reason": {string(core.ErasureClientAsked)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase: %d", resp.StatusCode)
	}
	check("after the erasure")
}
