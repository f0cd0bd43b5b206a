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

// With the network's postcode file, a search by place lists the nearest
// first with distances from the middle of the district.
func TestDirectoryNearestFirst(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx := context.Background()
	if _, err := e.env.Engine.ImportPostcodes(ctx, strings.NewReader("pcds,lat,long\nKY1 1AB,56.1000,-3.1000\nKY1 2AB,56.1200,-3.1400\n")); err != nil {
		t.Fatal(err)
	}
	// The middle of KY1 is (56.11, -3.12). Welfare Rights 1.1 km north of
	// it, the citizens advice 5.6 km north, the food bank not on the map.
	for a, at := range map[core.AgencyID][2]float64{e.env.Net.Welfare: {56.12, -3.12}, e.env.Net.CAB: {56.16, -3.12}} {
		if _, err := e.env.Pool.Exec(ctx, `UPDATE locations SET latitude = $2, longitude = $3 WHERE agency_id = $1 AND main`, a, at[0], at[1]); err != nil {
			t.Fatal(err)
		}
	}
	p := e.browser().postRaw("/directory", url.Values{"area": {"KY1 2AB"}})
	if p.Status != http.StatusOK || p.Path != "/directory?area=KY1" {
		t.Fatalf("search: %d at %s", p.Status, p.Path)
	}
	results := between(p.Body, `id="results"`, "</main>")
	welfare, cab, food := strings.Index(results, "Kingdom Council Welfare Rights"), strings.Index(results, "Kirkton Citizens Advice"), strings.Index(results, "Kingdom Food Bank")
	if welfare < 0 || cab < 0 || food < 0 || !(welfare < cab && cab < food) {
		t.Errorf("want Welfare Rights, then CAB, then the food bank (no location on the map):\n%s", results)
	}
	for _, want := range []string{"1.1 km away", "5.6 km away", "Nearest first", "from the middle of KY1"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("results lack %q", want)
		}
	}
	if strings.Count(results, "km away") != 2 {
		t.Errorf("a distance for a service not on the map:\n%s", results)
	}
}

// Open now, language and age narrow the results; bad values are named in
// plain words and keep what was typed.
func TestDirectoryFilters(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx := context.Background()
	now, err := e.env.Engine.OpenNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	day := now.Day
	other := core.Days[0]
	if day == other {
		other = core.Days[1]
	}
	for a, sql := range map[core.AgencyID]string{
		// Open all day today, speaks Polish, for adults.
		e.env.Net.CAB: `UPDATE services SET schedules = jsonb_build_array(jsonb_build_object('byday', $2::text, 'opens_at', '00:00', 'closes_at', '23:59')),
			languages = '{en,pl}', minimum_age = 18 WHERE agency_id = $1 AND $3 <> ''`,
		// Open only another day; any age.
		e.env.Net.Welfare: `UPDATE services SET schedules = jsonb_build_array(jsonb_build_object('byday', $3::text, 'opens_at', '00:00', 'closes_at', '23:59'))
			WHERE agency_id = $1 AND $2 <> ''`,
	} {
		if _, err := e.env.Pool.Exec(ctx, sql, a, day, other); err != nil {
			t.Fatal(err)
		}
	}
	has := func(query, agency string) bool {
		t.Helper()
		p := e.browser().get("/directory?" + query)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: status %d", query, p.Status)
		}
		return strings.Contains(between(p.Body, `id="results"`, "</main>"), agency)
	}
	for _, c := range []struct {
		query, agency string
		want          bool
	}{
		{"need=debt", "Kirkton Citizens Advice", true},
		{"need=debt&open=1", "Kirkton Citizens Advice", true},
		{"need=debt&open=1", "Kingdom Council Welfare Rights", false},
		{"need=debt&language=pl", "Kirkton Citizens Advice", true},
		{"need=debt&language=pl", "Kingdom Council Welfare Rights", false},
		{"language=pl", "Kingdom Food Bank", false},
		{"need=debt&age=16", "Kirkton Citizens Advice", false},
		{"need=debt&age=16", "Kingdom Council Welfare Rights", true},
		{"need=debt&age=" + url.QueryEscape("١٦"), "Kirkton Citizens Advice", false}, // 16 on an Arabic keyboard
		{"need=debt&age=" + url.QueryEscape("١٦"), "Kingdom Council Welfare Rights", true},
		{"need=debt&age=40&area=KY1", "Kirkton Citizens Advice", true},
	} {
		if got := has(c.query, c.agency); got != c.want {
			t.Errorf("%s lists %s: %v, want %v", c.query, c.agency, got, c.want)
		}
	}

	// The search form keeps the filters in the link it lands on.
	p := e.browser().postRaw("/directory", url.Values{"need": {"debt"}, "open": {"1"}, "language": {"pl"}, "age": {"40"}})
	if p.Status != http.StatusOK || p.Path != "/directory?age=40&language=pl&need=debt&open=1" {
		t.Errorf("search with filters: %d at %s", p.Status, p.Path)
	}
	if !strings.Contains(p.Body, `id="open" name="open" type="checkbox" value="1" checked`) || !strings.Contains(p.Body, `value="pl" lang="pl" selected`) {
		t.Error("the form does not show the filters chosen")
	}

	for _, c := range []struct{ query, message string }{
		{"age=abc", "Enter an age in whole years, like 16, or leave it empty"},
		{"age=-3", "Enter an age in whole years, like 16, or leave it empty"},
		{"age=999", "Enter an age in whole years, like 16, or leave it empty"},
		{"language=xx", "Choose a language from the list"},
	} {
		p := e.browser().get("/directory?" + c.query)
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, c.message) {
			t.Errorf("%s: status %d, want 400 with %q", c.query, p.Status, c.message)
		}
	}
	p = e.browser().get("/directory?age=abc")
	if !strings.Contains(p.Body, `value="abc" aria-describedby="age-hint age-error"`) {
		t.Error("a bad age is not kept in its input with its error described")
	}
}

// The directory speaks the searcher's language: its words, the needs'
// names, and its errors; the language switcher keeps the search.
func TestDirectoryInTheSearchersLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	p := e.browser().get("/directory?need=debt&area=KY1&lang=pl")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	for _, want := range []string{`lang="pl"`, "Znajdź bezpłatną poradę i wsparcie", "Otwarte teraz", "Długi", "w pobliżu Kirkcaldy (KY1)",
		`href="/directory?area=KY1&amp;lang=uk&amp;need=debt"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("Polish directory lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "Find free advice and support") {
		t.Error("the Polish directory still has the English heading")
	}
	b := e.browser()
	b.acceptLanguage = "ar"
	p = b.get("/directory?age=old")
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "أدخل العمر بالسنوات الكاملة") || !strings.Contains(p.Body, `dir="rtl"`) {
		t.Errorf("Arabic error: status %d", p.Status)
	}
	for path, want := range map[string]string{"/accessibility?lang=gd": "Aithris so-ruigsinneachd", "/privacy?lang=ur": "کسی خدمت کو اپنے فون پر ٹیکسٹ کرنا"} {
		if p := e.browser().get(path); p.Status != http.StatusOK || !strings.Contains(p.Body, want) {
			t.Errorf("%s: status %d, want %q", path, p.Status, want)
		}
	}
	svc := e.serviceOf(e.env.Net.CAB)
	p = e.browser().get("/directory/services/" + svc.UUID + "?lang=uk")
	for _, want := range []string{"Що пропонують", "Надіслати мені SMS", "Борги", "англійська"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("Ukrainian service page lacks %q", want)
		}
	}

	// Texting the service from the Polish page: the error, the page it
	// lands on and the text itself are Polish.
	b = e.browser()
	page := b.get("/directory/services/" + svc.UUID + "?lang=pl")
	if !strings.Contains(page.Body, `action="/directory/services/`+svc.UUID+`/text?lang=pl"`) {
		t.Fatal("the Polish page's form does not keep the language")
	}
	bad := b.postRaw("/directory/services/"+svc.UUID+"/text?lang=pl", url.Values{"phone": {"12345"}})
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, "Wpisz brytyjski numer komórkowy") {
		t.Errorf("Polish bad number: %d", bad.Status)
	}
	ok := b.postRaw("/directory/services/"+svc.UUID+"/text?lang=pl", url.Values{"phone": {"07700 900123"}})
	if ok.Status != http.StatusOK || !strings.Contains(ok.Body, "SMS wysłany") {
		t.Errorf("Polish send: %d at %s", ok.Status, ok.Path)
	}
	var sent string
	for _, r := range coretest.OutboxRows(t, e.env.Engine) {
		if r.Kind == core.OutboxDirectoryText {
			sent = r.Payload.Text
		}
	}
	if !strings.Contains(sent, "Telefon: 01592 000000") {
		t.Errorf("the text is not in Polish:\n%s", sent)
	}
}
