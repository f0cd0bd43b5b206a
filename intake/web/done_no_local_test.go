package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestWebDoneNoLocalService: a client whose postcode no advice service in
// the network serves is not promised that an adviser will contact them;
// the confirmation says, in their language, that a coordinator will look
// at the request and say where to get help, the way they chose. A client
// in the network's area is still told where their request went.
func TestWebDoneNoLocalService(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, tc := range []struct {
		name, lang, postcode, method string
		want, notWant                []string
	}{
		{"outside the area, by text", "en", "EH1 1AA", "text",
			[]string{"We may not have an advice service for your area. A coordinator will look at your request and text you to tell you where you can get help."},
			[]string{"An adviser will contact you", "A coordinator will choose", "We have passed your request"}},
		{"outside the area, by phone", "en", "SW1A 1AA", "call",
			[]string{"A coordinator will look at your request and phone you"},
			[]string{"An adviser will contact you", "A coordinator will choose"}},
		{"outside the area, in Polish", "pl", "EH1 1AA", "text",
			[]string{"Możemy nie mieć poradni w Twojej okolicy. Koordynator przejrzy Twoją prośbę i napisze do Ciebie SMS"},
			[]string{"Doradca skontaktuje się z Tobą", "Koordynator wybierze poradnię"}},
		{"in the area", "en", "KY1 1AB", "text",
			[]string{"We have passed your request to", "An adviser will contact you by text message."},
			[]string{"We may not have an advice service"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			a := goodAnswers()
			a[pathPostcode] = url.Values{"postcode": {tc.postcode}}
			a[pathMethod] = url.Values{"contact_method": {tc.method}}
			b.get(pathStart + "?lang=" + tc.lang)
			for _, st := range []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod, pathTime, pathConsent} {
				if st == pathTime && tc.lang != "en" {
					b.answer("/refer/interpreter", url.Values{"interpreter": {"no"}})
				}
				b.answer(st, a[st])
			}
			done := b.send()
			if done.Status != http.StatusOK || done.Path != pathDone {
				t.Fatalf("send: status %d at %s", done.Status, done.Path)
			}
			for _, w := range tc.want {
				if !strings.Contains(done.Body, w) {
					t.Errorf("the confirmation lacks %q:\n%s", w, done.Body)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(done.Body, w) {
					t.Errorf("the confirmation says %q", w)
				}
			}
		})
	}
}

// TestWebDoneNoLocalAfterASecondClick: two clicks of "Send request" send
// two requests that both read the session before either wrote it. Core
// answers the second with the first's referral, as a replay that carries
// no match, so the second alone cannot tell that no local service was
// found, nor that the reference is texted. Whichever answers last, the
// confirmation page says what the first found: a coordinator will say
// where to get help, and the reference comes by text.
func TestWebDoneNoLocalAfterASecondClick(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	a := goodAnswers()
	a[pathPostcode] = url.Values{"postcode": {"EH1 1AA"}}
	b.fill(a, pathStart)
	b.provePhone()
	second := e.sessionOf(b) // the second click's request read the session here
	if done := b.send(); done.Path != pathDone || !strings.Contains(done.Body, "We may not have an advice service") {
		t.Fatalf("the first click: %d at %s:\n%s", done.Status, done.Path, done.Body)
	}
	rec := httptest.NewRecorder()
	e.web.submit(rec, httptest.NewRequest(http.MethodPost, pathCheck, nil), second)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != pathDone {
		t.Fatalf("the second click: %d to %q, want %d to %s", rec.Code, rec.Header().Get("Location"), http.StatusSeeOther, pathDone)
	}
	if n := len(e.referrals()); n != 1 {
		t.Fatalf("%d referrals after two clicks, want 1", n)
	}
	done := b.get(pathDone)
	for _, want := range []string{"We may not have an advice service for your area.", "We will also text your reference number to your phone."} {
		if !strings.Contains(done.Body, want) {
			t.Errorf("after the second click the confirmation lacks %q:\n%s", want, done.Body)
		}
	}
	if strings.Contains(done.Body, "A coordinator will choose") || strings.Contains(done.Body, "An adviser will contact you") {
		t.Errorf("after the second click the confirmation promises an adviser:\n%s", done.Body)
	}
}

// TestWebPostcodeOutsideTheAreaIsSaidAtOnce: a postcode no advice service
// serves for what the client needs is told, plainly and once, on the next
// page, and the client carries on; a postcode in the area is not.
func TestWebPostcodeOutsideTheAreaIsSaidAtOnce(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	const notice = "We may not have an advice service for your area. You can still send your request"
	for _, c := range []struct {
		postcode string
		want     bool
	}{
		{"EH1 1AA", true},
		{"KY1 1AB", false},
	} {
		b := e.browser()
		b.get(pathStart)
		b.answer(pathNeeds, goodAnswers()[pathNeeds])
		next := b.answer(pathPostcode, url.Values{"postcode": {c.postcode}})
		if next.Status != http.StatusOK || next.Path != pathFood {
			t.Fatalf("%s: status %d at %s, want the next question", c.postcode, next.Status, next.Path)
		}
		if got := strings.Contains(next.Body, notice); got != c.want {
			t.Errorf("%s: the next page says there may be no service: %t, want %t", c.postcode, got, c.want)
		}
		if again := b.get(pathFood); strings.Contains(again.Body, notice) {
			t.Errorf("%s: the notice is shown twice", c.postcode)
		}
	}
}
