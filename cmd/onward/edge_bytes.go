package main

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/onward-network/onward/core"
)

// maxCheckedForm is the largest form body storableInput reads to check;
// larger ones pass to handlers, whose own limits refuse them.
const maxCheckedForm = 1 << 20

// storableInput refuses, before any handler, a request carrying bytes
// PostgreSQL cannot store as text (a NUL, invalid UTF-8): in its path
// 404 (no such page can exist), in its query or form body 400. Such a
// request can never succeed, so it must not be answered 5xx: Twilio and
// Slack retry those. Bodies are checked only when they are forms
// (application/x-www-form-urlencoded), as Twilio, Slack and the web pages
// send; JSON APIs decode their own bodies.
func storableInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !core.Storable(r.URL.Path) {
			http.NotFound(w, r)
			return
		}
		if !storableValues(r.URL.RawQuery) {
			http.Error(w, "bad request: the address holds characters that cannot be read", http.StatusBadRequest)
			return
		}
		if r.Body != nil && r.Body != http.NoBody && isForm(r) {
			raw, err := io.ReadAll(io.LimitReader(r.Body, maxCheckedForm+1))
			if err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			rest := r.Body
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(raw), rest), rest}
			if len(raw) <= maxCheckedForm && !storableValues(string(raw)) {
				http.Error(w, "bad request: the form holds characters that cannot be read", http.StatusBadRequest)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// storableValues reports whether every key and value of a URL-encoded
// query or form is storable. Pairs that do not parse are left to the
// handler, which answers them as it always has.
func storableValues(raw string) bool {
	if raw == "" {
		return true
	}
	vs, _ := url.ParseQuery(raw)
	for k, list := range vs {
		if !core.Storable(k) {
			return false
		}
		for _, v := range list {
			if !core.Storable(v) {
				return false
			}
		}
	}
	return true
}

func isForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}
