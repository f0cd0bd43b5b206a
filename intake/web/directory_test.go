package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

// serviceOf returns the first active service of an agency.
func (e *webEnv) serviceOf(a core.AgencyID) core.Service {
	e.t.Helper()
	ss, err := e.env.Engine.Services(context.Background(), a)
	if err != nil || len(ss) == 0 {
		e.t.Fatalf("services of agency %d: %v %v", a, ss, err)
	}
	return ss[0]
}

func TestDirectoryListsEveryService(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	p := e.browser().get("/directory")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	for _, want := range []string{"Kirkton Citizens Advice", "Kingdom Council Welfare Rights", "Kingdom Housing Options", "Kingdom Food Bank",
		"Debt and money advice", "Emergency food parcels", `href="/directory/agencies/kirkton-cab"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("directory lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "Kingdom Advice Network Team") {
		t.Error("an agency with no services is listed")
	}
}

// A search posts, then lands on a link carrying the postcode district
// only, with the matching services best first and the ones left out with
// their reasons.
func TestDirectorySearch(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	p := b.postRaw("/directory", url.Values{"need": {"debt"}, "area": {"ky1 1ab"}})
	if p.Status != http.StatusOK || p.Path != "/directory?area=KY1&need=debt" {
		t.Fatalf("search: status %d at %s", p.Status, p.Path)
	}
	results := between(p.Body, `id="results"`, "</main>")
	cab, welfare := strings.Index(results, "Kirkton Citizens Advice"), strings.Index(results, "Kingdom Council Welfare Rights")
	if cab < 0 || welfare < 0 || cab > welfare {
		t.Errorf("want CAB (serves KY1) before Welfare Rights (serves Fife):\n%s", results)
	}
	if strings.Contains(results, "Kingdom Food Bank") {
		t.Error("the food bank is listed for debt")
	}
	if !strings.Contains(p.Body, "near Kirkcaldy (KY1)") {
		t.Error("results do not say where")
	}

	// A town works as the place; an unknown place is explained.
	if p := b.postRaw("/directory", url.Values{"need": {"food"}, "area": {"kirkcaldy"}}); p.Path != "/directory?area=Kirkcaldy&need=food" || !strings.Contains(p.Body, "Emergency food parcels") {
		t.Errorf("search by town: at %s", p.Path)
	}
	p = b.postRaw("/directory", url.Values{"need": {"debt"}, "area": {"Narnia"}})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `href="#area"`) {
		t.Errorf("unknown place: status %d", p.Status)
	}
	if p := b.get("/directory?need=astrology"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `href="#need"`) {
		t.Errorf("unknown need: status %d", p.Status)
	}
	// Outside the food bank's area it is left out, with the reason.
	p = b.get("/directory?need=food&area=KY16")
	if !strings.Contains(p.Body, "Organisations that can help with Food near St Andrews (KY16): 0") || !strings.Contains(between(p.Body, "cannot help with this right now", "</main>"), "does not serve KY16") {
		t.Errorf("food in KY16:\n%s", between(p.Body, `id="results"`, "</main>"))
	}
	// A full postcode typed into a link is moved out of the address.
	if p := b.get("/directory?need=debt&area=KY1+1AB"); p.Path != "/directory?area=KY1&need=debt" {
		t.Errorf("full postcode in the link: at %s", p.Path)
	}
}

func TestDirectoryAgencyAndServicePages(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx := context.Background()
	if err := e.env.Engine.SetCapacity(ctx, e.env.Net.CAB, true, "Waiting list until March", e.env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	p := b.get("/directory/agencies/kirkton-cab")
	if strings.Contains(p.Body, "Waiting list until March") {
		t.Errorf("the public agency page shows the internal capacity note")
	}
	for _, want := range []string{"Kirkton Citizens Advice", "Not taking new referrals", "01592 000000", "Debt and money advice"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("agency page lacks %q", want)
		}
	}
	cab := e.serviceOf(e.env.Net.CAB)
	p = b.get("/directory/services/" + strconv.FormatInt(int64(cab.ID), 10))
	for _, want := range []string{"Debt and money advice", "Benefits", "Money and income", "KY1, KY2", "English",
		`href="/refer/service/` + strconv.FormatInt(int64(cab.ID), 10) + `"`, "Refer myself to this service"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("service page lacks %q", want)
		}
	}
	// At capacity: the search lists it with the others that cannot help,
	// saying only that it takes no new referrals. The capacity note is for
	// coordinators and staff (finding 12): no public page shows it.
	p = b.get("/directory?need=debt&area=KY1")
	if !strings.Contains(between(p.Body, "cannot help with this right now", "</main>"), "at capacity") {
		t.Errorf("search does not say the agency takes no new referrals")
	}
	for _, path := range []string{"/directory?need=debt&area=KY1", "/directory/services/" + strconv.FormatInt(int64(cab.ID), 10)} {
		if p := b.get(path); strings.Contains(p.Body, "Waiting list until March") {
			t.Errorf("%s shows the internal capacity note", path)
		}
	}
	// An agency that takes referrals only from agencies offers no self-referral.
	housing := e.serviceOf(e.env.Net.Housing)
	p = b.get("/directory/services/" + strconv.FormatInt(int64(housing.ID), 10))
	if strings.Contains(p.Body, "Refer myself") || !strings.Contains(p.Body, "takes referrals from other agencies") {
		t.Errorf("agency-only service page offers self-referral")
	}
	for _, path := range []string{"/directory/agencies/nobody", "/directory/services/99999", "/directory/services/x", "/directory/elsewhere"} {
		if p := b.get(path); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "Page not found") {
			t.Errorf("%s: status %d", path, p.Status)
		}
	}
}

// "Refer myself to this service" starts the form with the service chosen,
// and the referral goes to its agency.
func TestWebReferToChosenService(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	welfare := e.serviceOf(e.env.Net.Welfare)
	b := e.browser()
	start := "/refer/service/" + strconv.FormatInt(int64(welfare.ID), 10)
	p := b.get(start)
	if p.Path != pathStart || !strings.Contains(p.Body, "Welfare rights") {
		t.Fatalf("refer to a service: at %s\n%s", p.Path, p.Body)
	}
	check := b.fill(goodAnswers(), start)
	if !strings.Contains(check.Body, "Service you chose") || !strings.Contains(check.Body, "Kingdom Council Welfare Rights") {
		t.Error("check your answers does not show the chosen service")
	}
	done := b.send()
	if !strings.Contains(done.Body, "Kingdom Council Welfare Rights") {
		t.Error("confirmation does not name the agency")
	}
	rs := e.referrals()
	if len(rs) != 1 || rs[0].ToAgencyID == nil || *rs[0].ToAgencyID != e.env.Net.Welfare {
		t.Fatalf("referrals %+v, want one to Welfare Rights", rs)
	}
	if p := b.get("/refer/service/424242"); p.Status != http.StatusNotFound {
		t.Errorf("unknown service: status %d", p.Status)
	}
}

func TestWebTextInstead(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	p := e.browser().get(pathText)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "07700 900000") || !strings.Contains(p.Body, `href="sms:&#43;447700900000?&amp;body=Hello%2C%20I%20would%20like%20some%20free%20advice"`) {
		t.Errorf("text page: status %d\n%s", p.Status, p.Body)
	}
	// On a page in another language the first message is written in it,
	// and the conversation it starts is in that language (a client's
	// review: it began in English, with the languages offered).
	bodyRe := regexp.MustCompile(`href="sms:&#43;447700900000\?&amp;body=([^"]+)"`)
	for _, l := range e.web.cat.Languages() {
		page := e.browser().get(pathText + "?lang=" + l.Code)
		m := bodyRe.FindStringSubmatch(page.Body)
		if m == nil {
			t.Errorf("%s: no sms: link on the text page", l.English)
			continue
		}
		body, err := url.PathUnescape(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := e.web.flow.Start(time.Now(), body); l.Code != "en" && c.Lang != l.Code {
			t.Errorf("%s: the first message %q starts a conversation in %q", l.English, body, c.Lang)
		}
	}
	off := newWebEnv(t, func(c *Config) { c.SMSNumber = "" })
	b := off.browser()
	if p := b.get(pathText); p.Status != http.StatusNotFound {
		t.Errorf("text page with no SMS number: status %d", p.Status)
	}
	if p := b.get(pathStart); strings.Contains(p.Body, "sms:") {
		t.Error("start page offers texting with no SMS number")
	}
}

func TestWebDataSharingPage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	p := e.browser().get("/data-sharing")
	for _, want := range []string{"How we share and protect your details", "Kingdom Advice Network will share your name", "Wording version v1", "Kirkton Citizens Advice", "0800 000 0000"} {
		if p.Status != http.StatusOK || !strings.Contains(p.Body, want) {
			t.Errorf("data sharing page (status %d) lacks %q", p.Status, want)
		}
	}
}
