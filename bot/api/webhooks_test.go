package api_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestWebhookSubscribeRefusesInternalAddresses: any partner token could
// name an address inside Onward's own network and have the worker post to
// it (and read, from the failure count, which ones answer). The API
// refuses it as it refuses any invalid field, and keeps nothing.
func TestWebhookSubscribeRefusesInternalAddresses(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead))
	for i, c := range []struct{ url, says string }{
		{"https://169.254.169.254/latest", "private, local or reserved"},
		{"https://10.0.0.1/x", "private, local or reserved"},
		{"https://[::1]/x", "private, local or reserved"},
		{"https://[::ffff:10.0.0.1]/", "private, local or reserved"},
		{"https://[fd00:ec2::254]/latest", "private, local or reserved"},
		{"https://100.64.0.1/x", "private, local or reserved"},
		{"https://localhost/x", "private, local or reserved"},
		{"http://127.0.0.1:8080/x", "must start https://"},
		{"http://localhost/x", "must start https://"},
		{"http://casework.example/hooks", "must start https://"},
		{"https://user:pass@casework.example/hooks", "user name and password"},
	} {
		t.Run(c.url, func(t *testing.T) {
			r := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": c.url}, "Idempotency-Key", "internal-"+string(rune('a'+i)))
			if r.status != 422 || r.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s, want a 422 problem", r.status, r.body)
			}
			errs, _ := r.json(t)["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("errors %v, want one naming url", errs)
			}
			e := errs[0].(map[string]any)
			if e["field"] != "url" || e["pointer"] != "#/url" || !strings.Contains(e["detail"].(string), c.says) {
				t.Fatalf("error %v, want url: …%s…", e, c.says)
			}
		})
	}
	if hooks := h.do(t, "GET", "/api/v1/webhooks", tok, nil); hooks.status != 200 || strings.Contains(string(hooks.body), `"url"`) {
		t.Fatalf("refused subscriptions were kept: %d %s", hooks.status, hooks.body)
	}
	ok := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": "https://casework.example/onward-hooks"}, "Idempotency-Key", "public")
	if ok.status != 201 || ok.json(t)["url"] != "https://casework.example/onward-hooks" {
		t.Fatalf("a public https receiver: %d %s, want 201", ok.status, ok.body)
	}
}

// TestWebhookSubscribeAnswersTheNormalAddress: an address with its scheme
// or host in capitals (both case-insensitive, RFC 3986 §3.1, §3.2.2) was
// taken by the check and then refused by the database, a 500; it is kept
// and answered in lower case. A port outside 1–65535 and an address over
// 2000 characters are 422s naming url, each saying what is wrong.
func TestWebhookSubscribeAnswersTheNormalAddress(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead))
	long := "https://casework.example/" + strings.Repeat("a", 2000)
	for i, c := range []struct {
		local     bool
		url       string
		status    int
		url2, say string // the address answered, or what the refusal says
	}{
		{false, "HTTPS://CASEWORK.EXAMPLE/h", 201, "https://casework.example/h", ""},
		{false, "https://Casework.Example:8443/Hooks", 201, "https://casework.example:8443/Hooks", ""},
		{true, "Http://127.0.0.1:9101/x", 201, "http://127.0.0.1:9101/x", ""},
		{false, "https://casework.example:99999/h", 422, "", "port must be a number from 1 to 65535"},
		{true, "http://127.0.0.1:0/h", 422, "", "port must be a number from 1 to 65535"},
		{false, long, 422, "", "the address is longer than 2000 characters"},
	} {
		allow := core.PublicReceivers
		if c.local {
			allow = core.LocalReceivers
		}
		h.env.Engine.UseWebhookReceivers(allow)
		r := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": c.url}, "Idempotency-Key", "normal-"+strconv.Itoa(i))
		if r.status != c.status {
			t.Errorf("%.60s: %d %.300s, want %d", c.url, r.status, r.body, c.status)
			continue
		}
		if c.status == 201 {
			if got := r.json(t)["url"]; got != c.url2 {
				t.Errorf("%s answered url %v, want %s", c.url, got, c.url2)
			}
			continue
		}
		errs, _ := r.json(t)["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["pointer"] != "#/url" || !strings.Contains(errs[0].(map[string]any)["detail"].(string), c.say) {
			t.Errorf("%.60s: errors %v, want one on #/url saying %q", c.url, errs, c.say)
		}
	}
	hooks := h.do(t, "GET", "/api/v1/webhooks", tok, nil)
	for _, want := range []string{`"https://casework.example/h"`, `"https://casework.example:8443/Hooks"`, `"http://127.0.0.1:9101/x"`} {
		if !strings.Contains(string(hooks.body), want) {
			t.Errorf("the list lacks %s: %s", want, hooks.body)
		}
	}
}

// TestWebhookSubscribeOncePerAddress: a second subscription to an
// address the system already has would deliver every event twice; it is
// a 422 on url naming the one held, also when two calls come at once,
// and the address can be subscribed again once that one is deleted.
// Another address is taken.
func TestWebhookSubscribeOncePerAddress(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.env.Engine.UseWebhookReceivers(core.LocalReceivers)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead))
	const addr = "http://127.0.0.1:9102/events"
	statuses := make(chan int, 4)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": addr}, "Idempotency-Key", "once-"+strconv.Itoa(i)).status
		}()
	}
	wg.Wait()
	close(statuses)
	created := 0
	for s := range statuses {
		switch s {
		case 201:
			created++
		case 422:
		default:
			t.Errorf("a subscription at once answered %d", s)
		}
	}
	if created != 1 {
		t.Fatalf("%d subscriptions to one address made at once, want 1", created)
	}
	again := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": addr}, "Idempotency-Key", "once-again")
	errs, _ := again.json(t)["errors"].([]any)
	if again.status != 422 || len(errs) != 1 || errs[0].(map[string]any)["pointer"] != "#/url" ||
		!strings.Contains(errs[0].(map[string]any)["detail"].(string), "already has subscription") {
		t.Fatalf("a second subscription: %d %s; want 422 on #/url naming the one held", again.status, again.body)
	}
	if other := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": addr + "2"}, "Idempotency-Key", "once-other"); other.status != 201 {
		t.Fatalf("another address: %d %s", other.status, other.body)
	}
	var id any
	for _, s := range h.do(t, "GET", "/api/v1/webhooks", tok, nil).json(t)["data"].([]any) {
		if s.(map[string]any)["url"] == addr {
			id = s.(map[string]any)["id"]
		}
	}
	if del := h.do(t, "DELETE", fmt.Sprintf("/api/v1/webhooks/%v", id), tok, nil); del.status != 204 {
		t.Fatalf("delete %v: %d %s", id, del.status, del.body)
	}
	if re := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": addr}, "Idempotency-Key", "once-re"); re.status != 201 {
		t.Fatalf("after the delete: %d %s", re.status, re.body)
	}
}

// TestWebhookRotateSecret: a subscription's secret is replaced in place,
// the new one shown once (and again for a retry under the same key), and
// the list says until when the replaced one still signs; another
// system's subscription is not found.
func TestWebhookRotateSecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead))
	made := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": "https://casework.example/rotate"}, "Idempotency-Key", "rot-sub")
	if made.status != 201 {
		t.Fatalf("subscribe: %d %s", made.status, made.body)
	}
	id := int64(made.json(t)["id"].(float64))
	path := fmt.Sprintf("/api/v1/webhooks/%d/rotate-secret", id)
	rot := h.do(t, "POST", path, tok, nil, "Idempotency-Key", "rot-1")
	body := rot.json(t)
	secret, _ := body["secret"].(string)
	if rot.status != 200 || !strings.HasPrefix(secret, "whsec_") || secret == made.json(t)["secret"] || body["previous_secret_expires_at"] == nil {
		t.Fatalf("rotate: %d %s; want 200 with a new whsec_ secret and previous_secret_expires_at", rot.status, rot.body)
	}
	if again := h.do(t, "POST", path, tok, nil, "Idempotency-Key", "rot-1"); again.json(t)["secret"] != secret || again.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("a retry under the same key: %s %v; want the same new secret, not to be stored", again.body, again.header)
	}
	list := h.do(t, "GET", "/api/v1/webhooks", tok, nil)
	if strings.Contains(string(list.body), "whsec_") || !strings.Contains(string(list.body), "previous_secret_expires_at") {
		t.Fatalf("the list after a rotation: %s; want no secret and until when the replaced one signs", list.body)
	}
	other := h.token(t, h.partner(t, h.env.Net.CAB, core.ScopeRead))
	if r := h.do(t, "POST", path, other, nil, "Idempotency-Key", "rot-other"); r.status != 404 {
		t.Fatalf("another system rotating it: %d %s, want 404", r.status, r.body)
	}
}

// TestOperationsWithoutABodyRefuseOne: resuming a subscription and
// rotating its secret take no body; one sent is a 400 saying so, before
// anything is done (the secret is not rotated), and an empty body or an
// empty JSON object passes.
func TestOperationsWithoutABodyRefuseOne(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.token(t, h.partner(t, h.env.Net.Welfare, core.ScopeRead))
	made := h.do(t, "POST", "/api/v1/webhooks", tok, map[string]any{"url": "https://casework.example/nobody"}, "Idempotency-Key", "nb-sub")
	if made.status != 201 {
		t.Fatalf("subscribe: %d %s", made.status, made.body)
	}
	path := fmt.Sprintf("/api/v1/webhooks/%d/rotate-secret", int64(made.json(t)["id"].(float64)))
	for i, body := range []any{map[string]any{"x": 1}, "hi"} {
		r := h.do(t, "POST", path, tok, body, "Idempotency-Key", fmt.Sprintf("nb-%d", i))
		if r.status != 400 || !strings.Contains(string(r.body), "takes no body") {
			t.Errorf("rotate-secret with the body %v: %d %s; want 400 saying it takes no body", body, r.status, r.body)
		}
	}
	if list := h.do(t, "GET", "/api/v1/webhooks", tok, nil); strings.Contains(string(list.body), "previous_secret_expires_at") {
		t.Fatalf("a refused rotation rotated the secret: %s", list.body)
	}
	if r := h.do(t, "POST", path, tok, map[string]any{}, "Idempotency-Key", "nb-empty"); r.status != 200 {
		t.Errorf("rotate-secret with {}: %d %s", r.status, r.body)
	}
}
