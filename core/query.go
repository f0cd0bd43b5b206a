package core

import (
	"fmt"
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

// PlusReadAsSpace is what the refusal of a date and time sent in a query
// adds when the value holds a space: a "+" sent unencoded, as in a time
// zone (2026-03-01T09:00:00+01:00), arrives as a space, and the sender is
// told why what they wrote was not read. "" for any other value.
func PlusReadAsSpace(v string) string {
	if !strings.Contains(v, " ") {
		return ""
	}
	return fmt.Sprintf(" (it arrived as %q: a + in an address is read as a space, so send a time zone's + as %%2B)", v)
}
