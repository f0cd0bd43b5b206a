package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
)

// referKeyOf is the idempotency key the refer page drew.
func referKeyOf(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no form key on the refer page")
	}
	return m[1]
}

// sentReferral is the referral a send of the refer form redirected to.
func (tb *testBot) sentReferral(resp *http.Response, body string) core.Referral {
	tb.t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		tb.t.Fatalf("send: %d %s", resp.StatusCode, regexp.MustCompile(`(?s)<div class="error-summary.*?</div>`).FindString(body))
	}
	ref := strings.TrimPrefix(strings.Split(resp.Header.Get("Location"), "?")[0], "/staff/referrals/")
	r, err := tb.Engine.ReferralByReference(context.Background(), ref)
	if err != nil {
		tb.t.Fatalf("referral %s: %v", ref, err)
	}
	return r
}

// TestReferLimitsAreCores: the refer form's limits are core's, so a text
// the form lets through is never refused or cut further on.
func TestReferLimitsAreCores(t *testing.T) {
	t.Parallel()
	maxOf := func(typ reflect.Type, field string) int {
		f, ok := typ.FieldByName(field)
		if !ok {
			t.Fatalf("%s has no field %s", typ, field)
		}
		m := regexp.MustCompile(`max=(\d+)`).FindStringSubmatch(f.Tag.Get("validate"))
		if m == nil {
			t.Fatalf("%s.%s has no max", typ, field)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	client, referral := reflect.TypeFor[core.ClientDetails](), reflect.TypeFor[core.StaffReferral]()
	for field, want := range map[string]int{
		"name": maxOf(client, "Name"), "phone": maxOf(client, "Phone"), "email": maxOf(client, "Email"),
		"postcode": maxOf(client, "Postcode"), "town": maxOf(client, "Town"), "notes": maxOf(client, "Notes"),
		"crisis_reason": maxOf(referral, "CrisisReason"),
	} {
		if referLimits[field] != want {
			t.Errorf("the form allows %d characters of %s, core %d", referLimits[field], field, want)
		}
	}
}

// TestReferFormCountsCharacters: names and notes are counted in
// characters, never cut: Cyrillic text within the limit is kept whole;
// past it, the field says how long it may be, the text typed is shown
// back, and nothing is sent. The page's maxlength is the same limit.
func TestReferFormCountsCharacters(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.signedIn(tb.Net.Adviser)
	_, page := c.get("/staff/refer")
	for _, want := range []string{`id="name" name="name" type="text" maxlength="200"`, `maxlength="4000"`, "Up to 4000 characters"} {
		if !strings.Contains(page, want) {
			t.Errorf("the refer page lacks %s", want)
		}
	}
	housing := strconv.FormatInt(int64(tb.Net.Housing), 10)
	form := func(name, notes string) map[string][]string {
		return map[string][]string{"csrf": {c.csrf}, "key": {referKeyOf(t, page)}, "name": {name}, "phone": {"07700 900777"},
			"needs": {"housing"}, "notes": {notes}, "agency": {housing}, "consent": {"yes"}, "step": {"send"}}
	}
	long := "a" + strings.Repeat("ж", 4000) // 4,001 characters
	name := "A" + strings.Repeat("ж", 200)  // 201
	resp, body := c.post("/staff/refer", form(name, long))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("too long: %d, want 422", resp.StatusCode)
	}
	for _, want := range []string{"Full name must be 200 characters or fewer: it has 201", `href="#name"`,
		"Note for the agency must be 4000 characters or fewer: it has 4001", `href="#notes"`,
		">" + long + "</textarea>", `value="` + name + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("too long: the page lacks %.80q", want)
		}
	}
	summaryLinksLand(t, "too long", body)

	// Within the limits, kept whole whatever the bytes.
	notes, name := "a"+strings.Repeat("ж", 3000), "A"+strings.Repeat("ж", 150)
	r := tb.sentReferral(c.post("/staff/refer", form(name, notes)))
	got, _, err := tb.Engine.DiscloseClient(context.Background(), r.ID, tb.Net.HousingAdviser.Actor(), "web")
	if err != nil {
		t.Fatal(err)
	}
	gotNotes, err := tb.Engine.ReferralNotes(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name || gotNotes != notes || !utf8.ValidString(gotNotes) {
		t.Errorf("stored name of %d characters and notes of %d (valid UTF-8 %v), want %d and %d",
			utf8.RuneCountInString(got.Name), utf8.RuneCountInString(gotNotes), utf8.ValidString(gotNotes),
			utf8.RuneCountInString(name), utf8.RuneCountInString(notes))
	}
}

// TestReferFormSentAgainWithOtherContent: going Back and sending the same
// form (the same hidden key) for another client or agency makes a second
// referral; sending it again unchanged is still a replay of the first.
func TestReferFormSentAgainWithOtherContent(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.signedIn(tb.Net.Adviser)
	_, page := c.get("/staff/refer")
	key := referKeyOf(t, page)
	send := func(name, phone, need string, agency core.AgencyID) core.Referral {
		return tb.sentReferral(c.post("/staff/refer", map[string][]string{"csrf": {c.csrf}, "key": {key}, "name": {name},
			"phone": {phone}, "needs": {need}, "agency": {strconv.FormatInt(int64(agency), 10)}, "consent": {"yes"}, "step": {"send"}}))
	}
	first := send("Jo Dup", "07700 900401", "housing", tb.Net.Housing)
	again := send("Jo Dup", "07700 900401", "housing", tb.Net.Housing)
	if again.ID != first.ID {
		t.Errorf("the same form sent twice made %s and %s", first.Reference, again.Reference)
	}
	other := send("Someone Else", "07700 900402", "benefits", tb.Net.Welfare)
	if other.ID == first.ID {
		t.Fatalf("another client on the same form was answered with the first referral, %s", first.Reference)
	}
	if other.ToAgencyID == nil || *other.ToAgencyID != tb.Net.Welfare {
		t.Errorf("the second referral went to %v, want the welfare agency", other.ToAgencyID)
	}
	sameClientOtherAgency := send("Jo Dup", "07700 900401", "housing", tb.Net.Welfare)
	if sameClientOtherAgency.ID == first.ID || sameClientOtherAgency.ID == other.ID {
		t.Errorf("the first client referred to a second agency was answered with an earlier referral")
	}
}

// TestReferFormNamesEveryProblemAtOnce: the form's own problems and the
// client's details core would refuse are named in one round, in the
// order of the page.
func TestReferFormNamesEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.signedIn(tb.Net.Adviser)
	_, page := c.get("/staff/refer")
	resp, body := c.post("/staff/refer", map[string][]string{"csrf": {c.csrf}, "key": {referKeyOf(t, page)},
		"phone": {"call me"}, "email": {"not an address"}, "postcode": {"NOWHERE"}, "crisis": {"yes"}, "step": {"send"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	summary := regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`).FindString(body)
	var got []string
	for _, m := range regexp.MustCompile(`<li><a href="#([^"]+)">`).FindAllStringSubmatch(summary, -1) {
		got = append(got, m[1])
	}
	want := []string{"name", "phone", "email", "postcode", "needs", "crisis_reason", "agency", "consent"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the summary lists %v, want every problem in page order %v", got, want)
	}
	summaryLinksLand(t, "every problem", body)
}

// TestReferFromTheWebNeedsAWayIn: an adviser referring a new client with
// a name and no phone or email is refused, beside the phone field, in
// core's words, and nothing is sent; an email alone will do.
func TestReferFromTheWebNeedsAWayIn(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.signedIn(tb.Net.Adviser)
	_, page := c.get("/staff/refer")
	form := url.Values{"csrf": {c.csrf}, "key": {referKeyOf(t, page)}, "name": {"Ann Notes"}, "needs": {"debt"},
		"agency": {strconv.FormatInt(int64(tb.Net.Welfare), 10)}, "consent": {"yes"}, "scope": {"network"}, "step": {"send"}}
	resp, body := c.post("/staff/refer", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#phone"`) ||
		!strings.Contains(body, "Give a phone number or an email address so an adviser can get in touch") {
		t.Fatalf("a name alone: %d, want 422 asking for a phone or an email: %s", resp.StatusCode, regexp.MustCompile(`(?s)<div class="error-summary.*?</div>`).FindString(body))
	}
	summaryLinksLand(t, "a name alone", body)
	var n int
	if err := tb.Pool.QueryRow(context.Background(), `SELECT count(*) FROM referrals`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d referrals made (%v), want none", n, err)
	}
	form.Set("email", "ann@example.org")
	tb.sentReferral(c.post("/staff/refer", form))
}

// TestReferOnSuggestsForTheClientsArea: "Refer this client on", and a
// client found by phone, are matched in the area Onward has for the
// client when the form gives none: an agency that does not serve it is
// not suggested (it is listed as not serving it), as on the referral's
// own Redirect panel.
func TestReferOnSuggestsForTheClientsArea(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	// A client in KY16, which the Citizens Advice's debt service does
	// not serve; Welfare Rights (all of Fife) holds their referral.
	r, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "refer-on-area", By: tb.Net.Adviser.Actor(),
		Client: core.ClientDetails{Name: "Fiona Fictional", Phone: "07700 900556", Postcode: "KY16 9AJ"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.Welfare, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	cab := fmt.Sprintf(`id="agency-%d"`, tb.Net.CAB)
	matchedInKY16 := func(what, body string) {
		t.Helper()
		if strings.Contains(body, cab) || !strings.Contains(body, "Kirkton Citizens Advice: does not serve KY16") {
			t.Errorf("%s: Kirkton Citizens Advice is suggested, or not named as not serving KY16:\n%s", what,
				regexp.MustCompile(`(?s)<fieldset[^>]*id="agency".*?</details>`).FindString(body))
		}
	}
	isla := tb.signedIn(tb.Net.WelfareAdviser)
	_, page := isla.get("/staff/refer?from=" + r.Reference)
	matchedInKY16("refer on", page)

	// Found by phone, then the needs chosen: the same area.
	_, page = isla.get("/staff/refer")
	_, found := isla.post("/staff/refer", url.Values{"csrf": {isla.csrf}, "key": {referKeyOf(t, page)},
		"find_phone": {"07700 900556"}, "step": {"find"}})
	hidden := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(found)
		if m == nil {
			t.Fatalf("the page after finding the client has no %s field", name)
		}
		return m[1]
	}
	if hidden("client") == "" {
		t.Fatal("the client was not found")
	}
	_, body := isla.post("/staff/refer", url.Values{"csrf": {isla.csrf}, "key": {hidden("key")}, "client": {hidden("client")},
		"client_district": {hidden("client_district")}, "needs": {"debt"}, "step": {"match"}})
	matchedInKY16("found client", body)
}

// TestFindClientNeedsAPartWithThem: a consent to share across the whole
// network does not let any adviser find the client by trying phone
// numbers: only an agency their consent names, or one that made or
// holds one of their referrals, finds them; every other agency gets the
// answer given for nobody. And one member of staff looks up at most
// findsPerHour clients an hour: the next is a 429 saying so.
func TestFindClientNeedsAPartWithThem(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	if _, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "network-wide", By: tb.Net.Adviser.Actor(),
		Client: core.ClientDetails{Name: "Morven Laidlaw", Phone: "07700 900571"}, Needs: []core.Need{core.NeedHousing},
		ToAgency: tb.Net.Housing, ConsentConfirmed: true, WordingVersion: "v1", Scope: core.ScopeNetwork}); err != nil {
		t.Fatal(err)
	}
	find := func(c *webClient, phone string) (int, string) {
		_, page := c.get("/staff/refer")
		key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
		resp, body := c.post("/staff/refer", url.Values{"csrf": {c.csrf}, "key": {key}, "step": {"find"}, "find_phone": {phone}})
		return resp.StatusCode, body
	}
	welfare := tb.signedIn(tb.Net.WelfareAdviser)
	if _, body := find(welfare, "07700 900571"); strings.Contains(body, "Morven") || !strings.Contains(body, "No client found") {
		t.Errorf("an agency with no part in the client's referrals found them under a network-wide consent")
	}
	if _, body := find(tb.signedIn(tb.Net.Adviser), "07700 900571"); !strings.Contains(body, "Morven Laidlaw") {
		t.Errorf("the referring agency should find its client")
	}
	for i := 2; i < findsPerHour.Burst; i++ { // welfare made look-up 1 above
		if status, _ := find(welfare, "07700 900600"); status != http.StatusOK {
			t.Fatalf("look-up %d: %d, want 200", i, status)
		}
	}
	if status, _ := find(welfare, "07700 900601"); status != http.StatusOK {
		t.Fatalf("the last look-up within the limit: %d", status)
	}
	status, body := find(welfare, "07700 900571")
	if status != http.StatusTooManyRequests || !strings.Contains(body, "looked up 30 clients in the last hour") {
		t.Fatalf("one look-up past the limit: %d; want 429 saying so", status)
	}
}
