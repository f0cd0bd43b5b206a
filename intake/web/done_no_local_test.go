package web

import (
	"net/http"
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
