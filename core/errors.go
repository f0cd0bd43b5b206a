package core

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotFound is returned when a row asked for does not exist.
var ErrNotFound = errors.New("not found")

// FieldError is one invalid field, in plain words.
type FieldError struct {
	Field   string // the input's name, e.g. "postcode"
	Message string // what is wrong and how to fix it
}

// ValidationError lists every invalid field of an input. Nothing is written
// when it is returned.
type ValidationError struct{ Fields []FieldError }

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Field returns the message for the named field, or "".
func (e *ValidationError) Field(name string) string {
	for _, f := range e.Fields {
		if f.Field == name {
			return f.Message
		}
	}
	return ""
}

// TransitionError is an action that the referral's status does not allow.
// Its Error is the refusal in staff's words (transition_refusal.go).
type TransitionError struct {
	Action Action
	Status Status
	// Why is optional detail after the refusal's colon, in plain words
	// (a second sentence may follow, e.g. what to do instead): "it is
	// waiting in triage for a coordinator to choose an agency".
	Why string
}

// ConflictError means someone else changed the referral first (optimistic
// version check): it names the status now and who set it when.
type ConflictError struct {
	Reference string
	Status    Status
	By        string // staff name, or "the client" / "Onward"
	// ByStaff is the member of staff who changed it, 0 for anyone else:
	// a repeat of one's own form is told apart from a colleague's.
	ByStaff StaffID
	At      time.Time
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("referral %s was already %s by %s at %s", e.Reference, e.Status, e.By, e.At.Format("15:04 on 2 Jan"))
}

// ForbiddenError means the actor may not do this to this referral. The
// refusal itself is written to the audit log.
type ForbiddenError struct{ Why string }

func (e *ForbiddenError) Error() string { return "not allowed: " + e.Why }

// ConsentScopeError means the client's consent does not cover sharing their
// details with the agency asked for.
type ConsentScopeError struct {
	Agency string
}

func (e *ConsentScopeError) Error() string {
	return fmt.Sprintf("the client's consent does not cover sharing their details with %s; ask the client and record new consent first", e.Agency)
}

// ErrConsentWithdrawn means the consent a referral relies on was withdrawn.
var ErrConsentWithdrawn = errors.New("the client has withdrawn consent to share their details")
