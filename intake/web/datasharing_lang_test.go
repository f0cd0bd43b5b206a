package web

import (
	"strings"
	"testing"
)

// TestDataSharingLinkCarriesTheLanguage: the consent question's link to
// the data sharing page names the client's language whenever it is not
// English, even when their browser asks for that language anyway, so
// the page opens in it wherever the link is opened (a language chosen
// there before and remembered, another browser), as the SMS gives it.
func TestDataSharingLinkCarriesTheLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t, func(c *Config) { c.PublicURL = seededPublicURL })
	for _, code := range []string{"pl", "ar", "uk"} {
		b := e.browser()
		b.acceptLanguage = code
		b.get(pathStart)
		consent := b.answerUpTo(pathConsent)
		if want := `href="` + seededDataSharing + "?lang=" + code + `"`; !strings.Contains(consent.Body, want) {
			t.Errorf("%s browser: the consent page does not link to %s", code, want)
		}
	}
}
