package api_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/onward-network/onward/bot/api"
)

// TestUnstorablePath: the string Onward cannot store is found where it
// is, as a value, an array element, deep inside, or a member's name;
// escaped backslashes are text; a body with nothing wrong finds nothing.
func TestUnstorablePath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		body string
		want []string
	}{
		{`{"case_id": "a\u0000b"}`, []string{"case_id"}},
		{`{"needs": ["debt", "x\ud800"], "case_id": "\u0000"}`, []string{"needs", "1"}},
		{`{"client": {"name": "A", "notes": "\udc00"}}`, []string{"client", "notes"}},
		{`{"a": [{"b": 1}, {"c": [true, null, "\u0000"]}]}`, []string{"a", "1", "c", "2"}},
		{`{"client": {"na\u0000me": "A"}}`, []string{"client", "na\x00me"}},
		{`{"case_id": "a\\u0000b", "x": "\ud83d\ude00"}`, nil},
		{`{"case_id": "ok"}`, nil},
	} {
		got, ok := api.UnstorablePath([]byte(c.body))
		if ok != (c.want != nil) || !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, %v; want %q", c.body, got, ok, c.want)
		}
	}
}

// FuzzUnstorablePath holds UnstorablePath to UnstorableText: of valid
// JSON, it finds a place exactly when the body is refused as unstorable.
func FuzzUnstorablePath(f *testing.F) {
	for _, s := range []string{`{"case_id": "a\u0000b"}`, `{"needs": ["x\ud800"]}`, `{"a\udc00": 1}`, `"\u0000"`,
		`{"case_id": "a\\u0000b"}`, `[1, {"b": [null, "\ud83d\ude00"]}]`, "{\"a\": \"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			api.UnstorablePath(body) // must not panic
			return
		}
		_, found := api.UnstorablePath(body)
		if refused := api.UnstorableText(body) != nil; found != refused {
			t.Fatalf("%q: UnstorableText refuses it: %v; UnstorablePath found a place: %v", body, refused, found)
		}
	})
}
