package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/onward-network/onward/core/coretest"
)

// TestBrowserKeptRejection: in a real browser, an adviser chooses a
// reason and writes feedback for a rejection, their session ends before
// they press Reject, and signing in again in that browser brings them
// back to the referral with the reason chosen, the feedback written and
// a notice that it was not saved; nothing was rejected. axe checks that
// page.
func TestBrowserKeptRejection(t *testing.T) {
	t.Parallel()
	path := coretest.Chromium(t)
	tb := newTestBot(t)
	r := tb.selfReferral("browser-kept", false)
	page := tb.srv.URL + "/staff/referrals/" + r.Reference
	ctx := startChromium(t, path, 2*time.Minute)
	signIn := func() {
		t.Helper()
		if err := chromedp.Do(ctx, tb.signInSteps(tb.Net.Adviser)); err != nil {
			t.Fatalf("sign in: %v", err)
		}
	}
	signIn()
	reject := chromedp.CSS(fmt.Sprintf(`form[action="/staff/referrals/%s/reject"] button`, r.Reference))
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(reject),
		chromedp.SetValue(chromedp.CSS(`#reason`), "no-capacity"),
		chromedp.SendKeys(chromedp.CSS(`#reject #feedback`), "Full until January; try the larder")); err != nil {
		t.Fatalf("fill in the rejection: %v", err)
	}
	if _, err := EndStaffSessions(context.Background(), tb.bot.rdb, tb.bot.prefix, tb.Net.Adviser.ID); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(reject), chromedp.WaitVisible(chromedp.CSS(`#email`))); err != nil {
		t.Fatalf("send the rejection after the session ended: %v", err)
	}
	said, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil || !strings.Contains(said, "Onward is keeping what you sent for 15 minutes") {
		t.Errorf("the sign-in page says %q (%v), want that the form is kept", said, err)
	}

	signIn() // lands on the referral, remembered as the page to return to
	if err := chromedp.Do(ctx, chromedp.WaitVisible(reject)); err != nil {
		t.Fatalf("back on the referral: %v", err)
	}
	reason, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#reason`)))
	feedback, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#reject #feedback`)))
	notice, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main p.notice`)))
	if reason != "no-capacity" || feedback != "Full until January; try the larder" ||
		!strings.Contains(notice, "You were signed out before Onward saved your rejection") {
		t.Errorf("after signing in: reason %q, feedback %q, notice %q; want the rejection filled in, with the notice", reason, feedback, notice)
	}
	if got := tb.referral(r.ID); got.Status != r.Status {
		t.Errorf("the kept rejection was sent by itself: %s", got.Status)
	}
	axeAuditor(t, ctx)("referral with a kept form")
}

// TestBrowserKeptReferForm: in a real browser, an adviser types a new
// client's details, ticks a need, chooses the agency, writes a note and
// ticks the client's consent on Refer a client; their session ends
// before they press Send, and signing in again in that browser brings
// them back to the refer page with all of it filled in but the consent
// tick, and a notice saying so; no referral was made. axe checks that
// page.
func TestBrowserKeptReferForm(t *testing.T) {
	t.Parallel()
	path := coretest.Chromium(t)
	tb := newTestBot(t)
	referrals := coretest.CountRows(t, tb.Pool, "referrals")
	ctx := startChromium(t, path, 2*time.Minute)
	signIn := func() {
		t.Helper()
		if err := chromedp.Do(ctx, tb.signInSteps(tb.Net.Adviser)); err != nil {
			t.Fatalf("sign in: %v", err)
		}
	}
	signIn()
	send := chromedp.CSS(`button[name=step][value=send]`)
	agency := fmt.Sprint(tb.Net.FoodBank)
	if err := chromedp.Do(ctx, chromedp.Navigate(tb.srv.URL+"/staff/refer"), chromedp.WaitVisible(send),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Morag Keptform"),
		chromedp.SendKeys(chromedp.CSS(`#phone`), "07700 900933"),
		chromedp.Click(chromedp.CSS(`#need-food`)),
		chromedp.SetValue(chromedp.CSS(`#agency`), agency),
		chromedp.SendKeys(chromedp.CSS(`#notes`), "Call after 4pm, please"),
		chromedp.Click(chromedp.CSS(`#consent`))); err != nil {
		t.Fatalf("fill in the refer form: %v", err)
	}
	if _, err := EndStaffSessions(context.Background(), tb.bot.rdb, tb.bot.prefix, tb.Net.Adviser.ID); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(send), chromedp.WaitVisible(chromedp.CSS(`#email`))); err != nil {
		t.Fatalf("send the referral after the session ended: %v", err)
	}
	said, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil || !strings.Contains(said, "Onward is keeping what you sent for 15 minutes") {
		t.Errorf("the sign-in page says %q (%v), want that the form is kept", said, err)
	}

	signIn() // lands on the refer page, remembered as the page to return to
	if err := chromedp.Do(ctx, chromedp.WaitVisible(send)); err != nil {
		t.Fatalf("back on the refer page: %v", err)
	}
	type filled struct {
		Name, Phone, Notes, Agency string
		Food, Consent              bool
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[filled](`({Name: document.querySelector("#name").value,
		Phone: document.querySelector("#phone").value, Notes: document.querySelector("#notes").value,
		Agency: (document.querySelector("input[name=agency]:checked") || Array.from(document.querySelectorAll("select[name=agency]")).find(s => s.value) || {value: ""}).value,
		Food: document.querySelector("#need-food").checked, Consent: document.querySelector("#consent").checked})`))
	notice, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main p.notice`)))
	want := filled{Name: "Morag Keptform", Phone: "07700 900933", Notes: "Call after 4pm, please", Agency: agency, Food: true}
	if err != nil || got != want || !strings.Contains(notice, "You were signed out before Onward sent this referral") ||
		!strings.Contains(notice, "consent is not ticked") {
		t.Errorf("after signing in: %+v (%v), notice %q; want %+v, with the notice", got, err, notice, want)
	}
	if n := coretest.CountRows(t, tb.Pool, "referrals"); n != referrals {
		t.Errorf("the kept referral was sent by itself: %d referrals, want %d", n, referrals)
	}
	axeAuditor(t, ctx)("refer page with a kept form")
}
