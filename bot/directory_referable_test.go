package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// Coordinators see the services matching does not offer (imported ones
// wait there) and enable or stop them, audited; advisers cannot.
func TestDirectoryReferable(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	services, err := tb.Engine.Services(ctx, tb.Net.FoodBank)
	if err != nil || len(services) != 1 || !services[0].Referable {
		t.Fatalf("food bank services %+v, %v", services, err)
	}
	svc := services[0]
	// As an import leaves it: not yet referable.
	if _, err := tb.Pool.Exec(ctx, `UPDATE services SET referable = false WHERE id = $1`, svc.ID); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/staff/directory/services/%d/referable", svc.ID)
	referable := func() bool {
		t.Helper()
		got, err := tb.Engine.Service(ctx, svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Referable
	}

	adviser := tb.signedIn(tb.Net.Adviser)
	adviser.get("/staff/")
	if resp, _ := adviser.post(path, url.Values{"csrf": {adviser.csrf}, "referable": {"yes"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("adviser enabling a service: %d, want 403", resp.StatusCode)
	}
	if referable() {
		t.Fatal("an adviser enabled the service")
	}
	if err := tb.Engine.SetReferable(ctx, svc.ID, true, tb.Net.Adviser.Actor()); err == nil {
		t.Error("core let an adviser enable a service")
	}

	c := tb.signedIn(tb.Net.Coordinator)
	_, body := c.get("/staff/directory")
	_, waiting, _ := strings.Cut(body, `id="waiting"`)
	waiting, _, _ = strings.Cut(waiting, "</section>")
	if !strings.Contains(waiting, "Emergency food parcels") || !strings.Contains(waiting, "Kingdom Food Bank") || strings.Contains(waiting, "Debt and money advice") {
		t.Errorf("waiting list:\n%s", waiting)
	}
	if resp, _ := c.post(path, url.Values{"referable": {"yes"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without the form token: %d, want 403", resp.StatusCode)
	}
	resp, _ := c.post(path, url.Values{"csrf": {c.csrf}, "referable": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther || !referable() {
		t.Fatalf("enable: %d, referable %v", resp.StatusCode, referable())
	}
	_, body = c.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "Emergency food parcels enabled") || strings.Contains(body, `id="waiting"`) {
		t.Errorf("after enabling:\n%s", body)
	}
	resp, _ = c.post(path, url.Values{"csrf": {c.csrf}, "referable": {"no"}})
	if resp.StatusCode != http.StatusSeeOther || referable() {
		t.Fatalf("stop: %d, referable %v", resp.StatusCode, referable())
	}
	var on, off int
	if err := tb.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE data->>'referable' = 'true'), count(*) FILTER (WHERE data->>'referable' = 'false')
		FROM events WHERE kind = $1 AND agency_id = $2 AND actor_id = $3`,
		core.EventServiceChanged, tb.Net.FoodBank, tb.Net.Coordinator.ID).Scan(&on, &off); err != nil || on != 1 || off != 1 {
		t.Errorf("audit: %d enabled, %d stopped events by the coordinator (%v), want 1 and 1", on, off, err)
	}
}
