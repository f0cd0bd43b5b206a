package main

import (
	"sync"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// appMessages is the message files, loaded once per process and shared by
// the SMS edge, the web form and the worker, so a translation missing a
// message is logged once, not once per part.
var appMessages struct {
	once sync.Once
	cat  *lang.Catalogue
	err  error
}

// messages returns the process's message files.
func (a *app) messages() (*lang.Catalogue, error) {
	appMessages.once.Do(func() {
		appMessages.cat, appMessages.err = lang.Load(templates.FS, a.log.With("part", "i18n"))
	})
	return appMessages.cat, appMessages.err
}
