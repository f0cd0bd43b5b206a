package api_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/onward-network/onward/core"
)

// A suggestion's reasons come twice: in English, as they always have, and
// by code with the facts they name, for a partner that shows them in its
// own words.
func TestSuggestionReasonsInEnglishAndByCode(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead))
	r := h.do(t, "GET", "/api/v1/suggestions?needs=debt,benefits&area=KY1", tok, nil)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	type reason struct{ Kind, Need, Area, Language, Until string }
	var out struct {
		Data []struct {
			Agency  struct{ Slug string }
			Reasons []string
			Why     []reason
		}
	}
	if err := json.Unmarshal(r.body, &out); err != nil || len(out.Data) == 0 {
		t.Fatalf("suggestions: %v %s", err, r.body)
	}
	first := out.Data[0]
	if want := []string{"offers debt", "offers benefits and welfare rights", "serves KY1"}; first.Agency.Slug != "kirkton-cab" || !reflect.DeepEqual(first.Reasons, want) {
		t.Errorf("first suggestion %s, reasons %q, want kirkton-cab %q", first.Agency.Slug, first.Reasons, want)
	}
	if want := []reason{{Kind: "offers", Need: "debt"}, {Kind: "offers", Need: "benefits"}, {Kind: "serves", Area: "KY1"}}; !reflect.DeepEqual(first.Why, want) {
		t.Errorf("why = %+v, want %+v", first.Why, want)
	}
}
