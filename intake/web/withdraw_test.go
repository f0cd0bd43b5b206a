package web

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/notify"
	"github.com/onward-network/onward/notify/notifytest"
)

// codesSent counts the one-time codes texted so far.
func (e *webEnv) codesSent() int { return e.count("phone_codes") }

// textPhone is notify's worker and the fake Twilio its texts reach.
type textPhone struct {
	w    *notify.Worker
	fake *notifytest.Twilio
}

// phoneOutbox is notify's worker on the test's engine and clock, its texts
// going through the real Twilio client to a fake Twilio; a request to any
// other host fails the test.
func (e *webEnv) phoneOutbox() *textPhone {
	e.t.Helper()
	const account, token = "AC0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"
	fake := notifytest.NewTwilio(e.t, account, token)
	cfg := config.Config{Env: "dev", PublicURL: "http://onward.test", TwilioAccountSID: account,
		TwilioAuthToken: token, TwilioFrom: "+447700900000", TwilioAPIURL: fake.URL(),
		WorkerBatch: 50, WorkerMaxAttempts: 8, WorkerPoll: 10 * time.Second}
	sender, err := notify.NewTwilioSender(cfg, notify.SenderOptions{Transport: notifytest.Guard(e.t, fake.URL())})
	if err != nil {
		e.t.Fatal(err)
	}
	w, err := notify.New(notify.Options{Engine: e.env.Engine, Config: cfg, Log: slog.New(slog.DiscardHandler),
		SMS: sender, Clock: e.env.Clock, Rand: rand.New(rand.NewPCG(1, 2)), DisableDigest: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return &textPhone{w: w, fake: fake}
}

var codeInText = regexp.MustCompile(`\b\d{6}\b`)

// codes runs the worker until nothing is due and returns the codes texted
// to number (in E.164) so far, oldest first.
func (p *textPhone) codes(t *testing.T, number string) []string {
	t.Helper()
	for n := 1; n > 0; {
		var err error
		if n, err = p.w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	for _, m := range p.fake.Accepted() {
		if m.To == number {
			out = append(out, codeInText.FindString(m.Body))
		}
	}
	return out
}

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
	coretest.MarkOutboxSent(t, e.env.Pool) // the self-referral's own texts
	phone := e.phoneOutbox()

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
	// same page as a match, after the same work, and no code texted.
	asked := len(coretest.OutboxRows(t, e.env.Engine))
	unknown := ask(e.browser(), "ONW-NOSUCH1", "07700 900123")
	other := ask(e.browser(), ref, "07700 900999")
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
	// The same work for all three on the request path: one ask queued
	// each, and no code yet (a reviewer found a matching pair answered a
	// few milliseconds later than another, having queued its code then).
	for i, o := range coretest.OutboxRows(t, e.env.Engine)[asked:] {
		if o.Kind != core.OutboxWithdrawalAsk || i > 2 {
			t.Errorf("the page wrote %s (row %d of its asks), want one withdrawal ask per ask", o.Kind, i+1)
		}
	}
	if e.codesSent() != 0 {
		t.Fatalf("%d codes made while the page answered, want none until the worker checks the asks", e.codesSent())
	}
	// The worker checks each ask: the code reaches the referral's phone,
	// and nothing reaches the other phone.
	texted := phone.codes(t, "+447700900123")
	if len(texted) != 1 || texted[0] == "" || e.codesSent() != 1 {
		t.Fatalf("codes texted to the referral's phone %q (%d made), want one", texted, e.codesSent())
	}
	if n := len(phone.codes(t, "+447700900999")); n != 0 {
		t.Errorf("%d texts to another phone typed with the reference", n)
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
	code := texted[0]
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
	coretest.MarkOutboxSent(t, e.env.Pool)
	phone := e.phoneOutbox()
	b := e.browser()
	b.get(pathWithdraw)
	b.postRaw(pathWithdraw, url.Values{"csrf": {b.token()}, "reference": {res.Referral.Reference}, "phone": {"07700 900123"}})
	codes := phone.codes(t, "+447700900123")
	if len(codes) != 1 {
		t.Fatalf("%d codes texted, want 1", len(codes))
	}
	p := b.postRaw(pathWithdrawConfirm, url.Values{"csrf": {b.token()}, "code": {codes[0]}, "confirm": {"yes"}})
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
