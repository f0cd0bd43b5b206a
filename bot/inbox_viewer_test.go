package bot

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// TestWebButtonsByViewer: a referral's page offers whoever looks at it
// the actions core lets them take on it as it stands, and nothing that
// could only be refused. The agency holding it sees the card's actions
// and the waiting list; the agency that sent it sees cancel while it is
// open; another agency nothing; View details follows core's disclosure
// rule (given here as mayDisclose).
func TestWebButtonsByViewer(t *testing.T) {
	t.Parallel()
	const cab, welfare, housing core.AgencyID = 1, 2, 3
	held := core.StatusAccepted
	ref := func(st core.Status) core.Referral {
		to, from := cab, welfare
		r := core.Referral{Status: st, ToAgencyID: &to, FromAgencyID: &from}
		if st == core.StatusOnHold {
			r.HeldFrom = &held
		}
		return r
	}
	triage := core.Referral{Status: core.StatusRequested}
	holder := core.Actor{Kind: core.ActorStaff, StaffID: 1, AgencyID: cab, Role: core.RoleAdviser}
	referrer := core.Actor{Kind: core.ActorStaff, StaffID: 2, AgencyID: welfare, Role: core.RoleAdviser}
	other := core.Actor{Kind: core.ActorStaff, StaffID: 3, AgencyID: housing, Role: core.RoleAdviser}
	coordinator := core.Actor{Kind: core.ActorStaff, StaffID: 4, AgencyID: housing, Role: core.RoleCoordinator}
	for _, c := range []struct {
		name        string
		r           core.Referral
		kind        string
		by          core.Actor
		mayDisclose bool
		want        []button
	}{
		{"holder, new", ref(core.StatusRequested), KindAgency, holder, true, []button{btnAccept, btnReject, btnRedirect, btnHold, btnDetails}},
		{"referrer, new", ref(core.StatusRequested), KindAgency, referrer, true, []button{btnCancel, btnDetails}},
		{"another agency, new", ref(core.StatusRequested), KindAgency, other, false, nil},
		{"holder, accepted", ref(core.StatusAccepted), KindAgency, holder, true, []button{btnHold, btnContact, btnFail, btnDetails}},
		{"referrer, accepted", ref(core.StatusAccepted), KindAgency, referrer, true, []button{btnCancel, btnDetails}},
		{"holder, client contacted", ref(core.StatusInProgress), KindAgency, holder, true, []button{btnComplete, btnDetails}}, // could not contact is before contact
		{"holder, waiting list", ref(core.StatusOnHold), KindAgency, holder, true, []button{btnResume, btnCancel, btnDetails}},
		{"referrer, waiting list", ref(core.StatusOnHold), KindAgency, referrer, true, []button{btnCancel, btnDetails}},
		{"coordinator, waiting list", ref(core.StatusOnHold), KindAgency, coordinator, false, []button{btnResume, btnCancel}},
		{"coordinator, new at an agency", ref(core.StatusRequested), KindAgency, coordinator, false, []button{btnAccept, btnReject, btnRedirect, btnHold}},
		{"holder, rejected", ref(core.StatusRejected), KindAgency, holder, false, nil},
		{"referrer, completed, details still shared", ref(core.StatusCompleted), KindAgency, referrer, true, []button{btnDetails}},
		{"referrer, completed, details no longer shared", ref(core.StatusCompleted), KindAgency, referrer, false, nil},
		{"coordinator, triage", triage, KindTriage, coordinator, true, []button{btnClaim, btnAssign, btnDetails}},
		{"adviser, triage", triage, KindTriage, holder, false, nil},
	} {
		if got := webButtons(c.r, c.kind, c.by, c.mayDisclose); !slices.Equal(got, c.want) {
			t.Errorf("%s: buttons %v, want %v", c.name, got, c.want)
		}
	}
}

// staffReferral makes a referral from Welfare to CAB, by Welfare's adviser.
func (tb *testBot) staffReferral(key string) core.Referral {
	tb.t.Helper()
	r, err := tb.Engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: key, By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: fmt.Sprintf("07700 9%05d", phoneSeq.Add(1)), Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		tb.t.Fatal(err)
	}
	return r
}

// act changes a referral through core, as its holder's adviser would.
func (tb *testBot) act(r core.Referral, action core.Action, by core.Staff) core.Referral {
	tb.t.Helper()
	req := core.TransitionRequest{Referral: r.ID, Action: action, Actor: by.Actor()}
	if action == core.ActionReject {
		req.Reason, req.Feedback = core.ReasonNoCapacity, "No appointments free this month"
	}
	res, err := tb.Engine.Act(context.Background(), req)
	if err != nil {
		tb.t.Fatal(err)
	}
	return res.Referral
}

// TestWaitingListOnTheStaffWeb: an agency off Slack puts a referral on
// its waiting list and takes it off again from the referral's page, and
// from the list offers what core allows there: resume, or cancel with a
// reason. Pressed twice, hold says it was already done.
func TestWaitingListOnTheStaffWeb(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.act(tb.selfReferral("waiting-list", false), core.ActionAccept, tb.Net.Adviser)
	page := "/staff/referrals/" + r.Reference
	c := tb.signedIn(tb.Net.Adviser)
	hold := page + "/hold"
	if _, body := c.get(page); !strings.Contains(body, `action="`+hold+`"`) || !strings.Contains(body, "Put on the waiting list") {
		t.Fatal("an accepted referral's page offers no way to put it on the waiting list")
	}
	resp, _ := c.post(hold, url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != page+"?done=hold" {
		t.Fatalf("hold: %d to %q, want 303 to the referral's page", resp.StatusCode, loc)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusOnHold {
		t.Fatalf("after hold the referral is %s", got.Status)
	}
	_, body := c.get(page + "?done=hold")
	for _, want := range []string{r.Reference + " is on the waiting list", `action="` + page + `/resume"`,
		`action="` + page + `/cancel"`, "Take off the waiting list", "Put on the waiting list by Ailsa Brodie"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page of a referral on the waiting list lacks %q", want)
		}
	}
	for _, refused := range []string{"/contact\"", "/complete\"", "/fail\"", "/reject\"", "/hold\""} {
		if strings.Contains(body, refused) {
			t.Errorf("the page of a referral on the waiting list offers %s, which core refuses from there", refused)
		}
	}
	// The same press again: already done, nothing more changed.
	resp, body = c.post(hold, url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Already done.</strong> Put on the waiting list by Ailsa Brodie") {
		t.Errorf("hold pressed twice: %d, want 409 saying it was already done", resp.StatusCode)
	}

	held := tb.referral(r.ID)
	resp, _ = c.post(page+"/resume", url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(held.Version)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resume: %d", resp.StatusCode)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusAccepted {
		t.Fatalf("after resume the referral is %s, want accepted (where it was held from)", got.Status)
	}
	if _, body := c.get(page + "?done=resume"); !strings.Contains(body, "taken off the waiting list") || !strings.Contains(body, `action="`+page+`/contact"`) {
		t.Error("after resume the page should confirm it and offer Mark contacted again")
	}

	// Off the waiting list for good: cancelled, with why.
	held = tb.act(tb.referral(r.ID), core.ActionHold, tb.Net.Adviser)
	resp, _ = c.post(page+"/cancel", url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(held.Version)}, "feedback": {"Client found help elsewhere; told them on the phone."}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != page+"?done=cancelled" {
		t.Fatalf("cancel from the waiting list: %d to %q", resp.StatusCode, loc)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusCancelled {
		t.Fatalf("after cancel the referral is %s", got.Status)
	}
}

// TestReferrerSeesStatusAndCancel: the page of a referral an agency sent
// shows its status and, while it is open, "Cancel this referral", never
// the receiving agency's Accept, Reject or Redirect (each refused, and
// recorded as an attempt). The receiving agency's page keeps them and
// offers no cancel. The referrer's cancel works, and nothing is refused.
func TestReferrerSeesStatusAndCancel(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.staffReferral("referrer-page")
	page := "/staff/referrals/" + r.Reference
	sender := tb.signedIn(tb.Net.WelfareAdviser)
	_, body := sender.get(page)
	for _, refused := range []string{page + "/accept", page + "/reject", page + "/redirect", page + "/hold", `id="reject"`, `id="redirect"`, ">Accept<"} {
		if strings.Contains(body, refused) {
			t.Errorf("the referrer's page offers %q, which only the receiving agency can do", refused)
		}
	}
	for _, want := range []string{"Waiting for Kirkton Citizens Advice to accept", "Cancel this referral", `action="` + page + `/cancel"`, "View details"} {
		if !strings.Contains(body, want) {
			t.Errorf("the referrer's page lacks %q", want)
		}
	}
	holder := tb.signedIn(tb.Net.Adviser)
	_, body = holder.get(page)
	for _, want := range []string{page + "/accept", `id="reject"`, `id="redirect"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the receiving agency's page lacks %q", want)
		}
	}
	if strings.Contains(body, "Cancel this referral") {
		t.Error("the receiving agency's page of a new referral offers cancel; it rejects instead")
	}

	resp, body := sender.post(page+"/cancel", url.Values{"csrf": {sender.csrf}, "version": {strconv.Itoa(r.Version)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="feedback-error"`) {
		t.Fatalf("cancel without a reason: %d, want 422 beside the field", resp.StatusCode)
	}
	summaryLinksLand(t, "cancel without a reason", body)
	resp, _ = sender.post(page+"/cancel", url.Values{"csrf": {sender.csrf}, "version": {strconv.Itoa(r.Version)}, "feedback": {"Sent to the wrong agency"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != page+"?done=cancelled" {
		t.Fatalf("referrer's cancel: %d to %q", resp.StatusCode, loc)
	}
	if _, body := sender.get(page + "?done=cancelled"); !strings.Contains(body, r.Reference+" cancelled.") || strings.Contains(body, "Cancel this referral") {
		t.Error("after cancelling, the page should say so and offer cancel no more")
	}
	if got := tb.referral(r.ID); got.Status != core.StatusCancelled {
		t.Errorf("after the referrer's cancel the referral is %s", got.Status)
	}
	if n := countKind(tb.events(r.ID), core.EventAccessDenied); n != 0 {
		t.Errorf("%d refused attempts recorded; the pages offered something that could only fail", n)
	}
}

// TestDetailsPageLinksBack: "Back to ONW-…" on the client-details page
// leads to the referral, not to /staff/referrals/ (the public 404).
func TestDetailsPageLinksBack(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("details-back", false)
	c := tb.signedIn(tb.Net.Adviser)
	resp, body := c.post("/staff/referrals/"+r.Reference+"/details", url.Values{"csrf": {c.csrf}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("details: %d", resp.StatusCode)
	}
	if want := `<a href="/staff/referrals/` + r.Reference + `">Back to ` + r.Reference + `</a>`; !strings.Contains(body, want) {
		t.Errorf("the details page's way back is not %s", want)
	}
}

// TestSearchByReferenceWhateverTheStatus: searching the inbox for the
// exact reference of a closed referral, under the default "Open", says
// it is closed and links to it, rather than that the reference looks
// wrong. Someone who may not see the referral is answered as for a
// reference that does not exist.
func TestSearchByReferenceWhateverTheStatus(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.act(tb.staffReferral("search-closed"), core.ActionReject, tb.Net.Adviser)
	link := `<a href="/staff/referrals/` + r.Reference + `">`
	c := tb.signedIn(tb.Net.Adviser)
	for _, q := range []string{r.Reference, strings.ToLower(strings.TrimPrefix(r.Reference, "ONW-"))} {
		_, body := c.get("/staff/?q=" + url.QueryEscape(q))
		if !strings.Contains(body, link) || !strings.Contains(body, r.Reference+" is not in this list: it is closed (Rejected)") {
			t.Errorf("search for %q: the closed referral is neither found nor said to be closed", q)
		}
		if strings.Contains(body, "Check the reference") {
			t.Errorf("search for %q: a valid reference is called a mistake", q)
		}
	}
	// The referrer, in its inbox: it may see the referral, so it is told where.
	if _, body := tb.signedIn(tb.Net.WelfareAdviser).get("/staff/?q=" + r.Reference); !strings.Contains(body, link) {
		t.Error("the referrer searching its inbox for its own referral is not led to it")
	}
	_, body := tb.signedIn(tb.Net.HousingAdviser).get("/staff/?q=" + r.Reference)
	if strings.Contains(body, link) || strings.Contains(body, "closed (Rejected)") || !strings.Contains(body, "No referrals match these filters.") {
		t.Error("another agency's search reveals a referral it may not see")
	}
}

// TestReferOnOnlyWhileDetailsMayBeSeen: "Refer this client on" copies the
// client's details into a new referral, so it is offered only to someone
// core would show them to: the holder while the referral is open, the
// referrer for ReferrerDetailsDays after it closes, and nobody after.
func TestReferOnOnlyWhileDetailsMayBeSeen(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.staffReferral("refer-on")
	page := "/staff/referrals/" + r.Reference
	const referOn = "Refer this client on"
	if _, body := tb.signedIn(tb.Net.Adviser).get(page); !strings.Contains(body, referOn) {
		t.Error("the holder of an open referral is not offered to refer the client on")
	}
	tb.act(r, core.ActionReject, tb.Net.Adviser)
	if _, body := tb.signedIn(tb.Net.Adviser).get(page); strings.Contains(body, referOn) {
		t.Error("the agency that turned the referral away may no longer see the client's details, but is offered to refer them on")
	}
	if _, body := tb.signedIn(tb.Net.WelfareAdviser).get(page); !strings.Contains(body, referOn) {
		t.Error("the referrer, who may still see the details, is not offered to refer the client on")
	}
	tb.Clock.Advance(31 * 24 * time.Hour)
	if _, body := tb.signedIn(tb.Net.WelfareAdviser).get(page); strings.Contains(body, referOn) {
		t.Error("31 days after it closed the referrer may no longer see the details, but is offered to refer the client on")
	}
}

// TestSearchForAReferenceNotInOurList (review m4): a search for a well
// formed reference that no referral the member of staff may see has says
// so plainly, alike whether it exists elsewhere or not at all (never
// "check the reference: it looks like …" for one already in that form);
// one the agency sent, searched in its inbox, is said to be under
// "Referrals we sent", and one it received, searched there, in the inbox.
func TestSearchForAReferenceNotInOurList(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.staffReferral("search-elsewhere") // Welfare Rights to Citizens Advice
	housing := tb.signedIn(tb.Net.HousingAdviser)
	notOurs := func(ref string) string {
		return "No referral your agency received or sent has the reference " + ref + ": check it against the one you were given."
	}
	for _, ref := range []string{r.Reference, "ONW-ZZZZZZZ"} {
		_, body := housing.get("/staff/?q=" + ref)
		if !strings.Contains(body, notOurs(ref)) || strings.Contains(body, "Check the reference: it looks like") ||
			strings.Contains(body, `href="/staff/referrals/`+ref+`"`) {
			t.Errorf("another agency's search for %s: not answered plainly, or the referral is revealed", ref)
		}
	}
	// A name typed into the box is refused, saying only references are
	// searched, and is not shown back on the page.
	for _, typed := range []string{"Mrs Smith's", "07700 900123"} {
		resp, body := housing.get("/staff/?q=" + url.QueryEscape(typed))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Search by a referral&#39;s reference, like "+core.ReferenceExample+": names and phone numbers are not searched") {
			t.Errorf("a search for %q that is no reference: %d, not told that only references are searched", typed, resp.StatusCode)
		}
		if strings.Contains(body, html.EscapeString(typed)) || strings.Contains(body, "Smith") {
			t.Errorf("a search for %q is shown back on the page", typed)
		}
	}
	if _, body := tb.signedIn(tb.Net.Coordinator).get("/staff/?q=ONW-ZZZZZZZ"); !strings.Contains(body, "No referral in Onward has the reference ONW-ZZZZZZZ") {
		t.Error("a coordinator's search for a reference nobody has is not answered plainly")
	}

	_, body := tb.signedIn(tb.Net.WelfareAdviser).get("/staff/?q=" + r.Reference)
	if !strings.Contains(body, r.Reference+` is not in this list: your agency sent it, so it is under <a href="/staff/sent?q=`+r.Reference+`">Referrals we sent</a>; it is open (New).`) {
		t.Error("the referrer searching its inbox is not told its referral is under Referrals we sent")
	}
	_, body = tb.signedIn(tb.Net.Adviser).get("/staff/sent?q=" + r.Reference)
	if !strings.Contains(body, r.Reference+` is not in this list: it was sent to your agency, so it is in <a href="/staff/?q=`+r.Reference+`">the inbox</a>;`) {
		t.Error("the agency holding a referral, searching what it sent, is not told it is in the inbox")
	}
}

// The lists' filter form is posted, then redirected to the list's
// address: a reference goes on into it, with the other filters; a name or
// phone number typed into the reference box never reaches an address
// (the browser's history, a proxy's log), and the list says that only
// references are searched, without repeating what was typed.
func TestFilterFormKeepsNamesOutOfTheAddress(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.staffReferral("search-post") // Welfare Rights to Citizens Advice
	for _, list := range []struct {
		path  string
		staff core.Staff
	}{{"/staff/", tb.Net.Adviser}, {"/staff/sent", tb.Net.WelfareAdviser}} {
		c := tb.signedIn(list.staff)
		c.get(list.path)
		// The form's answer is a redirect (303), followed as a browser does.
		search := func(form url.Values) (*http.Response, string, *url.URL) {
			t.Helper()
			resp, _ := c.post(list.path, form)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: the filter form was answered %d, want 303", list.path, resp.StatusCode)
			}
			to, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			resp, body := c.get(to.String())
			return resp, body, to
		}
		resp, body, got := search(url.Values{"csrf": {c.csrf}, "q": {" " + strings.ToLower(r.Reference) + " "}, "need": {"debt"}})
		if resp.StatusCode != http.StatusOK || got.Path != list.path ||
			got.Query().Get("q") != r.Reference || got.Query().Get("need") != "debt" {
			t.Errorf("%s: the filter form for %s ended at %s (%d), want the list filtered by the reference and need", list.path, r.Reference, got, resp.StatusCode)
		}
		if !strings.Contains(body, `href="/staff/referrals/`+r.Reference+`"`) {
			t.Errorf("%s: the list filtered by %s does not show it", list.path, r.Reference)
		}
		// A name or number, or a name that reads as a reference ("Smith"
		// reads as ONW-SMITH): none reaches the address or the page.
		// (A search refused is dropped and the list shown without it, as
		// any filter not offered; one that found nothing lists nothing.)
		for _, c2 := range []struct {
			typed, says string
			found       bool
		}{
			{"Mrs Smith's", "Search by a referral&#39;s reference", true},
			{"07700 900123", "Search by a referral&#39;s reference", true},
			// Names read as references Onward could not have issued are
			// refused as names (a coordinator's review); a reference's
			// shape none may see found nothing.
			{"Smith", "Search by a referral&#39;s reference", true},
			{"John Smith", "Search by a referral&#39;s reference", true},
			{"ONW-7K3M9PQ", "has the reference you searched for", false},
		} {
			resp, body, to := search(url.Values{"csrf": {c.csrf}, "q": {c2.typed}, "need": {"debt"}})
			got := to.String()
			if strings.Contains(strings.ToUpper(got), "SMITH") || strings.Contains(got, "900123") {
				t.Errorf("%s: %q typed in the reference box reached the address %s", list.path, c2.typed, got)
			}
			if !strings.Contains(body, c2.says) || strings.Contains(strings.ToUpper(body), "SMITH") || strings.Contains(body, "900123") {
				t.Errorf("%s: a search for %q (%d) does not say %q, or shows it back", list.path, c2.typed, resp.StatusCode, c2.says)
			}
			if listed := strings.Contains(body, `href="/staff/referrals/`+r.Reference+`"`); listed != c2.found {
				t.Errorf("%s: after a search for %q the list shows the referral: %v, want %v", list.path, c2.typed, listed, c2.found)
			}
			if to.Query().Get("need") != "debt" {
				t.Errorf("%s: the other filters were lost with the search: %s", list.path, got)
			}
		}
		if resp, _ := c.post(list.path, url.Values{"q": {r.Reference}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: a filter form without its token: %d, want 403", list.path, resp.StatusCode)
		}
	}
}
