package api

import (
	"regexp"
	"strings"

	"github.com/onward-network/onward/core"
)

// The JSON API and FHIR speak to a partner system's developer, not to the
// client filling in the web form whose checks they share: core's field
// messages are written for that form ("best time to contact you: …") and
// by the validator, which prints a list as Go does ("[text call email]").
// DeveloperMessage is the one place they are put in a developer's words:
// the field is named as the request names it, and a list reads "a, b or c".
var (
	// goList is a list as Go's %v prints a slice: [a b c].
	goList = regexp.MustCompile(`\[([^\[\]]*)\]`)
	// commaList is a list of codes after "one of": a, b, c (the last may
	// be followed by ", or leave it out").
	commaList = regexp.MustCompile(`one of:? ((?:[\w-]+, )+[\w-]+)`)
)

// DeveloperMessage is what a field error says to a developer, field being
// the name the request knows it by (FieldName, or FHIR's path).
func DeveloperMessage(field string, f core.FieldError) string {
	// Core's messages start with the field's label (the form's words, "how
	// to contact you") or its path; the API's name takes its place.
	label := f.Field
	if i := strings.LastIndex(label, "."); i >= 0 && !strings.HasPrefix(f.Message, label) {
		label = label[i+1:]
	}
	lead, rest := "", f.Message
	switch {
	case strings.HasPrefix(rest, label+": "):
		lead, rest = field+": ", strings.TrimPrefix(rest, label+": ")
	case strings.HasPrefix(rest, label+" "):
		lead, rest = field+" ", strings.TrimPrefix(rest, label+" ")
	}
	rest = commaList.ReplaceAllStringFunc(rest, func(m string) string {
		_, list, _ := strings.Cut(m, " of")
		items := strings.Split(strings.TrimPrefix(strings.TrimSpace(list), ": "), ", ")
		if items[len(items)-1] == "or" { // "a, b, c, or leave it out"
			return "one of " + OrList(items[:len(items)-1]) + ", or"
		}
		return "one of " + OrList(items)
	})
	rest = goList.ReplaceAllStringFunc(rest, func(m string) string {
		return OrList(strings.Fields(m[1 : len(m)-1]))
	})
	return lead + rest
}

// OrList joins choices as a developer reads them: "a, b or c".
func OrList[T ~string](choices []T) string {
	switch len(choices) {
	case 0:
		return ""
	case 1:
		return string(choices[0])
	}
	head := make([]string, len(choices)-1)
	for i, c := range choices[:len(choices)-1] {
		head[i] = string(c)
	}
	return strings.Join(head, ", ") + " or " + string(choices[len(choices)-1])
}

// FieldSentence is a field error said with its field named first, as a
// problem's detail and an OperationOutcome's diagnostics list them: the
// message itself when it starts with the field already.
func FieldSentence(field string, f core.FieldError) string {
	msg := DeveloperMessage(field, f)
	if strings.HasPrefix(msg, field+" ") || strings.HasPrefix(msg, field+": ") {
		return msg
	}
	return field + ": " + msg
}
