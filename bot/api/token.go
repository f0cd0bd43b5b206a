package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/onward-network/onward/core"
)

// TokenLifetime is how long an access token lasts. Short, so a revoked
// partner's tokens die soon even where a check is cached; every call also
// checks the partner is not revoked.
const TokenLifetime = 15 * time.Minute

// tokenAudience is the token's audience, so Onward's other signed tokens
// (staff sessions) can never pass for one.
const tokenAudience = "onward-partner-api"

// TokenSecret derives the key that signs access tokens from the session
// secret, so no new secret has to be configured.
func TokenSecret(sessionSecret string) []byte {
	m := hmac.New(sha256.New, []byte(sessionSecret))
	m.Write([]byte("onward partner access tokens v1"))
	return m.Sum(nil)
}

type tokens struct {
	key   []byte
	clock core.Clock
}

type tokenClaims struct {
	Scope string `json:"scope"`
	// Generation is the partner's secret generation the token was issued
	// under (core.Partner.SecretGeneration): a token got with a secret
	// since replaced is refused.
	Generation int `json:"gen,omitempty"`
	jwt.RegisteredClaims
}

func (t *tokens) issue(p core.Partner, scopes []core.PartnerScope) (string, error) {
	now := t.clock.Now()
	ss := make([]string, len(scopes))
	for i, s := range scopes {
		ss[i] = string(s)
	}
	c := tokenClaims{Scope: strings.Join(ss, " "), Generation: p.SecretGeneration, RegisteredClaims: jwt.RegisteredClaims{
		Subject: strconv.FormatInt(int64(p.ID), 10), Audience: jwt.ClaimStrings{tokenAudience},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(TokenLifetime)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.key)
}

// errBadToken is any token that does not verify, or has expired.
var errBadToken = errors.New("the access token is not valid or has expired; get a new one from /oauth/token")

// verify checks a token and returns its partner, scopes and the secret
// generation it was issued under.
func (t *tokens) verify(raw string) (core.PartnerID, []core.PartnerScope, int, error) {
	var c tokenClaims
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience(tokenAudience), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(t.clock.Now))
	if err != nil {
		return 0, nil, 0, errBadToken
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil {
		return 0, nil, 0, errBadToken
	}
	var scopes []core.PartnerScope
	for _, s := range strings.Fields(c.Scope) {
		scopes = append(scopes, core.PartnerScope(s))
	}
	return core.PartnerID(id), scopes, c.Generation, nil
}

// noStore marks a token endpoint answer as not to be kept by any cache,
// HTTP/1.0 ones included (RFC 6749 §5.1).
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// tokenError is an RFC 6749 §5.2 error response.
func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	noStore(w)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="onward"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// RefuseToken answers, as the token endpoint answers its own errors
// (RFC 6749 §5.2), a request to it refused before it is reached: a form
// holding a NUL or bytes that are not UTF-8. A client reads an OAuth
// error, not the public site's page. RefuseProblem has its shape.
func RefuseToken(w http.ResponseWriter, _ *http.Request, status int, _, detail string) {
	tokenError(w, status, "invalid_request", detail)
}

// token is the OAuth 2.0 token endpoint for the client-credentials grant
// (RFC 6749 §4.4), as SMART backend services use it: the client
// authenticates with HTTP Basic (or client_id and client_secret in the
// form) and gets a short-lived bearer token for the scopes it asked for,
// or all of its own.
func (a *API) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "send an application/x-www-form-urlencoded body")
		return
	}
	// Only a form is read (RFC 6749 §3.2): a JSON body's grant_type is
	// not there to read, and the request is told why, not that
	// grant_type is missing.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		sent := "this one has no Content-Type"
		if ct := r.Header.Get("Content-Type"); ct != "" {
			sent = "this one was " + ct
		}
		tokenError(w, http.StatusBadRequest, "invalid_request",
			"the token request's body must be form-encoded, Content-Type application/x-www-form-urlencoded (RFC 6749 §3.2), like grant_type=client_credentials; "+sent)
		return
	}
	// A parameter is sent once (RFC 6749 §3.2): given twice, which one
	// was meant is not for the server to guess.
	for _, k := range slices.Sorted(maps.Keys(r.PostForm)) {
		if len(r.PostForm[k]) > 1 {
			tokenError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("%s is given more than once; send each parameter once (RFC 6749 §3.2)", k))
			return
		}
	}
	// A missing grant_type is a malformed request, and one sent empty is
	// missing (RFC 6749 §3.2, §5.2); one given is a grant type this
	// server does not support unless it is client_credentials.
	gt := r.PostForm.Get("grant_type")
	if gt == "" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "send grant_type=client_credentials")
		return
	}
	if gt != "client_credentials" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	// The client authenticates one way (RFC 6749 §2.3): HTTP Basic, or
	// client_id and client_secret in the form, not both. A client_id
	// beside Basic only names the client (§3.2.1), and must name the same.
	id, secret, ok := r.BasicAuth()
	if ok {
		// Both are form-encoded before Basic encodes them (§2.3.1), as
		// OAuth libraries do; Onward's own never hold a "%" or a "+", so
		// one sent unencoded reads the same.
		var idErr, secretErr error
		id, idErr = url.QueryUnescape(id)
		secret, secretErr = url.QueryUnescape(secret)
		if idErr != nil || secretErr != nil {
			tokenError(w, http.StatusBadRequest, "invalid_request",
				"the HTTP Basic credentials are not form-encoded (RFC 6749 §2.3.1): a % must be followed by two hex digits")
			return
		}
	}
	switch {
	case !ok:
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	case r.PostForm.Has("client_secret"):
		tokenError(w, http.StatusBadRequest, "invalid_request",
			"authenticate one way (RFC 6749 §2.3): HTTP Basic or client_id and client_secret in the form, not both")
		return
	case r.PostForm.Has("client_id") && r.PostForm.Get("client_id") != id:
		tokenError(w, http.StatusBadRequest, "invalid_request",
			"the form's client_id is not the client of the HTTP Basic credentials; authenticate one way (RFC 6749 §2.3)")
		return
	}
	if id == "" || secret == "" {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "authenticate with the client id and secret from `onward partner add`")
		return
	}
	p, err := a.engine.AuthenticatePartner(r.Context(), id, secret)
	// Wrong, unknown or revoked credentials, or the right ones of a system
	// whose agency has left the network, which the description says.
	if errors.Is(err, core.ErrBadCredentials) {
		tokenError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	if err != nil {
		a.log.Error("token", "err", err)
		tokenError(w, http.StatusInternalServerError, "server_error", "try again in a moment")
		return
	}
	scopes := p.Scopes
	if asked := r.PostForm.Get("scope"); asked != "" {
		scopes = nil
		grant := func(s core.PartnerScope) {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
		for _, s := range strings.Fields(asked) {
			// A SMART scope (system/Task.cu, system/*.read) is taken as
			// the Onward scopes it covers that the client holds, as SMART
			// lets a server grant less than asked; an Onward scope must
			// be held.
			if smart, ok := SMARTScopes(s); ok {
				held := 0
				for _, o := range smart {
					if p.Has(o) {
						grant(o)
						held++
					}
				}
				if len(smart) == 0 {
					tokenError(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("%q grants nothing in Onward: reading and searching is "+
						"system/*.rs, making referrals system/ServiceRequest.c, acting on them system/Task.u", s))
					return
				}
				if held == 0 {
					tokenError(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("%q covers %v, none of which this client holds; it holds %v", s, smart, p.Scopes))
					return
				}
				continue
			}
			if !p.Has(core.PartnerScope(s)) {
				tokenError(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("this client may not ask for %q; it holds %v "+
					"(or ask with SMART scopes such as system/*.rs, system/ServiceRequest.c, system/Task.u)", s, p.Scopes))
				return
			}
			grant(core.PartnerScope(s))
		}
	}
	tok, err := a.tokens.issue(p, scopes)
	if err != nil {
		a.log.Error("sign token", "err", err)
		tokenError(w, http.StatusInternalServerError, "server_error", "try again in a moment")
		return
	}
	ss := make([]string, len(scopes))
	for i, s := range scopes {
		ss[i] = string(s)
	}
	w.Header().Set("Content-Type", "application/json")
	noStore(w)
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": int(TokenLifetime.Seconds()), "scope": strings.Join(ss, " ")})
}

// SMARTScopes is the Onward scopes a SMART backend-services scope
// covers, in SMART 2's form (system/Task.cruds, any of the letters) or
// SMART 1's (system/*.read, .write, .*): reading or searching anything
// is read; creating a ServiceRequest or Task (or a transaction Bundle,
// or *) is refer, making a referral; updating a Task (or *) is act,
// acting on one. ok is false for a scope that is not SMART's system/
// form; a SMART scope Onward grants nothing for is ok with none.
func SMARTScopes(s string) (scopes []core.PartnerScope, ok bool) {
	rest, found := strings.CutPrefix(s, "system/")
	if !found {
		return nil, false
	}
	resource, perms, found := strings.Cut(rest, ".")
	if !found || resource == "" {
		return nil, false
	}
	switch perms {
	case "read":
		perms = "rs"
	case "write":
		perms = "cud"
	case "*":
		perms = "cruds"
	default:
		if perms == "" || strings.Trim(perms, "cruds") != "" {
			return nil, false
		}
	}
	add := func(sc core.PartnerScope) {
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if strings.ContainsAny(perms, "rs") {
		add(core.ScopeRead)
	}
	if strings.Contains(perms, "c") && slices.Contains([]string{"*", "ServiceRequest", "Task", "Bundle"}, resource) {
		add(core.ScopeRefer)
	}
	if strings.Contains(perms, "u") && slices.Contains([]string{"*", "Task"}, resource) {
		add(core.ScopeAct)
	}
	return scopes, true
}
