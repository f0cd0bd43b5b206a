// Package api is the partner API: a JSON API under /api/v1 for casework
// systems to refer clients, follow referrals and act on them for their
// agency, with OAuth 2.0 client-credentials tokens (also used by the FHIR
// endpoints), RFC 9457 problem details, Idempotency-Key on every POST,
// ETag / If-Match on actions and per-partner rate limits. Its OpenAPI 3.1
// document is served at /api/v1/openapi.json and checked against these
// handlers by a test.
package api

import (
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
)

// Options wires the partner API.
type Options struct {
	Engine *core.Engine
	Redis  redis.UniversalClient
	Log    *slog.Logger
	// TokenSecret signs access tokens (derived from ONWARD_SESSION_SECRET
	// by the caller); required.
	TokenSecret []byte
	// KeyPrefix starts every Redis key (rate limits, idempotency records).
	KeyPrefix string
}

// API serves the partner JSON API and the OAuth token endpoint, and
// authenticates partner calls for the FHIR endpoints too.
type API struct {
	engine  *core.Engine
	rdb     redis.UniversalClient
	log     *slog.Logger
	limiter *redis_rate.Limiter
	tokens  *tokens
	prefix  string
	audit   *auditor
	cache   *cache
	// bodies are the media types each operation's body may have and the
	// members each action's may, from the OpenAPI document
	// (requestBodies).
	bodies map[string]requestBody
}

// New builds the partner API.
func New(o Options) (*API, error) {
	if o.Engine == nil || o.Redis == nil || o.Log == nil {
		return nil, errors.New("partner api: engine, Redis and logger are required")
	}
	if len(o.TokenSecret) < 32 {
		return nil, errors.New("partner api: a token secret of at least 32 bytes is required")
	}
	bodies, err := requestBodies(openAPI)
	if err != nil {
		return nil, fmt.Errorf("partner api: read openapi.json: %w", err)
	}
	return &API{engine: o.Engine, rdb: o.Redis, log: o.Log, limiter: redis_rate.NewLimiter(o.Redis),
		tokens: &tokens{key: o.TokenSecret, clock: o.Engine.Clock()}, prefix: o.KeyPrefix,
		audit: newAuditor(o.Engine, o.Log), cache: &cache{engine: o.Engine}, bodies: bodies}, nil
}

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 document describing the API.
func OpenAPI() []byte { return openAPI }

// route is one operation of the API: the test walks these against the
// OpenAPI document, so neither can grow without the other.
type route struct {
	pattern string // Go ServeMux pattern
	scope   core.PartnerScope
	alt     core.PartnerScope // a second scope that also allows it ("" for none)
	h       func(w http.ResponseWriter, r *http.Request, p core.Partner)
	// query is true for an operation that reads and checks its own query
	// parameters (queryProblems); any other takes none (noQuery).
	query bool
}

func (a *API) routes() []route {
	return []route{
		{pattern: "POST /api/v1/referrals", scope: core.ScopeRefer, h: a.createReferral},
		{pattern: "GET /api/v1/referrals", scope: core.ScopeRead, h: a.listReferrals, query: true},
		{pattern: "GET /api/v1/referrals/{reference}", scope: core.ScopeRead, h: a.getReferral},
		{pattern: "GET /api/v1/referrals/{reference}/client", scope: core.ScopeRead, h: a.getClient},
		{pattern: "POST /api/v1/referrals/{reference}/accept", scope: core.ScopeAct, h: a.act(core.ActionAccept)},
		{pattern: "POST /api/v1/referrals/{reference}/reject", scope: core.ScopeAct, h: a.act(core.ActionReject)},
		{pattern: "POST /api/v1/referrals/{reference}/redirect", scope: core.ScopeAct, h: a.act(core.ActionRedirect)},
		{pattern: "POST /api/v1/referrals/{reference}/contacted", scope: core.ScopeAct, h: a.act(core.ActionContact)},
		{pattern: "POST /api/v1/referrals/{reference}/complete", scope: core.ScopeAct, h: a.act(core.ActionComplete)},
		{pattern: "POST /api/v1/referrals/{reference}/could-not-contact", scope: core.ScopeAct, h: a.act(core.ActionFail)},
		{pattern: "POST /api/v1/referrals/{reference}/cancel", scope: core.ScopeAct, alt: core.ScopeRefer, h: a.act(core.ActionCancel)},
		{pattern: "GET /api/v1/agencies", scope: core.ScopeRead, h: a.listAgencies},
		{pattern: "GET /api/v1/suggestions", scope: core.ScopeRead, h: a.suggestions, query: true},
		{pattern: "POST /api/v1/webhooks", scope: core.ScopeRead, h: a.subscribe},
		{pattern: "GET /api/v1/webhooks", scope: core.ScopeRead, h: a.listWebhooks},
		{pattern: "DELETE /api/v1/webhooks/{id}", scope: core.ScopeRead, h: a.unsubscribe},
		{pattern: "POST /api/v1/webhooks/{id}/resume", scope: core.ScopeRead, h: a.resumeWebhook},
		{pattern: "POST /api/v1/webhooks/{id}/rotate-secret", scope: core.ScopeRead, h: a.rotateWebhookSecret},
	}
}

// The token endpoint's and the OpenAPI document's patterns.
const (
	tokenPattern   = "POST /oauth/token"
	openAPIPattern = "GET /api/v1/openapi.json"
)

// Routes adds the token endpoint, the OpenAPI document, the page of
// problem types and every API operation to mux; another method on one of
// their paths is a 405, and any other path under /api/v1/ a 404.
func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc(tokenPattern, a.token)
	HandleOtherMethods(mux, []string{tokenPattern}, refuseTokenMethod)
	mux.HandleFunc(openAPIPattern, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	mux.HandleFunc(problemsPattern, serveProblems)
	HandleOtherMethods(mux, append(a.Patterns(), openAPIPattern, problemsPattern), refuseMethod)
	for _, rt := range a.routes() {
		h := rt.h
		if len(rt.pattern) > 4 && rt.pattern[:4] == "POST" {
			h = a.idempotent(h)
		}
		// The body's media type is checked before its Idempotency-Key is
		// claimed, so a 415 is not kept as the key's answer.
		if body, ok := a.bodies[rt.pattern]; ok {
			h = requireMediaType(body.types, h)
		} else if method, path, _ := strings.Cut(rt.pattern, " "); method == http.MethodPost {
			h = refuseBody(path, h)
		}
		if !rt.query {
			h = a.noQuery(h)
		}
		mux.Handle(rt.pattern, a.Authorize(RefuseProblem, rt.scope, rt.alt, h))
	}
	mux.Handle("/api/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, problem{Status: http.StatusNotFound, Title: "No such operation",
			Detail: "there is no " + r.Method + " " + r.URL.Path + "; see /api/v1/openapi.json"})
	}))
}

// Patterns lists the ServeMux pattern of every API operation, for the
// contract test that holds them to the OpenAPI document.
func (a *API) Patterns() []string {
	var ps []string
	for _, rt := range a.routes() {
		ps = append(ps, rt.pattern)
	}
	return ps
}
