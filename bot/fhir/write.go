package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/core"
)

// The R4 elements Onward reads from what partners send. Decoding refuses
// any element not listed, so a misspelt or unsupported element is an
// error, never silently dropped.
type (
	fCoding struct {
		System  string `json:"system,omitempty"`
		Version string `json:"version,omitempty"`
		Code    string `json:"code,omitempty"`
		Display string `json:"display,omitempty"`
	}
	// fMoney is a FHIR Money: an amount in pounds, currency GBP.
	fMoney struct {
		Value    json.Number `json:"value"`
		Currency string      `json:"currency,omitempty"`
	}
	fConcept struct {
		Coding []fCoding `json:"coding,omitempty"`
		Text   string    `json:"text,omitempty"`
	}
	fReference struct {
		Reference  string       `json:"reference,omitempty"`
		Type       string       `json:"type,omitempty"`
		Identifier *fIdentifier `json:"identifier,omitempty"`
		Display    string       `json:"display,omitempty"`
	}
	fIdentifier struct {
		Use    string `json:"use,omitempty"`
		System string `json:"system,omitempty"`
		Value  string `json:"value,omitempty"`
	}
	fCommon struct {
		ResourceType string          `json:"resourceType"`
		ID           string          `json:"id,omitempty"`
		Meta         json.RawMessage `json:"meta,omitempty"`
		Text         json.RawMessage `json:"text,omitempty"`
		Extension    json.RawMessage `json:"extension,omitempty"`
		Identifier   []fIdentifier   `json:"identifier,omitempty"`
	}
	fTask struct {
		fCommon
		Status         string          `json:"status"`
		StatusReason   *fConcept       `json:"statusReason,omitempty"`
		BusinessStatus *fConcept       `json:"businessStatus,omitempty"`
		Intent         string          `json:"intent"`
		Priority       string          `json:"priority,omitempty"`
		Code           *fConcept       `json:"code,omitempty"`
		Focus          *fReference     `json:"focus,omitempty"`
		For            *fReference     `json:"for,omitempty"`
		AuthoredOn     string          `json:"authoredOn,omitempty"`
		LastModified   string          `json:"lastModified,omitempty"`
		Requester      *fReference     `json:"requester,omitempty"`
		Owner          *fReference     `json:"owner,omitempty"`
		Note           []fNote         `json:"note,omitempty"`
		Input          json.RawMessage `json:"input,omitempty"`
		Output         []struct {
			Type                 fConcept `json:"type"`
			ValueCodeableConcept fConcept `json:"valueCodeableConcept"`
			ValueMoney           *fMoney  `json:"valueMoney,omitempty"`
		} `json:"output,omitempty"`
	}
	fPolicy struct {
		Authority string `json:"authority,omitempty"`
		URI       string `json:"uri,omitempty"`
	}
	fNote struct {
		Text string `json:"text"`
	}
	fServiceRequest struct {
		fCommon
		Status         string       `json:"status"`
		Intent         string       `json:"intent"`
		Category       []fConcept   `json:"category,omitempty"`
		Priority       string       `json:"priority,omitempty"`
		Code           *fConcept    `json:"code,omitempty"`
		Subject        fReference   `json:"subject"`
		AuthoredOn     string       `json:"authoredOn,omitempty"`
		Requester      *fReference  `json:"requester,omitempty"`
		Performer      []fReference `json:"performer,omitempty"`
		SupportingInfo []fReference `json:"supportingInfo,omitempty"`
		Note           []fNote      `json:"note,omitempty"`
	}
	fPatient struct {
		fCommon
		Active *bool `json:"active,omitempty"`
		Name   []struct {
			Use    string   `json:"use,omitempty"`
			Text   string   `json:"text,omitempty"`
			Family string   `json:"family,omitempty"`
			Given  []string `json:"given,omitempty"`
		} `json:"name,omitempty"`
		Telecom []struct {
			System string `json:"system,omitempty"`
			Value  string `json:"value,omitempty"`
			Use    string `json:"use,omitempty"`
		} `json:"telecom,omitempty"`
		Gender    string `json:"gender,omitempty"`
		BirthDate string `json:"birthDate,omitempty"`
		Address   []struct {
			Use        string   `json:"use,omitempty"`
			Text       string   `json:"text,omitempty"`
			Line       []string `json:"line,omitempty"`
			City       string   `json:"city,omitempty"`
			PostalCode string   `json:"postalCode,omitempty"`
			Country    string   `json:"country,omitempty"`
		} `json:"address,omitempty"`
		Communication []struct {
			Language  fConcept `json:"language"`
			Preferred bool     `json:"preferred,omitempty"`
		} `json:"communication,omitempty"`
	}
	fConsent struct {
		fCommon
		Status       string       `json:"status"`
		Scope        fConcept     `json:"scope"`
		Category     []fConcept   `json:"category"`
		Patient      *fReference  `json:"patient,omitempty"`
		DateTime     string       `json:"dateTime,omitempty"`
		Performer    []fReference `json:"performer,omitempty"`
		Policy       []fPolicy    `json:"policy,omitempty"`
		PolicyRule   *fConcept    `json:"policyRule,omitempty"`
		Verification []struct {
			Verified         bool        `json:"verified"`
			VerifiedWith     *fReference `json:"verifiedWith,omitempty"`
			VerificationDate string      `json:"verificationDate,omitempty"`
		} `json:"verification,omitempty"`
		Provision *struct {
			Type  string `json:"type,omitempty"`
			Actor []struct {
				Role      fConcept   `json:"role"`
				Reference fReference `json:"reference"`
			} `json:"actor,omitempty"`
		} `json:"provision,omitempty"`
	}
)

// taskStatuses are R4's Task.status codes; Onward uses the ones that are
// also its referral statuses.
var taskStatuses = []string{"draft", "requested", "received", "accepted", "rejected", "ready", "cancelled",
	"in-progress", "on-hold", "failed", "completed", "entered-in-error"}

// strict decodes one resource, refusing unknown elements and wrong types
// with the element named.
func strict(raw []byte, dst any, where string) error {
	if err := api.UnstorableText(raw); err != nil {
		if at, ok := api.UnstorablePath(raw); ok && len(at) > 0 {
			f := where + "." + elementPath(at)
			return &invalid{text: api.UnstorableDetail(f, err), expression: f}
		}
		return &invalid{text: where + ": " + err.Error(), expression: where}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	// FHIR's JSON element names are case-sensitive; encoding/json would
	// quietly take "Status" for status.
	if _, unknown := api.UnknownFieldName(err); err == nil || unknown {
		if issue, ok := api.MisnamedMember(raw, dst); ok && (issue.Repeated || issue.Want != "") {
			f := elementPath(issue.Path)
			if issue.Repeated {
				// FHIR JSON (json.html): an object must not repeat a name.
				return &invalid{text: fmt.Sprintf("%s.%s is given more than once; a FHIR JSON object gives each element once", where, f), expression: where + "." + f}
			}
			meant := elementPath(append(issue.Path[:len(issue.Path)-1:len(issue.Path)-1], issue.Want))
			return &invalid{text: fmt.Sprintf("%s.%s is not an element of an R4 %s; element names are case-sensitive: did you mean %s.%s?", where, f, where, where, meant), expression: where + "." + f}
		}
	}
	if err == nil {
		return nil
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if typ.Field == "" {
			// The body itself ([] for a Bundle): the resource is the element.
			return &invalid{text: fmt.Sprintf("%s must be a JSON object, not a JSON %s", where, typ.Value), expression: where}
		}
		return &invalid{text: fmt.Sprintf("%s.%s has the wrong type (%s)", where, typ.Field, typ.Value), expression: where + "." + typ.Field}
	}
	if f, ok := api.UnknownFieldName(err); ok {
		// The decoder names the element, not where it is: inside
		// Task.output, "valueString" is Task.output.valueString.
		if path, ok := api.UnknownMember(raw, dst); ok {
			f = elementPath(path)
		}
		return &invalid{text: fmt.Sprintf("%s.%s is not an element Onward accepts in an R4 %s", where, f, where), expression: where + "." + f}
	}
	return &invalid{text: where + " is not valid JSON: " + err.Error(), expression: where}
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, api.MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &invalid{text: fmt.Sprintf("the body must be at most %d bytes", api.MaxBody), tooLarge: true}
	}
	if err != nil {
		return nil, &invalid{text: "could not read the body"}
	}
	return body, nil
}

// taskETagRE is a Task's ETag as Onward writes it, W/"version", or the
// same tag written strong.
var taskETagRE = regexp.MustCompile(`^(?:W/)?"([0-9]{1,9})"$`)

// ifMatch reads an If-Match header on a Task as the version the caller
// saw (api.AnyVersion, api.NoVersion or a version). FHIR writes a Task's
// version as a weak ETag and compares the version it carries (FHIR R4
// http.html#concurrency), so W/"2" and "2" both name version 2; a version
// the Task was never at, such as W/"0", names none and is stale.
func ifMatch(h string) (int, error) {
	h = strings.TrimSpace(h)
	if h == "" || h == "*" {
		return api.AnyVersion, nil
	}
	m := taskETagRE.FindStringSubmatch(h)
	if m == nil {
		return 0, &invalid{text: `If-Match must be the Task's ETag, like W/"2"`, expression: "If-Match"}
	}
	return api.TagVersion(m[1]), nil
}

// updateTask is the receiving side moving a referral on by PUTting its
// Task with a new status: accepted, rejected (statusReason), in-progress,
// completed (output), failed (the client could not be contacted),
// on-hold (from requested or accepted: Onward's waiting list) or
// cancelled, and from on-hold back to the status it was held from.
// If-Match takes the ETag W/"version" of the Task read. The elements set
// when the referral was made (owner, for, focus…) cannot change
// (unchangeable): a body that changes one is refused, never answered 200
// with the Task as it was.
func (s *Server) updateTask(w http.ResponseWriter, r *http.Request, p core.Partner) {
	body, err := readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Another resource is named as such, not read as a Task with
	// elements a Task does not have.
	var head struct {
		ResourceType any `json:"resourceType"`
	}
	if json.Unmarshal(body, &head) == nil && head.ResourceType != "Task" {
		s.fail(w, r, &invalid{text: "the body must be a Task (resourceType \"Task\"); " + describeType(head.ResourceType), expression: "Task.resourceType"})
		return
	}
	var t fTask
	if err := strict(body, &t, "Task"); err != nil {
		s.fail(w, r, err)
		return
	}
	var issues []*invalid
	if t.ID != r.PathValue("id") {
		issues = append(issues, &invalid{text: fmt.Sprintf("Task.id must be %s, the id in the URL", r.PathValue("id")), expression: "Task.id"})
	}
	if !slices.Contains(taskStatuses, t.Status) {
		issues = append(issues, &invalid{text: fmt.Sprintf("Task.status must be one of R4's task statuses (%s)", strings.Join(taskStatuses, ", ")), expression: "Task.status"})
	}
	if t.Intent == "" {
		issues = append(issues, &invalid{text: "Task.intent is required: order", expression: "Task.intent"})
	}
	if err := invalids(issues); err != nil {
		s.fail(w, r, err)
		return
	}
	version, err := ifMatch(r.Header.Get("If-Match"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ref, slugs, ok := s.visibleReferral(w, r, p, t.ID)
	if !ok {
		return
	}
	// The precondition comes before anything the Task asks: a stale one
	// is refused even when the Task already has the status it names.
	if api.Stale(version, ref) {
		outcome(w, http.StatusPreconditionFailed, "conflict", fmt.Sprintf("If-Match does not name the Task's current version: Task %s is at version %d, %s since %s; read it again and decide",
			ref.Reference, ref.Version, ref.Status, ref.StatusAt.Format("15:04 on 2 Jan")), "")
		return
	}
	links, err := s.engine.ReferralLink(r.Context(), ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := invalids(s.unchangeable(&t, Task(ref, slugs, links, s.patientID(p, ref.ClientID)))); err != nil {
		s.fail(w, r, err)
		return
	}
	if core.Status(t.Status) == ref.Status {
		versionHeaders(w, ref)
		write(w, http.StatusOK, Task(ref, slugs, links, s.patientID(p, ref.ClientID)))
		return
	}
	req := core.TransitionRequest{Referral: ref.ID, Actor: p.Actor(), ExpectedVersion: version}
	// An on-hold Task comes off hold (core's resume) into the status it
	// was held from, and into no other: taking it off hold and accepting
	// it (or recording contact) are two changes, each its own PUT, so the
	// answer is never a 200 with a status other than the one asked for.
	if ref.Status == core.StatusOnHold && slices.Contains([]core.Status{core.StatusRequested, core.StatusAccepted, core.StatusInProgress}, core.Status(t.Status)) {
		if ref.HeldFrom == nil || *ref.HeldFrom != core.Status(t.Status) {
			held := core.StatusRequested
			if ref.HeldFrom != nil {
				held = *ref.HeldFrom
			}
			outcome(w, http.StatusConflict, "business-rule", fmt.Sprintf("Task %s is on hold, put there while %s, and comes off hold only back to %s: PUT status %s first, then move it on from there",
				ref.Reference, held, held, held), "Task.status")
			return
		}
	}
	switch core.Status(t.Status) {
	case core.StatusRequested:
		if ref.Status != core.StatusOnHold {
			outcome(w, http.StatusUnprocessableEntity, "business-rule", "a Task goes back to requested only from on-hold (when it was held while requested)", "Task.status")
			return
		}
		req.Action = core.ActionResume
	case core.StatusAccepted:
		req.Action = core.ActionAccept
		if ref.Status == core.StatusOnHold {
			req.Action = core.ActionResume
		}
	case core.StatusRejected:
		req.Action = core.ActionReject
		if t.StatusReason != nil {
			for _, c := range t.StatusReason.Coding {
				req.Reason = core.Reason(c.Code)
			}
			req.Feedback = t.StatusReason.Text
		}
	case core.StatusInProgress:
		req.Action = core.ActionContact
		if ref.Status == core.StatusOnHold {
			req.Action = core.ActionResume
		}
	case core.StatusCompleted:
		req.Action = core.ActionComplete
		for _, o := range t.Output {
			for _, c := range o.ValueCodeableConcept.Coding {
				switch c.System {
				case SystemOutcome:
					req.Outcome = core.Outcome(c.Code)
				case SystemAdviceType:
					req.AdviceType = core.AdviceType(c.Code)
				case SystemAdviceTopic:
					req.AdviceTopic = c.Code
				}
			}
			for _, c := range o.Type.Coding {
				if c.System != SystemGain || o.ValueMoney == nil {
					continue
				}
				pence, err := core.ParsePounds(o.ValueMoney.Value.String())
				if err != nil || o.ValueMoney.Currency != "" && o.ValueMoney.Currency != "GBP" {
					s.fail(w, r, &invalid{text: fmt.Sprintf("Task.output %s must be an amount in pounds (GBP) with at most two decimal places", c.Code), expression: "Task.output.valueMoney"})
					return
				}
				req.Gain.Set(c.Code, pence)
			}
		}
		if req.Outcome == "" {
			s.fail(w, r, &invalid{text: fmt.Sprintf("a completed Task needs its outcome in Task.output (system %s, one of %s)", SystemOutcome, api.OrList(core.CompletionOutcomes())), expression: "Task.output"})
			return
		}
	case core.StatusFailed:
		// The one way to record a client who could not be contacted:
		// core refuses a completed Task with that outcome
		// (outcomeInFHIRWords).
		req.Action = core.ActionFail
	case core.StatusOnHold:
		if ref.Status == core.StatusInProgress && !ref.Allowed(core.ActionHold) {
			outcome(w, http.StatusConflict, "business-rule", heldInProgress(ref), "Task.status")
			return
		}
		req.Action = core.ActionHold
	case core.StatusCancelled:
		req.Action = core.ActionCancel
		if t.StatusReason != nil {
			req.Feedback = t.StatusReason.Text
		}
	default:
		outcome(w, http.StatusUnprocessableEntity, "business-rule", fmt.Sprintf("the receiving side cannot set Task.status %q", t.Status), "Task.status")
		return
	}
	res, err := s.engine.Act(r.Context(), req)
	if err != nil {
		s.fail(w, r, outcomeInFHIRWords(err, req.Outcome, ref))
		return
	}
	// The partner's case id was given when the referral's chain began, and
	// no action changes it.
	versionHeaders(w, res.Referral)
	write(w, http.StatusOK, Task(res.Referral, slugs, links, s.patientID(p, res.Referral.ClientID)))
}

// outcomeInFHIRWords says core's refusal of a completion whose outcome
// is an action of its own (core.OutcomeNotACompletion: "Could not
// contact") as FHIR takes that action, the Task put with status failed,
// saying what to do instead on ref as it stands
// (core.CouldNotContactInstead). Any other error is as core gave it.
func outcomeInFHIRWords(err error, sent core.Outcome, ref core.Referral) error {
	var ve *core.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	i := slices.Index(ve.Fields, core.OutcomeNotACompletion)
	if i < 0 {
		return err
	}
	fields := slices.Clone(ve.Fields)
	var outcomes []string
	for _, o := range core.CompletionOutcomes() {
		outcomes = append(outcomes, string(o))
	}
	fields[i].Message = fmt.Sprintf("%s (system %s) is not how a completed Task ends: %s", sent, SystemOutcome,
		core.CouldNotContactInstead(ref, "a PUT of the Task with status failed (no output)", strings.Join(outcomes, ", ")))
	return &core.ValidationError{Fields: fields}
}

// heldInProgress is the refusal of an in-progress Task put on hold. In
// R4 on-hold is work started and paused; Onward's on-hold is the
// agency's waiting list, for a referral not yet started (core's hold,
// from requested or accepted), and it has no pause for work under way,
// so the PUT is refused saying so rather than as any status a referral
// cannot leave.
func heldInProgress(ref core.Referral) string {
	return fmt.Sprintf("Onward does not support putting an in-progress Task on hold, and nothing was changed: Task %s's client has been contacted, "+
		"and Onward's on-hold is the agency's waiting list, for a referral not yet started (requested or accepted); it has no pause for work under way. "+
		"The Task stays in-progress until it is completed, failed or cancelled", ref.Reference)
}

// describeType names a body's resourceType in a refusal.
func describeType(t any) string {
	switch v := t.(type) {
	case nil:
		return "it has no resourceType"
	case string:
		return "it is " + strconv.Quote(v)
	}
	return "its resourceType is not a string"
}

type entry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource"`
	Request  struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"request"`
}

type txBundle struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id,omitempty"`
	Meta         any          `json:"meta,omitempty"`
	Identifier   *fIdentifier `json:"identifier,omitempty"`
	Type         string       `json:"type"`
	Timestamp    string       `json:"timestamp,omitempty"`
	Entry        []entry      `json:"entry"`
}

// transaction creates a referral from a transaction Bundle of a Task, its
// ServiceRequest, the Patient and their Consent, through the same core
// call as the JSON API. Bundle.identifier (or an Idempotency-Key header)
// is the Bundle's idempotency key, under the JSON API's rule (api.Once):
// the same Bundle again, even serialised afresh (bundleMeaning), gets the
// first answer; another Bundle with the same identifier is a 409 conflict
// and writes nothing.
func (s *Server) transaction(w http.ResponseWriter, r *http.Request, p core.Partner) {
	body, err := readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b txBundle
	if err := strict(body, &b, "Bundle"); err != nil {
		s.fail(w, r, err)
		return
	}
	if b.ResourceType != "Bundle" || b.Type != "transaction" {
		s.fail(w, r, &invalid{text: "POST /fhir takes a Bundle of type transaction", expression: "Bundle.type"})
		return
	}
	key, named, expression := r.Header.Get("Idempotency-Key"), "Idempotency-Key", ""
	if b.Identifier != nil && b.Identifier.Value != "" {
		key, named, expression = "bundle:"+b.Identifier.System+"|"+b.Identifier.Value, "Bundle.identifier", "Bundle.identifier"
	}
	if key == "" || len(key) > 180 {
		s.fail(w, r, &invalid{text: "give the Bundle an identifier (or send an Idempotency-Key header) so a retry cannot refer the client twice", expression: "Bundle.identifier"})
		return
	}
	s.api.Once(w, r, p, key, body, s.bundleIdempotency(named, expression), func(w http.ResponseWriter, r *http.Request, p core.Partner) {
		s.referBundle(w, r, p, b, key)
	})
}

// bundleIdempotency answers, as OperationOutcomes, a Bundle its key
// (named: Bundle.identifier or the Idempotency-Key header) cannot run.
// Only a referral made is kept to replay: a refused Bundle is corrected
// and sent again with the same identifier, its own id for the referral.
func (s *Server) bundleIdempotency(named, expression string) api.Idempotency {
	return api.Idempotency{
		Space: "fhir", Meaning: bundleMeaning,
		Reused: func(w http.ResponseWriter, r *http.Request) {
			outcome(w, http.StatusConflict, "conflict", "this "+named+" was already used for another Bundle, and nothing was written for this one; "+
				"send that Bundle unchanged to read its answer again, or give a new referral its own "+named, expression)
		},
		InProgress: func(w http.ResponseWriter, r *http.Request) {
			outcome(w, http.StatusConflict, "transient", "a Bundle with this "+named+" is still being handled; retry in a moment", expression)
		},
		Fail: s.fail,
	}
}

// referBundle makes the referral of a transaction Bundle, under its key.
func (s *Server) referBundle(w http.ResponseWriter, r *http.Request, p core.Partner, b txBundle, key string) {
	var (
		task    *fTask
		sr      *fServiceRequest
		patient *fPatient
		consent *fConsent
	)
	// Each entry's fullUrl is unique (R4 bdl-7), and the Bundle holds one
	// of each resource, so a reference names one entry and nothing sent
	// is dropped for another of its type.
	fullURLs := map[string]int{}
	entryOf := map[string]string{} // resource type -> its entry's fullUrl
	for i, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		_ = json.Unmarshal(e.Resource, &head)
		where := fmt.Sprintf("Bundle.entry[%d].resource", i)
		if e.Request.Method != "POST" {
			s.fail(w, r, &invalid{text: fmt.Sprintf("Bundle.entry[%d].request.method must be POST", i), expression: where})
			return
		}
		if e.FullURL != "" {
			if j, seen := fullURLs[e.FullURL]; seen {
				s.fail(w, r, &invalid{text: fmt.Sprintf("Bundle.entry[%d].fullUrl %q is also Bundle.entry[%d]'s: each entry's fullUrl must be unique (R4 bdl-7)", i, e.FullURL, j),
					expression: fmt.Sprintf("Bundle.entry[%d].fullUrl", i)})
				return
			}
			fullURLs[e.FullURL] = i
		}
		if _, seen := entryOf[head.ResourceType]; seen {
			s.fail(w, r, &invalid{text: fmt.Sprintf("%s is a second %s: a referral Bundle needs one each of Task, ServiceRequest, Patient and Consent", where, head.ResourceType), expression: where})
			return
		}
		var dst any
		switch head.ResourceType {
		case "Task":
			task = &fTask{}
			dst = task
		case "ServiceRequest":
			sr = &fServiceRequest{}
			dst = sr
		case "Patient":
			patient = &fPatient{}
			dst = patient
		case "Consent":
			consent = &fConsent{}
			dst = consent
		default:
			s.fail(w, r, &invalid{text: fmt.Sprintf("%s: a referral Bundle holds Task, ServiceRequest, Patient and Consent, not %q", where, head.ResourceType), expression: where})
			return
		}
		entryOf[head.ResourceType] = e.FullURL
		if err := strict(e.Resource, dst, head.ResourceType); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if task == nil || sr == nil || patient == nil || consent == nil {
		s.fail(w, r, &invalid{text: "a referral Bundle needs one each of Task, ServiceRequest, Patient and Consent", expression: "Bundle.entry"})
		return
	}
	if err := invalids(append(bundleReferences(entryOf, task, sr, consent), bundleDates(b, task, sr, patient, consent)...)); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.requesterIsSender(r, p, task, sr); err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := toCreate(task, sr, patient, consent)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ref, err := s.api.Create(r.Context(), in, p, "fhir:"+key)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	entries := []any{}
	for _, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		_ = json.Unmarshal(e.Resource, &head)
		// A Task's and a ServiceRequest's location names its version,
		// which a vread serves; a Patient and a Consent keep no versions,
		// so theirs names the resource alone.
		loc := ""
		switch head.ResourceType {
		case "Task", "ServiceRequest":
			loc = head.ResourceType + "/" + ref.Reference + "/_history/" + strconv.Itoa(ref.Version)
		case "Patient":
			loc = "Patient/" + s.patientID(p, ref.ClientID)
		case "Consent":
			loc = "Consent/" + ConsentID(ref.ConsentID)
		}
		entries = append(entries, map[string]any{"response": map[string]any{"status": "201 Created", "location": loc}})
	}
	w.Header().Set("Location", s.base+"/Task/"+ref.Reference)
	write(w, http.StatusOK, Resource{"resourceType": "Bundle", "type": "transaction-response", "entry": entries})
}

// readConsentScope reads who the client agreed may see their details,
// as the JSON API's consent.scope and consent.agencies, which a partner
// must state there: provision.actor lists the agencies (scope agencies);
// the network's data sharing protocol as a Consent.policy
// (SystemNetworkPolicy) with no actors is the whole network; a permit
// naming neither is the narrowest scope, the receiving agency alone. A
// deny is the client refusing: no referral is made.
func readConsentScope(c *fConsent, toAgency string, out *api.ConsentRequest, bad func(field, msg string)) {
	network := slices.ContainsFunc(c.Policy, func(p fPolicy) bool { return p.URI == SystemNetworkPolicy })
	if c.Provision != nil {
		switch c.Provision.Type {
		case "", "permit":
		case "deny":
			bad("Consent.provision.type", "the Consent's provision is deny: the client did not agree to share their details, so no referral is made")
			return
		default:
			bad("Consent.provision.type", "Consent.provision.type must be permit (or deny, which makes no referral)")
			return
		}
	}
	var actors []string
	if c.Provision != nil {
		for _, a := range c.Provision.Actor {
			slug, ok := strings.CutPrefix(a.Reference.Reference, "Organization/")
			if !ok || slug == "" {
				bad("Consent.provision.actor", "each Consent.provision.actor names an agency, as Organization/<agency> (GET /fhir/Organization lists them)")
				return
			}
			actors = append(actors, slug)
		}
	}
	switch {
	case len(actors) > 0:
		out.Scope, out.Agencies = string(core.ScopeAgencies), actors
	case network:
		out.Scope = string(core.ScopeNetwork)
	default:
		out.Scope = string(core.ScopeAgencies)
		if toAgency != "" {
			out.Agencies = []string{toAgency}
		}
	}
}

// bundleReferences checks that the references between a referral
// Bundle's resources name its entries (by fullUrl, entryOf): Task.for and
// ServiceRequest.subject the Patient, Task.focus the ServiceRequest,
// Consent.patient the Patient. A reference to no entry is refused rather
// than read as the Bundle's Patient anyway.
func bundleReferences(entryOf map[string]string, task *fTask, sr *fServiceRequest, c *fConsent) []*invalid {
	var out []*invalid
	check := func(element string, ref *fReference, typ string, required bool) {
		if ref == nil || ref.Reference == "" {
			if required {
				out = append(out, &invalid{text: fmt.Sprintf("%s is required: the fullUrl of the Bundle's %s entry", element, typ), expression: element})
			}
			return
		}
		if entryOf[typ] == "" || ref.Reference != entryOf[typ] {
			out = append(out, &invalid{text: fmt.Sprintf("%s is %q, which is no entry of this Bundle: it must be the fullUrl of the Bundle's %s entry", element, ref.Reference, typ), expression: element})
		}
	}
	check("Task.for", task.For, "Patient", true)
	check("Task.focus", task.Focus, "ServiceRequest", false)
	check("ServiceRequest.subject", &sr.Subject, "Patient", true)
	check("Consent.patient", c.Patient, "Patient", false)
	return out
}

// bundleDates checks the dates of a referral Bundle are R4 dates: a
// value that is not one is refused, never dropped.
func bundleDates(b txBundle, task *fTask, sr *fServiceRequest, pt *fPatient, c *fConsent) []*invalid {
	var out []*invalid
	check := func(element, v, typ string, valid func(string) bool) {
		if v != "" && !valid(v) {
			out = append(out, &invalid{text: fmt.Sprintf("%s %q is not a FHIR %s (like %s)", element, v, typ, map[string]string{
				"date": "1980-04-23", "dateTime": "2026-12-01T09:30:00Z", "instant": "2026-12-01T09:30:00Z"}[typ]), expression: element})
		}
	}
	check("Bundle.timestamp", b.Timestamp, "instant", validInstant)
	check("Task.authoredOn", task.AuthoredOn, "dateTime", validDateTime)
	check("Task.lastModified", task.LastModified, "dateTime", validDateTime)
	check("ServiceRequest.authoredOn", sr.AuthoredOn, "dateTime", validDateTime)
	check("Patient.birthDate", pt.BirthDate, "date", validDate)
	check("Consent.dateTime", c.DateTime, "dateTime", validDateTime)
	for _, v := range c.Verification {
		check("Consent.verification.verificationDate", v.VerificationDate, "dateTime", validDateTime)
	}
	return out
}

// requesterIsSender refuses (422) a Bundle whose Task.requester or
// ServiceRequest.requester names another agency than the sending
// system's: the referral is always made as from the sender's agency, so
// the requester is never quietly replaced, as a PUT never changes it.
func (s *Server) requesterIsSender(r *http.Request, p core.Partner, task *fTask, sr *fServiceRequest) error {
	slugs, _, err := s.slugs(r.Context())
	if err != nil {
		return err
	}
	want, sender := "", "this system refers for the whole network, not for an agency, so it names no requester"
	if p.AgencyID != nil {
		want = "Organization/" + slugs[*p.AgencyID]
		sender = "it must be " + want + ", the agency this system refers for"
	}
	var out []*invalid
	for _, e := range []struct {
		element string
		ref     *fReference
	}{{"Task.requester", task.Requester}, {"ServiceRequest.requester", sr.Requester}} {
		if e.ref == nil || e.ref.Reference == "" {
			continue
		}
		if got := strings.TrimPrefix(e.ref.Reference, s.base+"/"); want == "" || got != want {
			out = append(out, &invalid{rule: true, expression: e.element,
				text: fmt.Sprintf("%s is %s: %s", e.element, e.ref.Reference, sender)})
		}
	}
	return invalids(out)
}

// patientContact is the phone and email a referral's Patient gives: of
// its phones (system phone or sms), the one Onward can text (use mobile,
// system sms, or a number that is no landline) before any other, else the
// first; the first email.
func patientContact(pt *fPatient) (phone, email string) {
	mobile := false
	for _, t := range pt.Telecom {
		switch t.System {
		case "phone", "sms":
			isMobile := t.Use == "mobile" || t.System == "sms" || canText(t.Value)
			if phone == "" || (isMobile && !mobile) {
				phone, mobile = t.Value, isMobile
			}
		case "email":
			if email == "" {
				email = t.Value
			}
		}
	}
	return phone, email
}

// canText reports whether s is a phone number that is no landline.
func canText(s string) bool {
	p, err := core.ParsePhone(s)
	return err == nil && !core.Landline(p)
}

// hasCoding reports whether c has a coding of system and code.
func hasCoding(c fConcept, system, code string) bool {
	return slices.ContainsFunc(c.Coding, func(cd fCoding) bool { return cd.System == system && cd.Code == code })
}

// patientLanguage is the language code of the Patient's preferred
// communication, else of its first (coded as urn:ietf:bcp:47, or with no
// system); "" when it gives none.
func patientLanguage(pt *fPatient) string {
	code := ""
	for _, c := range pt.Communication {
		for _, cd := range c.Language.Coding {
			if cd.System != SystemLanguage && cd.System != "" || strings.TrimSpace(cd.Code) == "" {
				continue
			}
			if c.Preferred {
				return cd.Code
			}
			if code == "" {
				code = cd.Code
			}
		}
	}
	return code
}

// toCreate reads the four resources into the JSON API's create request.
func toCreate(task *fTask, sr *fServiceRequest, pt *fPatient, c *fConsent) (api.CreateRequest, error) {
	var in api.CreateRequest
	var fields []core.FieldError
	bad := func(field, msg string) { fields = append(fields, core.FieldError{Field: field, Message: msg}) }
	if task.Status != "requested" {
		bad("Task.status", "a new referral's Task has status requested")
	}
	if task.Intent != "order" {
		bad("Task.intent", "a new referral's Task has intent order")
	}
	if task.Code != nil && !hasCoding(*task.Code, SystemTaskCode, "fulfill") {
		bad("Task.code", "a referral's Task has code fulfill ("+SystemTaskCode+"), or none")
	}
	if sr.Status != "active" {
		bad("ServiceRequest.status", fmt.Sprintf("a new referral's ServiceRequest has status active (Onward refers the client at once: a draft is not sent); got %q", sr.Status))
	}
	for _, id := range task.Identifier {
		if id.System == SystemCaseID || (id.System != SystemReference && in.CaseID == "") {
			in.CaseID = id.Value
		}
	}
	owner := ""
	if task.Owner != nil {
		owner = task.Owner.Reference
	} else if len(sr.Performer) > 0 {
		owner = sr.Performer[0].Reference
	}
	slug, ok := strings.CutPrefix(owner, "Organization/")
	if !ok || slug == "" {
		bad("Task.owner", "Task.owner must be the receiving agency, as Organization/<agency> (GET /fhir/Organization lists them)")
	}
	in.ToAgency = slug
	for _, cat := range sr.Category {
		for _, c := range cat.Coding {
			if c.System == SystemNeed || c.System == "" {
				in.Needs = append(in.Needs, c.Code)
			}
		}
	}
	if len(in.Needs) == 0 {
		bad("ServiceRequest.category", fmt.Sprintf("say what the client needs: ServiceRequest.category codings with system %s, one of %s", SystemNeed, api.OrList(core.Needs)))
	}
	// Both priorities are bound, required, to R4's request-priority: a
	// value outside it ("emergency", "URGENT") would otherwise be read
	// as routine, and a crisis referred as none.
	for _, p := range []struct{ field, value string }{{"ServiceRequest.priority", sr.Priority}, {"Task.priority", task.Priority}} {
		if !slices.Contains([]string{"", "routine", "urgent", "asap", "stat"}, p.value) {
			bad(p.field, fmt.Sprintf("%s must be routine, urgent, asap or stat (FHIR's request priority), or left out; got %q", p.field, p.value))
		}
	}
	in.Crisis = slices.Contains([]string{"urgent", "asap", "stat"}, sr.Priority)
	var notes []string
	for _, n := range sr.Note {
		notes = append(notes, n.Text)
	}
	in.Client.Notes = strings.Join(notes, "\n")
	if len(pt.Name) > 0 {
		n := pt.Name[0]
		in.Client.Name = n.Text
		if strings.TrimSpace(in.Client.Name) == "" {
			in.Client.Name = strings.TrimSpace(strings.Join(append(n.Given, n.Family), " "))
		}
	}
	in.Client.Phone, in.Client.Email = patientContact(pt)
	if !slices.Contains([]string{"", "male", "female", "other", "unknown"}, pt.Gender) {
		bad("Patient.gender", fmt.Sprintf("Patient.gender must be male, female, other or unknown (FHIR's administrative gender), or left out; got %q", pt.Gender))
	}
	if code := patientLanguage(pt); code != "" {
		texts, interpreter, ok, err := core.SpokenLanguage(code)
		switch {
		case err != nil:
			return in, err
		case !ok:
			bad("Patient.communication.language", fmt.Sprintf("Patient.communication.language must be a BCP 47 language code (system urn:ietf:bcp:47) such as pl or ro; got %q", code))
		default:
			in.Client.Language, in.Client.InterpreterLanguage = texts, interpreter
		}
	}
	for _, a := range pt.Address {
		if a.PostalCode != "" {
			in.Client.Postcode = a.PostalCode
			break
		}
	}
	if c.Status != "active" {
		bad("Consent.status", "the client's consent must be active")
	}
	for _, pol := range c.Policy {
		if v, ok := strings.CutPrefix(pol.URI, SystemWording); ok {
			in.Consent.WordingVersion = v
		}
	}
	if in.Consent.WordingVersion == "" {
		bad("Consent.policy", "name the consent wording the client was shown: Consent.policy.uri "+SystemWording+"<version>")
	}
	readConsentScope(c, in.ToAgency, &in.Consent, bad)
	readConsentParticulars(c, &in.Consent, bad)
	// A referral needs consent confirmed with the client (the JSON API's
	// witnessed_by): a verification marked verified, naming who confirmed
	// it. An unverified consent, or one with no verification, is not
	// evidence that the client agreed, so it is refused, not recorded as
	// witnessed.
	verified := false
	for _, v := range c.Verification {
		if !v.Verified {
			continue
		}
		verified = true
		if v.VerifiedWith != nil && strings.TrimSpace(v.VerifiedWith.Display) != "" && in.Consent.WitnessedBy == "" {
			in.Consent.WitnessedBy = v.VerifiedWith.Display
		}
	}
	switch {
	case len(c.Verification) == 0:
		bad("Consent.verification", "consent must be confirmed with the client before a referral is made: "+
			"give Consent.verification with verified true and verifiedWith naming who confirmed it")
	case !verified:
		bad("Consent.verification.verified", "consent must be confirmed with the client before a referral is made: "+
			"Consent.verification.verified is false, so the client's agreement has not been confirmed")
	}
	if len(fields) > 0 {
		return in, &core.ValidationError{Fields: fields}
	}
	return in, nil
}
