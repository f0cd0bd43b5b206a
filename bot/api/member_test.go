package api_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/bot/api"
)

// TestUnknownMember: the path of the member the decoder refuses, from
// the root, for the JSON pointer and FHIRPath refusals name.
func TestUnknownMember(t *testing.T) {
	type gain struct {
		Weekly int `json:"weekly_income_pence"`
	}
	type common struct {
		ID string `json:"id"`
	}
	type dst struct {
		common
		Client struct {
			Name string `json:"name"`
		} `json:"client"`
		Output []struct {
			Value string `json:"value"`
		} `json:"output"`
		Gain  *gain               `json:"gain"`
		Extra json.RawMessage     `json:"extra"`
		Tags  map[string]gain     `json:"tags"`
		Any   any                 `json:"any"`
		Skip  string              `json:"-"`
		Pairs [][]struct{ A int } `json:"pairs"`
	}
	for _, c := range []struct {
		body string
		want []string
	}{
		{`{"client": {"name": "a", "nhs_number": 1}}`, []string{"client", "nhs_number"}},
		{`{"output": [{"value": "x"}, {"valueString": "y"}]}`, []string{"output", "1", "valueString"}},
		{`{"id": "1", "gain": {"weekly": 3}}`, []string{"gain", "weekly"}},
		{`{"CLIENT": {"NAME": "a", "Other": 1}}`, []string{"CLIENT", "Other"}},
		{`{"extra": {"anything": [1]}, "any": {"x": 1}, "tags": {"k": {"weekly_income_pence": 1, "z": 2}}}`, []string{"tags", "k", "z"}},
		{`{"client": "not an object", "Skip": 1}`, []string{"Skip"}},
		{`{"pairs": [[{"A": 1}], [{"B": 2}]]}`, []string{"pairs", "1", "0", "B"}},
		{`{"client": {"name": "a"}}`, nil},
		{`[1, 2]`, nil},
	} {
		got, ok := api.UnknownMember([]byte(c.body), &dst{})
		if ok != (c.want != nil) || !slices.Equal(got, c.want) {
			t.Errorf("UnknownMember(%s) = %q, %v; want %q", c.body, got, ok, c.want)
		}
	}
}

// FuzzUnknownMember holds UnknownMember to encoding/json: whenever the
// decoder refuses an unknown member of a create request, UnknownMember
// finds a path ending in that member.
func FuzzUnknownMember(f *testing.F) {
	for _, s := range []string{
		`{"client": {"nhs_number": 1}}`, `{"consent": {"signed": true}}`, `[{"a": 1}]`, `{"needs": ["debt"], "x": 1}`,
		`{"client": {"name": 5, "b": 1}}`, `{"Client": {"Name": "x", "c": 2}}`, `{"consent": {"agencies": [{"a": 1}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in api.CreateRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err := dec.Decode(&in)
		path, ok := api.UnknownMember(body, &api.CreateRequest{})
		quoted, unknown := "", false
		if err != nil {
			quoted, unknown = strings.CutPrefix(err.Error(), "json: unknown field ")
		}
		if !unknown {
			return
		}
		if !ok || len(path) == 0 || strconv.Quote(path[len(path)-1]) != quoted {
			t.Fatalf("the decoder refused %s in %q; UnknownMember found %q, %v", quoted, body, path, ok)
		}
	})
}
