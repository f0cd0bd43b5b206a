package wiring

import (
	"bytes"
	"io"
	"maps"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/onward-network/onward/bot"
	"github.com/onward-network/onward/bot/api"
	"github.com/onward-network/onward/bot/fhir"
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/openreferral"
)

// maxCheckedForm is the largest form body StorableInput reads to check;
// larger ones pass to handlers, whose own limits refuse them.
const maxCheckedForm = 1 << 20

// Refusal writes a refusal in the format of the part of the server a
// request is for: problem details for the partner API, an
// OperationOutcome for FHIR. api.Refuse has its shape.
type Refusal func(w http.ResponseWriter, r *http.Request, status int, title, detail string)

// PartnerRefusals are the formats the partner API, its token endpoint
// and FHIR answer refusals in, for StorableInput's refusals of requests
// under them.
var PartnerRefusals = map[string]Refusal{"/api/v1/": api.RefuseProblem, "/oauth/": api.RefuseToken, "/fhir/": fhir.Refuse}

// Refusals are the formats of every part of the server that answers
// other systems: PartnerRefusals, and the Open Referral feed's JSON under
// openReferralPath (the server's setting, "/openreferral" by default);
// and the staff web's own pages under /staff/, so an adviser whose form
// is refused is told which box to mend, in a page, not in bare text.
func Refusals(openReferralPath string) map[string]Refusal {
	formats := maps.Clone(PartnerRefusals)
	formats[openReferralPath+"/"] = openreferral.Refuse
	formats["/staff/"] = bot.RefuseStaff
	formats["/slack/"] = RefusePlain
	return formats
}

// RefusePlain answers a refusal in plain text: for the parts of the
// server only a provider's machines call (Slack's), which would otherwise
// be answered in the public site's page under "/", meant for a person.
func RefusePlain(w http.ResponseWriter, _ *http.Request, status int, title, detail string) {
	http.Error(w, strings.ToLower(title)+": "+detail, status)
}

// StorableInput refuses, before any handler, a request carrying bytes
// PostgreSQL cannot store as text (a NUL, invalid UTF-8): in its path
// 404 (no such page can exist), in its query or form body 400. Such a
// request can never succeed, so it must not be answered 5xx: Twilio and
// Slack retry those. Bodies are checked only when they are forms
// (application/x-www-form-urlencoded), as Twilio, Slack and the web pages
// send; JSON APIs decode their own bodies.
//
// formats names, by path prefix ("/api/v1/"), how the part of the
// server under it answers refusals, so a partner system gets its API's
// format; the prefix without its last slash matches too, and the longest
// prefix that matches wins. Elsewhere the answer is plain text.
func StorableInput(next http.Handler, formats map[string]Refusal) http.Handler {
	refuse := func(w http.ResponseWriter, r *http.Request, status int, detail string) {
		// The longest prefix that matches wins: "/" (the public site's
		// pages) is under every other part's.
		var found Refusal
		longest := -1
		for prefix, f := range formats {
			if (strings.HasPrefix(r.URL.Path, prefix) || r.URL.Path == strings.TrimSuffix(prefix, "/")) && len(prefix) > longest {
				found, longest = f, len(prefix)
			}
		}
		if found == nil {
			found = RefusePlain
		}
		found(w, r, status, http.StatusText(status), detail)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !core.Storable(r.URL.Path) {
			refuse(w, r, http.StatusNotFound, "the address holds characters that cannot be read")
			return
		}
		if !storableValues(r.URL.RawQuery) {
			refuse(w, r, http.StatusBadRequest, "the address holds characters that cannot be read")
			return
		}
		if r.Body != nil && r.Body != http.NoBody && isForm(r) {
			raw, err := readForm(r)
			if err != nil {
				refuse(w, r, http.StatusBadRequest, "the request's body could not be read")
				return
			}
			rest := r.Body
			var again io.Reader = bytes.NewReader(raw)
			if len(raw) > maxCheckedForm {
				again = io.MultiReader(again, rest) // the rest is the handler's to read and refuse
			}
			r.Body = struct {
				io.Reader
				io.Closer
			}{again, rest}
			if len(raw) <= maxCheckedForm && !storableValues(string(raw)) {
				refuse(w, r, http.StatusBadRequest, "the form holds characters that cannot be read")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// storableValues reports whether every key and value of a URL-encoded
// query or form is storable once decoded. Pairs that do not decode are
// left to the handler, which answers them as it always has: they are
// the pairs url.ParseQuery drops. It decodes into one buffer rather than
// building url.Values, as it runs on every webhook before the handler
// parses the form again.
func storableValues(raw string) bool {
	// A decoded key or value is never longer than the raw form.
	buf := make([]byte, 0, len(raw))
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		var ok bool
		if buf, ok = unescapeQuery(buf[:0], key); !ok {
			continue
		}
		keyStorable := storableBytes(buf)
		if buf, ok = unescapeQuery(buf[:0], value); !ok {
			continue
		}
		if !keyStorable || !storableBytes(buf) {
			return false
		}
	}
	return true
}

// unescapeQuery appends s, decoded as url.QueryUnescape decodes it ("+"
// a space, "%XX" a byte), to buf, and reports false where QueryUnescape
// would fail: a "%" without two hex digits after it.
func unescapeQuery(buf []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			buf = append(buf, ' ')
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return buf, false
			}
			buf = append(buf, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			buf = append(buf, c)
		}
	}
	return buf, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// storableBytes is core.Storable for bytes.
func storableBytes(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// readForm reads a form body up to one byte past maxCheckedForm, into a
// buffer sized by the Content-Length when it gives one (every webhook's
// body passes through here).
func readForm(r *http.Request) ([]byte, error) {
	size := 512
	if n := r.ContentLength; n > 0 && n <= maxCheckedForm {
		size = int(n) + 1 // room to read the end of the body
	}
	body := io.LimitReader(r.Body, maxCheckedForm+1)
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "application/x-www-form-urlencoded" {
		return true // as Twilio and Slack send it: no parameters to parse
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/x-www-form-urlencoded"
}
