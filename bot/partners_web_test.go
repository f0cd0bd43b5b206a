package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestPartnersPage(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()

	adviser := tb.signedIn(tb.Net.Adviser)
	if resp, _ := adviser.get("/staff/partners"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("adviser on the partners page: %d", resp.StatusCode)
	}

	c := tb.signedIn(tb.Net.Coordinator)
	if resp, body := c.get("/staff/partners"); resp.StatusCode != 200 || !strings.Contains(body, "No partner systems yet") {
		t.Fatalf("partners page: %d %s", resp.StatusCode, body)
	}
	// A mistake is named and nothing is added.
	resp, body := c.post("/staff/partners", url.Values{"csrf": {c.csrf}, "name": {""}, "agency": {"network"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "name") {
		t.Fatalf("empty add: %d %s", resp.StatusCode, body)
	}
	if ps, _ := tb.Engine.Partners(ctx); len(ps) != 0 {
		t.Fatalf("a refused add wrote %d partners", len(ps))
	}
	// An agency that is not one of the list's is a mistake, not the
	// whole network.
	resp, body = c.post("/staff/partners", url.Values{"csrf": {c.csrf}, "name": {"Kirkton casework"},
		"agency": {"kirkton"}, "scopes": {"read"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose an agency from the list") {
		t.Fatalf("an agency that is not a number: %d %s", resp.StatusCode, body)
	}
	if ps, _ := tb.Engine.Partners(ctx); len(ps) != 0 {
		t.Fatalf("an add for no agency in the list wrote %d partners (for the whole network?)", len(ps))
	}
	resp, body = c.post("/staff/partners", url.Values{"csrf": {c.csrf}, "name": {"Kirkton casework"},
		"agency": {fmt.Sprint(tb.Net.CAB)}, "scopes": {"read", "act"}})
	secret := regexp.MustCompile(`onwsec_[A-Za-z0-9_-]+`).FindString(body)
	clientID := regexp.MustCompile(`onw_[a-f0-9]+`).FindString(body)
	if resp.StatusCode != 200 || secret == "" || clientID == "" {
		t.Fatalf("add: %d %s", resp.StatusCode, body)
	}
	p, err := tb.Engine.AuthenticatePartner(ctx, clientID, secret)
	if err != nil || p.AgencyID == nil || *p.AgencyID != tb.Net.CAB {
		t.Fatalf("the added partner: %+v %v", p, err)
	}
	// The secret is shown once: the list never shows it again.
	if _, body := c.get("/staff/partners"); strings.Contains(body, secret) || !strings.Contains(body, "Kirkton casework") {
		t.Fatal("the list shows the secret, or not the partner")
	}
	resp, _ = c.post(fmt.Sprintf("/staff/partners/%d/revoke", p.ID), url.Values{"csrf": {c.csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if _, err := tb.Engine.AuthenticatePartner(ctx, clientID, secret); err == nil {
		t.Fatal("revoked on the staff web, yet it still authenticates")
	}
	// A partner system that is not there is named as what it is, not as
	// a referral.
	for _, id := range []string{"99999", "x"} {
		resp, body := c.post("/staff/partners/"+id+"/revoke", url.Values{"csrf": {c.csrf}})
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "That partner system is not in Onward") || strings.Contains(body, "referral") {
			t.Errorf("revoking partner %s that is not there: %d, want 404 naming a partner system", id, resp.StatusCode)
		}
	}
}
