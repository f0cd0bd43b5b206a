package flow

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// The embedded flow is built once a process: a second load with another
// catalogue over the same message files gets the same checked steps,
// speaking through its own catalogue in every language.
func TestLoadFlowInBuildsTheEmbeddedFlowOnce(t *testing.T) {
	catA, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	catB, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := LoadFlowIn(templates.FS, "self_referral", catA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadFlowIn(templates.FS, "self_referral", catB)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a.steps == nil || !sameMap(a.steps, b.steps) {
		t.Fatalf("second load: a flow of its own %v, the same steps %v; want a new flow over the steps built once", a != b, sameMap(a.steps, b.steps))
	}
	for _, l := range catB.Languages() {
		if got := b.In(l.Code).Catalogue(); got != catB {
			t.Errorf("the second flow in %s speaks through another catalogue", l.Code)
		}
		if got := a.In(l.Code).Catalogue(); got != catA {
			t.Errorf("the first flow in %s no longer speaks through its own catalogue", l.Code)
		}
	}
	if b.WithConsentVersion("v-test") == a.WithConsentVersion("v-test") {
		t.Error("the two flows share their bindings to a consent version")
	}
	if _, err := b.Render(b.Messages.Done, map[string]any{}); err == nil || !strings.Contains(err.Error(), "Reference") {
		t.Errorf("rendering through the second flow: %v, want the missing Reference named", err)
	}
}

// A catalogue read from other message files gets a flow built from its
// own words, never one built from the embedded files'.
func TestLoadFlowInBuildsAfreshForOtherMessages(t *testing.T) {
	m := fstest.MapFS{}
	for _, p := range []string{"flows/self_referral.yaml", "i18n/en.toml"} {
		data, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			t.Fatal(err)
		}
		m[p] = &fstest.MapFile{Data: data}
	}
	embedded, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFlowIn(templates.FS, "self_referral", embedded); err != nil {
		t.Fatal(err)
	}
	own, err := lang.Load(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := LoadFlowIn(templates.FS, "self_referral", own)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.family); got != 1 || f.Catalogue() != own {
		t.Errorf("a flow over English-only messages has %d languages (want 1), its own catalogue %v", got, f.Catalogue() == own)
	}
}

// sameMap reports whether two maps are one map.
func sameMap[K comparable, V any](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || any(v) != any(w) {
			return false
		}
	}
	return true
}
