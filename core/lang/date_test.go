package lang_test

import (
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// Every shipped language writes a date its own way, month names included;
// English keeps the day-month-year the pages always printed.
func TestDateInEveryShippedLanguage(t *testing.T) {
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2027, 3, 14, 0, 0, 0, 0, time.UTC)
	want := map[string]string{"en": "14 March 2027", "pl": "14 marca 2027", "uk": "14 березня 2027 р.", "ar": "14 مارس 2027",
		"ur": "14 مارچ، 2027", "gd": "14mh dhen Mhàrt 2027"}
	for _, l := range cat.Languages() {
		got := lang.Date(l.Code, day)
		if w, ok := want[l.Code]; !ok || got != w {
			t.Errorf("Date(%s) = %q, want %q (a new language needs its CLDR locale in date.go)", l.Code, got, w)
		}
		if l.Code != lang.English && strings.Contains(got, "March") {
			t.Errorf("Date(%s) = %q: the English month", l.Code, got)
		}
	}
	if got := lang.Date("xx", day); got != "14 March 2027" {
		t.Errorf("an unknown language = %q, want English", got)
	}
}
