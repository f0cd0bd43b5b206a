package lang

import (
	"time"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/ar"
	"github.com/go-playground/locales/en_GB"
	"github.com/go-playground/locales/gd"
	"github.com/go-playground/locales/pl"
	"github.com/go-playground/locales/uk"
	"github.com/go-playground/locales/ur"
)

// dateLocales write a day the way each shipped language does, from CLDR
// (go-playground/locales): month names in the language and its own order
// ("14 marca 2027", "14 березня 2027 р.", "14 مارس 2027"). English is
// British English, as the network is in Scotland.
var dateLocales = map[string]locales.Translator{
	English: en_GB.New(),
	"pl":    pl.New(),
	"uk":    uk.New(),
	"ar":    ar.New(),
	"ur":    ur.New(),
	"gd":    gd.New(),
}

// Date writes a day (its year, month and day; the time is ignored) in
// language code's long form: "14 March 2027" in English. A language with
// no CLDR data here is written in English.
func Date(code string, t time.Time) string {
	l, ok := dateLocales[code]
	if !ok {
		l = dateLocales[English]
	}
	return l.FmtDateLong(t)
}
