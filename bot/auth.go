package bot

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// Staff sign in to the web inbox with a short-lived, single-use link and
// stay signed in with a session cookie. Both are tokens signed with
// ONWARD_SESSION_SECRET (HMAC-SHA256), each bound to its purpose so one
// can never be used as the other.
const (
	loginLinkTTL   = 15 * time.Minute
	sessionTTL     = 12 * time.Hour
	purposeLogin   = "login"
	purposeSession = "session"
)

var (
	errTokenInvalid = errors.New("the sign-in token is not valid")
	errTokenExpired = errors.New("the sign-in token has expired")
)

// claims is what a token says.
type claims struct {
	Purpose string       `json:"p"`
	Staff   core.StaffID `json:"s"`
	Expires int64        `json:"e"`
	Nonce   string       `json:"n"`
}

// staffAuth signs and checks login links and sessions.
type staffAuth struct {
	secret    []byte
	clock     core.Clock
	publicURL string
}

func newStaffAuth(cfg core.Config, clock core.Clock) *staffAuth {
	return &staffAuth{secret: []byte(cfg.SessionSecret), clock: clock, publicURL: strings.TrimRight(cfg.PublicURL, "/")}
}

func (a *staffAuth) mac(payload string) []byte {
	m := hmac.New(sha256.New, a.secret)
	m.Write([]byte("onward-staff:"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// sign makes a token: base64url(JSON claims) "." base64url(HMAC).
func (a *staffAuth) sign(purpose string, staff core.StaffID, ttl time.Duration) (string, claims, error) {
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", claims{}, fmt.Errorf("make token nonce: %w", err)
	}
	c := claims{Purpose: purpose, Staff: staff, Expires: a.clock.Now().Add(ttl).Unix(), Nonce: hex.EncodeToString(nonce)}
	raw, err := json.Marshal(c)
	if err != nil {
		return "", claims{}, err
	}
	payload := base64.RawURLEncoding.EncodeToString(raw)
	return payload + "." + base64.RawURLEncoding.EncodeToString(a.mac(payload)), c, nil
}

// verify checks a token's signature, purpose and expiry.
func (a *staffAuth) verify(purpose, token string) (claims, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return claims{}, errTokenInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, a.mac(payload)) {
		return claims{}, errTokenInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return claims{}, errTokenInvalid
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil || c.Purpose != purpose || c.Staff == 0 || c.Nonce == "" {
		return claims{}, errTokenInvalid
	}
	if a.clock.Now().Unix() >= c.Expires {
		return claims{}, errTokenExpired
	}
	return c, nil
}

// loginLink is the URL that signs a member of staff in to the web inbox.
func (a *staffAuth) loginLink(s core.Staff) (string, error) {
	tok, _, err := a.sign(purposeLogin, s.ID, loginLinkTTL)
	if err != nil {
		return "", err
	}
	return a.publicURL + "/staff/login?token=" + url.QueryEscape(tok), nil
}

// csrfToken is the form token of a session: derived from the session's
// nonce, so it changes with every sign-in and needs no storage.
func (a *staffAuth) csrfToken(session claims) string {
	return base64.RawURLEncoding.EncodeToString(a.mac("csrf:" + session.Nonce))
}

// LoginLink returns a sign-in link for the staff web inbox, valid once for
// fifteen minutes: `onward staff login-link EMAIL` prints it for admins,
// `onward dev` prints them for the demo staff.
func LoginLink(cfg core.Config, clock core.Clock, s core.Staff) (string, error) {
	if cfg.SessionSecret == "" {
		return "", errors.New("ONWARD_SESSION_SECRET is not set: it signs login links")
	}
	return newStaffAuth(cfg, clock).loginLink(s)
}
