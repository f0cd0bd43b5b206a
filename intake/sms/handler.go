package sms

// The SMS edge: Twilio posts every text a client sends to POST /twilio/sms
// and every delivery receipt to POST /twilio/status. The webhook checks
// Twilio's signature, drops replayed MessageSids, rate-limits, applies
// keywords and the answers Onward is waiting for, advances the client's
// conversation (kept in Redis under a keyed hash of the phone, behind a
// per-phone lock), calls core once when the client consents, and answers
// with TwiML. Everything sent later goes through core's outbox.

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onward-network/onward/intake/flow"
	"github.com/onward-network/onward/internal/outage"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"github.com/twilio/twilio-go/client"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// Config is what the Twilio webhooks need.
type Config struct {
	Engine *core.Engine
	Redis  redis.UniversalClient
	Log    *slog.Logger

	// KeyPrefix starts every Redis key the SMS edge writes ("onward:" in
	// production; a per-test prefix in tests).
	KeyPrefix string
	// PublicURL is the address Twilio calls (ONWARD_PUBLIC_URL, checked
	// by config.Validate). Twilio signs the URL it was given, so signatures
	// are checked against this and the request's path and query, never
	// against r.Host, which a proxy rewrites.
	PublicURL string
	// AuthToken is the Twilio auth token that signs webhooks.
	AuthToken string

	// SMSRatePerHour caps texts accepted per phone in an hour from its
	// first (60 if zero); texts over it get an empty answer, unhandled;
	// IPRatePerMinute caps webhook requests per source IP per minute (120
	// if zero).
	SMSRatePerHour  int
	IPRatePerMinute int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client, for the per-IP limit (core.ClientNetwork).
	TrustedProxies []netip.Prefix

	// ConversationTTL is how long an unfinished conversation is kept (24 h
	// if zero).
	ConversationTTL time.Duration
	// DedupeTTL is how long a MessageSid and its reply are remembered
	// (7 days if zero). Twilio retries within minutes; days leave room for
	// a replay of an old request.
	DedupeTTL time.Duration
	// LockWait is how long a text waits for an earlier text from the same
	// phone to finish (10 s if zero).
	LockWait time.Duration
	// RedisTimeout is how long the server waits for one Redis command
	// (ONWARD_REDIS_TIMEOUT; 500 ms if zero). A claim that reaches Redis
	// later than that, its sender having given up, does nothing.
	RedisTimeout time.Duration

	// Catalogue is the message files; nil loads templates/i18n.
	Catalogue *lang.Catalogue
	// Flow is the conversation; nil loads flows/self_referral.yaml.
	Flow *flow.Flow
	// Random makes conversation ids and lock tokens; crypto/rand when nil.
	Random io.Reader
}

// Defaults for the zero values of Config.
const (
	DefaultConversationTTL = 24 * time.Hour
	DefaultDedupeTTL       = 7 * 24 * time.Hour
	DefaultLockWait        = 10 * time.Second
	// The rate limits' defaults are ONWARD_SMS_RATE_PER_HOUR's and
	// ONWARD_IP_RATE_PER_MINUTE's.
	DefaultSMSRatePerHour  = 60
	DefaultIPRatePerMinute = 120
)

// SMS serves Twilio's inbound SMS webhook and delivery status callbacks.
type SMS struct {
	cfg       Config
	engine    *core.Engine
	rdb       redis.UniversalClient
	log       *slog.Logger
	limiter   *redis_rate.Limiter
	flow      *flow.Flow
	validator client.RequestValidator
	signer    *twilioSigner
	base      string // PublicURL without a trailing slash
	cat       *lang.Catalogue

	randMu sync.Mutex // Random need not be safe for concurrent use
	random io.Reader

	// wordings caches consent wordings by version: a version never
	// changes once published, so each is read from Postgres once.
	wordingsMu sync.Mutex
	wordings   map[string]core.ConsentWording

	// textKeys are the network keys of the texts now (keysFor), kept
	// also to name the helpline in apologies when Postgres does not answer.
	textKeys atomic.Pointer[textKeys]

	// unknownWait, when set by tests, replaces unknownSIDWait.
	unknownWait time.Duration

	// crisisWait is how long a crisis text waits for core to alert staff
	// (crisisRecordWait; tests shorten it).
	crisisWait time.Duration

	// lockHook, when set by tests, runs while a text holds its phone's
	// lock, so a test can hold a second text at the door.
	lockHook func(body string)

	// outages logs each spell of Redis or PostgreSQL not answering once
	// when it starts and once when it ends, not a line a text.
	outages outage.Log
}

// New checks its wiring (engine, Redis, the auth token that checks
// signatures; config.Validate has already checked the settings) and loads
// the flow and SMS copy, so a broken template stops the server starting
// instead of reaching a client.
func New(cfg Config) (*SMS, error) {
	var errs []error
	if cfg.Engine == nil {
		errs = append(errs, errors.New("sms: an engine is required"))
	}
	if cfg.Redis == nil {
		errs = append(errs, errors.New("sms: a Redis client is required"))
	}
	// Not a setting but the handler's key: with no token every forged
	// signature made with an empty key would pass.
	if cfg.AuthToken == "" {
		errs = append(errs, errors.New("sms: the Twilio auth token is required to check signatures"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.SMSRatePerHour <= 0 {
		cfg.SMSRatePerHour = DefaultSMSRatePerHour
	}
	if cfg.IPRatePerMinute <= 0 {
		cfg.IPRatePerMinute = DefaultIPRatePerMinute
	}
	if cfg.ConversationTTL <= 0 {
		cfg.ConversationTTL = DefaultConversationTTL
	}
	if cfg.DedupeTTL <= 0 {
		cfg.DedupeTTL = DefaultDedupeTTL
	}
	if cfg.LockWait <= 0 {
		cfg.LockWait = DefaultLockWait
	}
	if cfg.RedisTimeout <= 0 {
		cfg.RedisTimeout = 500 * time.Millisecond
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.Catalogue == nil {
		if cfg.Flow != nil {
			cfg.Catalogue = cfg.Flow.Catalogue()
		} else {
			cat, err := lang.Load(templates.FS, cfg.Log)
			if err != nil {
				return nil, fmt.Errorf("sms: %w", err)
			}
			cfg.Catalogue = cat
		}
	}
	if cfg.Flow == nil {
		f, err := flow.LoadFlowIn(templates.FS, "self_referral", cfg.Catalogue)
		if err != nil {
			return nil, fmt.Errorf("sms: %w", err)
		}
		cfg.Flow = f
	}
	if err := checkSMSCopy(cfg.Catalogue); err != nil {
		return nil, fmt.Errorf("sms: %w", err)
	}
	return &SMS{
		cfg: cfg, engine: cfg.Engine, rdb: cfg.Redis, log: cfg.Log,
		limiter: redis_rate.NewLimiter(cfg.Redis), flow: cfg.Flow,
		validator: client.NewRequestValidator(cfg.AuthToken), signer: newTwilioSigner(cfg.AuthToken),
		base: strings.TrimRight(cfg.PublicURL, "/"),
		cat:  cfg.Catalogue, random: cfg.Random, wordings: map[string]core.ConsentWording{},
		crisisWait: crisisRecordWait,
	}, nil
}

// Routes adds the Twilio webhooks to mux. Paste PublicURL + "/twilio/sms"
// into the phone number's "A message comes in" webhook (HTTP POST), and
// into the WhatsApp sender's: WhatsApp messages take the same path;
// notify asks Twilio for delivery receipts at PublicURL + "/twilio/status".
func (s *SMS) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /twilio/sms", s.Inbound)
	mux.HandleFunc("POST /twilio/status", s.Status)
}

// newRandomID returns 16 random bytes in hex: a conversation id (core's
// idempotency key for the referral) or a lock token.
func (s *SMS) newRandomID() (string, error) {
	b := make([]byte, 16)
	s.randMu.Lock()
	_, err := io.ReadFull(s.random, b)
	s.randMu.Unlock()
	if err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return fmt.Sprintf("%x", b), nil
}
