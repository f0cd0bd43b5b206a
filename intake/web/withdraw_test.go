package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// codesSent counts the one-time codes texted so far.
func (e *webEnv) codesSent() int { return e.count("phone_codes") }

// Finding 4 (the client's own route): a client withdraws on the web by
// their reference and a code texted to the phone given with it. An
// unknown reference and another person's phone get the same answer and
// no text; a wrong code changes nothing; CSRF and bad input are refused
// in plain words; the data-sharing page links here.
func TestClientWithdrawsOnTheWeb(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	res, err := e.env.Engine.SelfRefer(ctx, coretest.SelfReferral("web-withdraw"))
	if err != nil {
		t.Fatal(err)
	}
	ref := res.Referral.Reference

	if p := e.browser().get("/data-sharing"); !strings.Contains(p.Body, `href="/withdraw"`) {
		t.Errorf("data-sharing page does not link to /withdraw")
	}

	ask := func(b *browser, reference, phone string) *page {
		t.Helper()
		b.get(pathWithdraw)
		return b.postRaw(pathWithdraw, url.Values{"csrf": {b.token()}, "reference": {reference}, "phone": {phone}})
	}
	// Bad input: plain words, nothing sent.
	b := e.browser()
	if p := ask(b, "", "12345"); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "Enter your reference number") || !strings.Contains(p.Body, "Enter the phone number you gave") {
		t.Fatalf("bad input: %d\n%s", p.Status, p.Body)
	}
	// No CSRF token: refused.
	if p := b.postRaw(pathWithdraw, url.Values{"reference": {ref}, "phone": {"07700 900123"}}); p.Status != http.StatusForbidden {
		t.Errorf("POST without the form token: %d", p.Status)
	}
	// Unknown reference, and the right reference with another phone: the
	// same page as a match, and no code texted.
	unknown := ask(e.browser(), "ONW-NOSUCH1", "07700 900123")
	other := ask(e.browser(), ref, "07700 900999")
	if e.codesSent() != 0 {
		t.Fatalf("%d codes texted for an unknown reference or another phone", e.codesSent())
	}
	// A robot filling the honeypot is answered the same, and nothing is sent.
	robot := e.browser()
	robot.get(pathWithdraw)
	if p := robot.postRaw(pathWithdraw, url.Values{"csrf": {robot.token()}, "reference": {ref}, "phone": {"07700 900123"}, "website": {"http://spam"}}); p.Status != http.StatusOK || e.codesSent() != 0 {
		t.Fatalf("honeypot: %d, %d codes sent", p.Status, e.codesSent())
	}
	// A reference typed as "onw 4n2fc3b" with no hyphen is read as one
	// (a client's review: it was answered as a reference that did not
	// match, and no code went); a reference box holding no reference at
	// all says so at once.
	if p := ask(e.browser(), "my name is Morag", "07700 900123"); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "Enter your reference number") {
		t.Errorf("a reference box holding words: %d, want the reference asked for", p.Status)
	}
	owner := e.browser()
	match := ask(owner, strings.ToLower(strings.Replace(ref, "-", " ", 1)), "07700 900123")
	if e.codesSent() != 1 {
		t.Fatalf("%d codes texted to the referral's phone, want 1", e.codesSent())
	}
	for _, p := range []*page{unknown, other} {
		if p.Status != match.Status || p.Path != match.Path || csrfRe.ReplaceAllString(p.Body, "") != csrfRe.ReplaceAllString(match.Body, "") {
			t.Errorf("an unknown reference or another phone answers differently from a match (%d %s vs %d %s)", p.Status, p.Path, match.Status, match.Path)
		}
	}
	if !strings.Contains(match.Body, "Code from the text we sent") {
		t.Fatalf("code step not shown:\n%s", match.Body)
	}
	// A wrong code, or no confirmation: nothing changes.
	if p := owner.postRaw(pathWithdrawConfirm, url.Values{"csrf": {owner.token()}, "code": {"000000"}, "confirm": {"yes"}}); p.Status != http.StatusBadRequest {
		t.Errorf("wrong code: %d", p.Status)
	}
	code := e.latestCode()
	if p := owner.postRaw(pathWithdrawConfirm, url.Values{"csrf": {owner.token()}, "code": {code}}); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "Tick the box") {
		t.Errorf("no confirmation: %d", p.Status)
	}
	if r, _ := e.env.Engine.Referral(ctx, res.Referral.ID); r.Status != core.StatusRequested {
		t.Fatalf("referral %s before the withdrawal was confirmed", r.Status)
	}
	// The right code, confirmed: withdrawn through core, the referral
	// cancelled, the client told by text.
	// Typed on an Arabic keyboard: the same code.
	p := owner.postRaw(pathWithdrawConfirm, url.Values{"csrf": {owner.token()}, "code": {arabicIndic(code)}, "confirm": {"yes"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Your consent is withdrawn") {
		t.Fatalf("withdrawal: %d\n%s", p.Status, p.Body)
	}
	if r, _ := e.env.Engine.Referral(ctx, res.Referral.ID); r.Status != core.StatusCancelled {
		t.Errorf("referral %s after the withdrawal, want cancelled", r.Status)
	}
	if _, _, err := e.env.Engine.DiscloseClient(ctx, res.Referral.ID, e.env.Net.Coordinator.Actor(), "web"); err == nil {
		t.Error("details still disclosed after the client withdrew")
	}
	told := false
	for _, o := range coretest.OutboxRows(t, e.env.Engine) {
		if o.Payload.Template == core.SMSConsentRemoved {
			told = true
			// The client has the phone in hand (the code just came to
			// it): the confirmation answers them, quiet hours or not.
			if !o.Payload.Answers {
				t.Error("the withdrawal's confirmation is not marked as answering the client: quiet hours would hold it back")
			}
		}
	}
	if !told {
		t.Error("the client was not told by text")
	}
	// Nothing personal in the addresses or the log.
	if strings.Contains(p.Path, "7700") || strings.Contains(e.logs.String(), "7700") {
		t.Error("the phone number reached a URL or the log")
	}
}

// The page speaks the client's language.
func TestWithdrawPageInPolish(t *testing.T) {
	e := newWebEnv(t)
	if p := e.browser().get(pathWithdraw + "?lang=pl"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Wycofaj swoją zgodę") {
		t.Fatalf("Polish withdrawal page: %d\n%s", p.Status, p.Body)
	}
}

// Past the withdraw page's ten tries an hour from one address, the page
// says to wait a few minutes, as its Retry-After does, not "a minute".
func TestWithdrawLimitSaysHowLongToWait(t *testing.T) {
	e := newWebEnv(t)
	b := e.browser()
	var last *page
	for range withdrawAsksPerHour + 1 {
		b.get(pathWithdraw)
		last = b.postRaw(pathWithdraw, url.Values{"csrf": {b.token()}, "reference": {"ONW-NOSUCH1"}, "phone": {"07700 900123"}})
	}
	if last.Status != http.StatusTooManyRequests || !strings.Contains(last.Body, "a few minutes") || strings.Contains(last.Body, "a minute ") {
		t.Errorf("over the limit: %d, want 429 saying to wait a few minutes:\n%s", last.Status, last.Body)
	}
}

// A client whose phone was never proven (a web request without the code)
// proves it by the withdrawal's own code: the page's promise of a text
// confirming the withdrawal is kept.
func TestWithdrawOnTheWebProvesThePhone(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	in := coretest.SelfReferral("web-unproven")
	in.PhoneProven, in.Consent.Channel, in.Source = false, core.ChannelWeb, core.SourceWeb
	res, err := e.env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.get(pathWithdraw)
	b.postRaw(pathWithdraw, url.Values{"csrf": {b.token()}, "reference": {res.Referral.Reference}, "phone": {"07700 900123"}})
	p := b.postRaw(pathWithdrawConfirm, url.Values{"csrf": {b.token()}, "code": {e.latestCode()}, "confirm": {"yes"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Your consent is withdrawn") {
		t.Fatalf("withdrawal: %d\n%s", p.Status, p.Body)
	}
	told := false
	for _, o := range coretest.OutboxRows(t, e.env.Engine) {
		told = told || o.Payload.Template == core.SMSConsentRemoved
	}
	if !told {
		t.Error("the client who proved their phone with the withdrawal's code was not told by text")
	}
}
