package core

import (
	"fmt"
	"sync"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// maxOpeningHours is the longest the opening hours may be in any
// language, in characters, as NetworkSettings.OpeningHours' max=200 holds
// the English: the help text carries them whole, and in Polish,
// Ukrainian, Arabic or Urdu every 67 characters is another SMS part to
// pay for.
const maxOpeningHours = 200

// OpeningHoursIn is the network's opening hours in language code: its
// translation in that language, or the English when the network gives
// none. The SMS help text and the web pages both show this, so a client
// reads the same hours whichever way they came.
func (n Network) OpeningHoursIn(code string) string {
	if t := n.OpeningHoursTranslations[code]; t != "" {
		return t
	}
	return n.OpeningHours
}

// clientLanguages are the languages clients may choose, English first:
// the message files core/lang reads (templates/i18n), the same list the
// SMS and the web offer.
var clientLanguages = sync.OnceValues(func() ([]string, error) {
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		return nil, fmt.Errorf("the languages clients may choose: %w", err)
	}
	var codes []string
	for _, l := range cat.Languages() {
		codes = append(codes, l.Code)
	}
	return codes, nil
})

// openingHours checks the opening hours in English and the translations
// of them (networkText.check): each text one line of at most
// maxOpeningHours characters.
func openingHours(english string, translations map[string]string) (map[string]string, []FieldError, error) {
	return networkText{field: "opening_hours", what: "the opening hours", max: maxOpeningHours, oneLine: true}.check(english, translations)
}
