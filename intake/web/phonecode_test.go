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

// latestCode reads the newest one-time code the form caused, as the
// client's phone would receive it.
func (e *webEnv) latestCode() string {
	e.t.Helper()
	var id int64
	if err := e.env.Pool.QueryRow(context.Background(), `SELECT max(id) FROM phone_codes`).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	_, code, err := e.env.Engine.PhoneCodeText(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return code
}

// arabicIndic is s with its ASCII digits as an Arabic keyboard types
// them ("0" is "٠").
func arabicIndic(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '٠' + r - '0'
		}
		return r
	}, s)
}

// provePhone asks for a code on "check your answers" and types it back.
func (b *browser) provePhone() {
	b.t.Helper()
	b.get(pathCheck)
	p := b.postRaw(pathSendCode, url.Values{"csrf": {b.token()}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Code from the text we sent") {
		b.t.Fatalf("send code: %d\n%s", p.Status, p.Body)
	}
	// A phone that once texted STOP gets no code: everyone waiting for one
	// is told what to do (the page cannot say whether a number opted out).
	if !strings.Contains(p.Body, `text START to <span dir="ltr">07700 900000</span> first`) {
		b.t.Errorf("the code step does not say to text START after a STOP:\n%s", p.Body)
	}
	// Typed on an Arabic keyboard, as a client of the Arabic form may.
	if p := b.postRaw(pathCheckCode, url.Values{"csrf": {b.token()}, "code": {arabicIndic(b.e.latestCode())}}); p.Status != http.StatusOK || !strings.Contains(p.Body, "We will text your reference number") {
		b.t.Fatalf("check code: %d\n%s", p.Status, p.Body)
	}
}

func confirmationTexts(t *testing.T, e *webEnv) int {
	n := 0
	for _, o := range coretest.OutboxRows(t, e.env.Engine) {
		if o.Kind == core.OutboxClientSMS && o.Payload.Template == core.SMSConfirmation {
			n++
		}
	}
	return n
}

// Findings 1 and 8: a phone typed on the form is not texted the reference
// and does not reach the record kept for that phone until a code sent to
// it is typed back; codes are limited per number and wrong codes per code.
func TestWebPhoneMustBeProvenByCode(t *testing.T) {
	e := newWebEnv(t)
	b := e.browser()
	b.fill(goodAnswers(), pathStart)
	done := b.send()
	if done.Path != pathDone || strings.Contains(done.Body, "texted") && strings.Contains(done.Body, "07700") {
		t.Fatalf("send without proof: %d at %s", done.Status, done.Path)
	}
	if n := confirmationTexts(t, e); n != 0 {
		t.Errorf("%d confirmation texts to an unproven phone, want 0", n)
	}
	if n := e.count("phone_codes"); n != 0 {
		t.Errorf("%d codes sent without being asked for", n)
	}

	// A second visitor: wrong codes are refused and counted; after the
	// limit even the right code fails.
	b2 := e.browser()
	b2.fill(goodAnswers(), pathStart)
	b2.get(pathCheck)
	b2.postRaw(pathSendCode, url.Values{"csrf": {b2.token()}})
	right := e.latestCode()
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	for i := 0; i < core.PhoneCodeAttempts; i++ {
		p := b2.postRaw(pathCheckCode, url.Values{"csrf": {b2.token()}, "code": {wrong}})
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "not right") {
			t.Fatalf("wrong code %d: %d", i, p.Status)
		}
	}
	if p := b2.postRaw(pathCheckCode, url.Values{"csrf": {b2.token()}, "code": {right}}); p.Status != http.StatusBadRequest {
		t.Errorf("right code after %d wrong ones: %d, want refused", core.PhoneCodeAttempts, p.Status)
	}
	// Codes per number per day, whichever session asks: one was sent
	// above; new visitors get the rest, then the cap refuses.
	for sent := 2; sent <= core.PhoneCodesPerNumber+1; sent++ {
		b3 := e.browser()
		b3.fill(goodAnswers(), pathStart)
		b3.get(pathCheck)
		p := b3.postRaw(pathSendCode, url.Values{"csrf": {b3.token()}})
		want := http.StatusOK
		if sent > core.PhoneCodesPerNumber {
			want = http.StatusTooManyRequests
		}
		if p.Status != want {
			t.Errorf("code %d for the number: status %d, want %d", sent, p.Status, want)
		}
	}
	if n := e.count("phone_codes"); n != core.PhoneCodesPerNumber {
		t.Errorf("%d codes recorded, want the cap %d", n, core.PhoneCodesPerNumber)
	}
}

// After "Text me a code" the page says where the code went: the number as
// the client typed it, as the page gives it elsewhere, in their language.
// The contact question promises the reference by text only as what it
// is: a choice, for a mobile number proven by code, not for any phone.
func TestWebCodeSentSaysWhere(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	if p := b.get(pathStart); p.Status != http.StatusOK {
		t.Fatalf("start: %d", p.Status)
	}
	contact := b.get(pathContact)
	if strings.Contains(contact.Body, "We will text your reference number to a phone") ||
		!strings.Contains(contact.Body, "If you give a mobile number, you can choose to get your reference number by text.") {
		t.Errorf("the contact question promises a text it may not send:\n%s", between(contact.Body, "<h1>", "</form>"))
	}
	b.fill(goodAnswers(), pathStart)
	if p := b.get(pathCheck); strings.Contains(p.Body, "We have texted a 6-digit code") {
		t.Errorf("the check page says a code was sent before one was asked for")
	}
	b.get(pathCheck)
	p := b.postRaw(pathSendCode, url.Values{"csrf": {b.token()}})
	if want := `We have texted a 6-digit code to <span dir="ltr">07700 900123</span>.`; p.Status != http.StatusOK || !strings.Contains(p.Body, want) {
		t.Errorf("after asking for a code (%d) the page does not say %q:\n%s", p.Status, want, between(p.Body, `id="code"`, "</form>"))
	}
	for _, l := range e.web.cat.Languages() {
		pg := webPage{Lang: pageLang{Language: l, cat: e.web.cat}}
		got, err := pg.H("check_code.sent_html", "Phone", "07700 900123")
		if err != nil || !strings.Contains(string(got), `<span dir="ltr">07700 900123</span>`) || l.Code != "en" && strings.Contains(string(got), "We have texted") {
			t.Errorf("%s: the code's sentence is %q (%v)", l.Code, got, err)
		}
	}
}
