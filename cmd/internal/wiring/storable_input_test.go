package wiring

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// storableByParseQuery is what storableValues must answer: every key and
// value url.ParseQuery keeps is storable.
func storableByParseQuery(raw string) bool {
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

var storableSeeds = []string{
	"", "a=1", "a=1&b=2", "Body=Hi+there&From=%2B447700900123",
	"Body=%00", "%00=x", "Body=a%00b", "Body=%ff", "Body=%C3%A9", "Body=%C3",
	"Body=\x00", "Body=\xff", "Body=caf\xc3\xa9",
	// Pairs url.ParseQuery drops are the handler's to answer.
	"Body=%zz%00", "Body=%0", "Body=%", "%zz=%00", "a;b=%00", "a=%00;b",
	"&&a=1&", "=%00", "%00", "a=%2", "k=%E2%82%AC&v=%e2%82",
}

func TestStorableValuesAgreesWithParseQuery(t *testing.T) {
	for _, raw := range storableSeeds {
		if got, want := storableValues(raw), storableByParseQuery(raw); got != want {
			t.Errorf("storableValues(%q) = %v, url.ParseQuery says %v", raw, got, want)
		}
	}
	// The cases that matter, spelled out.
	for raw, want := range map[string]bool{"Body=Hi": true, "Body=a%00b": false, "Body=%ff": false, "Body=%zz%00": true} {
		if got := storableValues(raw); got != want {
			t.Errorf("storableValues(%q) = %v, want %v", raw, got, want)
		}
	}
}

func FuzzStorableValues(f *testing.F) {
	for _, s := range storableSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if got, want := storableValues(raw), storableByParseQuery(raw); got != want {
			t.Fatalf("storableValues(%q) = %v, url.ParseQuery says %v", raw, got, want)
		}
	})
}

// TestStorableInputHandsOnTheWholeBody: the handler reads the body the
// check read, byte for byte, whether its length was given, not given or
// past what the check reads; and a form is checked whatever parameters
// its content type carries.
func TestStorableInputHandsOnTheWholeBody(t *testing.T) {
	var got []byte
	h := StorableInput(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		if got, err = io.ReadAll(r.Body); err != nil {
			t.Fatal(err)
		}
	}), nil)
	big := "Body=" + strings.Repeat("a", maxCheckedForm+10) + "%00"
	for _, c := range []struct {
		name, body string
		length     int64 // -1: not given
	}{
		{"small with length", "Body=Hi+there&From=%2B447700900123", -2},
		{"small without length", "Body=Hi+there&From=%2B447700900123", -1},
		{"empty", "", -2},
		{"exactly the limit", "Body=" + strings.Repeat("b", maxCheckedForm-5), -2},
		{"past the limit with length", big, -2},
		{"past the limit without length", big, -1},
	} {
		req := httptest.NewRequest(http.MethodPost, "/twilio/sms", strings.NewReader(c.body))
		if c.length == -1 {
			req.ContentLength = -1
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		got = nil
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || string(got) != c.body {
			t.Errorf("%s: status %d, the handler read %d bytes of %d", c.name, rec.Code, len(got), len(c.body))
		}
	}
	for _, ct := range []string{"application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", "Application/X-WWW-Form-Urlencoded"} {
		req := httptest.NewRequest(http.MethodPost, "/twilio/sms", strings.NewReader("Body=a%00b"))
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("a NUL in a form sent as %q: status %d, want 400", ct, rec.Code)
		}
	}
}
