package bot

import (
	"sync"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// languages names clients' languages for staff, in English, from the
// message files the clients' words come from.
var languages = sync.OnceValue(func() *lang.Catalogue {
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		return nil // the server's own load of the same files fails first, at start-up
	}
	return cat
})

// languageName is a language code's name in English ("pl" → "Polish"); a
// code of no shipped language is shown as it is.
func languageName(code string) string {
	if cat := languages(); cat != nil {
		return cat.EnglishName(code)
	}
	return code
}
