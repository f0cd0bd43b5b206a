// Package openreferral serves the directory as an open Open Referral UK
// feed (HSDS 3.0, UK profile): read-only JSON that councils, the NHS,
// national helplines and the public validator read. It renders core's
// directory records; it writes nothing.
package openreferral

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"go.yaml.in/yaml/v3"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/templates"
)

//go:embed openapi.json
var openAPI []byte

// Config is what the feed needs.
type Config struct {
	Engine *core.Engine
	// Redis counts requests per IP; nil turns the limit off (tests of
	// other things, the benchmark's baseline).
	Redis     redis.UniversalClient
	KeyPrefix string
	Log       *slog.Logger
	// Base is the path the feed is served under ("/openreferral").
	Base string
	// PublicURL makes the absolute openapi_url.
	PublicURL string
	// RatePerMinute caps requests per client IP (300 if zero).
	RatePerMinute  int
	TrustedProxies []netip.Prefix
	// CachedAnswers is how many answers are kept in memory by ETag
	// (see answers); 0 keeps none.
	CachedAnswers int
}

// API serves the feed.
type API struct {
	cfg     Config
	engine  *core.Engine
	log     *slog.Logger
	limiter *redis_rate.Limiter
	langs   languageNames
	answers *answers

	mu        sync.Mutex
	changed   time.Time
	count     int64
	changedAt time.Time
}

// Limits of a page.
const (
	DefaultPerPage = 50
	MaxPerPage     = 200
	maxProximity   = 1_000_000 // metres
)

// New wires the feed.
func New(cfg Config) (*API, error) {
	if cfg.Engine == nil {
		return nil, errors.New("openreferral: an engine is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Base == "" {
		cfg.Base = "/openreferral"
	}
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = 300
	}
	a := &API{cfg: cfg, engine: cfg.Engine, log: cfg.Log, langs: languageNames{}, answers: newAnswers(cfg.CachedAnswers)}
	if cfg.Redis != nil {
		a.limiter = redis_rate.NewLimiter(cfg.Redis)
	}
	b, err := templates.FS.ReadFile("html/directory/languages.yaml")
	if err != nil {
		return nil, fmt.Errorf("openreferral: %w", err)
	}
	if err := yaml.Unmarshal(b, &a.langs); err != nil {
		return nil, fmt.Errorf("openreferral: languages: %w", err)
	}
	return a, nil
}

// Routes adds the feed's endpoints under the base path.
func (a *API) Routes(mux *http.ServeMux) {
	base := a.cfg.Base
	// Each endpoint answers GET (and HEAD); any other method on it gets
	// 405 naming GET, and OPTIONS the CORS preflight, from one handler
	// without a method, so no method pattern overlaps another.
	other := a.cors(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if preflight(rw, r) {
			return
		}
		rw.Header().Set("Allow", "GET, HEAD, OPTIONS")
		writeError(rw, http.StatusMethodNotAllowed, "", "the feed is read only: "+r.URL.Path+" answers GET, not "+r.Method)
	}))
	h := func(path string, fn func(*http.Request) (any, error)) {
		mux.Handle("GET "+base+path, a.protect(fn))
		mux.Handle(base+path, other)
	}
	h("/{$}", a.root)
	h("/services", a.services)
	h("/services/{id}", a.service)
	h("/service_at_locations", a.serviceAtLocations)
	h("/service_at_locations/{id}", a.serviceAtLocation)
	h("/organizations", a.organizations)
	h("/organizations/{id}", a.organization)
	h("/taxonomies", a.taxonomies)
	h("/taxonomies/{id}", a.taxonomy)
	h("/taxonomy_terms", a.taxonomyTerms)
	h("/taxonomy_terms/{id}", a.taxonomyTerm)
	mux.Handle("GET "+base+"/openapi.json", a.cors(http.HandlerFunc(a.openapi)))
	mux.Handle(base+"/openapi.json", other)
	mux.Handle(base+"/", a.cors(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if preflight(rw, r) {
			return
		}
		writeError(rw, http.StatusNotFound, "", "there is nothing at "+r.URL.Path+"; the feed's endpoints are listed at "+base+"/openapi.json")
	})))
	if base != "" {
		mux.Handle("GET "+base, http.RedirectHandler(base+"/", http.StatusMovedPermanently))
	}
}

// preflight answers a CORS preflight (OPTIONS) with 204, the headers
// being cors's, and reports whether r was one.
func preflight(rw http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodOptions {
		return false
	}
	rw.WriteHeader(http.StatusNoContent)
	return true
}

// paramError is a query parameter the feed cannot read: a 400 naming it.
type paramError struct{ param, msg string }

func (e *paramError) Error() string { return e.msg }

// errorBody is the body of every error answer.
type errorBody struct {
	Error     string `json:"error"`
	Parameter string `json:"parameter,omitempty"`
}

// Refuse answers a request the server refused before the feed saw it (a
// byte no database can store in its address) as the feed answers its own
// errors: JSON, readable by a directory site on another origin. It has
// the shape of the server's other refusal formats (api.RefuseProblem).
func Refuse(rw http.ResponseWriter, _ *http.Request, status int, _, detail string) {
	rw.Header().Set("Access-Control-Allow-Origin", "*")
	rw.Header().Set("X-Content-Type-Options", "nosniff")
	writeError(rw, status, "", detail)
}

func writeError(rw http.ResponseWriter, status int, param, msg string) {
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(errorBody{Error: msg, Parameter: param})
}

func (a *API) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since")
		h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified, Retry-After")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(rw, r)
	})
}

// protect wraps an endpoint: CORS, the per-IP limit, conditional answers
// (ETag and Last-Modified from when the directory last changed, 304 when
// the client has it), errors as JSON.
func (a *API) protect(fn func(*http.Request) (any, error)) http.Handler {
	return a.cors(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !a.allow(rw, r) {
			return
		}
		changed, count, err := a.lastChanged(r)
		if err != nil {
			a.log.Error("openreferral: directory version", "err", err)
			writeError(rw, http.StatusServiceUnavailable, "", "the directory is unavailable just now; try again shortly")
			return
		}
		sum := sha256.Sum256(fmt.Appendf(nil, "%d|%d|%s|%s", changed.UnixMicro(), count, r.URL.Path, r.URL.RawQuery))
		etag := `"` + hex.EncodeToString(sum[:12]) + `"`
		h := rw.Header()
		h.Set("ETag", etag)
		h.Set("Last-Modified", changed.UTC().Format(http.TimeFormat))
		h.Set("Cache-Control", "public, max-age=60")
		if notModified(r, etag, changed) {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		if b, ok := a.answers.get(etag); ok {
			writeJSON(rw, b)
			return
		}
		body, err := fn(r)
		var pe *paramError
		switch {
		case errors.As(err, &pe):
			writeError(rw, http.StatusBadRequest, pe.param, pe.msg)
			return
		case errors.Is(err, core.ErrNotFound):
			writeError(rw, http.StatusNotFound, "", "no record has that id")
			return
		case err != nil:
			a.log.Error("openreferral: answer", "path", r.URL.Path, "err", err)
			writeError(rw, http.StatusServiceUnavailable, "", "the directory is unavailable just now; try again shortly")
			return
		}
		b, err := json.Marshal(body)
		if err != nil {
			a.log.Error("openreferral: encode", "err", err)
			writeError(rw, http.StatusInternalServerError, "", "the answer could not be written")
			return
		}
		a.answers.put(etag, b)
		writeJSON(rw, b)
	}))
}

// writeJSON answers 200 with a JSON body.
func writeJSON(rw http.ResponseWriter, b []byte) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(http.StatusOK)
	_, _ = rw.Write(b)
}

func notModified(r *http.Request, etag string, changed time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !changed.Truncate(time.Second).After(t)
	}
	return false
}

// lastChanged reads when the directory last changed, at most once a
// second per process.
func (a *API) lastChanged(r *http.Request) (time.Time, int64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if time.Since(a.changedAt) < time.Second {
		return a.changed, a.count, nil
	}
	at, n, err := a.engine.DirectoryChanged(r.Context())
	if err != nil {
		return time.Time{}, 0, err
	}
	a.changed, a.count, a.changedAt = at, n, time.Now()
	return at, n, nil
}

// allow applies the per-IP limit; when Redis fails the request goes
// through, since the feed is open and read-only.
func (a *API) allow(rw http.ResponseWriter, r *http.Request) bool {
	if a.limiter == nil {
		return true
	}
	ip := core.ClientNetwork(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), a.cfg.TrustedProxies)
	h := sha256.Sum256([]byte(ip))
	res, err := a.limiter.Allow(r.Context(), a.cfg.KeyPrefix+"oruk:ip:"+hex.EncodeToString(h[:12]), redis_rate.PerMinute(a.cfg.RatePerMinute))
	if err != nil {
		a.log.Warn("openreferral rate limit unavailable, allowing request", "err", err)
		return true
	}
	if res.Allowed == 0 {
		rw.Header().Set("Retry-After", strconv.Itoa(int(res.RetryAfter.Seconds())+1))
		writeError(rw, http.StatusTooManyRequests, "", fmt.Sprintf("too many requests: the feed answers %d a minute from one address; try again shortly", a.cfg.RatePerMinute))
		return false
	}
	return true
}

func (a *API) openapi(rw http.ResponseWriter, _ *http.Request) {
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = rw.Write(openAPI)
}

func (a *API) root(r *http.Request) (any, error) {
	return Root{Version: Version, Profile: Profile,
		OpenAPIURL: strings.TrimRight(a.cfg.PublicURL, "/") + a.cfg.Base + "/openapi.json"}, nil
}

// paging reads page and per_page.
func paging(r *http.Request) (page, perPage int, err error) {
	// A pair Go cannot decode is dropped from r.URL.Query(), and the
	// list would be answered as if it were not there.
	if bad := core.UnreadableQuery(r.URL.RawQuery); len(bad) > 0 {
		return 0, 0, &paramError{bad[0].Field, bad[0].Field + " " + bad[0].Message}
	}
	q := r.URL.Query()
	page, perPage = 1, DefaultPerPage
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, &paramError{"page", fmt.Sprintf("page must be a whole number from 1, got %q", v)}
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPerPage {
			return 0, 0, &paramError{"per_page", fmt.Sprintf("per_page must be a whole number from 1 to %d, got %q", MaxPerPage, v)}
		}
		perPage = n
	}
	return page, perPage, nil
}

// query reads the search parameters of /services and
// /service_at_locations. Unknown parameters are ignored, as the
// specification says.
func (a *API) query(r *http.Request, withPlace bool) (core.DirectoryQuery, error) {
	v := r.URL.Query()
	var q core.DirectoryQuery
	var err error
	if q.Page, q.PerPage, err = paging(r); err != nil {
		return q, err
	}
	q.Search = strings.TrimSpace(v.Get("search"))
	if len(q.Search) > 200 {
		return q, &paramError{"search", "search must be at most 200 characters"}
	}
	if t := strings.TrimSpace(v.Get("taxonomy_term_id")); t != "" {
		if n, ok := core.NeedForTerm(t); ok {
			q.Needs = []core.Need{n}
		} else if n, err := core.ParseNeed(t); err == nil {
			q.Needs = []core.Need{n}
		} else {
			// A term the network maps a need to finds the need's
			// services, and services imported with the term.
			q.ExternalTerm = t
			terms, err := a.engine.NeedTerms(r.Context())
			if err != nil {
				return q, err
			}
			for _, m := range terms {
				if m.TermID() == strings.ToLower(t) {
					q.Needs = append(q.Needs, m.Need)
				}
			}
		}
	}
	q.TaxonomyID = strings.TrimSpace(v.Get("taxonomy_id"))
	if q.MinimumAge, err = ageParam(v.Get("minimum_age"), "minimum_age"); err != nil {
		return q, err
	}
	if q.MaximumAge, err = ageParam(v.Get("maximum_age"), "maximum_age"); err != nil {
		return q, err
	}
	if q.StartTime, err = timeParam(v.Get("start_time"), "start_time"); err != nil {
		return q, err
	}
	if q.EndTime, err = timeParam(v.Get("end_time"), "end_time"); err != nil {
		return q, err
	}
	if d := strings.TrimSpace(v.Get("day")); d != "" {
		if q.Day, err = core.ParseDay(d); err != nil {
			return q, &paramError{"day", "day must be a day of the week such as MO or Monday, got " + strconv.Quote(d)}
		}
	}
	if !withPlace {
		return q, nil
	}
	proximity := strings.TrimSpace(v.Get("proximity"))
	if proximity != "" {
		f, err := strconv.ParseFloat(proximity, 64)
		if err != nil || math.IsNaN(f) || f <= 0 || f > maxProximity {
			return q, &paramError{"proximity", fmt.Sprintf("proximity must be a distance in metres from 1 to %d, got %q", maxProximity, proximity)}
		}
		q.Proximity = f
	}
	if pc := strings.TrimSpace(v.Get("postcode")); pc != "" {
		// A full postcode or a district is one place; a town is every
		// district it spans, as the public directory searches it: a
		// service covering any of them, measured from the nearest.
		places, err := a.engine.SearchPlaces(r.Context(), pc)
		if errors.Is(err, core.ErrDistrict) {
			return q, &paramError{"postcode", "postcode must be a UK postcode like KY1 1AB, its first part like KY1, or a town of the network's area, got " + strconv.Quote(pc)}
		}
		if err != nil {
			return q, err
		}
		q.Places = places
		if !slices.ContainsFunc(places, func(p core.Place) bool { return p.Lat != nil && p.Lon != nil }) {
			q.Proximity = 0 // no coordinates: the districts decide, as without a postcode file
		}
	} else if proximity != "" {
		return q, &paramError{"proximity", "proximity needs a postcode to measure from"}
	}
	return q, nil
}

func ageParam(s, name string) (*int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 150 || f != math.Trunc(f) {
		return nil, &paramError{name, fmt.Sprintf("%s must be an age in whole years from 0 to 150, got %q", name, s)}
	}
	n := int(f)
	return &n, nil
}

func timeParam(s, name string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{"15:04", "15:04:05", "15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("15:04"), nil
		}
	}
	return "", &paramError{name, fmt.Sprintf("%s must be a time of day like 09:00, got %q", name, s)}
}

func (a *API) services(r *http.Request) (any, error) {
	q, err := a.query(r, false)
	if err != nil {
		return nil, err
	}
	p, err := a.engine.DirectoryServices(r.Context(), q)
	if err != nil {
		return nil, err
	}
	items := make([]Service, len(p.Services))
	for i, s := range p.Services {
		items[i] = serviceSummary(s)
	}
	return newPage(items, p.Total, max(q.Page, 1), q.PerPage), nil
}

func (a *API) service(r *http.Request) (any, error) {
	s, err := a.engine.DirectoryService(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	terms, err := a.engine.NeedTerms(r.Context())
	if err != nil {
		return nil, err
	}
	return serviceFull(s, a.langs, terms), nil
}

func (a *API) serviceAtLocations(r *http.Request) (any, error) {
	q, err := a.query(r, true)
	if err != nil {
		return nil, err
	}
	p, err := a.engine.DirectoryServiceAtLocations(r.Context(), q)
	if err != nil {
		return nil, err
	}
	items := make([]ServiceAtLocation, len(p.Services))
	for i, s := range p.Services {
		items[i] = serviceAtLocationItem(s)
	}
	return newPage(items, p.Total, max(q.Page, 1), q.PerPage), nil
}

func (a *API) serviceAtLocation(r *http.Request) (any, error) {
	s, err := a.engine.DirectoryServiceAtLocation(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	terms, err := a.engine.NeedTerms(r.Context())
	if err != nil {
		return nil, err
	}
	full := serviceFull(s, a.langs, terms)
	sal := full.ServiceAtLocations[0]
	full.ServiceAtLocations = nil
	sal.Service, sal.Name, sal.Status = &full, full.Name, full.Status
	return sal, nil
}

func (a *API) organizations(r *http.Request) (any, error) {
	page, per, err := paging(r)
	if err != nil {
		return nil, err
	}
	orgs, total, err := a.engine.DirectoryOrganizations(r.Context(), page, per)
	if err != nil {
		return nil, err
	}
	items := make([]Organization, len(orgs))
	for i, o := range orgs {
		items[i] = organization(o)
	}
	return newPage(items, total, page, per), nil
}

func (a *API) organization(r *http.Request) (any, error) {
	o, err := a.engine.DirectoryOrganization(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	out := organization(o)
	ss, err := a.engine.DirectoryServicesOf(r.Context(), o.ID)
	if err != nil {
		return nil, err
	}
	terms, err := a.engine.NeedTerms(r.Context())
	if err != nil {
		return nil, err
	}
	for _, s := range ss {
		full := serviceFull(s, a.langs, terms)
		full.Organization = nil
		out.Services = append(out.Services, full)
	}
	return out, nil
}

// listOf pages a list held in memory (the taxonomy is small).
func listOf[T any](r *http.Request, all []T) (any, error) {
	page, per, err := paging(r)
	if err != nil {
		return nil, err
	}
	from := min(core.PageOffset(page, per), len(all))
	to := min(from+per, len(all))
	return newPage(all[from:to], len(all), page, per), nil
}

// The taxonomies are the network's needs and the other taxonomies the
// network file maps them to.
func (a *API) taxonomies(r *http.Request) (any, error) {
	terms, err := a.engine.NeedTerms(r.Context())
	if err != nil {
		return nil, err
	}
	return listOf(r, append([]Taxonomy{needsTaxonomy(false)}, mappedTaxonomies(terms, false)...))
}

func (a *API) taxonomy(r *http.Request) (any, error) {
	id := strings.ToLower(r.PathValue("id"))
	if id == core.NeedsTaxonomyID() {
		return needsTaxonomy(true), nil
	}
	terms, err := a.engine.NeedTerms(r.Context())
	if err != nil {
		return nil, err
	}
	for _, t := range mappedTaxonomies(terms, true) {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, core.ErrNotFound
}

func (a *API) taxonomyTerms(r *http.Request) (any, error) {
	terms, err := a.engine.NeedTerms(r.Context())
	if err != nil {
		return nil, err
	}
	all := needTerms()
	for _, m := range terms {
		all = append(all, mappedTerm(m))
	}
	return listOf(r, all)
}

func (a *API) taxonomyTerm(r *http.Request) (any, error) {
	if n, ok := core.NeedForTerm(r.PathValue("id")); ok {
		return needTerm(n), nil
	}
	terms, err := a.engine.NeedTerms(r.Context())
	if err != nil {
		return nil, err
	}
	for _, m := range terms {
		if m.TermID() == strings.ToLower(r.PathValue("id")) {
			return mappedTerm(m), nil
		}
	}
	return nil, core.ErrNotFound
}
