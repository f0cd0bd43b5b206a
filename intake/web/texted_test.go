package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/intake/flow"
)

// textedCall is one call of Config.ReferralTexted.
type textedCall struct {
	reference string
	phone     core.Phone
	conv      flow.Conversation
}

// textedRecorder records the calls of Config.ReferralTexted, answering
// each with err.
type textedRecorder struct {
	mu    sync.Mutex
	calls []textedCall
	err   error
}

func (r *textedRecorder) hook(_ context.Context, reference string, phone core.Phone, conv flow.Conversation) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, textedCall{reference, phone, conv})
	return r.err
}

func (r *textedRecorder) got() []textedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]textedCall(nil), r.calls...)
}

// proveByCode asks for a code on "check your answers" and types it back,
// in whatever language the page is in.
func (b *browser) proveByCode() {
	b.t.Helper()
	b.get(pathCheck)
	b.postRaw(pathSendCode, url.Values{"csrf": {b.token()}})
	if p := b.postRaw(pathCheckCode, url.Values{"csrf": {b.token()}, "code": {b.e.latestCode()}}); p.Status != http.StatusOK {
		b.t.Fatalf("check code: %d\n%s", p.Status, p.Body)
	}
	if !b.e.sessionOf(b).phoneProven() {
		b.t.Fatal("the phone is not proven after its code")
	}
}

// TestWebTellsSMSOfTextedReference: once core has recorded a request
// whose reference is texted to the client's proven mobile, the web form
// tells the SMS channel (Config.ReferralTexted) the reference, the phone
// and a conversation that ended with it, in the client's language and
// consent wording version, so a reply to the text is answered as one
// after a referral. A request core refused, a second click, and a request
// with no proven phone tell it nothing; a failure to tell it is logged
// without the phone, and the client's request stands.
func TestWebTellsSMSOfTextedReference(t *testing.T) {
	t.Parallel()
	rec := &textedRecorder{}
	e := newWebEnv(t, func(c *Config) { c.ReferralTexted = rec.hook })

	b := e.browser()
	b.fill(goodAnswers(), pathStart)
	b.proveByCode()
	// Refused by core: the service chosen has left the directory.
	s := e.sessionOf(b)
	s.Service = 999999
	if err := e.web.saveSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if p := b.postRaw(pathCheck, url.Values{"csrf": {b.token()}}); p.Status != http.StatusBadRequest {
		t.Fatalf("refused request: status %d", p.Status)
	}
	if calls := rec.got(); len(calls) != 0 {
		t.Fatalf("after a refused request the SMS channel was told %+v", calls)
	}
	second := e.sessionOf(b) // a second click's request reads the session here
	if done := b.send(); done.Status != http.StatusOK || done.Path != pathDone {
		t.Fatalf("send: status %d at %s", done.Status, done.Path)
	}
	rs := e.referrals()
	calls := rec.got()
	if len(rs) != 1 || len(calls) != 1 {
		t.Fatalf("%d referrals, %d calls; want 1 and 1", len(rs), len(calls))
	}
	if c := calls[0]; c.reference != rs[0].Reference || c.phone != "+447700900123" || c.conv.Step != flow.StepDone ||
		c.conv.Lang != "en" || c.conv.Answers.ConsentVersion != "v1" || c.conv.Answers.Name != "" {
		t.Errorf("the SMS channel was told %+v, want %s, +447700900123, a finished English conversation under v1 and nothing else", c, rs[0].Reference)
	}
	e.web.submit(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, pathCheck, nil), second)
	if calls := rec.got(); len(calls) != 1 {
		t.Errorf("after a second click: %d calls, want 1", len(calls))
	}

	// In Polish, and the SMS channel failing: the request stands.
	rec.err = errors.New("redis: connection refused")
	b = e.browser()
	a := goodAnswers()
	a[pathContact] = url.Values{"phone": {"07700 900456"}}
	b.get(pathStart + "?lang=pl")
	for _, st := range []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod} {
		b.answer(st, a[st])
	}
	b.answer("/refer/interpreter", url.Values{"interpreter": {"no"}})
	b.answer(pathTime, a[pathTime])
	b.answer(pathConsent, a[pathConsent])
	b.proveByCode()
	if done := b.send(); done.Status != http.StatusOK || done.Path != pathDone {
		t.Fatalf("send in Polish with the SMS channel failing: status %d at %s", done.Status, done.Path)
	}
	if calls := rec.got(); len(calls) != 2 || calls[1].conv.Lang != "pl" || calls[1].phone != "+447700900456" {
		t.Errorf("the Polish request told the SMS channel %+v, want a Polish conversation for +447700900456", calls)
	}
	if log := e.logs.String(); !strings.Contains(log, "the SMS channel was not told of the referral") {
		t.Errorf("the failure was not logged:\n%s", log)
	}
	for _, pii := range []string{"07700", "900456", "447700"} {
		if strings.Contains(e.logs.String(), pii) {
			t.Errorf("the log carries the phone (%q)", pii)
		}
	}

	// No proven phone: no text, nothing to tell.
	b = e.browser()
	b.fill(goodAnswers(), pathStart)
	if done := b.send(); done.Path != pathDone {
		t.Fatalf("send without proof: %d at %s", done.Status, done.Path)
	}
	if calls := rec.got(); len(calls) != 2 {
		t.Errorf("a request with no proven phone told the SMS channel: %d calls, want 2", len(calls))
	}
}

// TestWebConfirmationTextOutOfArea: the text confirming a request from
// an area no local advice service covers (the postcode step's notice)
// says a coordinator will look for help (core.SMSConfirmationNoLocal), not
// that the client will be texted when it is picked up; a request in the
// area gets the usual confirmation.
func TestWebConfirmationTextOutOfArea(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, c := range []struct{ postcode, want string }{
		{"EH1 1AA", core.SMSConfirmationNoLocal},
		{"KY1 1AB", core.SMSConfirmation},
	} {
		b := e.browser()
		a := goodAnswers()
		a[pathPostcode] = url.Values{"postcode": {c.postcode}}
		b.fill(a, pathStart)
		b.provePhone()
		done := b.send()
		if done.Path != pathDone {
			t.Fatalf("%s: send: %d at %s", c.postcode, done.Status, done.Path)
		}
		rs := e.referrals()
		last := rs[len(rs)-1]
		var got []string
		for _, o := range coretest.OutboxRows(t, e.env.Engine) {
			if o.Kind == core.OutboxClientSMS && o.ReferralID != nil && *o.ReferralID == last.ID {
				got = append(got, o.Payload.Template)
			}
		}
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("%s: client texts %v, want one %s", c.postcode, got, c.want)
		}
	}
}
