package fhir

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// unchangeable lists what a Task PUT asks to change that the receiving
// side cannot: the elements Onward sets when the referral is made
// (identifier, intent, code, focus, for, requester, owner, authoredOn).
// A PUT moves a referral on by Task.status alone, so a body that differs
// from the stored Task in one of them is refused rather than answered 200
// with the element as it was. An element left out is no change, nor is
// one written another way: a reference with a display, or absolute on
// this server; an identifier or coding the Task has, among others it has.
func (s *Server) unchangeable(sent *fTask, stored Resource) []*invalid {
	raw, err := json.Marshal(stored)
	if err != nil {
		return []*invalid{{text: "the stored Task could not be read", expression: "Task"}}
	}
	var was fTask
	if err := json.Unmarshal(raw, &was); err != nil {
		return []*invalid{{text: "the stored Task could not be read", expression: "Task"}}
	}
	var out []*invalid
	refuse := func(element, is string) {
		out = append(out, &invalid{rule: true, expression: "Task." + element,
			text: fmt.Sprintf("Task.%s is %s and cannot be changed by an update; a PUT moves the referral on by Task.status (with Task.statusReason or Task.output)", element, is)})
	}
	for _, id := range sent.Identifier {
		if !hasIdentifier(was.Identifier, id) {
			refuse("identifier", describeIdentifiers(was.Identifier))
			break
		}
	}
	if sent.Intent != "" && sent.Intent != was.Intent {
		refuse("intent", was.Intent)
	}
	if sent.Code != nil && !codingsAmong(sent.Code, was.Code) {
		refuse("code", describeConcept(was.Code))
	}
	for _, e := range []struct {
		element   string
		sent, had *fReference
	}{{"focus", sent.Focus, was.Focus}, {"for", sent.For, was.For}, {"requester", sent.Requester, was.Requester}, {"owner", sent.Owner, was.Owner}} {
		if e.sent != nil && !s.sameReference(e.sent, e.had) {
			refuse(e.element, describeReference(e.had))
		}
	}
	if sent.AuthoredOn != "" && !sameInstant(sent.AuthoredOn, was.AuthoredOn) {
		refuse("authoredOn", was.AuthoredOn)
	}
	return out
}

// sameReference reports whether a reference sent names what the stored
// one does: the same reference, relative or absolute on this server; a
// stored reference that is only a display (a self-referral's requester)
// is matched by one naming nothing either.
func (s *Server) sameReference(sent, was *fReference) bool {
	if was == nil {
		return false
	}
	return strings.TrimPrefix(sent.Reference, s.base+"/") == was.Reference
}

func hasIdentifier(ids []fIdentifier, id fIdentifier) bool {
	for _, x := range ids {
		if x.System == id.System && x.Value == id.Value {
			return true
		}
	}
	return false
}

func codingsAmong(sent, was *fConcept) bool {
	for _, c := range sent.Coding {
		found := false
		if was != nil {
			for _, w := range was.Coding {
				found = found || w.System == c.System && w.Code == c.Code
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// sameInstant compares two FHIR dateTimes as instants; one given as a
// date alone matches an instant on that date (UTC, as Onward writes them).
func sameInstant(sent, was string) bool {
	w, err := time.Parse(time.RFC3339Nano, was)
	if err != nil {
		return sent == was
	}
	if d, err := time.Parse(time.DateOnly, sent); err == nil {
		return d.Format(time.DateOnly) == w.UTC().Format(time.DateOnly)
	}
	t, err := time.Parse(time.RFC3339Nano, sent)
	return err == nil && t.Equal(w)
}

func describeReference(r *fReference) string {
	switch {
	case r == nil:
		return "not set"
	case r.Reference != "":
		return r.Reference
	case r.Display != "":
		return fmt.Sprintf("%q", r.Display)
	}
	return "not set"
}

func describeIdentifiers(ids []fIdentifier) string {
	var parts []string
	for _, id := range ids {
		parts = append(parts, id.System+"|"+id.Value)
	}
	if len(parts) == 0 {
		return "not set"
	}
	return strings.Join(parts, " and ")
}

func describeConcept(c *fConcept) string {
	if c == nil || len(c.Coding) == 0 {
		return "not set"
	}
	return c.Coding[0].System + "|" + c.Coding[0].Code
}
