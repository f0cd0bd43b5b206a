package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// canonicalBody is the form of a request's body two requests are
// compared in: for a JSON body its canonical form (keys sorted, no
// whitespace, escapes resolved, numbers kept as their literal text),
// after meaning has taken out what does not change what the request
// means (nil: nothing); for any other body, the bytes themselves. A
// client that re-serialises the same request on retry, with keys in
// another order or other whitespace, sends the same request.
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
// as json.Number so 1.50 and 1.5 stay different text.
func decodeJSON(body []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return doc, true
}
