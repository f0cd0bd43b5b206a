package core_test

import (
	"encoding/json"
	"testing"

	"github.com/onward-network/onward/core"
)

func TestStorableJSON(t *testing.T) {
	for _, c := range []struct {
		json string
		ok   bool
	}{
		{`{"note": "rent arrears"}`, true},
		{`{"note": "a\u0000b"}`, false},
		{`{"a\u0000": 1}`, false},
		{`{"note": "a\\u0000b"}`, true},   // the text \u0000, not a NUL
		{`{"note": "a\\\u0000b"}`, false}, // a backslash, then a NUL
		{`{"note": "\u00001"}`, false},
		{`{"note": "\u0001 is not NUL"}`, true},
		{`{"note": "ends with \\"}`, true},
	} {
		if got := core.StorableJSON([]byte(c.json)); got != c.ok {
			t.Errorf("StorableJSON(%s) = %v, want %v", c.json, got, c.ok)
		}
		var v any
		if err := json.Unmarshal([]byte(c.json), &v); err != nil {
			t.Fatalf("%s: %v", c.json, err)
		}
	}
}
