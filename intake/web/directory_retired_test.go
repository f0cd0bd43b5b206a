package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestRetiredAgencyPageIsGone: the page of an agency that has left the
// network, and each of its services' pages, answer 410 Gone, saying
// plainly that it is no longer part of the network, with none of its old
// contact details or "Taking referrals", and offer the directory's search.
func TestRetiredAgencyPageIsGone(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	cab := e.serviceOf(e.env.Net.CAB)
	if err := e.env.Engine.RetireAgency(context.Background(), e.env.Net.CAB, e.env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	for _, path := range []string{"/directory/agencies/kirkton-cab", "/directory/services/" + cab.UUID} {
		p := b.get(path)
		if p.Status != http.StatusGone {
			t.Errorf("%s: status %d, want 410 Gone", path, p.Status)
		}
		main := between(p.Body, "<main", "</main>")
		for _, want := range []string{"Kirkton Citizens Advice is no longer part of Kingdom Advice Network", `href="/directory"`} {
			if !strings.Contains(main, want) {
				t.Errorf("%s lacks %q:\n%s", path, want, main)
			}
		}
		for _, gone := range []string{"Taking referrals", "01592 000000", "Debt and money advice", "Refer myself"} {
			if strings.Contains(main, gone) {
				t.Errorf("%s still shows %q", path, gone)
			}
		}
	}
	// The other agencies' pages are as before.
	if p := b.get("/directory/agencies/kingdom-food-bank"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Taking referrals") {
		t.Errorf("another agency's page: %d", p.Status)
	}
}
