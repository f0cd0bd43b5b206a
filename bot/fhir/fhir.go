// Package fhir serves referrals as FHIR R4, following the HL7 SDOH
// Clinical Care referral model: a Task (status, statusReason, output) on a
// ServiceRequest, with its Consent, Patient (only to systems the consent
// covers), and the directory as Organization and HealthcareService. A
// referral is created by a transaction Bundle. Partners authenticate with
// the same OAuth client-credentials tokens as the JSON API.
package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
)

// ContentType is FHIR's JSON media type.
const ContentType = "application/fhir+json"

// Server serves the FHIR endpoints under /fhir.
type Server struct {
	engine *core.Engine
	api    *api.API
	log    *slog.Logger
	base   string // absolute base URL of the FHIR endpoint, for fullUrl
	// patients are the Patient ids each partner system sees.
	patients patientIDs
}

// New builds the FHIR server on the partner API's authentication.
func New(engine *core.Engine, a *api.API, log *slog.Logger, publicURL string) *Server {
	return &Server{engine: engine, api: a, log: log, base: strings.TrimRight(publicURL, "/") + "/fhir",
		patients: newPatientIDs(engine.Crypter())}
}

// Routes adds the FHIR endpoints to mux. Another method on one of their
// paths is a 405 naming the methods it answers, and any other path under
// /fhir/ a 404, both as OperationOutcomes. Every endpoint answers in JSON
// only, so a request for another format is a 406 (acceptable), and the
// two that read a body take it only as JSON (requireJSON, else 415).
func (s *Server) Routes(mux *http.ServeMux) {
	var patterns []string
	handle := func(pattern string, h http.Handler) {
		mux.Handle(pattern, acceptable(h))
		patterns = append(patterns, pattern)
	}
	read := func(pattern string, h api.Handler) {
		handle(pattern, s.api.Authorize(Refuse, core.ScopeRead, "", h))
	}
	handle("GET /fhir/metadata", http.HandlerFunc(s.metadata))
	handle("GET /fhir/.well-known/smart-configuration", http.HandlerFunc(s.smartConfiguration))
	read("GET /fhir/Task/{id}", s.readTask)
	read("GET /fhir/Task/{id}/_history/{vid}", s.readTask)
	read("GET /fhir/Task", s.searchTask)
	read("GET /fhir/ServiceRequest/{id}", s.readServiceRequest)
	read("GET /fhir/ServiceRequest/{id}/_history/{vid}", s.readServiceRequest)
	read("GET /fhir/ServiceRequest", s.searchServiceRequest)
	read("GET /fhir/Consent/{id}", s.readConsent)
	read("GET /fhir/Consent", s.searchConsent)
	read("GET /fhir/Patient/{id}", s.readPatient)
	read("GET /fhir/Organization/{id}", s.readOrganization)
	read("GET /fhir/Organization", s.searchOrganization)
	read("GET /fhir/HealthcareService/{id}", s.readHealthcareService)
	read("GET /fhir/HealthcareService", s.searchHealthcareService)
	handle("PUT /fhir/Task/{id}", s.api.Authorize(Refuse, core.ScopeAct, "", requireJSON(s.updateTask)))
	handle("POST /fhir", s.api.Authorize(Refuse, core.ScopeRefer, "", requireJSON(s.transaction)))
	handle("POST /fhir/{$}", s.api.Authorize(Refuse, core.ScopeRefer, "", requireJSON(s.transaction)))
	api.HandleOtherMethods(mux, patterns, func(w http.ResponseWriter, r *http.Request, allow string) {
		outcome(w, http.StatusMethodNotAllowed, "not-supported",
			"Onward does not support "+r.Method+" "+r.URL.Path+"; it answers "+allow+" (see /fhir/metadata)", "")
	})
	mux.HandleFunc("/fhir/", func(w http.ResponseWriter, r *http.Request) {
		outcome(w, http.StatusNotFound, "not-supported", "Onward does not support "+r.Method+" "+r.URL.Path+"; see /fhir/metadata", "")
	})
}

// patientID is the client's Patient id as the partner sees it.
func (s *Server) patientID(p core.Partner, c core.ClientID) string { return s.patients.id(p.ID, c) }

// patientRef reads a Patient reference or id the partner was given
// ("Patient/<id>", absolute or relative, or the id alone) back to the
// client; ok is false for any other.
func (s *Server) patientRef(p core.Partner, v string) (core.ClientID, bool) {
	return s.patients.client(p.ID, refValue(v, "Patient"))
}

func write(w http.ResponseWriter, status int, res Resource) {
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(res)
}

func outcome(w http.ResponseWriter, status int, code, text, expression string) {
	write(w, status, OperationOutcome("error", code, text, expression))
}

// Refuse answers the partner API's refusals as OperationOutcomes.
func Refuse(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	code := "security"
	switch status {
	case http.StatusBadRequest:
		code = "invalid"
	case http.StatusNotFound:
		code = "not-found"
	case http.StatusTooManyRequests:
		code = "throttled"
	case http.StatusForbidden:
		code = "forbidden"
	case http.StatusUnauthorized:
		code = "login"
	}
	outcome(w, status, code, title+": "+detail, "")
}

// fail turns a core error into an OperationOutcome, in this one place.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ve *core.ValidationError
		te *core.TransitionError
		ce *core.ConflictError
		fe *core.ForbiddenError
		se *core.ConsentScopeError
		oe *core.CaseOpenError
		ie *invalid
	)
	switch {
	case errors.As(err, &ie):
		issues := []any{}
		for _, i := range append([]*invalid{ie}, ie.also...) {
			issue := map[string]any{"severity": "error", "code": ie.code(), "diagnostics": i.text}
			if i.expression != "" {
				issue["expression"] = []any{i.expression}
			}
			issues = append(issues, issue)
		}
		write(w, ie.status(), Resource{"resourceType": "OperationOutcome", "issue": issues})
	case errors.As(err, &ve):
		oo := Resource{"resourceType": "OperationOutcome"}
		var issues []any
		for _, f := range ve.Fields {
			expression, name := fieldPath(f.Field)
			issue := map[string]any{"severity": "error", "code": "invalid", "diagnostics": api.FieldSentence(name, f)}
			if expression != "" {
				issue["expression"] = []any{expression}
			}
			issues = append(issues, issue)
		}
		oo["issue"] = issues
		write(w, http.StatusUnprocessableEntity, oo)
	case errors.As(err, &se):
		outcome(w, http.StatusUnprocessableEntity, "business-rule", se.Error(), "Task.owner")
	case errors.As(err, &oe):
		outcome(w, http.StatusConflict, "duplicate", oe.Error()+"; read it at Task/"+oe.Reference, "Task.identifier")
	case errors.Is(err, core.ErrConsentWithdrawn):
		outcome(w, http.StatusUnprocessableEntity, "business-rule", err.Error(), "")
	case errors.As(err, &ce):
		status := http.StatusConflict
		if r.Header.Get("If-Match") != "" {
			status = http.StatusPreconditionFailed
		}
		outcome(w, status, "conflict", ce.Error()+"; read it again and decide", "")
	case errors.As(err, &te):
		outcome(w, http.StatusConflict, "business-rule", te.Error(), "Task.status")
	case errors.As(err, &fe):
		outcome(w, http.StatusForbidden, "forbidden", fe.Error(), "")
	case errors.Is(err, core.ErrNotFound):
		outcome(w, http.StatusNotFound, "not-found", "no such resource that this system may see", "")
	default:
		s.log.Error("fhir", "method", r.Method, "path", r.URL.Path, "err", err)
		outcome(w, http.StatusInternalServerError, "exception", "something went wrong on our side; nothing was changed", "")
	}
}

// invalid is a request that is not acceptable FHIR (400), or, with rule,
// valid FHIR that asks what Onward's rules do not allow (422).
type invalid struct {
	text, expression string
	notFound         bool
	tooLarge         bool
	rule             bool
	// also are the request's further issues of the same kind, each
	// answered as an issue of the one OperationOutcome.
	also []*invalid
}

func (e *invalid) Error() string { return e.text }
func (e *invalid) status() int {
	switch {
	case e.notFound:
		return http.StatusNotFound
	case e.tooLarge:
		return http.StatusRequestEntityTooLarge
	case e.rule:
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}
func (e *invalid) code() string {
	switch {
	case e.notFound:
		return "not-found"
	case e.tooLarge:
		return "too-long"
	case e.rule:
		return "business-rule"
	}
	return "invalid"
}

// invalids is the issues found, as one error (nil for none).
func invalids(issues []*invalid) error {
	if len(issues) == 0 {
		return nil
	}
	first := *issues[0]
	first.also = issues[1:]
	return &first
}

func (s *Server) slugs(ctx context.Context) (map[core.AgencyID]string, map[string]core.Agency, error) {
	as, err := s.engine.Agencies(ctx)
	if err != nil {
		return nil, nil, err
	}
	ids, bySlug := map[core.AgencyID]string{}, map[string]core.Agency{}
	for _, a := range as {
		ids[a.ID], bySlug[a.Slug] = a.Slug, a
	}
	return ids, bySlug, nil
}

// smartConfiguration is SMART's discovery document for backend
// services: where to get a token, how to authenticate (the client id and
// secret of `onward partner add`, by HTTP Basic or in the form) and the
// scopes Onward reads (api.SMARTScopes).
func (s *Server) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token_endpoint":                        strings.TrimSuffix(s.base, "/fhir") + "/oauth/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"grant_types_supported":                 []string{"client_credentials"},
		"scopes_supported":                      []string{"system/*.rs", "system/ServiceRequest.c", "system/Task.c", "system/Task.u", "system/*.read", "system/*.write"},
		"capabilities":                          []string{"client-confidential-symmetric"},
	})
}

// metadata is the CapabilityStatement: what this server does.
func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	res := func(typ string, interactions []string, params ...searchParam) map[string]any {
		var in []any
		for _, i := range interactions {
			in = append(in, map[string]any{"code": i})
		}
		m := map[string]any{"type": typ, "interaction": in}
		if len(params) > 0 {
			ps := []any{}
			for _, p := range params {
				ps = append(ps, map[string]any{"name": p.name, "type": p.typ})
			}
			m["searchParam"] = ps
		}
		return m
	}
	task := res("Task", []string{"read", "vread", "update", "search-type"}, taskSearch...)
	// A vread answers the current version only: no other is kept.
	task["readHistory"] = false
	// If-None-Match on a read answers 304 when it names the current version.
	task["conditionalRead"] = "not-match"
	task["searchInclude"] = []any{"Task:focus"}
	serviceRequest := res("ServiceRequest", []string{"read", "vread", "search-type"}, serviceRequestSearch...)
	serviceRequest["readHistory"] = false
	serviceRequest["conditionalRead"] = "not-match"
	task["supportedProfile"] = []any{profileTask}
	cs := Resource{
		"resourceType": "CapabilityStatement", "status": "active", "date": "2026-12-01", "kind": "instance",
		"publisher": "Onward", "fhirVersion": "4.0.1", "format": []any{"json"},
		"software":       map[string]any{"name": "Onward"},
		"implementation": map[string]any{"description": "Onward referral network", "url": s.base},
		"instantiates":   []any{"http://hl7.org/fhir/us/sdoh-clinicalcare/CapabilityStatement/SDOHCC-ReferralRecipient"},
		"rest": []any{map[string]any{
			"mode": "server",
			"security": map[string]any{
				"service":     []any{concept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR")},
				"description": "OAuth 2.0 client credentials (SMART backend services): POST /oauth/token with the client id and secret from `onward partner add`",
				"extension": []any{map[string]any{"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
					"extension": []any{map[string]any{"url": "token", "valueUri": strings.TrimSuffix(s.base, "/fhir") + "/oauth/token"}}}},
			},
			"resource": []any{
				task,
				serviceRequest,
				res("Consent", []string{"read", "search-type"}, consentSearch...),
				res("Patient", []string{"read"}),
				res("Organization", []string{"read", "search-type"}, organizationSearch...),
				res("HealthcareService", []string{"read", "search-type"}, healthcareServiceSearch...),
			},
			"interaction": []any{map[string]any{"code": "transaction"}},
		}},
	}
	write(w, http.StatusOK, cs)
}
