package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestDirectoryNamesCouncilAreas: a service for a whole council area shows
// the area by name, never by its code.
func TestDirectoryNamesCouncilAreas(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	p := e.browser().get("/directory/agencies/kc-welfare-rights")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	if !strings.Contains(p.Body, "Fife") || strings.Contains(p.Body, "S12000047") {
		t.Errorf("welfare rights' page should name Fife, not its code:\n%s", p.Body)
	}
}
