package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// polishPage is how a Polish page opens.
const polishPage = `<html lang="pl" dir="ltr">`

// The page-not-found page and the refusal of a post from another site
// speak the client's language, as the form's other pages do (requestLang:
// the one chosen with ?lang=, else the session's, else the lang cookie's,
// else the browser's), and their way back to the form keeps it. A refused
// post changes nothing, not even the language on the session.
func TestFaultPagesKeepTheLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.acceptLanguage = "en-GB,en;q=0.9"
	b.get(pathStart + "?lang=pl")
	b.answer(pathNeeds, goodAnswers()[pathNeeds])
	b.get(pathPostcode)
	token := b.token()
	notFoundLink := `<a href="/refer?lang=pl">` + "poprosić o poradę tutaj</a>"
	refusedLink := `<a href="/refer?lang=pl">` + "Poproś o poradę tutaj</a>"
	check := func(what string, p *page, status int, title, link string) {
		t.Helper()
		if p.Status != status || !strings.Contains(p.Body, polishPage) || !strings.Contains(p.Body, e.words("pl", title)) {
			t.Errorf("%s: status %d, want %d in Polish:\n%s", what, p.Status, status, p.Body)
		}
		if !strings.Contains(p.Body, link) {
			t.Errorf("%s: the way back to the form does not keep Polish (want %s):\n%s", what, link, p.Body)
		}
	}
	crossSite := func(path string) *page {
		return b.postRaw(path, url.Values{"csrf": {token}, "postcode": {"KY1 1AB"}}, "Sec-Fetch-Site", "cross-site")
	}
	for _, path := range []string{"/refer/nowhere", "/refer/nowhere?lang=pl", "/directory/nowhere", "/nowhere"} {
		check("GET "+path, b.get(path), http.StatusNotFound, "web.fault.not_found", notFoundLink)
	}
	check("cross-site POST", crossSite(pathPostcode), http.StatusForbidden, "web.fault.cross_origin", refusedLink)

	// The lang cookie gone (a browser that clears it): the session still
	// says Polish.
	b.c.Jar.SetCookies(mustURL(e.srv.URL), []*http.Cookie{{Name: "onward_lang", Value: "", Path: "/", MaxAge: -1}})
	check("GET without the lang cookie", b.get("/refer/nowhere"), http.StatusNotFound, "web.fault.not_found", notFoundLink)
	check("cross-site POST without the lang cookie", crossSite(pathPostcode), http.StatusForbidden, "web.fault.cross_origin", refusedLink)

	// ?lang= on a refused post names the page's language, and is not
	// recorded on the session.
	uk := crossSite(pathPostcode + "?lang=uk")
	if uk.Status != http.StatusForbidden || !strings.Contains(uk.Body, `<html lang="uk"`) || !strings.Contains(uk.Body, `<a href="/refer?lang=uk">`) {
		t.Errorf("cross-site POST with ?lang=uk: status %d, not in Ukrainian with its links:\n%s", uk.Status, uk.Body)
	}
	if s := e.sessionOf(b); s.Answers.Language != "pl" || s.Answers.Postcode != "" {
		t.Errorf("a refused post changed the session: language %q, postcode %q", s.Answers.Language, s.Answers.Postcode)
	}
}
