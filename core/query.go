package core

import (
	"net/url"
	"strings"
)

// UnreadableQuery names each pair of a URL query that url.ParseQuery
// cannot decode, and so drops from the values it gives: one holding a
// ";" (not a separator since Go 1.17) or a "%" without two hex digits
// after it. Such a filter is not there for a handler that reads
// r.URL.Query(), so ?status=completed; would list every referral; the
// partner interfaces refuse it instead, naming it. Each error's Field is
// the pair's name as sent.
func UnreadableQuery(raw string) []FieldError {
	if _, err := url.ParseQuery(raw); err == nil {
		return nil
	}
	var fields []FieldError
	for pair := range strings.SplitSeq(raw, "&") {
		if _, err := url.ParseQuery(pair); err == nil {
			continue
		}
		name, _, _ := strings.Cut(pair, "=")
		msg := "cannot be read: a % must be followed by two hex digits (write a % itself as %25)"
		if strings.Contains(pair, ";") {
			msg = "cannot be read: a ; does not separate parameters (use &) and in a value is written %3B"
		}
		fields = append(fields, FieldError{Field: name, Message: msg})
	}
	return fields
}
