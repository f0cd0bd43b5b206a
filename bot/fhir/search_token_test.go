package fhir

import (
	"slices"
	"testing"
)

// TestTokens: a token search's value splits into its alternatives at
// commas and into system and code at the first bar, with FHIR's escapes
// (\, \| \$ \\) kept in the value as the characters they stand for.
func TestTokens(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want []token
	}{
		{"fulfill", []token{{code: "fulfill"}}},
		{"sys|code", []token{{system: "sys", code: "code", hasSystem: true}}},
		{"|code", []token{{code: "code", hasSystem: true}}},
		{"sys|", []token{{system: "sys", hasSystem: true}}},
		{"a,b", []token{{code: "a"}, {code: "b"}}},
		{`case\,one`, []token{{code: "case,one"}}},
		{`sys|a\|b,c`, []token{{system: "sys", code: "a|b", hasSystem: true}, {code: "c"}}},
		{`back\\slash`, []token{{code: `back\slash`}}},
		{`a\x`, []token{{code: `a\x`}}},
		{",,", nil},
	} {
		if got := tokens(c.in); !slices.Equal(got, c.want) {
			t.Errorf("tokens(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}
