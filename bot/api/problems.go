package api

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/onward-network/onward/templates"
)

// problemType is one kind of refusal the API answers with: the anchor of
// its type URI under problemBase, the HTTP statuses it comes with, its
// title, and what the partner's system or its people do about it. Every
// problem's type is one made by newProblemType, which lists it on the
// page its URI points to (/api/v1/problems), so no type goes unexplained.
type problemType struct {
	slug     string
	statuses []int
	title    string
	action   string
}

// problemTypes is every problem type, as declared below.
var problemTypes []problemType

// problemBase begins every problem type URI: the page that explains the
// types, at the type's anchor.
const problemBase = problemsPath + "#"

// newProblemType declares a problem type and lists it on the page.
func newProblemType(slug, title, action string, statuses ...int) problemType {
	t := problemType{slug: slug, statuses: statuses, title: title, action: action}
	problemTypes = append(problemTypes, t)
	return t
}

// uri is the problem type's URI, relative to the API (RFC 9457 allows
// relative references).
func (t problemType) uri() string { return problemBase + t.slug }

// problem is a problem of this type: its URI and title are the type's, so
// an answer's title is always the one the page gives.
func (t problemType) problem(status int, detail string) problem {
	return problem{Type: t.uri(), Title: t.title, Status: status, Detail: detail}
}

// The API's problem types.
var (
	probUnauthorized = newProblemType("unauthorized", "Not signed in",
		"Get an access token from POST /oauth/token with your system's client id and secret, and send it as Authorization: Bearer TOKEN. "+
			"Tokens expire: get a new one when one is refused. If the detail says the credentials were revoked or your agency has left the network, "+
			"ask the network's coordinator.", http.StatusUnauthorized)
	probForbidden = newProblemType("forbidden", "Not allowed",
		"Your system's credentials lack the scope the operation needs (the detail names it), or the action is not your agency's to take. "+
			"Ask the network's coordinator for the scope, or leave the action to the agency holding the referral.", http.StatusForbidden)
	probNotFound = newProblemType("not-found", "Not found",
		"Check the reference or id in the path. A referral, agency or webhook subscription your system may not see is answered as one that does not exist.",
		http.StatusNotFound)
	probTooManyRequests = newProblemType("too-many-requests", "Too many requests",
		"Your system made more calls this minute than it may. Wait the number of seconds the Retry-After header gives, then send the request again.",
		http.StatusTooManyRequests)
	probMalformed = newProblemType("malformed", "Malformed request body",
		"Send the body as one JSON object, in UTF-8, shaped as /api/v1/openapi.json gives for the operation, with no control characters in its text. "+
			"The detail says what could not be read.", http.StatusBadRequest)
	probTooLarge = newProblemType("too-large", "Request body too large",
		"Send a body of at most "+strconv.Itoa(MaxBody)+" bytes.", http.StatusRequestEntityTooLarge)
	probMediaType = newProblemType("media-type", "Unsupported media type",
		"Send the body with Content-Type: application/json (a charset, if any, utf-8); the detail lists the types the operation takes.",
		http.StatusUnsupportedMediaType)
	probValidation = newProblemType("validation", "The request has invalid fields or parameters",
		"Correct each field the errors list names (its pointer locates it in the body; a query parameter has none) and send the corrected request "+
			"(with the same Idempotency-Key or a new one: a refused request keeps nothing under its key).", http.StatusUnprocessableEntity)
	probIdempotencyKey = newProblemType("idempotency-key", "Idempotency-Key header missing or too long",
		"Send an Idempotency-Key header with every POST: a value of at most 200 characters unique to the request, such as a UUID. "+
			"Send the same key when you retry the same request, so it is not done twice.", http.StatusBadRequest)
	probKeyReused = newProblemType("idempotency-key-reused", "Idempotency-Key already used",
		"The key was used in the last 24 hours for a different request that was done, and nothing was done for this one. To read the first answer again, "+
			"send the first request unchanged (the order of its JSON members and its spacing do not matter); for a new request, use a new key.",
		http.StatusConflict)
	probInProgress = newProblemType("in-progress", "Still working on the first request",
		"The first request with this Idempotency-Key is still being handled. Wait a moment and send it again, with the same key and body, for its answer.",
		http.StatusConflict)
	probCaseOpen = newProblemType("case-open", "The case already has an open referral",
		"Your system already has a referral open for this case_id, and nothing was made: open_referral names it (its reference, status and href). "+
			"Attach your case to that referral and follow it rather than referring the client again. A case may be referred again once its referrals "+
			"are closed (completed, rejected, failed or cancelled): cancel the open one first if it should not go on.", http.StatusConflict)
	probConsentScope = newProblemType("consent-scope", "Outside the client's consent",
		"The client's consent does not cover sharing their details with that agency. Choose an agency the consent covers, "+
			"or ask the client, record consent that covers it, and send the request again with a new Idempotency-Key.", http.StatusUnprocessableEntity)
	probConsentWithdrawn = newProblemType("consent-withdrawn", "Consent withdrawn",
		"The client has withdrawn their consent, so Onward does nothing more with their referral. Do not retry; speak to the client.",
		http.StatusUnprocessableEntity)
	probChanged = newProblemType("changed", "Someone else changed the referral first",
		"The referral changed since you read it (409), or is no longer the version your If-Match names (412). GET it again, decide whether the action "+
			"still stands, and send it with the new ETag in If-Match: after a 412 with the same Idempotency-Key, after a 409 with a new one.",
		http.StatusConflict, http.StatusPreconditionFailed)
	probNotAllowedNow = newProblemType("not-allowed-now", "Not allowed in this status",
		"The referral's status does not allow this action (the detail says why). GET the referral for its status; nothing was changed.",
		http.StatusConflict)
	probRotationPending = newProblemType("rotation-pending", "The replaced secret still signs",
		"The subscription's secret was rotated less than a day ago, and the secret that rotation replaced still signs every delivery until "+
			"previous_secret_expires_at (in this problem, and in GET /api/v1/webhooks); a second rotation now would drop it while your receiver "+
			"may still verify with it. Nothing was changed. Put the secret the last rotation gave in your receiver, and rotate again after that "+
			"time if you need to. To stop a leaked secret at once, DELETE the subscription (no delivery is signed with its secrets after) "+
			"and subscribe again, which gives a new secret.", http.StatusConflict)
	probClientNotShared = newProblemType("client-not-shared", "The client's details are not shared with your agency",
		"Onward shares a client's details with the agency holding a referral while it is open and the client's consent covers that agency, "+
			"with a coordinators' system while the referral waits in triage, and with the agency that made the referral until some days after it "+
			"closes. The detail says which of these stopped this read. Nothing was disclosed; retrying will not change it. GET the referral for "+
			"where it stands.", http.StatusForbidden)
	probClientWithheld = newProblemType("client-withheld", "The client's details are shared with nobody now",
		"The client withdrew their consent to share their details, or their details were erased (the detail says which). Onward gives them "+
			"to no system and no member of staff now, and they will not come back: do not retry. The referral itself can still be read.",
		http.StatusGone)
	probUnmatchableTag = newProblemType("unmatchable-tag", "That If-Match tag can never match",
		"Send If-Match with the referral's ETag exactly as a read gave it (a strong tag such as \"v3\", not W/\"v3\"), or *. Nothing was changed.",
		http.StatusPreconditionFailed)
)

// problemsPage is the page every problem type URI points into.
var problemsPage = template.Must(template.New("problems.html").ParseFS(templates.FS, "html/api/problems.html"))

// problemsPattern is the page's route.
const problemsPattern = "GET " + problemsPath

// problemsPath is problemBase without its fragment.
const problemsPath = "/api/v1/problems"

// serveProblems answers the page listing every problem type, each at the
// anchor its type URI names.
func serveProblems(w http.ResponseWriter, r *http.Request) {
	type row struct {
		Slug, Title, Action, Statuses string
	}
	rows := make([]row, len(problemTypes))
	for i, t := range problemTypes {
		codes := make([]string, len(t.statuses))
		for j, s := range t.statuses {
			codes[j] = strconv.Itoa(s) + " " + http.StatusText(s)
		}
		rows[i] = row{Slug: t.slug, Title: t.title, Action: t.action, Statuses: strings.Join(codes, ", ")}
	}
	var buf bytes.Buffer
	if err := problemsPage.Execute(&buf, rows); err != nil {
		http.Error(w, "the page could not be made", http.StatusInternalServerError)
		return
	}
	// A page of text and links only: no script, style or frame.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(buf.Bytes())
}
