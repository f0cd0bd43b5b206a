package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// canonicalBody is the form of a request's body two requests are
// compared in: for a JSON body its canonical form (keys sorted, no
// whitespace, escapes resolved, numbers kept as their literal text),
// after meaning has taken out what does not change what the request
// means (nil: nothing); for any other body, the bytes themselves. A
// client that re-serialises the same request on retry, with keys in
// another order or other whitespace, sends the same request. A body
// with a member given twice is compared by its bytes: decoded, it would
// keep only one of them, and so pass for a request it is not (one the
// API refuses for the repeat).
func canonicalBody(body []byte, meaning func(doc any) any) []byte {
	doc, ok := decodeJSON(body)
	if !ok {
		return body
	}
	if meaning != nil {
		doc = meaning(doc)
	}
	// Marshal writes a map's keys sorted and a json.Number as its text.
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// decodeJSON decodes one JSON value filling the whole body, its numbers
// as json.Number so 1.50 and 1.5 stay different text; a body that is not
// one JSON value, or has an object with a member given twice, is not
// decoded.
func decodeJSON(body []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	doc, err := decodeValue(dec)
	if err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return doc, true
}

// errRepeatedMember is a JSON object naming one member twice.
var errRepeatedMember = errors.New("a member given twice")

// decodeValue reads the next JSON value from dec, token by token, so an
// object's members are seen one by one and a repeat is found.
func decodeValue(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		obj := map[string]any{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, ok := kt.(string)
			if !ok {
				return nil, fmt.Errorf("object key %v", kt)
			}
			if _, seen := obj[k]; seen {
				return nil, errRepeatedMember
			}
			if obj[k], err = decodeValue(dec); err != nil {
				return nil, err
			}
		}
		_, err := dec.Token() // '}'
		return obj, err
	case json.Delim('['):
		arr := []any{}
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token() // ']'
		return arr, err
	}
	return t, nil
}
