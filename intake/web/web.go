package web

// The web self-referral: a client who opens a leaflet link (/r/{code}) or
// the form (/refer) answers one question per page, checks their answers
// and sends them; core records the referral once. Answers wait in a
// server-side session in Redis; the cookie carries only a random id. The
// public directory (/directory) lives beside it and shares its layout and
// protections.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/flow"
	"github.com/onward-network/onward/internal/outage"
	"github.com/onward-network/onward/templates"
)

// Config is what the web self-referral and directory need.
type Config struct {
	Engine *core.Engine
	Redis  redis.UniversalClient
	Log    *slog.Logger

	// KeyPrefix starts every Redis key the web pages write ("onward:" in
	// production; a per-test prefix in tests).
	KeyPrefix string
	// PublicURL is the address clients use; its origin is trusted for
	// POSTs arriving through a proxy that rewrites Host.
	PublicURL string
	// Secure marks cookies Secure (with the __Host- name prefix) and sends
	// HSTS. Off only in dev, which runs on plain http.
	Secure bool
	// IPRatePerMinute caps requests per client IP per minute (120 if
	// zero).
	IPRatePerMinute int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client, for the per-IP limit (core.ClientNetwork).
	TrustedProxies []netip.Prefix
	// SessionTTL is how long unfinished answers are kept (2 h if zero).
	SessionTTL time.Duration
	// SMSNumber is the number a client can text to answer by SMS instead
	// (E.164, as config.Validate checks ONWARD_TWILIO_FROM); empty, or a
	// number that does not parse, hides that option.
	SMSNumber string
	// Flow is the self-referral's questions; nil loads
	// flows/self_referral.yaml, the same flow the SMS channel asks.
	Flow *flow.Flow
	// Catalogue is the message files; nil takes the flow's.
	Catalogue *lang.Catalogue
	// Random makes session ids and tokens; crypto/rand when nil.
	Random io.Reader
	// DirectorySMSPerDay caps "text me this service" per number and per
	// IP each day (DefaultDirectorySMSPerDay if zero).
	DirectorySMSPerDay int
	// ReferralTexted, when set, is called once core has recorded a
	// referral whose reference is texted to the client's proven phone,
	// with the reference, the phone and the conversation that ended with
	// it (flow.Flow.Finished: the client's language and consent wording
	// version), so the SMS channel answers a reply to that text as one
	// after a referral rather than as a new request
	// (sms.RememberWebReferral). Its error is logged and the client's
	// request stands.
	ReferralTexted func(ctx context.Context, reference string, phone core.Phone, conv flow.Conversation) error
}

// Web serves the web self-referral form, leaflet links and the public
// directory.
type Web struct {
	cfg      Config
	engine   *core.Engine
	rdb      redis.UniversalClient
	log      *slog.Logger
	limiter  *redis_rate.Limiter
	pages    *webPages
	validate *validator.Validate
	flow     *flow.Flow // the self-referral's questions, the same as by SMS
	cat      *lang.Catalogue
	cop      *http.CrossOriginProtection
	random   io.Reader

	// lastNetwork keeps the network's name and phone for the fault pages,
	// which must say whom to call even when the database does not answer.
	lastNetwork atomic.Pointer[core.Network]

	// outages logs each spell of a part not answering once when it
	// starts and once when it ends (fault.go, security_ratelimit.go).
	outages outage.Log
	// redisSpells are the parts whose spell Redis caused, and limitPause
	// when the rate limit leaves an unreachable Redis alone (redis_use.go).
	redisSpells redisSpells
	limitPause  limitPause
}

// Defaults for the zero values of Config.
const (
	// DefaultSessionTTL is how long a half-finished web self-referral is kept.
	DefaultSessionTTL = 2 * time.Hour
	// DefaultIPRatePerMinute is ONWARD_IP_RATE_PER_MINUTE's default.
	DefaultIPRatePerMinute = 120
)

// New checks its wiring (engine, Redis; config.Validate has already
// checked the settings) and parses every page template, so a broken
// template stops the server starting instead of reaching a client. It
// adds a hook to cfg.Redis that notes which requests had Redis's reply
// (redis_use.go).
func New(cfg Config) (*Web, error) {
	var errs []error
	if cfg.Engine == nil {
		errs = append(errs, errors.New("web: an engine is required"))
	}
	if cfg.Redis == nil {
		errs = append(errs, errors.New("web: a Redis client is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.IPRatePerMinute <= 0 {
		cfg.IPRatePerMinute = DefaultIPRatePerMinute
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	pages, err := loadWebPages()
	if err != nil {
		return nil, err
	}
	v, err := newWebValidator()
	if err != nil {
		return nil, err
	}
	fl, cat := cfg.Flow, cfg.Catalogue
	if cat == nil && fl != nil {
		cat = fl.Catalogue()
	}
	if cat == nil {
		if cat, err = lang.Load(templates.FS, cfg.Log); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
	}
	if fl == nil {
		if fl, err = flow.LoadFlowIn(templates.FS, "self_referral", cat); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
	}
	w := &Web{cfg: cfg, engine: cfg.Engine, rdb: cfg.Redis, log: cfg.Log, pages: pages, validate: v, flow: fl, cat: cat,
		limiter: redis_rate.NewLimiter(cfg.Redis), random: cfg.Random}
	cfg.Redis.AddHook(redisSeen{w})
	w.cop = http.NewCrossOriginProtection()
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Scheme != "" && u.Host != "" {
		if err := w.cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("web: trust public URL: %w", err)
		}
	}
	w.cop.SetDenyHandler(http.HandlerFunc(w.crossOriginRefused))
	return w, nil
}

// Routes adds the leaflet links, the form, the directory and their static
// files to mux. Every handler runs behind the same protections: security
// headers, a per-IP rate limit, cross-origin refusal of POSTs, and a
// friendly page instead of a crash.
func (w *Web) Routes(mux *http.ServeMux) {
	h := func(pattern string, fn http.HandlerFunc) { mux.Handle(pattern, w.protect(fn)) }
	noRoute := w.noRoute(mux)

	h("GET /static/web/{file}", w.static)

	h("GET /r/{code}", w.leafletStart)
	h("GET /r/{code}/{$}", w.leafletStart) // as typed from paper, with a slash after it
	h("GET /refer", w.start)
	h("GET /refer/service/{id}", w.serviceStart)
	h("POST /refer/new", w.session(w.restart))
	h("GET /refer/text", w.textInstead)
	h("GET "+pathOtherLanguage, w.session(w.showOtherLanguage))
	h("POST "+pathOtherLanguage, w.session(w.saveOtherLanguage))
	h("GET /data-sharing", w.dataSharing)
	h("GET "+pathWithdraw, w.withdrawSession(w.showWithdraw))
	h("POST "+pathWithdraw, w.withdrawSession(w.withdrawAsk))
	h("POST "+pathWithdrawConfirm, w.withdrawSession(w.withdrawConfirm))
	h("POST "+pathWithdrawRestart, w.withdrawSession(w.withdrawRestart))

	h("GET /refer/{page}", w.session(w.showStep))
	h("POST /refer/{page}", w.session(w.saveStep))
	h("GET "+pathCheck, w.session(w.showCheck))
	h("POST "+pathCheck, w.session(w.submit))
	h("POST "+pathSendCode, w.session(w.sendCode))
	h("POST "+pathCheckCode, w.session(w.checkCode))
	h("GET "+pathDone, w.session(w.showDone))
	// The two catch-alls of each part, with and without the slash: without
	// "/refer" another method on /refer would be redirected to /refer/.
	h("/refer", noRoute)
	h("/refer/", noRoute)

	h("GET /directory", w.directory)
	h("POST /directory", w.directorySearch)
	h("GET /directory/agencies/{slug}", w.directoryAgency)
	h("GET /directory/services/{id}", w.directoryService)
	h("POST /directory/services/{id}/text", w.textService)
	h("/directory", noRoute)
	h("/directory/", noRoute)
	w.siteRoutes(h, noRoute)
}

// network returns the network settings, or the last ones read when the
// database does not answer (ok false when there never were any).
func (w *Web) network(r *http.Request) (core.Network, error) {
	n, err := w.engine.Network(r.Context())
	if err == nil {
		w.lastNetwork.Store(&n)
		return n, nil
	}
	if last := w.lastNetwork.Load(); last != nil {
		return *last, err
	}
	return core.Network{}, err
}

// randomToken returns n random bytes, base64url-encoded.
func (w *Web) randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(w.random, b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
