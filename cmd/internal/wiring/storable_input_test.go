package wiring

import (
	"net/url"
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
