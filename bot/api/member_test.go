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
	t.Parallel()
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

// TestMisnamedMember: reading names as written, a member named as a field
// in another case is found, with the field's own name, at the top, inside
// an object, an array element, a map value or an embedded struct; an
// unknown one is found with no name meant; a member given twice in its
// object is found where it is given again; right names find nothing.
func TestMisnamedMember(t *testing.T) {
	t.Parallel()
	type common struct {
		ID string `json:"id"`
	}
	type dst struct {
		common
		Reason string `json:"reason"`
		Client struct {
			Postcode string `json:"postcode"`
		} `json:"client"`
		Output []struct {
			Value string `json:"value"`
		} `json:"output"`
		Tags  map[string]struct{ Weekly int } `json:"tags"`
		Extra json.RawMessage                 `json:"extra"`
		Plain struct{ Name string }           // named by its Go name
		Both  struct{ Name, NAME string }     `json:"both"`
		Deep  map[string][]struct {
			On bool `json:"on"`
		} `json:"deep"`
	}
	for _, c := range []struct {
		body     string
		want     []string
		meant    string
		repeated bool
	}{
		{`{"reason": "a", "reason": "b"}`, []string{"reason"}, "", true},
		{`{"client": {"postcode": "KY1 1AB", "postcode": "KY2 5AA"}}`, []string{"client", "postcode"}, "", true},
		{`{"output": [{"value": "x"}, {"value": "y", "value": "z"}]}`, []string{"output", "1", "value"}, "", true},
		{`{"tags": {"k": {"Weekly": 1}, "k": {"Weekly": 2}}}`, []string{"tags", "k"}, "", true},
		{`{"reason": "a", "Reason": "b", "reason": "c"}`, []string{"Reason"}, "reason", false},
		{`{"extra": {"a": 1, "a": 2}}`, nil, "", false}, // raw JSON is not read
		{`{"Reason": "duplicate"}`, []string{"Reason"}, "reason", false},
		{`{"REASON": "duplicate"}`, []string{"REASON"}, "reason", false},
		{`{"client": {"Postcode": "KY1 1AB"}}`, []string{"client", "Postcode"}, "postcode", false},
		{`{"Client": {"Postcode": "KY1 1AB"}}`, []string{"Client"}, "client", false},
		{`{"output": [{"value": "x"}, {"Value": "y"}]}`, []string{"output", "1", "Value"}, "value", false},
		{`{"tags": {"k": {"weekly": 1}}}`, []string{"tags", "k", "weekly"}, "Weekly", false},
		{`{"ID": "1"}`, []string{"ID"}, "id", false},
		{`{"plain": {"Name": "a"}}`, []string{"plain"}, "Plain", false},
		{`{"both": {"name": "a"}}`, []string{"both", "name"}, "NAME", false},
		{`{"deep": {"x": [{"on": true}, {"ON": true}]}}`, []string{"deep", "x", "1", "ON"}, "on", false},
		{`{"reason": "a", "colour": "blue", "Reason": "b"}`, []string{"colour"}, "", false},
		{`{"client": {"nhs_number": 1}}`, []string{"client", "nhs_number"}, "", false},
		// Right names, and members nothing checks (raw JSON), find nothing.
		{`{"id": "1", "reason": "a", "client": {"postcode": "KY1 1AB"}, "output": [{"value": "x"}], "tags": {"K": {"Weekly": 2}},
		   "extra": {"Anything": 1}, "Plain": {"Name": "a"}, "both": {"Name": "a", "NAME": "b"}, "deep": {"x": [{"on": false}]}}`, nil, "", false},
		{`{"reason": 5}`, nil, "", false},
		{`{"client": "not an object", "Reason": "x"}`, []string{"Reason"}, "reason", false},
		{`{"reason": `, nil, "", false},
		{`[1, 2]`, nil, "", false},
	} {
		got, ok := api.MisnamedMember([]byte(c.body), &dst{})
		if ok != (c.want != nil) || !slices.Equal(got.Path, c.want) || got.Want != c.meant || got.Repeated != c.repeated {
			t.Errorf("MisnamedMember(%s) = %+v, %v; want %q, %q, repeated %v", c.body, got, ok, c.want, c.meant, c.repeated)
		}
	}
}

// FuzzMisnamedMember holds MisnamedMember to encoding/json: whenever the
// decoder refuses an unknown member of a create request, MisnamedMember
// finds one too (that or a misnamed one before it), and a member it says
// is misnamed differs from the name meant in case only.
func FuzzMisnamedMember(f *testing.F) {
	for _, s := range []string{
		`{"client": {"nhs_number": 1}}`, `{"Client": {"Name": "x"}}`, `{"CASE_ID": "C-1"}`, `{"consent": {"Agencies": ["a"]}}`,
		`{"needs": ["debt"], "Needs": ["housing"]}`, `{"client": {"name": 5, "Postcode": 1}}`, `{"ſcope": 1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in api.CreateRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err := dec.Decode(&in)
		issue, ok := api.MisnamedMember(body, &api.CreateRequest{})
		path, meant := issue.Path, issue.Want
		if err != nil && strings.HasPrefix(err.Error(), "json: unknown field ") && !ok {
			t.Fatalf("the decoder refused %v in %q; MisnamedMember found nothing", err, body)
		}
		if ok && meant != "" {
			if got := path[len(path)-1]; got == meant || !strings.EqualFold(got, meant) {
				t.Fatalf("MisnamedMember(%q) took %q for %q", body, got, meant)
			}
		}
	})
}

// UnknownFieldName reads the member name out of the decoder's own
// refusal, escapes included, and nothing out of any other error.
func TestUnknownFieldName(t *testing.T) {
	t.Parallel()
	type shape struct {
		Reason string `json:"reason"`
	}
	for _, tc := range []struct {
		body, want string
		ok         bool
	}{
		{`{"signed": true}`, "signed", true},
		{`{"say \"hi\"": 1}`, `say "hi"`, true},
		{`{"reason": 5}`, "", false},
		{`{"reason": "full"}`, "", false},
		{`{"reason":`, "", false},
	} {
		dec := json.NewDecoder(strings.NewReader(tc.body))
		dec.DisallowUnknownFields()
		var s shape
		got, ok := api.UnknownFieldName(dec.Decode(&s))
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %q, %v; want %q, %v", tc.body, got, ok, tc.want, tc.ok)
		}
	}
}
