package fhir_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/onward-network/onward/bot/fhir"
	"github.com/onward-network/onward/core"
)

// TestFHIRCouldNotContactIsAFailedTask: in FHIR a client who could not be
// contacted is recorded one way, an accepted Task put with status failed
// (core's Could not contact action); an in-progress one (the client was
// reached) is refused with core's words at Task.status. A completed Task
// whose output is the outcome could-not-contact is refused with a 422
// OperationOutcome at Task.output saying what to do instead as the Task
// stands (accepted: put it failed; in progress: complete it with how the
// help ended), and nothing changes. An
// in-progress Task put on hold is refused with an OperationOutcome saying
// Onward does not support it and why (its on-hold is the waiting list
// before work starts), not core's bare "cannot hold"
// (TestFHIRUpdateTaskDoesWhatItSays holds Tasks not yet started).
func TestFHIRCouldNotContactIsAFailedTask(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, cab, taskURL := h.bundleReferral(t)
	read := func() map[string]any {
		t.Helper()
		_, _, body := h.do(t, "GET", taskURL, cab, "")
		return validR4(t, body)
	}
	put := func(task map[string]any) (int, map[string]any) {
		t.Helper()
		raw, _ := json.Marshal(task)
		status, _, body := h.do(t, "PUT", taskURL, cab, string(raw))
		return status, validR4(t, body)
	}
	issueOf := func(oo map[string]any) (code, diagnostics, expression string) {
		t.Helper()
		issues, _ := oo["issue"].([]any)
		if oo["resourceType"] != "OperationOutcome" || len(issues) != 1 {
			t.Fatalf("not an OperationOutcome of one issue: %v", oo)
		}
		is := issues[0].(map[string]any)
		exprs, _ := is["expression"].([]any)
		if len(exprs) == 1 {
			expression, _ = exprs[0].(string)
		}
		code, _ = is["code"].(string)
		diagnostics, _ = is["diagnostics"].(string)
		return code, diagnostics, expression
	}
	for _, status := range []string{"accepted", "in-progress"} {
		task := read()
		task["status"] = status
		if got, res := put(task); got != http.StatusOK || res["status"] != status {
			t.Fatalf("PUT %s: %d %v", status, got, res)
		}
	}

	// On hold while in progress: refused, saying why.
	task := read()
	version := task["meta"].(map[string]any)["versionId"]
	task["status"] = "on-hold"
	got, oo := put(task)
	code, says, at := issueOf(oo)
	if got != http.StatusConflict || code != "business-rule" || at != "Task.status" ||
		!strings.Contains(says, "does not support putting an in-progress Task on hold") || !strings.Contains(says, "waiting list") {
		t.Errorf("an in-progress Task put on hold: %d %v, want 409 saying on-hold is not supported and why", got, oo)
	}

	// Completed with the outcome could-not-contact: refused at Task.output,
	// saying what to do instead as the Task stands: in progress, the
	// client was reached, so complete it with how the help ended (never
	// put it failed, refused there too).
	couldNotContact := []any{map[string]any{
		"type":                 map[string]any{"coding": []any{map[string]any{"system": fhir.SystemOutcome, "code": "outcome"}}},
		"valueCodeableConcept": map[string]any{"coding": []any{map[string]any{"system": fhir.SystemOutcome, "code": "could-not-contact"}}},
	}}
	task = read()
	task["status"] = "completed"
	task["output"] = couldNotContact
	got, oo = put(task)
	code, says, at = issueOf(oo)
	if got != http.StatusUnprocessableEntity || code != "invalid" || at != "Task.output" ||
		!strings.Contains(says, "could-not-contact") || !strings.Contains(says, "the client was reached") ||
		!strings.Contains(says, "help-given") || strings.Contains(says, "status failed") {
		t.Errorf("an in-progress Task completed as could-not-contact: %d %v, want 422 at Task.output saying to complete it with how the help ended", got, oo)
	}
	if now := read(); now["status"] != "in-progress" || now["meta"].(map[string]any)["versionId"] != version {
		t.Fatalf("the refused PUTs changed the Task: %v", now)
	}

	// Failed once in progress: the client was reached, so core refuses
	// it, in its words, at Task.status.
	delete(task, "output")
	task["status"] = "failed"
	got, oo = put(task)
	code, says, at = issueOf(oo)
	if got != http.StatusConflict || code != "business-rule" || at != "Task.status" || !strings.Contains(says, core.FailAfterContact) {
		t.Errorf("an in-progress Task put failed: %d %v, want 409 saying the client was contacted", got, oo)
	}

	// The way, for a client never reached: an accepted Task put failed.
	_, _, taskURL = h.bundleReferral(t)
	task = read()
	task["status"] = "accepted"
	if got, res := put(task); got != http.StatusOK || res["status"] != "accepted" {
		t.Fatalf("PUT accepted: %d %v", got, res)
	}
	// Completed as could-not-contact there: refused, naming the way.
	task = read()
	task["status"] = "completed"
	task["output"] = couldNotContact
	got, oo = put(task)
	if _, says, at := issueOf(oo); got != http.StatusUnprocessableEntity || at != "Task.output" ||
		!strings.Contains(says, "never marked contacted") || !strings.Contains(says, "status failed") || strings.Contains(says, "help-given") {
		t.Errorf("an accepted Task completed as could-not-contact: %d %v, want 422 at Task.output saying to put it failed", got, oo)
	}
	task = read()
	task["status"] = "failed"
	if got, res := put(task); got != http.StatusOK || res["status"] != "failed" || res["output"] != nil {
		t.Errorf("PUT failed: %d %v", got, res)
	}
}
