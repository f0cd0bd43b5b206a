package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// englishWords are what an untranslated reason or date would show: the
// reasons' English words and every English month name.
var englishWords = []string{"offers", "serves", "does not serve", "at capacity", "agencies only", "until",
	"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// Why an agency is listed or left out, and the day an agency at capacity
// takes referrals again, are in the reader's language: Polish, and Arabic
// right to left. English pages read as before.
func TestDirectoryReasonsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx := context.Background()
	coord := e.env.Net.Coordinator.Actor()
	if err := e.env.Engine.SetCapacity(ctx, e.env.Net.CAB, true, "Waiting list until March", coord); err != nil {
		t.Fatal(err)
	}
	until := time.Date(2027, 3, 14, 0, 0, 0, 0, time.UTC)
	if err := e.env.Engine.PublishCapacityUntil(ctx, e.env.Net.CAB, &until, coord); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang string
		// listed is the suggested agency's reasons (Fife Council Welfare
		// Rights: debt, council-wide); left is the agency at capacity's.
		listed, left, capacityTag string
	}{
		{"en", "Why it is listed: offers debt, serves Fife.", "does not serve KY16; at capacity until 14 March 2027.",
			"Not taking new referrals until 14 March 2027"},
		{"pl", "Dlaczego jest na liście: pomaga w sprawach: długi, obsługuje Fife.",
			"nie obsługuje KY16; nie przyjmuje nowych zgłoszeń do 14 marca 2027.", "Nie przyjmuje nowych zgłoszeń do 14 marca 2027"},
		{"ar", "سبب ظهورها: تقدم المساعدة في: الديون, تخدم Fife.",
			"لا تخدم KY16; لا تستقبل إحالات جديدة حتى 14 مارس 2027.", "لا تستقبل إحالات جديدة حتى 14 مارس 2027"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			p := e.browser().get("/directory?need=debt&area=KY16&lang=" + c.lang)
			if p.Status != http.StatusOK {
				t.Fatalf("status %d", p.Status)
			}
			results := between(p.Body, `id="results"`, "</main>")
			left := between(results, `href="/directory/agencies/kirkton-cab"`, "</div>")
			if !strings.Contains(results, c.listed) {
				t.Errorf("results lack %q:\n%s", c.listed, results)
			}
			if !strings.Contains(left, c.left) {
				t.Errorf("the agency at capacity: want %q in\n%s", c.left, left)
			}
			agency := e.browser().get("/directory/agencies/kirkton-cab?lang=" + c.lang)
			service := e.browser().get("/directory/services/" + e.serviceOf(e.env.Net.CAB).UUID + "?lang=" + c.lang)
			for _, p := range []*page{agency, service} {
				if !strings.Contains(p.Body, c.capacityTag) {
					t.Errorf("%s lacks %q", p.Path, c.capacityTag)
				}
			}
			if c.lang == "en" {
				return
			}
			for _, text := range []string{results, between(agency.Body, "<main", "</main>"), between(service.Body, "<main", "</main>")} {
				for _, w := range englishWords {
					if strings.Contains(text, w) {
						t.Errorf("the %s page has the English %q:\n%s", c.lang, w, text)
					}
				}
			}
		})
	}
}
