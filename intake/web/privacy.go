package web

import (
	"net/http"
)

// privacy is the public privacy notice (/privacy): what a client is
// pointed to when they give consent by text or on the form. It says what
// UK GDPR Article 13 asks, from the settings in force: who the data
// controller is and how to reach its data protection officer (the
// network's settings; "ask any agency" where the network file gives
// none), and how long details are kept, who sees them and how consent is
// withdrawn (core's data protection settings, never words of its own).
func (w *Web) privacy(rw http.ResponseWriter, r *http.Request) {
	dp, err := w.engine.DataProtection(r.Context())
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	p := w.page(r, nil)
	p.NoIndex = false
	p.Data = dp
	rw.Header().Set("Cache-Control", "public, max-age=300")
	w.render(rw, r, http.StatusOK, "directory/privacy", p)
}

// TN is T with the message's plural form picked by n, for a count other
// than working days (T picks by "Days"): "12 months", "12 miesięcy".
func (p webPage) TN(id string, n int, args ...any) (string, error) {
	return p.Lang.cat.Render(p.Lang.Code, id, messageData(args, false), n)
}
