package bot

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// rowRefs are the references of the inbox's rows, in order.
var rowRefRe = regexp.MustCompile(`<th scope="row"><a href="/staff/referrals/ONW-[0-9A-Z]+">(ONW-[0-9A-Z]+)</a>`)

func rowRefs(body string) []string {
	var out []string
	for _, m := range rowRefRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestInboxPutsTheUrgentFirst: crisis first, then overdue, then due
// soonest, whatever order they arrived in; filters and the reference
// search narrow it; odd input answers plainly.
func TestInboxPutsTheUrgentFirst(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	old := tb.selfReferral("old", false) // overdue by the time the others arrive
	tb.Clock.Advance(10 * 24 * time.Hour)
	fresh := tb.selfReferral("fresh", false)
	tb.Clock.Advance(time.Hour)
	later := tb.selfReferral("later", false)
	crisis := tb.selfReferral("crisis", true)
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: crisis.ID, Action: core.ActionAssign,
		Actor: tb.Net.Coordinator.Actor(), ToAgency: tb.Net.CAB}); err != nil {
		t.Fatal(err)
	}
	c := tb.signedIn(tb.Net.Adviser)
	_, body := c.get("/staff/")
	want := []string{crisis.Reference, old.Reference, fresh.Reference, later.Reference}
	if got := rowRefs(body); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("inbox order %v, want crisis, overdue, then due soonest %v", got, want)
	}
	if !strings.Contains(body, "Overdue") || !strings.Contains(body, "10 days ago") {
		t.Errorf("the overdue row should say so and how old it is")
	}

	for _, tc := range []struct {
		query  string
		want   []string
		status int
	}{
		{"urgency=crisis", []string{crisis.Reference}, http.StatusOK},
		{"urgency=routine&overdue=yes", []string{old.Reference}, http.StatusOK},
		{"q=" + url.QueryEscape(strings.ToLower(fresh.Reference)), []string{fresh.Reference}, http.StatusOK},
		{"q=" + strings.TrimPrefix(later.Reference, "ONW-"), []string{later.Reference}, http.StatusOK},
		{"need=housing", nil, http.StatusOK},
		{"status=completed", nil, http.StatusOK},
		// No reference: refused, and the list shown without it.
		{"q=" + url.QueryEscape("'; DROP TABLE referrals; --"), want, http.StatusBadRequest},
		{"q=" + strings.Repeat("A", 5000), want, http.StatusBadRequest},
	} {
		resp, body := c.get("/staff/?" + tc.query)
		if resp.StatusCode != tc.status {
			t.Errorf("%.40s: status %d, want %d", tc.query, resp.StatusCode, tc.status)
		}
		if got := rowRefs(body); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%.40s: rows %v, want %v", tc.query, got, tc.want)
		}
	}
	// A status or need not offered: named plainly, never a 500.
	resp, body := c.get("/staff/?status=" + url.QueryEscape("<script>") + "&need=unicorns&urgency=maybe")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Choose a status from the list") ||
		!strings.Contains(body, "Choose a need from the list") || !strings.Contains(body, `href="#status"`) || strings.Contains(body, "<script>") {
		t.Errorf("odd filters: %d", resp.StatusCode)
	}
	if got := rowRefs(body); len(got) != 4 {
		t.Errorf("the list should still show without the odd filters: %v", got)
	}
	// Paging: a page past the end shows the last one.
	resp, body = c.get("/staff/?page=999999999999")
	if got := rowRefs(body); resp.StatusCode != http.StatusOK || len(got) != 4 {
		t.Errorf("a page past the end should show the last page: %d, rows %v", resp.StatusCode, got)
	}
}

// TestReferAClientFromTheWeb: the form's validation, the consent scope,
// the referral made through core's StaffRefer, and the referrer following
// it to its outcome under "Referrals we sent".
func TestReferAClientFromTheWeb(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.signedIn(tb.Net.Adviser)
	resp, page := c.get("/staff/refer")
	if resp.StatusCode != 200 || !strings.Contains(page, coretest.ConsentText) || !strings.Contains(page, "Version v1") ||
		!strings.Contains(page, "Ailsa Brodie, Kirkton Citizens Advice") {
		t.Fatalf("refer page should show the consent wording in full with its version and the witness: %d", resp.StatusCode)
	}
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]

	// Nothing filled in: every problem named, in plain words, linked.
	resp, body := c.post("/staff/refer", url.Values{"csrf": {c.csrf}, "key": {key}, "step": {"send"}, "crisis": {"yes"}})
	for _, want := range []string{"There is a problem", `href="#name"`, "Enter the client&#39;s name", `href="#needs"`,
		`href="#agency"`, `href="#consent"`, "Say why it is a crisis"} {
		if !strings.Contains(body, want) {
			t.Errorf("empty form: page lacks %q", want)
		}
	}
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty form: %d", resp.StatusCode)
	}
	summaryLinksLand(t, "empty form", body)
	// Show agencies that fit: suggestions with their reasons.
	form := url.Values{"csrf": {c.csrf}, "key": {key}, "name": {"Rona Guthrie"}, "phone": {"07700 900777"},
		"postcode": {"KY1 2AB"}, "needs": {"housing"}, "notes": {"Landlord has given notice"}, "step": {"match"}}
	_, body = c.post("/staff/refer", form)
	if !strings.Contains(body, "Kingdom Housing Options") || !strings.Contains(body, "offers housing") {
		t.Fatalf("suggestions with reasons missing")
	}
	// A bad phone is named as the page labels it.
	form.Set("step", "send")
	form.Set("agency", strconv.FormatInt(int64(tb.Net.Housing), 10))
	form.Set("consent", "yes")
	form.Set("phone", "call me")
	resp, body = c.post("/staff/refer", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#phone"`) || !strings.Contains(body, "Phone number: enter a phone number") {
		t.Fatalf("bad phone: %d", resp.StatusCode)
	}
	form.Set("phone", "07700 900777")
	resp, body = c.post("/staff/refer", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d %s", resp.StatusCode, regexp.MustCompile(`(?s)<div class="error-summary.*?</div>`).FindString(body))
	}
	loc := resp.Header.Get("Location")
	ref, err := tb.Engine.ReferralByReference(context.Background(), strings.TrimPrefix(strings.Split(loc, "?")[0], "/staff/referrals/"))
	if err != nil {
		t.Fatalf("referral sent to %s: %v", loc, err)
	}
	r := tb.referral(ref.ID)
	if r.Source != core.SourceStaff || r.FromStaffID == nil || *r.FromStaffID != tb.Net.Adviser.ID || *r.ToAgencyID != tb.Net.Housing {
		t.Fatalf("referral %+v", r)
	}
	consent, err := tb.Engine.Consent(context.Background(), r.ConsentID)
	if err != nil || consent.Channel != core.ChannelStaff || consent.StaffID == nil || *consent.StaffID != tb.Net.Adviser.ID || consent.Covers(tb.Net.Welfare) {
		t.Errorf("consent %+v: want staff-witnessed, Housing only", consent)
	}
	// The same form again makes no second referral.
	if resp, _ := c.post("/staff/refer", form); resp.Header.Get("Location") != loc {
		t.Errorf("a repeated submission made another referral: %s", resp.Header.Get("Location"))
	}

	// Under "Referrals we sent": waiting, then rejected with feedback and
	// counted as needing attention.
	_, sent := c.get("/staff/sent")
	if !strings.Contains(sent, r.Reference) || !strings.Contains(sent, "Kingdom Housing Options") {
		t.Fatalf("sent list lacks %s", r.Reference)
	}
	if _, err := tb.Engine.Act(context.Background(), core.TransitionRequest{Referral: r.ID, Action: core.ActionReject,
		Actor: tb.Net.HousingAdviser.Actor(), Reason: core.ReasonNotEligible, Feedback: "Only for council tenants"}); err != nil {
		t.Fatal(err)
	}
	_, sent = c.get("/staff/sent?attention=yes")
	if !strings.Contains(sent, "1 referral needs") || !strings.Contains(sent, "Only for council tenants") || !strings.Contains(sent, "Euan Tait") {
		t.Errorf("the rejection should need attention, with who and the feedback")
	}
	// Another agency never sees it in its list, nor its page.
	welfare := tb.signedIn(tb.Net.WelfareAdviser)
	if resp, body := welfare.get("/staff/referrals/" + r.Reference); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Rona") {
		t.Errorf("another agency opened the referral: %d", resp.StatusCode)
	}
	// Nor the form to refer its client on; the attempt is recorded.
	var denied int
	deniedNow := func() int {
		t.Helper()
		if err := tb.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE kind = $1 AND referral_id = $2`,
			core.EventAccessDenied, r.ID).Scan(&denied); err != nil {
			t.Fatal(err)
		}
		return denied
	}
	deniedBefore := deniedNow()
	if resp, body := welfare.get("/staff/refer?from=" + r.Reference); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Rona") {
		t.Errorf("another agency opened the refer-on form: %d", resp.StatusCode)
	}
	if deniedNow() != deniedBefore+1 {
		t.Errorf("opening the refer-on form of another agency's referral was not recorded")
	}

	// Refer the client on from it: the stored details are used, and the
	// rejection no longer needs attention.
	_, page = c.get("/staff/refer?from=" + r.Reference)
	key = regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	resp, _ = c.post("/staff/refer", url.Values{"csrf": {c.csrf}, "key": {key}, "parent": {r.Reference},
		"needs": {"housing"}, "agency": {strconv.FormatInt(int64(tb.Net.Welfare), 10)}, "consent": {"yes"}, "step": {"send"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("refer on: %d", resp.StatusCode)
	}
	if n, _ := tb.Engine.AttentionCount(context.Background(), tb.Net.CAB); n != 0 {
		t.Errorf("after referring on, %d still need attention", n)
	}
}

// TestFindClientKeepsToConsent: a phone that matches a client whose
// consent does not cover the agency finds nothing, exactly as a phone
// nobody has.
func TestFindClientKeepsToConsent(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	// Referred by CAB to Housing, with consent for Housing alone.
	if _, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "scoped", By: tb.Net.Adviser.Actor(),
		Client: core.ClientDetails{Name: "Isobel Drummond", Phone: "07700 900555"}, Needs: []core.Need{core.NeedHousing},
		ToAgency: tb.Net.Housing, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
		t.Fatal(err)
	}
	find := func(c *webClient, phone string) string {
		_, page := c.get("/staff/refer")
		key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
		_, body := c.post("/staff/refer", url.Values{"csrf": {c.csrf}, "key": {key}, "step": {"find"}, "find_phone": {phone}})
		return body
	}
	welfare := tb.signedIn(tb.Net.WelfareAdviser)
	hidden, nobody := find(welfare, "07700 900555"), find(welfare, "07700 900556")
	if strings.Contains(hidden, "Isobel") || !strings.Contains(hidden, "No client found") {
		t.Errorf("a client outside the consent was revealed")
	}
	strip := func(s string) string { return regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(s, "") }
	if strip(hidden) != strip(nobody) {
		t.Errorf("the answer for a client outside consent differs from the answer for nobody")
	}
	cab := tb.signedIn(tb.Net.Adviser)
	if body := find(cab, "07700 900555"); !strings.Contains(body, "Isobel Drummond") {
		t.Errorf("the referring agency should find its client")
	}
}

// TestCompleteWithOutcomeAndUndo: completing asks for the outcome, then
// confirms and offers the undo; two advisers undoing: one wins, the other
// is told who and when; after the window, no undo.
func TestCompleteWithOutcomeAndUndo(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r := tb.selfReferral("done", false)
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact} {
		if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: tb.Net.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	r = tb.referral(r.ID)
	ailsa, callum := tb.signedIn(tb.Net.Adviser), tb.signedIn(tb.Net.Adviser2)
	_, page := ailsa.get("/staff/referrals/" + r.Reference)
	if !strings.Contains(page, "How did it end?") || !strings.Contains(page, "Client declined") {
		t.Fatalf("the referral page should ask for the outcome")
	}
	complete := "/staff/referrals/" + r.Reference + "/complete"
	resp, body := ailsa.post(complete, url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(r.Version)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose how the referral ended") || !strings.Contains(body, `href="#outcome"`) {
		t.Fatalf("complete without outcome: %d", resp.StatusCode)
	}
	resp, _ = ailsa.post(complete, url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(r.Version)}, "outcome": {"help-given"}, "outcome_note": {"Budget plan agreed"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete: %d", resp.StatusCode)
	}
	_, body = ailsa.get(resp.Header.Get("Location"))
	if !strings.Contains(body, r.Reference+" marked completed") || !strings.Contains(body, "Undo") || !strings.Contains(body, "Completed by Ailsa Brodie") {
		t.Fatalf("completion should confirm, offer undo and show in the timeline")
	}
	done := tb.referral(r.ID)
	undo := "/staff/referrals/" + r.Reference + "/reopen"
	resp, _ = ailsa.post(undo, url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(done.Version)}})
	if resp.StatusCode != http.StatusSeeOther || tb.referral(r.ID).Status != core.StatusInProgress {
		t.Fatalf("undo: %d", resp.StatusCode)
	}
	resp, body = callum.post(undo, url.Values{"csrf": {callum.csrf}, "version": {strconv.Itoa(done.Version)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Ailsa Brodie") {
		t.Errorf("second undo: %d, should name who won", resp.StatusCode)
	}
	// Complete again; past the window the undo is refused plainly.
	cur := tb.referral(r.ID)
	ailsa.post(complete, url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(cur.Version)}, "outcome": {"no-longer-needed"}})
	tb.Clock.Advance(core.UndoWindow + time.Minute)
	cur = tb.referral(r.ID)
	resp, body = ailsa.post(undo, url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(cur.Version)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "within 10 minutes") {
		t.Errorf("late undo: %d", resp.StatusCode)
	}
}

// TestTimelineGolden: a self-referral rejected back to triage and
// assigned on tells its story, the rejecting agency offered last with why.
func TestTimelineGolden(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	in := coretest.SelfReferral("story")
	in.Crisis, in.CrisisReasons, in.Needs = true, []string{"going without food or heating today"}, []core.Need{core.NeedDebt}
	res, err := tb.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	co := tb.Net.Coordinator.Actor()
	tb.Clock.Advance(time.Hour)
	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionAssign, Actor: co, ToAgency: tb.Net.CAB}); err != nil {
		t.Fatal(err)
	}
	tb.Clock.Advance(2 * time.Hour)
	rej, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: res.Referral.ID, Action: core.ActionReject,
		Actor: tb.Net.Adviser.Actor(), Reason: core.ReasonNotEligible, Feedback: "We only see clients in KY1 on Tuesdays"})
	if err != nil || rej.Child == nil {
		t.Fatalf("reject: %v", err)
	}
	tb.Clock.Advance(62 * 24 * time.Hour)
	c := tb.signedIn(tb.Net.Coordinator)
	_, page := c.get("/staff/referrals/" + rej.Child.Reference)
	start, end := strings.Index(page, `<section aria-labelledby="story-h"`), strings.Index(page, `<section id="assign"`)
	if start < 0 || end < start {
		t.Fatalf("the page lacks the story or the assign form")
	}
	coretest.Golden(t, filepath.Join("testdata", "timeline.html.golden"), page[start:end])
	assign := page[end:]
	if i, j := strings.Index(assign, "Kingdom Food Bank"), strings.Index(assign, "Kirkton Citizens Advice"); i < 0 || j < i ||
		!strings.Contains(assign, "rejected this client&#39;s referral") {
		t.Errorf("triage should offer food (no food today) and the agency that rejected it last, with why:\n%s", assign)
	}
}

// summaryLinksLand checks that every link of a page's error summary leads
// to an element of the page (GOV.UK's error summary: the link moves the
// reader to the field), and that a field named invalid says why: each
// message beside a field is named by that field's aria-describedby, so a
// screen reader reads it with the field.
func summaryLinksLand(t *testing.T, what, page string) {
	t.Helper()
	described := strings.Join(regexp.MustCompile(`aria-describedby="([^"]+)"`).FindAllString(page, -1), " ")
	for _, m := range regexp.MustCompile(`<p class="field-error"( id="([^"]+)")?>`).FindAllStringSubmatch(page, -1) {
		if m[2] == "" {
			t.Errorf("%s: a message beside a field has no id, so no field can name it", what)
		} else if !regexp.MustCompile(`aria-describedby="([^"]* )?` + regexp.QuoteMeta(m[2]) + `( [^"]*)?"`).MatchString(described) {
			t.Errorf("%s: no field names #%s in its aria-describedby", what, m[2])
		}
	}
	for _, m := range regexp.MustCompile(`<li><a href="#([^"]+)">`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(page, `id="`+m[1]+`"`) {
			t.Errorf("%s: the error summary links to #%s, which is not on the page", what, m[1])
		}
	}
	for _, m := range regexp.MustCompile(`aria-describedby="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		for _, id := range strings.Fields(m[1]) {
			if !strings.Contains(page, `id="`+id+`"`) {
				t.Errorf("%s: aria-describedby names #%s, which is not on the page", what, id)
			}
		}
	}
}
