package core_test

import (
	"encoding/json"
	"testing"

	"github.com/onward-network/onward/core"
)

func TestUnstorableJSON(t *testing.T) {
	t.Parallel()
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
		// Surrogates: a pair is one character; half of one is refused,
		// as encoding/json would store U+FFFD in its place.
		{`{"name": "Mo\ud83d\ude00rag"}`, true},
		{`{"name": "Mo\uD83D\uDE00rag"}`, true},
		{`{"name": "Mo\ud800rag"}`, false},
		{`{"name": "Mo\ud800"}`, false},
		{`{"name": "Mo\ude00rag"}`, false},
		{`{"name": "Mo\ud800\u0041"}`, false},
		{`{"name": "Mo\ud800\ud800\udc00"}`, false},
		{`{"name": "Mo\\ud800rag"}`, true}, // the text \ud800
		{`{"name": "\u00e9\ud800"}`, false},
	} {
		if err := core.UnstorableJSON([]byte(c.json)); (err == nil) != c.ok {
			t.Errorf("UnstorableJSON(%s) = %v, want ok %v", c.json, err, c.ok)
		}
		var v any
		if err := json.Unmarshal([]byte(c.json), &v); err != nil {
			t.Fatalf("%s: %v", c.json, err)
		}
	}
}
