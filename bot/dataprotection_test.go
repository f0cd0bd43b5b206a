package bot

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestWithdrawFromTheStaffWeb: an adviser holding the referral records the
// client's withdrawal (CSRF and evidence required), after which the
// client's details are refused; erasure and export are not theirs.
func TestWithdrawFromTheStaffWeb(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r := tb.selfReferral("withdraw", false)
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: tb.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	ailsa := tb.signedIn(tb.Net.Adviser)
	base := "/staff/referrals/" + r.Reference
	_, page := ailsa.get(base)
	if !strings.Contains(page, base+"/withdraw") || strings.Contains(page, base+"/erase") || strings.Contains(page, base+"/export") {
		t.Errorf("an adviser's page should offer withdrawal only")
	}
	// Erasure and export are for coordinators: refused plainly.
	resp, _ := ailsa.get(base + "/erase")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("adviser erase page: %d", resp.StatusCode)
	}
	resp, body := ailsa.post(base+"/erase", url.Values{"csrf": {ailsa.csrf}, "reason": {"client asked"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "only a coordinator") {
		t.Errorf("adviser erase: %d", resp.StatusCode)
	}
	resp, body = ailsa.post(base+"/export", url.Values{"csrf": {ailsa.csrf}, "format": {"json"}})
	if resp.StatusCode != http.StatusForbidden || strings.Contains(body, "Morag") {
		t.Errorf("adviser export: %d", resp.StatusCode)
	}
	// Another agency's adviser: not found, as the page answers.
	other := tb.signedIn(tb.Net.WelfareAdviser)
	resp, _ = other.get(base + "/withdraw")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("other agency withdraw form: %d", resp.StatusCode)
	}
	resp, _ = other.post(base+"/withdraw", url.Values{"csrf": {other.csrf}, "evidence": {"call"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("other agency withdraw: %d", resp.StatusCode)
	}

	resp, form := ailsa.get(base + "/withdraw")
	if resp.StatusCode != http.StatusOK || !strings.Contains(form, "How did the client withdraw?") {
		t.Fatalf("withdraw form: %d", resp.StatusCode)
	}
	// Without the session's token nothing happens.
	resp, _ = ailsa.post(base+"/withdraw", url.Values{"csrf": {"forged"}, "evidence": {"phone call"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("withdraw without CSRF: %d", resp.StatusCode)
	}
	resp, body = ailsa.post(base+"/withdraw", url.Values{"csrf": {ailsa.csrf}, "evidence": {"phone call"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("withdraw without confirmation: %d", resp.StatusCode)
	}
	summaryLinksLand(t, "withdraw without confirmation", body)
	resp, body = ailsa.post(base+"/withdraw", url.Values{"csrf": {ailsa.csrf}, "evidence": {" "}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "say how the client asked") {
		t.Errorf("withdraw without evidence: %d", resp.StatusCode)
	}
	if cur := tb.referral(r.ID); cur.Status != core.StatusAccepted {
		t.Fatalf("a refused withdrawal changed the referral: %s", cur.Status)
	}
	resp, body = ailsa.post(base+"/details", url.Values{"csrf": {ailsa.csrf}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Morag Baird") {
		t.Fatalf("details before withdrawal: %d", resp.StatusCode)
	}

	resp, body = ailsa.post(base+"/withdraw", url.Values{"csrf": {ailsa.csrf}, "evidence": {"phone call 3 Dec"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Consent withdrawn") || !strings.Contains(body, "1 open referral(s) were cancelled") {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	if cur := tb.referral(r.ID); cur.Status == core.StatusAccepted {
		t.Errorf("the open referral should be cancelled, is %s", cur.Status)
	}
	resp, body = ailsa.post(base+"/details", url.Values{"csrf": {ailsa.csrf}})
	if resp.StatusCode == http.StatusOK || strings.Contains(body, "Morag") {
		t.Errorf("details after withdrawal: %d", resp.StatusCode)
	}
	// The referral's page no longer offers a withdrawal (a data
	// protection review: it did, and pressing it said it was done).
	if _, page := ailsa.get(base); strings.Contains(page, base+"/withdraw") || !strings.Contains(page, "The client has withdrawn their consent") {
		t.Errorf("after the withdrawal the page still offers one, or does not say it was made")
	}
	// Withdrawing twice says it is already done.
	resp, _ = ailsa.post(base+"/withdraw", url.Values{"csrf": {ailsa.csrf}, "evidence": {"again"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("second withdrawal: %d", resp.StatusCode)
	}
}

// TestEraseAndExportFromTheStaffWeb: a coordinator downloads the subject
// access export (JSON and the readable page) only after giving the request
// it answers, on a page saying the export is recorded for the data
// protection officer (audit D 1); then erases the client for a reason from
// core's list, free text refused (audit D 6).
func TestEraseAndExportFromTheStaffWeb(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r := tb.selfReferral("erase", false)
	coord := tb.signedIn(tb.Net.Coordinator)
	base := "/staff/referrals/" + r.Reference
	_, page := coord.get(base)
	if !strings.Contains(page, base+"/erase") || !strings.Contains(page, base+"/export") {
		t.Fatalf("a coordinator's page should offer erasure and export")
	}
	exports := func() int {
		t.Helper()
		var n int
		if err := tb.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1`, string(core.EventSubjectAccess)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	resp, _ := coord.post(base+"/export", url.Values{"csrf": {"forged"}, "format": {"json"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("export without CSRF: %d", resp.StatusCode)
	}
	// The referral page's button leads to the request form, which says
	// the export is recorded; nothing is read or audited yet.
	for _, try := range []func() (*http.Response, string){
		func() (*http.Response, string) {
			return coord.post(base+"/export", url.Values{"csrf": {coord.csrf}, "format": {"json"}})
		},
		func() (*http.Response, string) { return coord.get(base + "/export") },
	} {
		resp, body := try()
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "Morag") || !strings.Contains(body, "data protection officer") ||
			!strings.Contains(body, `name="request_reference"`) || !strings.Contains(body, `value="representative"`) {
			t.Errorf("export without the request: %d, want the request form", resp.StatusCode)
		}
	}
	resp, body := coord.post(base+"/export", url.Values{"csrf": {coord.csrf}, "format": {"json"}, "step": {"request"}, "request_channel": {"letter"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "Morag") || !strings.Contains(body, "Date received") || !strings.Contains(body, "Request reference") {
		t.Errorf("export with half a request: %d, want 422 naming the date and reference", resp.StatusCode)
	}
	if n := exports(); n != 0 {
		t.Fatalf("%d exports audited before a whole request", n)
	}
	request := func(format string) url.Values {
		return url.Values{"csrf": {coord.csrf}, "format": {format}, "step": {"request"}, "request_channel": {"letter"},
			"request_received": {"2026-11-20"}, "request_reference": {"SAR-2026-014"}}
	}
	resp, body = coord.post(base+"/export", request("json"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, r.Reference) {
		t.Errorf("export disposition %q", cd)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("export cache control %q", cc)
	}
	var sa core.SubjectAccess
	if err := json.Unmarshal([]byte(body), &sa); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if sa.Client.Name != "Morag Baird" || len(sa.Referrals) == 0 || sa.Referrals[0].Reference != r.Reference {
		t.Errorf("export: %+v", sa.Referrals)
	}
	var channel, received string
	if err := tb.Pool.QueryRow(ctx, `SELECT data->>'request_channel', data->>'request_received' FROM events WHERE kind = $1`,
		string(core.EventSubjectAccess)).Scan(&channel, &received); err != nil || channel != "letter" || received != "2026-11-20" {
		t.Errorf("the export is audited with %q %q (%v), want the request's", channel, received, err)
	}
	resp, body = coord.post(base+"/export", request("html"))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "What we hold about you") || !strings.Contains(body, r.Reference) {
		t.Errorf("readable export: %d", resp.StatusCode)
	}

	resp, body = coord.get(base + "/erase")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "This cannot be undone") {
		t.Fatalf("erase confirmation: %d", resp.StatusCode)
	}
	for _, c := range core.ErasureReasons() {
		if !strings.Contains(body, `value="`+c.Code+`"`) || !strings.Contains(body, template.HTMLEscapeString(c.Label)) {
			t.Errorf("the erase page does not offer %s", c.Code)
		}
	}
	if strings.Contains(body, "<textarea") {
		t.Error("the erase page still takes typed text")
	}
	resp, body = coord.post(base+"/erase", url.Values{"csrf": {coord.csrf}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "say why the details are erased") {
		t.Errorf("erase without reason: %d", resp.StatusCode)
	}
	resp, body = coord.post(base+"/erase", url.Values{"csrf": {coord.csrf}, "reason": {"Morag Baird phoned on 07700 900123 and asked"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "choose one of") {
		t.Errorf("erase with a typed reason: %d", resp.StatusCode)
	}
	// Erased, then redirected to the page that says so: reloading it
	// asks nothing again.
	resp, _ = coord.post(base+"/erase", url.Values{"csrf": {coord.csrf}, "reason": {string(core.ErasureClientAsked)}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != base+"/erase?done=erased" {
		t.Fatalf("erase: %d to %q, want 303 to the erased page", resp.StatusCode, loc)
	}
	if resp, body = coord.get(base + "/erase?done=erased"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Their data key is destroyed") {
		t.Fatalf("the erased page: %d\n%s", resp.StatusCode, body)
	}
	// Sent again (a double click, the form resent): already erased,
	// changing nothing, and no fault in the log.
	resp, body = coord.post(base+"/erase", url.Values{"csrf": {coord.csrf}, "reason": {string(core.ErasureClientAsked)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already erased") || strings.Contains(body, "went wrong") {
		t.Errorf("erase again: %d, want 409 saying the details were already erased", resp.StatusCode)
	}
	if log := tb.logText(); strings.Contains(log, "level=ERROR") {
		t.Errorf("erasing again logged an error:\n%s", log)
	}
	_, body = coord.post(base+"/export", request("json"))
	if strings.Contains(body, "Morag") {
		t.Errorf("the export after erasure still names the client")
	}
	var erased int
	var why string
	if err := tb.Pool.QueryRow(ctx, `SELECT count(*), max(data->>'why') FROM events WHERE kind = $1 AND client_id = $2`,
		core.EventClientErased, r.ClientID).Scan(&erased, &why); err != nil {
		t.Fatal(err)
	}
	if erased != 1 || why != string(core.ErasureClientAsked) {
		t.Errorf("erasure audited %d times with %q, want once with its code", erased, why)
	}
}

// Once the client withdrew consent a completion cannot be undone into an
// open referral (core refuses it), so the referral's page no longer
// offers the undo, nor to refer the client on.
func TestNoUndoOfferedAfterAWithdrawal(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r := tb.selfReferral("no-undo", false)
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact, core.ActionComplete} {
		if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: tb.Net.Adviser.Actor(),
			Outcome: core.OutcomeHelpGiven}); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	ailsa := tb.signedIn(tb.Net.Adviser)
	base := "/staff/referrals/" + r.Reference
	if _, page := ailsa.get(base); !strings.Contains(page, base+"/reopen") {
		t.Fatal("a completion just made offers no undo: the test shows nothing")
	}
	if _, err := tb.Engine.WithdrawByReference(ctx, r.Reference, core.ClientActor, "sms", "SMno-undo"); err != nil {
		t.Fatal(err)
	}
	if _, page := ailsa.get(base); strings.Contains(page, base+"/reopen") || strings.Contains(page, "/staff/refer?from="+r.Reference) {
		t.Error("after the withdrawal the page still offers to undo the completion or to refer the client on")
	}
}

// TestExportRequestReferenceRefusesClientDetails: the subject access
// form's reference asks for the organisation's own case reference, and
// one that holds the client's details — a postcode, whole or within it,
// or a name written with a number — is refused on the form, saying what
// it looks like and what to give instead; nothing is exported.
func TestExportRequestReferenceRefusesClientDetails(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("export-ref-details", false)
	coord := tb.signedIn(tb.Net.Coordinator)
	path := "/staff/referrals/" + r.Reference + "/export"
	if _, form := coord.get(path); !strings.Contains(form, "Your organisation's own case reference, such as SAR-2026-014: not the client's details") {
		t.Error("the form's hint does not ask for the organisation's own case reference")
	}
	for _, c := range []struct{ ref, says string }{
		{"KY11AB1", "Request reference: this looks like a postcode"},
		{"KY1 1AB", "Request reference: this looks like a postcode"},
		{"SAR-KY1-1AB", "Request reference: this looks like a postcode"},
		{"Jane-Smith-2", "Request reference: this looks like a name"},
	} {
		resp, body := coord.post(path, url.Values{"csrf": {coord.csrf}, "format": {"json"}, "step": {"request"}, "request_channel": {"letter"},
			"request_received": {"2026-11-20"}, "request_reference": {c.ref}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.says) ||
			!strings.Contains(body, "use your organisation&#39;s own case reference for the request") || strings.Contains(body, "Morag") {
			t.Errorf("reference %q: %d, want 422 saying %q and asking for the organisation's own case reference", c.ref, resp.StatusCode, c.says)
		}
	}
	var n int
	if err := tb.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE kind = $1`, string(core.EventSubjectAccess)).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d exports after the refusals (%v), want none", n, err)
	}
}
