package web

import (
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// The form speaks of the network's own area and crisis lines: every
// page gives the network's crisis lines once (in its footer, or in the
// crisis panel) beside Samaritans and 999; the postcode and town hints give
// the network's first district and its town as the example, not the
// demo's Fife; and the start page claims no independence, in any
// language (a council's own service is not independent of the council).
func TestWebGivesTheNetworksOwnLinesAndArea(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	lines := coretest.SetLocalNetwork(t, e.env.Engine)
	b := e.browser()
	start := b.get("/refer")
	if strings.Count(start.Body, lines) != 1 || !strings.Contains(start.Body, "tel:116123") || !strings.Contains(start.Body, "tel:999") {
		t.Errorf("the start page does not give the network's crisis lines once beside 116 123 and 999:\n%s", start.Body)
	}
	for _, code := range []string{"en", "pl", "uk", "gd", "ar", "ur"} {
		p := b.get("/refer?lang=" + code)
		for _, word := range []string{"independent", "niezależn", "незалежн", "neo-eisimeileach", "ومستقلة", "آزاد"} {
			if strings.Contains(p.Body, word) {
				t.Errorf("the start page in %s says %q", code, word)
			}
		}
	}
	b.get("/refer?lang=en")
	b.answer(pathNeeds, goodAnswers()[pathNeeds])
	for path, want := range map[string]string{pathPostcode: "For example, AB10 1AB.", pathTown: "For example, Aberdeen."} {
		p := b.get(path)
		if !strings.Contains(p.Body, want) || strings.Contains(p.Body, "KY1 1AB") || strings.Contains(p.Body, "Kirkcaldy") {
			t.Errorf("%s does not give the network's example %q:\n%s", path, want, p.Body)
		}
	}
	if p := b.get(pathFood); strings.Count(p.Body, lines) != 1 {
		t.Errorf("the crisis question does not give the network's crisis lines once:\n%s", p.Body)
	}
	if p := b.get("/directory"); !strings.Contains(p.Body, lines) {
		t.Errorf("the directory's footer does not give the network's crisis lines")
	}
}

// A service's languages are named in the page's language: the
// directory's own English names on an English page, CLDR's elsewhere
// ("Języki: angielski, polski"), and the code when nothing knows it.
func TestLanguageNamesInThePagesLanguage(t *testing.T) {
	pages, err := loadWebPages()
	if err != nil {
		t.Fatal(err)
	}
	w := &Web{pages: pages}
	for _, c := range []struct{ code, page, want string }{
		{"en", "pl", "angielski"},
		{"pl", "pl", "polski"},
		{"gd", "uk", "гаельська"},
		{"ar", "ar", "العربية"},
		{"fa", "en", "Persian (Farsi)"},
		{"pl", "", "Polish"},
		{"zz", "pl", "zz"},
		{"zz", "en", "zz"},
	} {
		if got := w.languageName(c.code, c.page); got != c.want {
			t.Errorf("languageName(%q, %q) = %q, want %q", c.code, c.page, got, c.want)
		}
	}
}
