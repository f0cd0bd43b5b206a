package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
)

const docURL = "https://onward.test/api/v1/openapi.json"

// contract holds the OpenAPI document and compiles its schemas.
type contract struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi version %v, want 3.1.0", doc["openapi"])
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, raw); err != nil {
		t.Fatal(err)
	}
	return &contract{doc: doc, compiler: c}
}

func esc(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1") }

// operation is one path and method of the document.
type operation struct {
	id, method, path string
	op               map[string]any
}

func (c *contract) operations() []operation {
	var ops []operation
	for path, item := range c.doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			o := op.(map[string]any)
			ops = append(ops, operation{id: o["operationId"].(string), method: strings.ToUpper(method), path: path, op: o})
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.id, b.id) })
	return ops
}

// operation is the document's operation with this operationId; the test
// fails when the document has none.
func (c *contract) operation(t *testing.T, id string) operation {
	t.Helper()
	for _, o := range c.operations() {
		if o.id == id {
			return o
		}
	}
	t.Fatalf("the document has no operation %q", id)
	return operation{}
}

// check holds an answer to the document: its status is one the operation
// lists, and its body validates against the schema listed for it.
func (c *contract) check(t *testing.T, o operation, r response) {
	t.Helper()
	status := strconv.Itoa(r.status)
	resp, ok := o.op["responses"].(map[string]any)[status].(map[string]any)
	if !ok {
		t.Fatalf("%s answered %d, which the document does not list: %s", o.id, r.status, r.body)
	}
	ptr := "#/paths/" + esc(o.path) + "/" + strings.ToLower(o.method) + "/responses/" + status
	if ref, ok := resp["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/responses/")
		resp = c.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
		ptr = "#/components/responses/" + name
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(bytes.TrimSpace(r.body)) != 0 {
			t.Fatalf("%s %d: the document lists no body, got %s", o.id, r.status, r.body)
		}
		return
	}
	ct := strings.TrimSpace(strings.Split(r.header.Get("Content-Type"), ";")[0])
	if _, ok := content[ct]; !ok {
		t.Fatalf("%s %d: content type %q not listed", o.id, r.status, ct)
	}
	sch, err := c.compiler.Compile(docURL + ptr + "/content/" + esc(ct) + "/schema")
	if err != nil {
		t.Fatalf("compile schema of %s %d: %v", o.id, r.status, err)
	}
	body, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("%s %d: body is not JSON: %v", o.id, r.status, err)
	}
	if err := sch.Validate(body); err != nil {
		t.Fatalf("%s %d: body does not match the document: %v\n%s", o.id, r.status, err, r.body)
	}
}

// example is the request body example the document gives for an
// operation, if any.
func example(o operation) any {
	rb, _ := o.op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	return media["example"]
}

// TestContract walks every operation of the OpenAPI document, calls it on
// the real handlers with the document's own example, and holds the answer
// to the document; then calls each without a token. The document and the
// routes list the same operations.
func TestContract(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := loadContract(t)
	ops := c.operations()

	var inDoc []string
	for _, o := range ops {
		p := o.path
		inDoc = append(inDoc, o.method+" "+p)
	}
	routes := h.api.Patterns()
	slices.Sort(inDoc)
	slices.Sort(routes)
	if !slices.Equal(inDoc, routes) {
		t.Fatalf("the document and the handlers disagree:\ndocument: %v\nhandlers: %v", inDoc, routes)
	}

	referrer := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer))
	receiver := h.token(t, h.partner(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct))
	everything := h.token(t, h.partner(t, h.env.Net.CAB, core.ScopeRead, core.ScopeRefer, core.ScopeAct))
	housing := h.token(t, h.partner(t, h.env.Net.Housing, core.ScopeRead, core.ScopeRefer))
	n := 0
	key := func() string { n++; return fmt.Sprintf("contract-%d", n) }
	create := func() string {
		r := h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("C-"+strconv.Itoa(n)), "Idempotency-Key", key())
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		return r.json(t)["reference"].(string)
	}
	var webhookID string
	subscribe := func() string {
		k := key() // one subscription per address: each its own
		r := h.do(t, "POST", "/api/v1/webhooks", referrer, map[string]any{"url": "https://casework.example/hooks/" + k}, "Idempotency-Key", k)
		if r.status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", r.status, r.body)
		}
		return strconv.Itoa(int(r.json(t)["id"].(float64)))
	}
	fill := func(path, ref string) string {
		return strings.NewReplacer("{reference}", ref, "{id}", webhookID).Replace(path)
	}
	// advance takes a fresh referral to the status an action starts from.
	advance := func(ref string, actions ...string) {
		for _, a := range actions {
			body := map[string]any{}
			if a == "complete" {
				body["outcome"] = "help-given"
			}
			if r := h.do(t, "POST", "/api/v1/referrals/"+ref+"/"+a, receiver, body, "Idempotency-Key", key()); r.status != 200 {
				t.Fatalf("%s: %d %s", a, r.status, r.body)
			}
		}
	}
	// Who calls each operation, and what it needs first.
	scenarios := map[string]func(o operation) response{
		"createReferral": func(o operation) response {
			return h.do(t, o.method, o.path, referrer, example(o), "Idempotency-Key", key())
		},
		"listReferrals": func(o operation) response {
			create()
			return h.do(t, o.method, o.path+"?status=requested&limit=1", receiver, nil)
		},
		"getReferral":       func(o operation) response { return h.do(t, o.method, fill(o.path, create()), receiver, nil) },
		"getReferralClient": func(o operation) response { return h.do(t, o.method, fill(o.path, create()), receiver, nil) },
		"acceptReferral": func(o operation) response {
			return h.do(t, o.method, fill(o.path, create()), receiver, example(o), "Idempotency-Key", key(), "If-Match", `"v1"`)
		},
		"rejectReferral": func(o operation) response {
			return h.do(t, o.method, fill(o.path, create()), receiver, example(o), "Idempotency-Key", key())
		},
		"redirectReferral": func(o operation) response {
			// From an agency other than the one the example sends it on
			// to, with the client's consent to share across the network.
			in := newReferral("C-redirect")
			in["consent"] = map[string]any{"wording_version": "v1", "scope": "network", "witnessed_by": "Isla Moffat"}
			r := h.do(t, "POST", "/api/v1/referrals", housing, in, "Idempotency-Key", key())
			if r.status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			return h.do(t, o.method, fill(o.path, r.json(t)["reference"].(string)), receiver, example(o), "Idempotency-Key", key())
		},
		"contactedReferral": func(o operation) response {
			ref := create()
			advance(ref, "accept")
			return h.do(t, o.method, fill(o.path, ref), receiver, example(o), "Idempotency-Key", key())
		},
		"completeReferral": func(o operation) response {
			ref := create()
			advance(ref, "accept", "contacted")
			return h.do(t, o.method, fill(o.path, ref), receiver, example(o), "Idempotency-Key", key())
		},
		"couldNotContactReferral": func(o operation) response {
			ref := create()
			advance(ref, "accept")
			return h.do(t, o.method, fill(o.path, ref), receiver, example(o), "Idempotency-Key", key())
		},
		"cancelReferral": func(o operation) response {
			return h.do(t, o.method, fill(o.path, create()), referrer, example(o), "Idempotency-Key", key())
		},
		"listAgencies": func(o operation) response { return h.do(t, o.method, o.path, referrer, nil) },
		"getSuggestions": func(o operation) response {
			return h.do(t, o.method, o.path+"?needs=debt,benefits&area=KY1", referrer, nil)
		},
		"createWebhook": func(o operation) response {
			return h.do(t, o.method, o.path, referrer, example(o), "Idempotency-Key", key())
		},
		"listWebhooks": func(o operation) response { subscribe(); return h.do(t, o.method, o.path, referrer, nil) },
		"resumeWebhook": func(o operation) response {
			webhookID = subscribe()
			return h.do(t, o.method, fill(o.path, ""), referrer, nil, "Idempotency-Key", key())
		},
		"rotateWebhookSecret": func(o operation) response {
			webhookID = subscribe()
			return h.do(t, o.method, fill(o.path, ""), referrer, nil, "Idempotency-Key", key())
		},
		"deleteWebhook": func(o operation) response {
			webhookID = subscribe()
			return h.do(t, o.method, fill(o.path, ""), referrer, nil)
		},
	}
	for _, o := range ops {
		run, ok := scenarios[o.id]
		if !ok {
			t.Fatalf("operation %s is in the document but the contract test does not call it", o.id)
		}
		r := run(o)
		if r.status >= 300 {
			t.Fatalf("%s: %d %s", o.id, r.status, r.body)
		}
		c.check(t, o, r)
		// And without a token: 401 as a problem the document describes.
		anon := h.do(t, o.method, fill(o.path, "ONW-2345678"), "", nil, "Idempotency-Key", key())
		if anon.status != http.StatusUnauthorized {
			t.Fatalf("%s without a token: %d", o.id, anon.status)
		}
		c.check(t, o, anon)
		// And, where the document describes a request body, with the
		// body sent as text/plain: 415 as a problem the document
		// describes, naming the media type it lists.
		if rb, ok := o.op["requestBody"].(map[string]any); ok {
			content, _ := rb["content"].(map[string]any)
			for mt := range content {
				if mt != "application/json" {
					t.Fatalf("%s takes %s: the test sends only application/json", o.id, mt)
				}
			}
			body := example(o)
			if body == nil {
				body = map[string]any{}
			}
			plain := h.do(t, o.method, fill(o.path, "ONW-2345678"), everything, body, "Idempotency-Key", key(), "Content-Type", "text/plain")
			if plain.status != http.StatusUnsupportedMediaType || !strings.Contains(string(plain.body), "application/json") {
				t.Fatalf("%s with a text/plain body: %d %s", o.id, plain.status, plain.body)
			}
			c.check(t, o, plain)
		}
		// And, where the document requires an Idempotency-Key, without
		// one: 400 as a problem the document describes, naming it.
		if c.requiresIdempotencyKey(o) {
			nokey := h.do(t, o.method, fill(o.path, "ONW-2345678"), everything, example(o))
			if nokey.status != http.StatusBadRequest || !strings.Contains(string(nokey.body), `"field":"Idempotency-Key"`) {
				t.Fatalf("%s without an Idempotency-Key: %d %s", o.id, nokey.status, nokey.body)
			}
			c.check(t, o, nokey)
		}
	}
	if served := h.do(t, "GET", "/api/v1/openapi.json", "", nil); served.status != 200 || !bytes.Equal(served.body, api.OpenAPI()) {
		t.Fatalf("openapi.json served %d", served.status)
	}
}

// requiresIdempotencyKey reports whether the document marks the
// Idempotency-Key header required for an operation.
func (c *contract) requiresIdempotencyKey(o operation) bool {
	params, _ := o.op["parameters"].([]any)
	for _, p := range params {
		param := p.(map[string]any)
		if ref, ok := param["$ref"].(string); ok {
			param = c.doc["components"].(map[string]any)["parameters"].(map[string]any)[strings.TrimPrefix(ref, "#/components/parameters/")].(map[string]any)
		}
		if param["in"] == "header" && param["name"] == "Idempotency-Key" && param["required"] == true {
			return true
		}
	}
	return false
}

// requestSchema is the request body schema the document gives an
// operation, its $ref followed.
func (c *contract) requestSchema(t *testing.T, o operation) map[string]any {
	t.Helper()
	rb, _ := o.op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	s, ok := media["schema"].(map[string]any)
	if !ok {
		t.Fatalf("%s has no application/json request schema", o.id)
	}
	if ref, ok := s["$ref"].(string); ok {
		s = c.doc["components"].(map[string]any)["schemas"].(map[string]any)[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	return s
}

// TestContractActionFields: each action on a referral takes exactly the
// fields its schema in the document lists, and each schema allows no
// others. Every field another action takes (with the value that action's
// example gives it) is posted to each action that does not take it, one
// at a time and all together: each is a 422 naming every such field,
// and nothing changes; the action's own example then succeeds, so the
// refusals were for the fields alone. Every field a schema lists is in
// its example, which TestContract posts.
func TestContractActionFields(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := loadContract(t)
	referrer := h.token(t, h.partner(t, h.env.Net.Housing, core.ScopeRead, core.ScopeRefer))
	receiver := h.token(t, h.partner(t, h.env.Net.CAB, core.ScopeRead, core.ScopeAct))
	n := 0
	key := func() string { n++; return fmt.Sprintf("fields-%d", n) }

	// The actions, what each takes, and every field any of them takes,
	// with a value from an example.
	takes := map[string][]string{}
	values := map[string]any{}
	var actions []operation
	for _, o := range c.operations() {
		if o.method != "POST" || !strings.HasPrefix(o.path, "/api/v1/referrals/{reference}/") {
			continue
		}
		actions = append(actions, o)
		s := c.requestSchema(t, o)
		if s["additionalProperties"] != false {
			t.Errorf("%s: its request schema allows fields it does not list", o.id)
		}
		ex, _ := example(o).(map[string]any)
		props, _ := s["properties"].(map[string]any)
		name := o.path[strings.LastIndex(o.path, "/")+1:]
		takes[name] = []string{}
		for p := range props {
			takes[name] = append(takes[name], p)
			v, ok := ex[p]
			if !ok {
				t.Errorf("%s: the example leaves out %s, so TestContract never sends it", o.id, p)
				continue
			}
			values[p] = v
		}
	}
	var every []string
	for p := range values {
		every = append(every, p)
	}
	slices.Sort(every)
	if len(actions) != 7 || len(every) < 8 {
		t.Fatalf("%d actions taking %v: the document lost some", len(actions), every)
	}

	// Where each action starts: the actions taken first on a new
	// referral, and who takes it.
	starts := map[string]struct {
		after []string
		by    string
	}{
		"accept": {nil, receiver}, "reject": {nil, receiver}, "redirect": {nil, receiver}, "cancel": {nil, referrer},
		"contacted": {[]string{"accept"}, receiver}, "complete": {[]string{"accept", "contacted"}, receiver},
		"could-not-contact": {[]string{"accept"}, receiver},
	}
	for _, o := range actions {
		name := o.path[strings.LastIndex(o.path, "/")+1:]
		start, ok := starts[name]
		if !ok {
			t.Fatalf("the test does not know where %s starts", o.id)
		}
		// The referrer's client consents to the whole network, so a
		// redirect may send them on.
		in := newReferral("C-" + name)
		in["consent"] = map[string]any{"wording_version": "v1", "scope": "network", "witnessed_by": "Isla Moffat"}
		created := h.do(t, "POST", "/api/v1/referrals", referrer, in, "Idempotency-Key", key())
		if created.status != http.StatusCreated {
			t.Fatalf("create: %d %s", created.status, created.body)
		}
		path := "/api/v1/referrals/" + created.json(t)["reference"].(string)
		for _, a := range start.after {
			if r := h.do(t, "POST", path+"/"+a, receiver, example(actionNamed(t, actions, a)), "Idempotency-Key", key()); r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", a, r.status, r.body)
			}
		}
		before := h.do(t, "GET", path, receiver, nil).json(t)

		var refused []string
		for _, f := range every {
			if !slices.Contains(takes[name], f) {
				refused = append(refused, f)
			}
		}
		post := func(fields ...string) response {
			body := map[string]any{}
			if ex, ok := example(o).(map[string]any); ok {
				maps.Copy(body, ex)
			}
			for _, f := range fields {
				body[f] = values[f]
			}
			return h.do(t, o.method, path+"/"+name, start.by, body, "Idempotency-Key", key())
		}
		refuses := func(r response, fields ...string) {
			t.Helper()
			if r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s with %v: %d %s, want 422", name, fields, r.status, r.body)
				return
			}
			c.check(t, o, r)
			var named []string
			for _, e := range r.json(t)["errors"].([]any) {
				issue := e.(map[string]any)
				f := issue["field"].(string)
				named = append(named, f)
				if issue["pointer"] != "#/"+f || !strings.HasPrefix(issue["detail"].(string), f+" is not accepted by "+name+": ") {
					t.Errorf("%s with %v: the refusal of %s: %v", name, fields, f, issue)
				}
			}
			if !slices.Equal(named, fields) {
				t.Errorf("%s with %v: the refusal names %v", name, fields, named)
			}
		}
		for _, f := range refused {
			refuses(post(f), f)
		}
		refuses(post(refused...), refused...)
		if after := h.do(t, "GET", path, receiver, nil).json(t); after["version"] != before["version"] || after["status"] != before["status"] {
			t.Errorf("%s: the refusals changed the referral from %v to %v", name, before, after)
		}
		if r := post(); r.status != http.StatusOK {
			t.Errorf("%s with its own example: %d %s", name, r.status, r.body)
		}
	}
}

// actionNamed is the action operation whose path ends in name.
func actionNamed(t *testing.T, actions []operation, name string) operation {
	t.Helper()
	for _, o := range actions {
		if strings.HasSuffix(o.path, "/"+name) {
			return o
		}
	}
	t.Fatalf("no action %s in the document", name)
	return operation{}
}
