package bot

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/config"
)

// Staff sign in to the web inbox with a short-lived, single-use link and
// stay signed in with a server-side session (inbox_session.go: the cookie
// carries only a random id). Links are JSON Web Tokens made and checked by
// golang-jwt (the session purpose remains for tokens already issued, which
// are no longer accepted as cookies): HS256 with ONWARD_SESSION_SECRET, an audience
// that binds each to its purpose (so one can never be used as the other),
// an expiry, and a random jti: the key that makes a login link single-use,
// and the seed of a session's form token.
const (
	loginLinkTTL   = 15 * time.Minute
	sessionTTL     = 12 * time.Hour
	purposeLogin   = "onward-login"
	purposeSession = "onward-session"
	tokenIssuer    = "onward"
	// maxTokenLen bounds what we parse; our tokens are about 250 bytes.
	maxTokenLen = 1024
)

var (
	errTokenInvalid = errors.New("the sign-in token is not valid")
	errTokenExpired = errors.New("the sign-in token has expired")
)

// claims is what a verified token says.
type claims struct {
	Staff   core.StaffID
	ID      string // the token's jti
	Expires time.Time
}

// staffAuth signs and checks login links and sessions.
type staffAuth struct {
	secret    []byte
	clock     core.Clock
	random    io.Reader
	publicURL string
	parsers   map[string]*jwt.Parser // by purpose
}

// newStaffAuth makes tokens with clock's time and jti values read from
// random (crypto/rand in production; tests pass a seeded source).
func newStaffAuth(cfg config.Config, clock core.Clock, random io.Reader) *staffAuth {
	a := &staffAuth{secret: []byte(cfg.SessionSecret), clock: clock, random: random,
		publicURL: strings.TrimRight(cfg.PublicURL, "/"), parsers: map[string]*jwt.Parser{}}
	for _, purpose := range []string{purposeLogin, purposeSession} {
		a.parsers[purpose] = jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithAudience(purpose),
			jwt.WithIssuer(tokenIssuer),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(0),
			jwt.WithTimeFunc(clock.Now),
			jwt.WithStrictDecoding(),
		)
	}
	return a
}

// sign makes a token for purpose, valid for ttl from now.
func (a *staffAuth) sign(purpose string, staff core.StaffID, ttl time.Duration) (string, claims, error) {
	jti := make([]byte, 16)
	if _, err := io.ReadFull(a.random, jti); err != nil {
		return "", claims{}, fmt.Errorf("make token id: %w", err)
	}
	now := a.clock.Now()
	rc := jwt.RegisteredClaims{
		Issuer:    tokenIssuer,
		Subject:   strconv.FormatInt(int64(staff), 10),
		Audience:  jwt.ClaimStrings{purpose},
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		IssuedAt:  jwt.NewNumericDate(now),
		ID:        base64.RawURLEncoding.EncodeToString(jti),
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, rc).SignedString(a.secret)
	if err != nil {
		return "", claims{}, fmt.Errorf("sign %s token: %w", purpose, err)
	}
	return tok, claims{Staff: staff, ID: rc.ID, Expires: rc.ExpiresAt.Time}, nil
}

// verify checks a token's signature, algorithm, purpose, issuer and
// expiry (no leeway).
func (a *staffAuth) verify(purpose, token string) (claims, error) {
	p, ok := a.parsers[purpose]
	// Base64 decoding skips line breaks, so "ab\ncd" would verify as
	// "abcd": only the exact token we issued may pass.
	if !ok || len(token) > maxTokenLen || strings.ContainsFunc(token, notTokenChar) {
		return claims{}, errTokenInvalid
	}
	var rc jwt.RegisteredClaims
	_, err := p.ParseWithClaims(token, &rc, func(*jwt.Token) (any, error) { return a.secret, nil })
	if err != nil {
		if onlyExpired(err) {
			return claims{}, errTokenExpired
		}
		return claims{}, errTokenInvalid
	}
	staff, err := strconv.ParseInt(rc.Subject, 10, 64)
	if err != nil || staff <= 0 || rc.ID == "" {
		return claims{}, errTokenInvalid
	}
	return claims{Staff: core.StaffID(staff), ID: rc.ID, Expires: rc.ExpiresAt.Time}, nil
}

// onlyExpired reports whether a token's one fault is its age: a token
// for another purpose says "not valid", however old it is.
func onlyExpired(err error) bool {
	return errors.Is(err, jwt.ErrTokenExpired) && !errors.Is(err, jwt.ErrTokenInvalidAudience) &&
		!errors.Is(err, jwt.ErrTokenInvalidIssuer) && !errors.Is(err, jwt.ErrTokenUsedBeforeIssued)
}

// notTokenChar is true for a character no compact JWT contains.
func notTokenChar(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
}

// loginLink is the URL that signs a member of staff in to the web inbox.
func (a *staffAuth) loginLink(s core.Staff) (string, error) {
	tok, _, err := a.sign(purposeLogin, s.ID, loginLinkTTL)
	if err != nil {
		return "", err
	}
	return a.publicURL + "/staff/login?token=" + url.QueryEscape(tok), nil
}

// loginLinkWithID is loginLink with the link's own id (its jti), which
// makes the email that carries it unique, returning to the staff page
// next after signing in (its path alone; "" for the inbox): the link may
// be opened in another browser than the one that asked for it (a phone's
// mail app), which has not the page in its cookie.
func (a *staffAuth) loginLinkWithID(s core.Staff, next string) (string, string, error) {
	tok, cl, err := a.sign(purposeLogin, s.ID, loginLinkTTL)
	if err != nil {
		return "", "", err
	}
	link := a.publicURL + "/staff/login?token=" + url.QueryEscape(tok)
	if next, _, _ = strings.Cut(next, "?"); next != "/staff/" && returnPath(next) {
		link += "&next=" + url.QueryEscape(next)
	}
	return link, cl.ID, nil
}

// csrfToken is the form token of a session: derived from the session's
// jti, so it changes with every sign-in and needs no storage.
func (a *staffAuth) csrfToken(session claims) string {
	m := hmac.New(sha256.New, a.secret)
	m.Write([]byte("onward-staff:csrf:" + session.ID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// LoginLink returns a sign-in link for the staff web inbox, valid once for
// fifteen minutes: `onward staff login-link EMAIL` prints it for admins,
// `onward dev` prints them for the demo staff. Its token id comes from
// crypto/rand.
func LoginLink(cfg config.Config, clock core.Clock, s core.Staff) (string, error) {
	if cfg.SessionSecret == "" {
		return "", errors.New("ONWARD_SESSION_SECRET is not set: it signs login links")
	}
	return newStaffAuth(cfg, clock, rand.Reader).loginLink(s)
}
