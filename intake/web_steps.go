package intake

import (
	"net/http"
)

// Paths of the form. Each question is one page, GET to show and POST to
// answer; the order below is the order a client sees them.
const (
	pathStart      = "/refer"
	pathNew        = "/refer/new"
	pathNeeds      = "/refer/needs"
	pathPostcode   = "/refer/postcode"
	pathTown       = "/refer/town"
	pathFood       = "/refer/money-today"
	pathHome       = "/refer/home"
	pathName       = "/refer/name"
	pathContact    = "/refer/contact"
	pathPreference = "/refer/contact-preference"
	pathConsent    = "/refer/consent"
	pathCheck      = "/refer/check"
	pathDone       = "/refer/done"
	pathText       = "/refer/text"
)

// webStep is one question of the form.
type webStep struct {
	path    string
	applies func(s *webSession) bool // nil: always asked
	done    func(s *webSession) bool // answered
}

// webSteps are the questions in order. The town is asked only of those
// who do not know their postcode.
var webSteps = []webStep{
	{path: pathNeeds, done: func(s *webSession) bool { return len(s.Needs) > 0 }},
	{path: pathPostcode, done: func(s *webSession) bool { return s.Postcode != "" || s.NoPostcode }},
	{path: pathTown, applies: func(s *webSession) bool { return s.NoPostcode }, done: func(s *webSession) bool { return s.Town != "" }},
	{path: pathFood, done: func(s *webSession) bool { return s.NoFood != "" }},
	{path: pathHome, done: func(s *webSession) bool { return s.LosingHome != "" }},
	{path: pathName, done: func(s *webSession) bool { return s.Name != "" }},
	{path: pathContact, done: func(s *webSession) bool { return s.Phone != "" || s.Email != "" }},
	{path: pathPreference, done: func(s *webSession) bool { return s.Method != "" && s.Time != "" }},
	{path: pathConsent, done: func(s *webSession) bool { return s.ConsentVersion != "" }},
}

func (st webStep) asked(s *webSession) bool { return st.applies == nil || st.applies(s) }

// firstMissing is the first question not yet answered, "" when all are.
func (s *webSession) firstMissing() string {
	for _, st := range webSteps {
		if st.asked(s) && !st.done(s) {
			return st.path
		}
	}
	return ""
}

// after is where a client goes once a question is answered: the next
// question, or back to "check your answers" when they came from there
// (via any question they have not answered yet).
func (s *webSession) after(current string) string {
	if s.Reviewing {
		if m := s.firstMissing(); m != "" {
			return m
		}
		return pathCheck
	}
	passed := false
	for _, st := range webSteps {
		if passed && st.asked(s) {
			return st.path
		}
		passed = passed || st.path == current
	}
	return pathCheck
}

// before is the back link of a question: the previous question asked, or
// "check your answers" for someone changing an answer.
func (s *webSession) before(current string) string {
	if s.Reviewing {
		return pathCheck
	}
	prev := pathStart
	for _, st := range webSteps {
		if st.path == current {
			return prev
		}
		if st.asked(s) {
			prev = st.path
		}
	}
	return prev
}

// stepHandlers are each question's page (GET) and answer (POST).
func (w *Web) stepHandlers() map[string][2]sessionHandler {
	return map[string][2]sessionHandler{
		pathNeeds:      {w.showNeeds, w.saveNeeds},
		pathPostcode:   {w.showPostcode, w.savePostcode},
		pathTown:       {w.showTown, w.saveTown},
		pathFood:       {w.showFood, w.saveFood},
		pathHome:       {w.showHome, w.saveHome},
		pathName:       {w.showName, w.saveName},
		pathContact:    {w.showContact, w.saveContact},
		pathPreference: {w.showPreference, w.savePreference},
		pathConsent:    {w.showConsent, w.saveConsent},
	}
}

// saved stores the session and moves the client on, or shows the fault
// page when Redis fails.
func (w *Web) saved(rw http.ResponseWriter, r *http.Request, s *webSession, current string) {
	if err := w.saveSession(r.Context(), s); err != nil {
		w.unavailable(rw, r, err)
		return
	}
	http.Redirect(rw, r, s.after(current), http.StatusSeeOther)
}

// stepPage starts the data of a question page.
func (w *Web) stepPage(r *http.Request, s *webSession, current string) webPage {
	p := w.page(r, s)
	p.Back = s.before(current)
	return p
}
