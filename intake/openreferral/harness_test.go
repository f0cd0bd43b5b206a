package openreferral

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// The published schemas, as Open Referral UK ships them (testdata holds an
// exact copy of ../shared/standards/oruk-3.0).
const schemaDir = "testdata/oruk-3.0/schema"

var (
	schemasOnce sync.Once
	schemas     map[string]*jsonschema.Schema
	schemasErr  error
)

// pageSchema is the Page of the OpenAPI document, with every field
// required, as the validator expects of a list.
const pageSchema = `{
  "type": "object",
  "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
  "properties": {
    "total_items": {"type": "integer"}, "total_pages": {"type": "integer"}, "page_number": {"type": "integer"},
    "size": {"type": "integer"}, "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"},
    "empty": {"type": "boolean"}, "contents": {"type": "array"}
  }
}`

// schemaFor names the schema each endpoint's answer (or, for lists, each
// item) must meet, as the OpenAPI document says.
var schemaFor = map[string]string{
	"services":                               "compiled/service_list.json",
	"services/{id}":                          "compiled/service.json",
	"service_at_locations":                   "compiled/service_at_location_list.json",
	"service_at_locations/{id}":              "compiled/service_at_location.json",
	"service_at_locations/{id} as a service": "compiled/service.json",
	"organizations":                          "compiled/organization_list.json",
	"organizations/{id}":                     "compiled/organization.json",
	"taxonomies":                             "taxonomy.json",
	"taxonomies/{id}":                        "taxonomy.json",
	"taxonomy_terms":                         "taxonomy_term.json",
	"taxonomy_terms/{id}":                    "taxonomy_term.json",
	"page":                                   "page",
}

func loadSchemas(t testing.TB) map[string]*jsonschema.Schema {
	t.Helper()
	schemasOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		page, err := jsonschema.UnmarshalJSON(strings.NewReader(pageSchema))
		if err != nil {
			schemasErr = err
			return
		}
		if err := c.AddResource("mem:///page.json", page); err != nil {
			schemasErr = err
			return
		}
		schemas = map[string]*jsonschema.Schema{}
		for _, file := range schemaFor {
			loc := "mem:///page.json"
			if file != "page" {
				abs, err := filepath.Abs(filepath.Join(schemaDir, file))
				if err != nil {
					schemasErr = err
					return
				}
				loc = abs
			}
			s, err := c.Compile(loc)
			if err != nil {
				schemasErr = err
				return
			}
			schemas[file] = s
		}
	})
	if schemasErr != nil {
		t.Fatalf("compile the published schemas: %v", schemasErr)
	}
	return schemas
}

// validate checks an answer of an endpoint ("services", "services/{id}")
// against its published schema; a list is checked as a Page and each of
// its contents against the item schema.
func validate(t testing.TB, endpoint string, body []byte) {
	t.Helper()
	ss := loadSchemas(t)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: answer is not JSON: %v", endpoint, err)
	}
	item := ss[schemaFor[endpoint]]
	if !strings.HasSuffix(endpoint, "{id}") {
		if err := ss["page"].Validate(doc); err != nil {
			t.Fatalf("%s: not a Page: %v\n%s", endpoint, err, body)
		}
		for i, c := range doc.(map[string]any)["contents"].([]any) {
			if err := item.Validate(c); err != nil {
				t.Fatalf("%s: item %d does not meet %s: %v\n%s", endpoint, i, schemaFor[endpoint], err, body)
			}
		}
		return
	}
	if err := item.Validate(doc); err != nil {
		t.Fatalf("%s: does not meet %s: %v\n%s", endpoint, schemaFor[endpoint], err, body)
	}
	if also := ss[schemaFor[endpoint+" as a service"]]; also != nil {
		if err := also.Validate(doc); err != nil {
			t.Fatalf("%s: does not meet the OpenAPI document's compiled/service.json: %v\n%s", endpoint, err, body)
		}
	}
}

// feed is a test's running feed over a seeded directory.
type feed struct {
	t   testing.TB
	env *coretest.Env
	srv *httptest.Server
	api *API
}

// newFeed serves the feed over the seeded test network, with addresses
// on its agencies so services have places.
func newFeed(t testing.TB, cfg Config) *feed {
	t.Helper()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	for id, addr := range map[core.AgencyID]string{
		env.Net.CAB:      "14 Kirk Wynd, Kirkcaldy KY1 1XX",
		env.Net.Welfare:  "Kingdom House, Glenrothes KY6 2XX",
		env.Net.FoodBank: "St Margaret's Hall, Loch Road, Lochgelly KY5 8XX",
	} {
		a, err := env.Engine.Agency(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		d := core.AgencyDetails{Name: a.Name, Description: a.Description, Phone: a.Phone, Email: a.Email, Website: a.Website,
			Address: addr, AckTargetHours: a.AckTargetHours, AcceptsSelfReferrals: a.AcceptsSelfReferrals}
		if err := env.Engine.UpdateAgencyDetails(ctx, id, d, core.SystemActor); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Engine = env.Engine
	if cfg.PublicURL == "" {
		cfg.PublicURL = "https://onward.example.org"
	}
	api, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	api.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &feed{t: t, env: env, srv: srv, api: api}
}

// get fetches a path of the feed and returns its status, headers and body.
func (f *feed) get(path string, header ...string) (int, http.Header, []byte) {
	f.t.Helper()
	return f.request(http.MethodGet, path, header...)
}

// request sends one request with method to the feed and returns its
// status, headers and body.
func (f *feed) request(method, path string, header ...string) (int, http.Header, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// getJSON fetches a path that must answer 200 and decodes it.
func (f *feed) getJSON(path string, v any) []byte {
	f.t.Helper()
	status, _, b := f.get(path)
	if status != http.StatusOK {
		f.t.Fatalf("GET %s: %d %s", path, status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		f.t.Fatalf("GET %s: %v", path, err)
	}
	return b
}

// addPostcodes gives the test area a postcode file.
func (f *feed) addPostcodes(csv string) {
	f.t.Helper()
	if _, err := f.env.Engine.ImportPostcodes(context.Background(), strings.NewReader(csv)); err != nil {
		f.t.Fatal(err)
	}
}

// testPostcodes are three places in the test area, a few kilometres apart.
const testPostcodes = `pcd,pcds,doterm,oslaua,lat,long
KY1 1XX,KY1 1XX,,S12000047,56.1100,-3.1600
KY6 2XX,KY6 2XX,,S12000047,56.2000,-3.1800
KY5 8XX,KY5 8XX,,S12000047,56.1400,-3.3100
KY1 1AB,KY1 1AB,,S12000047,56.1120,-3.1620
KY9 9ZZ,KY9 9ZZ,202001,S12000047,56.0000,-3.0000
KY9 9ZY,KY9 9ZY,,S12000047,99.999999,0.000000
`
