package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// problem is an RFC 9457 problem details object.
type problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []fieldIssue `json:"errors,omitempty"`
	// OpenReferral names the referral a case already has open
	// (probCaseOpen).
	OpenReferral *openReferral `json:"open_referral,omitempty"`
	// PreviousSecretExpiresAt is when the secret a webhook rotation
	// replaced stops signing (probRotationPending).
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
}

// openReferral is the referral a refused create should attach to instead.
type openReferral struct {
	Reference string `json:"reference"`
	Status    string `json:"status"`
	Href      string `json:"href"`
}

// fieldIssue names one bad field (as a JSON pointer into the request
// body, or a header or query parameter) and the rule it broke.
type fieldIssue struct {
	Pointer string `json:"pointer,omitempty"`
	Field   string `json:"field"`
	Detail  string `json:"detail"`
}

func writeProblem(w http.ResponseWriter, r *http.Request, p problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	p.Instance = r.URL.Path
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// coreFields maps core's field labels to the API's field names.
var coreFields = map[string]string{
	"client.phone number":             "client.phone",
	"client.email address":            "client.email",
	"client.postcode district":        "client.district",
	"client.how to contact you":       "client.preferred_contact",
	"client.best time to contact you": "client.contact_time",
	"client.interpreter language":     "client.interpreter_language",
	"idempotency key":                 "Idempotency-Key",
	"receiving agency":                "to_agency",
	"agency":                          "to_agency", // a redirect's target
	"consent wording version":         "consent.wording_version",
	"outcome_note":                    "note",
	"gain_weekly_income":              "gain.weekly_income_pence",
	"gain_one_off_income":             "gain.one_off_income_pence",
	"gain_debt_written_off":           "gain.debt_written_off_pence",
	"gain_debt_managed":               "gain.debt_managed_pence",
}

// FieldName is the API's name for a field core's validation names. The
// FHIR interface starts from it too.
func FieldName(f string) string {
	if m, ok := coreFields[f]; ok {
		return m
	}
	return f
}

func pointer(field string) string {
	if field == "" || strings.ContainsAny(field, " -") && !strings.Contains(field, ".") && field != "to_agency" {
		return ""
	}
	if field == "Idempotency-Key" || field == "If-Match" || field == "cursor" {
		return ""
	}
	p := "/" + strings.ReplaceAll(field, ".", "/")
	p = strings.NewReplacer("[", "/", "]", "").Replace(p)
	return "#" + p
}

// validationProblem is a 422 naming every bad field.
func validationProblem(fields []core.FieldError) problem {
	p := probValidation.problem(http.StatusUnprocessableEntity, "")
	var parts []string
	for _, f := range fields {
		name := FieldName(f.Field)
		p.Errors = append(p.Errors, fieldIssue{Field: name, Pointer: pointer(name), Detail: DeveloperMessage(name, f)})
		parts = append(parts, FieldSentence(name, f))
	}
	p.Detail = strings.Join(parts, "; ")
	return p
}

// fail turns an error from core into a problem, in this one place.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ve     *core.ValidationError
		te     *core.TransitionError
		ce     *core.ConflictError
		fe     *core.ForbiddenError
		de     *core.DisclosureRefusedError
		se     *core.ConsentScopeError
		oe     *core.CaseOpenError
		re     *core.RotationPendingError
		pe     problem
		isProb bool
	)
	switch {
	case errors.As(err, &pe):
		isProb = true
	case errors.As(err, &ve):
		pe = validationProblem(ve.Fields)
	case errors.As(err, &se):
		pe = probConsentScope.problem(http.StatusUnprocessableEntity, se.Error()).withErrors(fieldIssue{Field: "to_agency", Pointer: "#/to_agency", Detail: se.Error()})
	case errors.As(err, &oe):
		pe = probCaseOpen.problem(http.StatusConflict, oe.Error())
		pe.OpenReferral = &openReferral{Reference: oe.Reference, Status: string(oe.Status), Href: referralsPath + oe.Reference}
	case errors.As(err, &re):
		pe = probRotationPending.problem(http.StatusConflict, re.Error())
		pe.PreviousSecretExpiresAt = &re.Until
	case errors.Is(err, core.ErrConsentWithdrawn):
		pe = probConsentWithdrawn.problem(http.StatusUnprocessableEntity, core.ErrConsentWithdrawn.Error())
	case errors.As(err, &ce):
		status := http.StatusConflict
		if r.Header.Get("If-Match") != "" {
			status = http.StatusPreconditionFailed
		}
		pe = probChanged.problem(status, ce.Error()+"; read it again and decide")
	case errors.As(err, &te):
		pe = probNotAllowedNow.problem(http.StatusConflict, te.Error())
	case errors.As(err, &de) && de.Withheld:
		pe = probClientWithheld.problem(http.StatusGone, "Onward shares this client's details with nobody now: "+de.Why)
	case errors.As(err, &de):
		pe = probClientNotShared.problem(http.StatusForbidden, "Onward does not share this client's details with your agency: "+de.Why)
	case errors.As(err, &fe):
		pe = probForbidden.problem(http.StatusForbidden, fe.Error())
	case errors.Is(err, core.ErrNotFound):
		pe = probNotFound.problem(http.StatusNotFound, "no referral or agency with that id that this system may see")
	default:
		a.log.Error("partner api", "method", r.Method, "path", r.URL.Path, "err", err)
		pe = problem{Status: http.StatusInternalServerError, Title: "Something went wrong on our side",
			Detail: "nothing was changed; try again in a moment"}
	}
	_ = isProb
	writeProblem(w, r, pe)
}

// withErrors is the problem naming these bad fields.
func (p problem) withErrors(issues ...fieldIssue) problem {
	p.Errors = append(p.Errors, issues...)
	return p
}

// Error lets a problem travel as an error to fail.
func (p problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }
