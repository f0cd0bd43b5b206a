package openreferral

import (
	"encoding/json"
	"testing"
)

// TestCouncilAreasAreNamed: a service's council area is published by name
// ("Fife"), with its GSS code as the area, and the feed reads back to the
// same code (TestExportImportExport holds the round trip).
func TestCouncilAreasAreNamed(t *testing.T) {
	f := newFeed(t, Config{})
	var services []Service
	if err := json.Unmarshal(f.export(), &services); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range services {
		for _, a := range s.ServiceAreas {
			if a.ExtentType != "council_area" {
				continue
			}
			found = true
			if a.Name != "Fife" || a.ServiceArea != "S12000047" {
				t.Errorf("%s: council area published as name %q, area %q; want Fife, S12000047", s.Name, a.Name, a.ServiceArea)
			}
		}
	}
	if !found {
		t.Fatal("no service in the feed has a council area")
	}
}
