package api

import (
	"bytes"
	"testing"
)

// TestCanonicalBody: two JSON bodies are the same when they differ only
// in key order, whitespace or escapes; numbers are compared as written
// (1.50 is not 1.5), arrays in order; a body that is not one JSON value
// is compared byte for byte.
func TestCanonicalBody(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		a, b string
		same bool
	}{
		{"key order and whitespace", `{"a":1,"b":{"c":[1,2],"d":null}}`, "{ \"b\" : {\"d\": null, \"c\": [1, 2]},\n\t\"a\": 1 }", true},
		{"escapes", `{"name":"Morag Baird"}`, `{"name":"Morag \u0042aird"}`, true},
		{"a number written another way", `{"amount":1.50}`, `{"amount":1.5}`, false},
		{"a big number kept whole", `{"n":12345678901234567891}`, `{"n":12345678901234567890}`, false},
		{"array order", `{"needs":["debt","housing"]}`, `{"needs":["housing","debt"]}`, false},
		{"another value", `{"case_id":"C-1"}`, `{"case_id":"C-2"}`, false},
		{"not JSON, same bytes", `name=Morag`, `name=Morag`, true},
		{"not JSON, other whitespace", `{"a":1} x`, `{"a":1}  x`, false},
		{"empty", ``, ``, true},
		{"a member given twice is not the last of them alone", `{"to_agency":"kc-housing","to_agency":"kirkton-cab"}`, `{"to_agency":"kirkton-cab"}`, false},
		{"nested objects and arrays", `{"a":[{"x":1},{"y":[true,null]}]}`, `{"a":[{"x":1},{"y":[true,null]}]}`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b := canonicalBody([]byte(c.a), nil), canonicalBody([]byte(c.b), nil)
			if bytes.Equal(a, b) != c.same {
				t.Fatalf("%s and %s: same=%v, want %v", a, b, !c.same, c.same)
			}
		})
	}
}
