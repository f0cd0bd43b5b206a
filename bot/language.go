package bot

import (
	"sync"

	"github.com/onward-network/onward/core"
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

// languageName is a language code's name in English ("pl" → "Polish"):
// a shipped language's from its message file, any other's from core
// ("ro" → "Romanian"), as clients may want an interpreter in any language.
func languageName(code string) string {
	if cat := languages(); cat != nil {
		if l, ok := cat.Language(code); ok {
			return l.English
		}
	}
	return core.LanguageName(code)
}

// InterpreterLabel is the interpreter need of the disclosed client, in
// the words of their card ("Interpreter wanted: Romanian"; "" when none
// is wanted): the language they named, else their language for texts
// when it is not English, as core.Engine.ClientInterpreter reads it.
func (d detailsView) InterpreterLabel() string {
	return d.Client.InterpreterNeed().Label()
}
