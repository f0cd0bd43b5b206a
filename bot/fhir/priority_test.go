package fhir_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestFHIRPriorityIsACodeOfRequestPriority: ServiceRequest.priority
// (and Task.priority) is bound, required, to R4's request-priority
// (routine, urgent, asap, stat). Any other value was taken as routine, so
// a client an NHS system sent as "emergency" or "URGENT" was referred as
// no crisis; it is now a 422 naming the element and the codes.
func TestFHIRPriorityIsACodeOfRequestPriority(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	referrer := h.token(t, h.env.Net.Welfare, core.ScopeRead, core.ScopeRefer)
	sr := `"resourceType": "ServiceRequest", "status": "active",`
	task := `"resourceType": "Task", "status": "requested",`
	for _, c := range []struct {
		name       string
		edits      []string
		status     int
		expression string
		crisis     bool
	}{
		{"urgent", []string{sr, sr + ` "priority": "urgent",`}, 200, "", true},
		{"stat", []string{sr, sr + ` "priority": "stat",`}, 200, "", true},
		{"routine", []string{sr, sr + ` "priority": "routine",`}, 200, "", false},
		{"none", nil, 200, "", false},
		{"emergency", []string{sr, sr + ` "priority": "emergency",`}, 422, "ServiceRequest.priority", false},
		{"upper case", []string{sr, sr + ` "priority": "URGENT",`}, 422, "ServiceRequest.priority", false},
		{"task", []string{task, task + ` "priority": "high",`}, 422, "Task.priority", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			bundle := editedBundle(t, "NHSF-priority-"+strings.ReplaceAll(c.name, " ", "-"), c.edits...)
			status, hdr, body := h.do(t, "POST", "/fhir", referrer, bundle)
			res := validR4(t, body)
			if status != c.status {
				t.Fatalf("%d %s, want %d", status, body, c.status)
			}
			if status != 200 {
				if !hasIssue(res, c.expression, "routine, urgent, asap or stat") {
					t.Fatalf("%s, want an OperationOutcome at %s listing the codes", body, c.expression)
				}
				return
			}
			ref := strings.TrimPrefix(hdr.Get("Location"), "https://onward.example/fhir/Task/")
			r, err := h.env.Engine.ReferralByReference(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			if r.Crisis != c.crisis {
				t.Errorf("crisis %v, want %v", r.Crisis, c.crisis)
			}
		})
	}
}
