package bot

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
)

// chrome is what the staff layout reads on every page of the staff web
// (the flash, the error summary, who is signed in).
type chrome struct {
	Title, Error, Done, DoneRef string
	// DoneWords is the flash already in words, for a change another
	// channel tells of in the same words (capacityDoneWords): the flash
	// template shows it before looking Done up.
	DoneWords string
	Staff     *core.Staff
	CSRF      string
	Errors    []fieldProblem    // the error summary, each linked to its field
	Invalid   map[string]string // form field name → its problem
}

// setFieldErrors fills the error summary and the per-field messages from
// core's field errors, naming each form field by fields (core's field →
// form field name; unknown ones go against fallback).
func (c *chrome) setFieldErrors(errs []core.FieldError, fields map[string]string, fallback string) {
	if c.Invalid == nil {
		c.Invalid = map[string]string{}
	}
	for _, e := range errs {
		label, _, _ := strings.Cut(e.Field, "[")
		name, ok := fields[label]
		if !ok {
			name, ok = fields[e.Field]
		}
		if !ok {
			name = fallback
		}
		if _, seen := c.Invalid[name]; !seen {
			p := problem(name, e.Message)
			c.Invalid[name] = p.Message
			c.Errors = append(c.Errors, p)
		}
	}
}

// problem is a field's problem as every staff form shows it: the same
// words beside the field and in the error summary, as a sentence (core
// writes its field messages in lower case, to be joined in Slack). It is
// the one definition of those words, so the two never differ.
func problem(field, msg string) fieldProblem {
	return fieldProblem{Field: field, Message: sentence(msg)}
}

// sentence makes a message read as a sentence: a capital first letter,
// as the GOV.UK error pattern writes them.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// webFuncs are the helpers the new staff pages add to the inbox's.
var webFuncs = template.FuncMap{
	"ago":          ago,
	"stamp":        stamp,
	"national":     func(p core.Phone) string { return p.National() },
	"tel":          func(p core.Phone) template.URL { return template.URL(p.TelURI()) },
	"languageName": languageName,
	"needLabel": func(n core.Need) string {
		return n.Label()
	},
	"outcomeLabel": func(o *core.Outcome) string {
		if o == nil {
			return ""
		}
		return o.Label()
	},
	"reasonLabel": func(r *core.Reason) string {
		if r == nil {
			return ""
		}
		return r.Label()
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
	// referenceExample is the reference shown as an example, one
	// definition for every page (core.ReferenceExample).
	"referenceExample": func() string { return core.ReferenceExample },
	"inc":              func(i int) int { return i + 1 },
	"dec":              func(i int) int { return i - 1 },
}

// webPageNames are the pages of the staff web beside the inbox's own.
var webPageNames = []string{"sent", "refer", "admin_staff", "admin_agencies", "admin_agency_new", "own_services", "capacity_confirm"}

// renderWeb writes one of the staff web's pages.
func (b *Bot) renderWeb(w http.ResponseWriter, status int, name string, data any) {
	b.writeLayout(w, status, staffPages()[name], name, data)
}

// ago says how long ago (or how far ahead) a moment is, in the largest
// unit that reads naturally: "62 days ago", "3 hours ago", "in 20 minutes".
func ago(t, now time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		s = plural(int(d/time.Hour), "hour")
	default:
		s = plural(int(d/(24*time.Hour)), "day")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// stamp is a moment in the network's time zone with its date: "10:05 on
// Mon 23 Nov 2026".
func stamp(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("15:04 on Mon 2 Jan 2006")
}
