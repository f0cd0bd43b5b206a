package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/leaflet"
)

// startData is the start page: what the form is for and where to begin.
type startData struct {
	Next        string // the first unanswered question, or check your answers
	Started     bool   // some answers are saved already
	ServiceName string // chosen in the directory
	AgencyName  string
}

// start shows the start page, making a session for it when there is none.
func (w *Web) start(rw http.ResponseWriter, r *http.Request) {
	s, err := w.currentOrNew(rw, r)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	if s.Submitted {
		http.Redirect(rw, r, pathDone, http.StatusSeeOther)
		return
	}
	p := w.page(r, s)
	p.SMS = w.smsOption(p.Lang.Code)
	p.Notice = s.Notice
	d := startData{Next: w.firstMissing(s)}
	if len(s.Answers.Outcomes) > 0 {
		d.Started = true
	}
	if d.Next == "" {
		d.Next = pathCheck
	}
	if s.Service != 0 {
		if svc, err := w.engine.Service(r.Context(), s.Service); err == nil {
			d.ServiceName = svc.Name
			if a, err := w.engine.Agency(r.Context(), svc.AgencyID); err == nil {
				d.AgencyName = a.Name
			}
		}
	}
	p.Data = d
	if s.Notice != "" {
		s.Notice = ""
		if err := w.saveSession(r.Context(), s); err != nil {
			w.unavailable(rw, r, err)
			return
		}
	}
	w.render(rw, r, http.StatusOK, "web/start", p)
}

// currentOrNew returns the request's session, or a new saved one. A
// request already sent keeps its session, so its confirmation stays
// reachable.
func (w *Web) currentOrNew(rw http.ResponseWriter, r *http.Request) (*webSession, error) {
	s, hadCookie, err := w.loadSession(r.Context(), r)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, errNoSession) {
		return nil, err
	}
	if s, err = w.newSession(rw); err != nil {
		return nil, err
	}
	if hadCookie {
		s.Notice = "expired"
	}
	return s, w.saveSession(r.Context(), s)
}

// freshUnlessSent returns the request's session, or a new one when
// there is none or its request was already sent: a new leaflet scan or a
// new service chosen is a new request.
func (w *Web) freshUnlessSent(rw http.ResponseWriter, r *http.Request) (*webSession, error) {
	s, _, err := w.loadSession(r.Context(), r)
	if err != nil && !errors.Is(err, errNoSession) {
		return nil, err
	}
	if err == nil && !s.Submitted {
		return s, nil
	}
	return w.newSession(rw)
}

// leafletStart is the short link printed on a leaflet: it records the
// leaflet on the session and shows the start page. An unknown code (a
// typo, an old leaflet) still leads to the form, with no leaflet recorded.
func (w *Web) leafletStart(rw http.ResponseWriter, r *http.Request) {
	code, language := "", ""
	if l, err := leaflet.ByCode(r.Context(), w.engine.Pool(), r.PathValue("code")); err == nil {
		code, language = l.Code, l.Language
	} else if !errors.Is(err, core.ErrNotFound) {
		w.log.Warn("leaflet link: look-up failed, continuing without it", "err", err)
	}
	s, err := w.freshUnlessSent(rw, r)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	if code != "" {
		s.Leaflet = code
	}
	w.requestLang(r, s) // a leaflet printed for Polish speakers links with ?lang=pl
	if _, ok := w.chosenLang(r); !ok && language != "" && s.Answers.Language == "" {
		// The short link typed by hand from the paper, without its
		// ?lang=: the leaflet's own language, unless the client chose.
		if _, ok := w.cat.Language(language); ok {
			w.flow.ChooseLanguage(&s.Answers, language)
		}
	}
	w.log.Info("leaflet link opened", "known", code != "", "leaflet", code)
	w.savedTo(rw, r, s, pathStart)
}

// serviceStart is "refer myself to this service" in the directory.
func (w *Web) serviceStart(rw http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		w.notFound(rw, r)
		return
	}
	svc, err := w.engine.Service(r.Context(), core.ServiceID(id))
	if errors.Is(err, core.ErrNotFound) || err == nil && !svc.Active {
		w.notFound(rw, r)
		return
	}
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	s, err := w.freshUnlessSent(rw, r)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	s.Service = svc.ID
	w.savedTo(rw, r, s, pathStart)
}
