package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// webSession is one client's answers while they fill in the form. It lives
// in Redis, encrypted with the engine's key because it holds personal data,
// and expires SessionTTL after the last change. The cookie carries only
// the random id.
type webSession struct {
	id string // from the cookie; never stored or logged

	CSRF       string    `json:"csrf"`       // must come back with every POST
	Submission string    `json:"submission"` // the idempotency key and consent evidence: one per request for help
	Started    time.Time `json:"started"`
	Notice     string    `json:"notice,omitempty"` // shown once on the next page, e.g. "expired"

	Leaflet string         `json:"leaflet,omitempty"` // a known leaflet code, "" when none or unknown
	Service core.ServiceID `json:"service,omitempty"` // chosen in the directory

	// Answers are the client's answers so far, the same type the SMS
	// conversation keeps; flow.Answer fills them.
	Answers flow.Answers `json:"answers"`

	Reviewing bool `json:"reviewing,omitempty"` // has seen "check your answers": changes return there
	// CodeSentTo is the phone a one-time code was last texted to, and
	// ProvenPhone the phone whose code was typed back (core keeps the
	// proof; these only shape the page).
	CodeSentTo  string `json:"code_sent_to,omitempty"`
	ProvenPhone string `json:"proven_phone,omitempty"`
	Bot         bool   `json:"bot,omitempty"` // filled the honeypot: pretend, write nothing

	// After sending: the referral's reference and what the confirmation
	// page says. The answers are wiped then; only these stay.
	Submitted  bool   `json:"submitted,omitempty"`
	Reference  string `json:"reference,omitempty"`
	AgencyName string `json:"agency_name,omitempty"`
	Crisis     bool   `json:"crisis,omitempty"`
	// Danger: the client typed words about danger from someone (the
	// flow's crisis detection), so every page's crisis panel gives the
	// domestic abuse helpline, as the text channel does. Self-harm words
	// are the answers' (flow.Answers.SelfHarm).
	Danger    bool `json:"danger,omitempty"`
	TextedRef bool `json:"texted_ref,omitempty"`
	// NoLocal: no advice service can take the referral
	// (core.SelfReferralResult.NoLocalService), so a coordinator will say where to get help.
	NoLocal bool `json:"no_local,omitempty"`

	// The client's own withdrawal (withdraw.go): the reference and phone
	// typed, kept while the code is typed back, and whether it is done.
	WithdrawRef   string `json:"withdraw_ref,omitempty"`
	WithdrawPhone string `json:"withdraw_phone,omitempty"`
	WithdrawDone  bool   `json:"withdraw_done,omitempty"`
}

// kept reports whether the session holds answers the client gave: the
// form's, or the reference of a withdrawal. A nil session holds none.
func (s *webSession) kept() bool {
	return s != nil && (len(s.Answers.Outcomes) > 0 || s.WithdrawRef != "")
}

// crisis reports whether the answers so far make this a crisis: a yes to
// a crisis question, or crisis words typed in any answer.
func (s *webSession) crisis() bool { return s.Answers.Crisis() }

// sessionCookie names the cookie: the __Host- prefix makes browsers refuse
// it unless Secure, host-only and Path=/, so no subdomain can plant one.
func (w *Web) sessionCookie() string {
	if w.cfg.Secure {
		return "__Host-onward_form"
	}
	return "onward_form"
}

// sessionKey hashes the id so a reader of Redis cannot use keys as cookies.
func (w *Web) sessionKey(id string) string {
	h := sha256.Sum256([]byte(id))
	return w.cfg.KeyPrefix + "web:session:" + hex.EncodeToString(h[:16])
}

func sessionField(id string) string {
	h := sha256.Sum256([]byte("field:" + id))
	return "web.session." + hex.EncodeToString(h[:8])
}

// errNoSession means the request carries no session, or one that expired.
var errNoSession = errors.New("no web session")

// loadSession reads the session named by the request's cookie. It returns
// errNoSession when there is no cookie or Redis has no such session;
// other errors mean Redis (or decryption) failed.
func (w *Web) loadSession(ctx context.Context, r *http.Request) (*webSession, bool, error) {
	c, err := r.Cookie(w.sessionCookie())
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, false, errNoSession
	}
	s, err := w.readSession(ctx, w.rdb, c.Value)
	return s, true, err
}

// readSession reads session id from Redis through rdb (the client, or a
// transaction watching the session's key): errNoSession when Redis has
// none, or none this server can read.
func (w *Web) readSession(ctx context.Context, rdb redis.Cmdable, id string) (*webSession, error) {
	raw, err := rdb.Get(ctx, w.sessionKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("read web session: %w", err)
	}
	plain, err := w.engine.Crypter().Decrypt(sessionField(id), raw)
	if err != nil {
		// Written under a key since rotated away, or tampered with: start again.
		return nil, errNoSession
	}
	s := &webSession{id: id}
	if err := json.Unmarshal([]byte(plain), s); err != nil {
		return nil, errNoSession
	}
	return s, nil
}

// newSession makes a session with fresh random id, CSRF token and
// submission id, and sets its cookie. It is saved by the caller.
func (w *Web) newSession(rw http.ResponseWriter) (*webSession, error) {
	id, err := w.randomToken(32)
	if err != nil {
		return nil, err
	}
	csrf, err := w.randomToken(32)
	if err != nil {
		return nil, err
	}
	sub, err := w.randomToken(18)
	if err != nil {
		return nil, err
	}
	s := &webSession{id: id, CSRF: csrf, Submission: sub, Started: w.engine.Clock().Now()}
	http.SetCookie(rw, &http.Cookie{Name: w.sessionCookie(), Value: id, Path: "/", HttpOnly: true,
		Secure: w.cfg.Secure, SameSite: http.SameSiteLaxMode})
	return s, nil
}

// saveSession writes the session and restarts its expiry.
func (w *Web) saveSession(ctx context.Context, s *webSession) error {
	ct, err := w.sealSession(s)
	if err != nil {
		return err
	}
	if err := w.rdb.Set(ctx, w.sessionKey(s.id), ct, w.cfg.SessionTTL).Err(); err != nil {
		return fmt.Errorf("save web session: %w", err)
	}
	return nil
}

// sealSession is the session as Redis keeps it: JSON, encrypted and bound
// to its id.
func (w *Web) sealSession(s *webSession) ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode web session: %w", err)
	}
	ct, err := w.engine.Crypter().Encrypt(sessionField(s.id), string(b))
	if err != nil {
		return nil, fmt.Errorf("encrypt web session: %w", err)
	}
	return ct, nil
}

// saveUnlessSubmitted saves s, which holds a sent request, unless the
// session in Redis already holds one: the request that made the referral
// wrote it, and its answer is the one to keep. Two clicks of "Send"
// (two requests at once, each having read the session before either
// wrote) both reach core; the second gets the first's referral back as a
// replay, which carries no match, so its own reading of what happens
// next (no local service, the reference texted) can be wrong. Redis's
// WATCH makes the check and the write one step: a write by the first
// request in between makes the check run again. ok reports whether s was
// saved.
func (w *Web) saveUnlessSubmitted(ctx context.Context, s *webSession) (ok bool, err error) {
	key := w.sessionKey(s.id)
	ct, err := w.sealSession(s)
	if err != nil {
		return false, err
	}
	for range 3 {
		err = w.rdb.Watch(ctx, func(tx *redis.Tx) error {
			cur, err := w.readSession(ctx, tx, s.id)
			switch {
			case err == nil && cur.Submitted:
				ok = false
				return nil
			case err != nil && !errors.Is(err, errNoSession):
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, ct, w.cfg.SessionTTL)
				return nil
			})
			ok = err == nil
			return err
		}, key)
		if !errors.Is(err, redis.TxFailedErr) {
			break
		}
	}
	if err != nil {
		return false, fmt.Errorf("save web session: %w", err)
	}
	return ok, nil
}

// dropSession deletes a session, for "start a new request".
func (w *Web) dropSession(ctx context.Context, s *webSession) error {
	if err := w.rdb.Del(ctx, w.sessionKey(s.id)).Err(); err != nil {
		return fmt.Errorf("delete web session: %w", err)
	}
	return nil
}

// submitted forgets the answers once core has them: the session keeps only
// what the confirmation page shows, in the language the client chose, so
// Redis holds no personal data for the rest of its life.
func (s *webSession) submitted(ref, agency string, textedRef, noLocal bool) {
	crisis := s.crisis()
	*s = webSession{id: s.id, CSRF: s.CSRF, Submission: s.Submission, Started: s.Started,
		Answers:   flow.Answers{ContactMethod: s.Answers.ContactMethod, Language: s.Answers.Language, SelfHarm: s.Answers.SelfHarm},
		Submitted: true, Reference: ref, AgencyName: agency, Crisis: crisis, Danger: s.Danger, TextedRef: textedRef, NoLocal: noLocal}
}
