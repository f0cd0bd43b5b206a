package core_test

import (
	"testing"

	"github.com/onward-network/onward/core"
)

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"fife", "fife", 0}, {"", "abc", 3}, {"fiffe", "fife", 1},
		{"lsit", "list", 1}, // a swap of neighbours is one slip
		{"kitten", "sitting", 3}, {"łódź", "lodz", 3}, {"revoke", "remove", 2},
	} {
		if got := core.EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := core.EditDistance(c.b, c.a); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d (either way round)", c.b, c.a, got, c.want)
		}
	}
}
