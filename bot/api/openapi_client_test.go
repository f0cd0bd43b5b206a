package api_test

import (
	"bytes"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
)

// A partner's developer validates requests against the document before
// sending them: NewReferral's client is as strict there as the server
// is, from the same definitions (core.ClientDetails' validation tags and
// core.ContactTimes), so the two cannot drift apart.
func TestNewReferralClientSchemaIsTheServersRule(t *testing.T) {
	t.Parallel()
	c := loadContract(t)
	client := c.doc["components"].(map[string]any)["schemas"].(map[string]any)["NewReferral"].(map[string]any)["properties"].(map[string]any)["client"].(map[string]any)
	props := client["properties"].(map[string]any)

	req := reflect.TypeOf(api.ClientRequest{})
	details := reflect.TypeOf(core.ClientDetails{})
	for i := 0; i < req.NumField(); i++ {
		f := req.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		prop, ok := props[name].(map[string]any)
		if !ok {
			t.Errorf("client.%s is a field of the request the document does not list", name)
			continue
		}
		df, ok := details.FieldByName(f.Name)
		if !ok {
			continue
		}
		var max, oneOf string
		for _, rule := range strings.Split(df.Tag.Get("validate"), ",") {
			if v, ok := strings.CutPrefix(rule, "max="); ok {
				max = v
			}
			if v, ok := strings.CutPrefix(rule, "oneof="); ok {
				oneOf = v
			}
		}
		if max != "" {
			if got, _ := prop["maxLength"].(float64); strconv.Itoa(int(got)) != max {
				t.Errorf("client.%s: the document's maxLength is %v, the server's %s", name, prop["maxLength"], max)
			}
		}
		want := strings.Fields(oneOf)
		if f.Name == "ContactTime" {
			want = core.ContactTimes
		}
		if len(want) > 0 {
			var got []string
			for _, v := range prop["enum"].([]any) {
				got = append(got, v.(string))
			}
			if !slices.Equal(got, want) {
				t.Errorf("client.%s: the document's enum is %q, the server's %q", name, got, want)
			}
		}
	}

	// core.ContactProblems: a phone number or an email address.
	sch, err := c.compiler.Compile(docURL + "#/components/schemas/NewReferral")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		client string
		ok     bool
	}{
		{`{"name": "Ailsa Fictional", "phone": "07700 900123"}`, true},
		{`{"name": "Ailsa Fictional", "email": "ailsa@example.org"}`, true},
		{`{"name": "Ailsa Fictional", "postcode": "KY1 1AB"}`, false},
		{`{"name": "Ailsa Fictional", "phone": "07700 900123", "preferred_contact": "letter"}`, false},
		{`{"name": "Ailsa Fictional", "phone": "07700 900123", "contact_time": "night"}`, false},
		{`{"name": "Ailsa Fictional", "phone": "07700 900123", "town": "` + strings.Repeat("k", 101) + `"}`, false},
	} {
		body := `{"client": ` + tc.client + `, "needs": ["debt"], "to_agency": "kirkton-cab",
			"consent": {"wording_version": "v1", "scope": "network", "witnessed_by": "Isla Moffat"}}`
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); (err == nil) != tc.ok {
			t.Errorf("client %s: the document says %v; want valid %v", tc.client, err, tc.ok)
		}
	}
}
