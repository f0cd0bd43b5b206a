package openreferral

import (
	"context"
	"testing"
)

// TestRetiredAgencysServicesAreDefunct: once an agency has left the
// network, the feed publishes its services as HSDS's "defunct" (closed for
// good), not "inactive" (which consumers read as closed for now), in every
// list and on each service's own record; the others stay "active".
func TestRetiredAgencysServicesAreDefunct(t *testing.T) {
	f := newFeed(t, Config{})
	if err := f.env.Engine.RetireAgency(context.Background(), f.env.Net.FoodBank, f.env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	f.api.changedAt = f.api.changedAt.Add(-time2s)
	type item struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Status  string `json:"status"`
		Service struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"service"`
	}
	var list struct{ Contents []item }
	statuses := func(path, endpoint string) map[string]string {
		list.Contents = nil
		validate(t, endpoint, f.getJSON(path, &list))
		out := map[string]string{}
		for _, c := range list.Contents {
			name, status := c.Name, c.Status
			if c.Service.Name != "" { // a service_at_location: its service's
				name, status = c.Service.Name, c.Service.Status
			}
			out[name] = status
		}
		return out
	}
	for _, c := range []struct{ path, endpoint string }{
		{"/openreferral/services", "services"},
		{"/openreferral/service_at_locations", "service_at_locations"},
	} {
		got := statuses(c.path, c.endpoint)
		if got["Emergency food parcels"] != "defunct" {
			t.Errorf("%s: the retired food bank's service is %q, want defunct (all: %v)", c.path, got["Emergency food parcels"], got)
		}
		if got["Debt and money advice"] != "active" {
			t.Errorf("%s: the CAB's service is %q, want active", c.path, got["Debt and money advice"])
		}
	}
	var id string
	statuses("/openreferral/services", "services")
	for _, c := range list.Contents {
		if c.Name == "Emergency food parcels" {
			id = c.ID
		}
	}
	var one item
	validate(t, "services/{id}", f.getJSON("/openreferral/services/"+id, &one))
	if one.Status != "defunct" {
		t.Errorf("the retired food bank's service record: status %q, want defunct", one.Status)
	}
}
