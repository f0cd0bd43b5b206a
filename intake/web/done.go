package web

import (
	"net/http"
)

// doneData is the confirmation page: the reference and what happens next.
type doneData struct {
	Reference  string // "" after a honeypot: the page still looks like success
	AgencyName string // "" when a coordinator chooses
	Crisis     bool
	// NoLocal: no advice service can take it (core.SelfReferralResult.NoLocalService); the
	// page promises a coordinator's answer, not an adviser's call, as the
	// SMS confirmation does.
	NoLocal   bool
	Method    string
	TextedRef bool
	// WaitDays is how many working days to wait before calling the
	// network if nobody has been in touch: the same promise the SMS
	// conversation ends with (core.Network.ClientWaitDays).
	WaitDays int
}

func (w *Web) showDone(rw http.ResponseWriter, r *http.Request, s *webSession) {
	if !s.Submitted {
		http.Redirect(rw, r, pathCheck, http.StatusSeeOther)
		return
	}
	p := w.page(r, s)
	p.Data = doneData{Reference: s.Reference, AgencyName: s.AgencyName, Crisis: s.Crisis, NoLocal: s.NoLocal, Method: s.Answers.ContactMethod,
		TextedRef: s.TextedRef, WaitDays: p.Network.ClientWaitDays(s.Crisis)}
	w.render(rw, r, http.StatusOK, "web/done", p)
}

// restart forgets a sent (or abandoned) request and starts a new one with
// a new submission id, so the next request is a new referral, in the
// language the client chose.
func (w *Web) restart(rw http.ResponseWriter, r *http.Request, s *webSession) {
	if err := w.dropSession(r.Context(), s); err != nil {
		w.unavailable(rw, r, err)
		return
	}
	n, err := w.newSession(rw)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	n.Answers.Language = s.Answers.Language
	w.savedTo(rw, r, n, pathStart)
}
