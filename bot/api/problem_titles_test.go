package api_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// holdWriter holds an answer back until release is closed, telling
// reached when the handler has got as far as answering.
type holdWriter struct {
	http.ResponseWriter
	reached chan<- struct{}
	release <-chan struct{}
}

func (w *holdWriter) WriteHeader(code int) {
	close(w.reached)
	<-w.release
	w.ResponseWriter.WriteHeader(code)
}

// TestProblemTitlesAreThePages: every problem type the page at
// /api/v1/problems explains is met in an actual answer, and each answer
// of a type carries the title the page gives that type, word for word:
// one declaration for both. A type declared with no case here fails the
// test, so a new one is walked too.
func TestProblemTitlesAreThePages(t *testing.T) {
	t.Parallel()
	reached, release := make(chan struct{}), make(chan struct{})
	h := newHarnessWrapped(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Test-Hold") != "" {
				w = &holdWriter{ResponseWriter: w, reached: reached, release: release}
			}
			next.ServeHTTP(w, r)
		})
	})
	ctx := context.Background()
	n := h.env.Net
	referrer := h.token(t, h.partner(t, n.Welfare, core.ScopeRead, core.ScopeRefer))
	cab := h.token(t, h.partner(t, n.CAB, core.ScopeRead, core.ScopeAct))
	reader := h.token(t, h.partner(t, n.Housing, core.ScopeRead))
	cabClient := h.token(t, h.partner(t, n.CAB, core.ScopeRead))
	limited, err := h.env.Engine.AddPartner(ctx, core.NewPartner{Name: "Slow system", AgencyID: n.FoodBank,
		Scopes: []core.PartnerScope{core.ScopeRead}, RatePerMinute: 1}, n.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	slow := h.token(t, limited)
	post := func(path, tok string, body any, key string, headers ...string) response {
		t.Helper()
		return h.do(t, "POST", path, tok, body, append([]string{"Idempotency-Key", key}, headers...)...)
	}
	refer := func(caseID string) string {
		t.Helper()
		r := post("/api/v1/referrals", referrer, newReferral(caseID), "refer-"+caseID)
		if r.status != http.StatusCreated {
			t.Fatalf("refer %s: %d %s", caseID, r.status, r.body)
		}
		return r.json(t)["reference"].(string)
	}
	subscribe := func(address string) string {
		t.Helper()
		r := post("/api/v1/webhooks", reader, map[string]any{"url": address}, "sub-"+address)
		if r.status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", r.status, r.body)
		}
		return fmt.Sprintf("/api/v1/webhooks/%d", int64(r.json(t)["id"].(float64)))
	}

	cases := map[string]func() []response{
		"unauthorized": func() []response { return []response{h.do(t, "GET", "/api/v1/agencies", "", nil)} },
		"forbidden":    func() []response { return []response{post("/api/v1/referrals", reader, newReferral("F"), "f")} },
		"not-found": func() []response {
			return []response{h.do(t, "GET", "/api/v1/referrals/ONW-NONE", referrer, nil), post("/api/v1/webhooks/999/resume", reader, nil, "nf")}
		},
		"too-many-requests": func() []response {
			h.do(t, "GET", "/api/v1/agencies", slow, nil)
			return []response{h.do(t, "GET", "/api/v1/agencies", slow, nil)}
		},
		"malformed": func() []response {
			return []response{post("/api/v1/referrals", referrer, `{"case_id":`, "m1"),
				post("/api/v1/referrals", referrer, `{"case_id": "M\u0000"}`, "m2"),
				post(subscribe("https://casework.example/m")+"/resume", reader, `{"x": 1}`, "m3")}
		},
		"too-large": func() []response {
			return []response{post("/api/v1/referrals", referrer, `{"case_id": "`+strings.Repeat("x", 1<<20)+`"}`, "tl")}
		},
		"media-type": func() []response {
			return []response{post("/api/v1/referrals", referrer, `{}`, "mt", "Content-Type", "text/plain")}
		},
		"validation": func() []response {
			return []response{post("/api/v1/referrals", referrer, map[string]any{"case_id": "V"}, "v"),
				h.do(t, "GET", "/api/v1/referrals?agnecy=kirkton-cab", referrer, nil)}
		},
		"idempotency-key": func() []response {
			return []response{h.do(t, "POST", "/api/v1/referrals", referrer, newReferral("K"))}
		},
		"idempotency-key-reused": func() []response {
			post("/api/v1/webhooks", reader, map[string]any{"url": "https://casework.example/a"}, "reused")
			return []response{post("/api/v1/webhooks", reader, map[string]any{"url": "https://casework.example/b"}, "reused")}
		},
		"in-progress": func() []response {
			body := map[string]any{"url": "https://casework.example/held"}
			first := make(chan response)
			go func() { first <- post("/api/v1/webhooks", reader, body, "held", "X-Test-Hold", "1") }()
			<-reached
			again := post("/api/v1/webhooks", reader, body, "held")
			close(release)
			<-first
			return []response{again}
		},
		"case-open": func() []response {
			refer("OPEN")
			return []response{post("/api/v1/referrals", referrer, newReferral("OPEN"), "open-again")}
		},
		"consent-scope": func() []response {
			in := newReferral("SCOPE")
			in["consent"].(map[string]any)["agencies"] = []string{"kc-welfare-rights"}
			return []response{post("/api/v1/referrals", referrer, in, "scope")}
		},
		"consent-withdrawn": func() []response {
			ref := refer("WITHDRAWN")
			if _, err := h.env.Pool.Exec(ctx, `UPDATE consents SET withdrawn_at = now()
				WHERE id = (SELECT consent_id FROM referrals WHERE reference = $1)`, ref); err != nil {
				t.Fatal(err)
			}
			return []response{post("/api/v1/referrals/"+ref+"/redirect", cab, map[string]any{"to_agency": "housing-options", "feedback": "Housing"}, "withdrawn")}
		},
		"client-not-shared": func() []response {
			ref := refer("NOT-SHARED")
			if r := post("/api/v1/referrals/"+ref+"/reject", cab, map[string]any{"reason": "not-eligible", "feedback": "Not eligible here"}, "not-shared"); r.status != http.StatusOK {
				t.Fatalf("reject: %d %s", r.status, r.body)
			}
			return []response{h.do(t, "GET", "/api/v1/referrals/"+ref+"/client", cabClient, nil)}
		},
		"client-withheld": func() []response {
			ref := refer("WITHHELD")
			if _, err := h.env.Pool.Exec(ctx, `UPDATE consents SET withdrawn_at = now()
				WHERE id = (SELECT consent_id FROM referrals WHERE reference = $1)`, ref); err != nil {
				t.Fatal(err)
			}
			return []response{h.do(t, "GET", "/api/v1/referrals/"+ref+"/client", cabClient, nil)}
		},
		"changed": func() []response {
			ref := refer("CHANGED")
			return []response{post("/api/v1/referrals/"+ref+"/accept", cab, nil, "changed", "If-Match", `"v2"`)}
		},
		"not-allowed-now": func() []response {
			ref := refer("NOW")
			return []response{post("/api/v1/referrals/"+ref+"/complete", cab, map[string]any{"outcome": "help-given"}, "now")}
		},
		"unmatchable-tag": func() []response {
			ref := refer("TAG")
			return []response{post("/api/v1/referrals/"+ref+"/accept", cab, nil, "tag", "If-Match", `W/"v1"`)}
		},
		"rotation-pending": func() []response {
			path := subscribe("https://casework.example/rotate") + "/rotate-secret"
			post(path, reader, nil, "rot-1")
			return []response{post(path, reader, nil, "rot-2")}
		},
	}

	page := h.do(t, "GET", "/api/v1/problems", "", nil)
	sections := regexp.MustCompile(`<section id="([^"]+)">\s*<h2>([^<]*)</h2>`).FindAllStringSubmatch(string(page.body), -1)
	if len(sections) == 0 {
		t.Fatalf("the problems page lists no types: %s", page.body)
	}
	for _, s := range sections {
		slug, title := s[1], html.UnescapeString(s[2])
		meet, ok := cases[slug]
		if !ok {
			t.Errorf("problem type %s is on the page but no answer of it is walked here: add a case", slug)
			continue
		}
		for _, r := range meet() {
			var p struct{ Type, Title string }
			p.Type, _ = r.json(t)["type"].(string)
			p.Title, _ = r.json(t)["title"].(string)
			if p.Type != "/api/v1/problems#"+slug || p.Title != title {
				t.Errorf("%s: answered %d %s %q, want the page's title %q", slug, r.status, p.Type, p.Title, title)
			}
		}
	}
}
