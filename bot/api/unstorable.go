package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// UnstorablePath is where in a JSON body the first string Onward cannot
// store as sent is (UnstorableText: bytes that are not UTF-8, an escaped
// NUL, half of a character): the members and array indexes down to it (["client",
// "name"], ["needs", "1"]), or to the member whose name holds it. It
// reports false when body holds no such string, or is not JSON it can
// walk. The JSON API and FHIR name the field with it, as every other
// refusal of a body does.
func UnstorablePath(body []byte) ([]string, bool) {
	type frame struct {
		object  bool
		key     string
		index   int
		wantKey bool // an object's next string is a member name
	}
	var stack []frame
	path := func(frames []frame, last ...string) []string {
		var p []string
		for _, f := range frames {
			if f.object {
				p = append(p, f.key)
			} else {
				p = append(p, strconv.Itoa(f.index))
			}
		}
		return append(p, last...)
	}
	// value counts a value where the innermost container is: the next
	// element of an array, or the value of the member just named.
	value := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	prev := dec.InputOffset()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		raw := body[prev:dec.InputOffset()]
		prev = dec.InputOffset()
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				value()
				stack = append(stack, frame{object: t == '{', index: -1, wantKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				return nil, false
			}
			continue
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				stack[n-1].wantKey = false
				if UnstorableText(raw) != nil {
					return path(stack[:n-1], t), true // the member's name
				}
				stack[n-1].key = t
				continue
			}
			value()
			if UnstorableText(raw) != nil {
				return path(stack), true
			}
		default:
			value()
		}
	}
}

// UnstorableDetail says what is wrong with the string at field (a name
// as the interface gives it: client.name, Patient.name.text), from
// UnstorableText's reason for the whole body.
func UnstorableDetail(field string, err error) string {
	msg := err.Error()
	if field == "" {
		return msg
	}
	for _, whole := range []string{"a string in the body", "the body"} {
		if strings.HasPrefix(msg, whole) {
			return field + strings.TrimPrefix(msg, whole)
		}
	}
	return field + ": " + msg
}

// unstorableProblem is the 400 for a body UnstorableText refused (err),
// naming the field and its pointer when UnstorablePath finds it.
func unstorableProblem(body []byte, err error) problem {
	p := probMalformed.problem(http.StatusBadRequest, err.Error())
	if at, ok := UnstorablePath(body); ok && len(at) > 0 {
		field := valueField(at)
		p.Detail = UnstorableDetail(field, err)
		p.Errors = []fieldIssue{{Field: field, Pointer: jsonPointer(at), Detail: p.Detail}}
	}
	return p
}
