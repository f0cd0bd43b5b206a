package openreferral

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// The terms the network file maps needs to are published: as attributes
// of the services offering the need, as taxonomy terms of their own
// taxonomy, and as a filter that finds those services. An export that
// carries them imports back unchanged.
func TestMappedNeedTermsArePublished(t *testing.T) {
	f := newFeed(t, Config{})
	ctx := context.Background()
	m := core.NeedTerm{Need: core.NeedFood, Taxonomy: "esd-service-types", Term: "1601", Name: "Food banks"}
	if err := f.env.Engine.SetNeedTerm(ctx, f.env.Pool, m); err != nil {
		t.Fatal(err)
	}
	f.api.mu.Lock()
	f.api.changedAt = f.api.changedAt.AddDate(-1, 0, 0) // a new directory version now
	f.api.mu.Unlock()

	food := f.names("/openreferral/services?taxonomy_term_id=" + m.TermID())
	if !slices.Equal(food, []string{"Emergency food parcels"}) {
		t.Errorf("services with the mapped term: %q", food)
	}
	var svc Service
	ss, err := f.env.Engine.Services(ctx, f.env.Net.FoodBank)
	if err != nil || len(ss) != 1 {
		t.Fatal(ss, err)
	}
	b := f.getJSON("/openreferral/services/"+ss[0].UUID, &svc)
	validate(t, "services/{id}", b)
	if !slices.ContainsFunc(svc.Attributes, func(a Attribute) bool {
		return a.TaxonomyTermID == m.TermID() && a.TaxonomyTerm != nil && a.TaxonomyTerm.Name == "Food banks" && a.TaxonomyTerm.Taxonomy == "esd-service-types"
	}) {
		t.Errorf("the food service lacks the mapped term: %+v", svc.Attributes)
	}
	var term TaxonomyTerm
	validate(t, "taxonomy_terms/{id}", f.getJSON("/openreferral/taxonomy_terms/"+m.TermID(), &term))
	if term.Name != "Food banks" || term.TaxonomyID != m.TaxonomyID() {
		t.Errorf("term %+v", term)
	}
	var tax Taxonomy
	validate(t, "taxonomies/{id}", f.getJSON("/openreferral/taxonomies/"+m.TaxonomyID(), &tax))
	if tax.Name != "esd-service-types" || len(tax.TaxonomyTerms) != 1 {
		t.Errorf("taxonomy %+v", tax)
	}
	var list struct {
		Contents []Taxonomy `json:"contents"`
	}
	b = f.getJSON("/openreferral/taxonomies", &list)
	validate(t, "taxonomies", b)
	if len(list.Contents) != 2 {
		t.Errorf("taxonomies: %+v", list.Contents)
	}
	if status, _, _ := f.get("/openreferral/taxonomy_terms/" + core.DerivedUUID(m.TermID(), "x", "y")); status != http.StatusNotFound {
		t.Errorf("an unknown term: %d", status)
	}

	// Export, import: nothing changes (the published term is read back as
	// the need, not kept as a foreign term), and exports the same again.
	first := f.export()
	if !strings.Contains(string(first), m.TermID()) {
		t.Error("the export lacks the mapped term")
	}
	for _, dry := range []bool{true, false} {
		rep, err := f.importBytes(first, dry)
		if err != nil || len(rep.Changes) != 0 {
			t.Fatalf("import of the export (dry run %v): %v %v", dry, rep.Changes, err)
		}
	}
	if again := f.export(); string(first) != string(again) {
		t.Error("export → import → export differs")
	}
}
