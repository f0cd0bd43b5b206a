package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/onward-network/onward/core"
)

// Refuse writes a refusal in the caller's format: problem details for the
// JSON API, an OperationOutcome for FHIR.
type Refuse func(w http.ResponseWriter, r *http.Request, status int, title, detail string)

// RefuseProblem is the JSON API's Refuse: an RFC 9457 problem, of the
// type of its status, titled as the type is declared (the detail says
// what was wrong); another status, a server error or a refusal before
// any handler, is about:blank with title, as fail's server error is.
func RefuseProblem(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	var p problem
	switch status {
	case http.StatusUnauthorized:
		p = probUnauthorized.problem(status, detail)
	case http.StatusForbidden:
		p = probForbidden.problem(status, detail)
	case http.StatusTooManyRequests:
		p = probTooManyRequests.problem(status, detail)
	default:
		p = problem{Status: status, Title: title, Detail: detail}
	}
	writeProblem(w, r, p)
}

// Handler is an operation run for an authenticated partner.
type Handler func(w http.ResponseWriter, r *http.Request, p core.Partner)

// statusRecorder keeps the status for the audit of the call.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Authorize checks the bearer token, that the partner may still act (not
// revoked, its agency in the network: core.Engine.ActingPartner), holds
// the scope (or alt), and is within its rate limit; then runs h and
// audits the call. The FHIR endpoints use it too.
func (a *API) Authorize(refuse Refuse, scope, alt core.PartnerScope, h Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The scheme is case-insensitive (RFC 9110 §11.1): "bearer" is
		// Bearer too.
		scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="onward"`)
			refuse(w, r, http.StatusUnauthorized, "Sign in first", "send Authorization: Bearer TOKEN, with a token from POST /oauth/token")
			return
		}
		id, scopes, generation, err := a.tokens.verify(strings.TrimSpace(raw))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="onward", error="invalid_token"`)
			refuse(w, r, http.StatusUnauthorized, "Token not accepted", err.Error())
			return
		}
		// Read on every call, not cached: revoking a partner, or retiring
		// the agency it acts for, stops its tokens on their next call.
		p, err := a.engine.ActingPartner(r.Context(), id)
		var left *core.PartnerAgencyLeftError
		switch {
		case errors.As(err, &left):
			w.Header().Set("WWW-Authenticate", `Bearer realm="onward", error="invalid_token"`)
			refuse(w, r, http.StatusUnauthorized, "Agency has left the network", left.Error())
			return
		case errors.Is(err, core.ErrPartnerRevoked):
			w.Header().Set("WWW-Authenticate", `Bearer realm="onward", error="invalid_token"`)
			refuse(w, r, http.StatusUnauthorized, "Token not accepted", core.ErrPartnerRevoked.Error())
			return
		case err != nil:
			a.log.Error("partner api: read the token's partner", "partner", id, "err", err)
			refuse(w, r, http.StatusInternalServerError, "Something went wrong on our side", "nothing was changed; try again in a moment")
			return
		}
		if generation != p.SecretGeneration {
			w.Header().Set("WWW-Authenticate", `Bearer realm="onward", error="invalid_token"`)
			refuse(w, r, http.StatusUnauthorized, "Token not accepted",
				"this token was got with a secret that has since been replaced; get a new token with the new secret")
			return
		}
		// A token never carries more than the partner holds now.
		p.Scopes = slices.DeleteFunc(scopes, func(s core.PartnerScope) bool { return !p.Has(s) })
		if !p.Has(scope) && (alt == "" || !p.Has(alt)) {
			refuse(w, r, http.StatusForbidden, "Missing scope", fmt.Sprintf("this operation needs the %q scope", scope))
			return
		}
		res, err := a.limiter.Allow(r.Context(), a.prefix+"partner:"+strconv.FormatInt(int64(p.ID), 10), redis_rate.PerMinute(p.RatePerMinute))
		if err != nil {
			a.log.Warn("partner rate limit unavailable", "err", err)
		} else if res.Allowed == 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(res.RetryAfter/time.Second)+1))
			refuse(w, r, http.StatusTooManyRequests, "Too many requests",
				fmt.Sprintf("this system may make %d calls a minute; try again after the Retry-After seconds", p.RatePerMinute))
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		h(rec, r, p)
		a.audit.record(core.PartnerCall{Partner: p.ID, Method: r.Method, Path: r.URL.Path, Status: rec.status, At: a.engine.Clock().Now()})
	})
}
