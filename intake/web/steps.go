package web

import (
	"net/http"
	"net/url"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// The web form asks the self-referral's questions one page each, at
// /refer/{page}: the steps of the flow file, in the flow file's order and
// branches, shown by one template (web/step) and answered through
// flow.Answer — the parsers and rules the SMS conversation uses. A
// question added to the flow file is a new page here with no Go change.
const (
	pathStart = "/refer"
	pathNew   = "/refer/new"
	pathCheck = "/refer/check"
	pathDone  = "/refer/done"
	pathText  = "/refer/text"
)

// areaExample is the network's example postcode and town for hints
// (flow.AreaExampleOf). Without its districts a hint gives no example
// rather than fail the page.
func (w *Web) areaExample(r *http.Request) flow.AreaExample {
	ds, err := w.engine.Districts(r.Context())
	if err != nil {
		w.log.Warn("postcode districts for the hint's example", "err", err)
		return flow.AreaExample{}
	}
	return flow.AreaExampleOf(ds)
}

// stepPath is a question's page.
func stepPath(st flow.Step) string { return "/refer/" + st.Page }

// firstMissing is the page of the first question on the client's way not
// yet answered, "" when all are.
func (w *Web) firstMissing(s *webSession) string {
	if st, ok := w.flow.Next(s.Answers, core.ChannelWeb); ok {
		return stepPath(st)
	}
	return ""
}

// after is where a client goes once a question is answered: the next
// question on their way, or back to "check your answers" when they came
// from there (via any question they have not answered yet).
func (w *Web) after(s *webSession, id string) string {
	if s.Reviewing {
		if m := w.firstMissing(s); m != "" {
			return m
		}
		return pathCheck
	}
	if st, ok := w.flow.After(s.Answers, core.ChannelWeb, id); ok {
		return stepPath(st)
	}
	return pathCheck
}

// before is the back link of a question: the previous question asked, or
// "check your answers" for someone changing an answer.
func (w *Web) before(s *webSession, id string) string {
	if s.Reviewing {
		return pathCheck
	}
	if prev, ok := w.flow.Step(w.flow.Previous(s.Answers, core.ChannelWeb, id)); ok {
		return stepPath(prev)
	}
	return pathStart
}

// stepData is what web/step shows besides the question itself.
type stepData struct {
	Step     flow.Step
	Selected map[string]bool // the choices ticked
	Consent  consentData     // for the consent question
}

// consentData is the wording shown.
type consentData struct {
	Version string
	Body    string
	Lang    string // the wording's language: the page's, or English when the network has no translation
}

// stepRequest is the question a request's page asks, with the flow bound
// to the consent wording a consent question shows: the one core publishes
// now. Any question can be opened, as a link or the back button may lead
// there; an answer to one that only a branch leads to (the town) takes
// that branch. ok is false when the request has had its answer already:
// no such page, or the database failed.
//
// The flow speaks the page's language: the question, its choices and
// its error messages, and the consent wording is the network's
// translation in that language (the English when it has none). The
// choices of how to be contacted are those the client's details allow
// (offeredWays).
func (w *Web) stepRequest(rw http.ResponseWriter, r *http.Request, s *webSession) (st flow.Step, f *flow.Flow, consent consentData, ok bool) {
	code := w.requestLang(r, s)
	if s.Answers.Language == "" {
		s.Answers.Language = code // the language they answer in, kept with the answers
	}
	f = w.flow.In(code)
	st, ok = f.PageStep(r.PathValue("page"))
	if !ok {
		w.notFound(rw, r)
		return st, nil, consent, false
	}
	st.Hint = f.Hint(st.ID, w.areaExample(r))
	st = offeredWays(st, f, s.Answers)
	if st.Type != flow.AnswerConsent {
		return st, f, consent, true
	}
	current, err := w.engine.CurrentConsentWording(r.Context())
	if err != nil {
		w.unavailable(rw, r, err)
		return st, nil, consent, false
	}
	wording, err := w.engine.ConsentWordingIn(r.Context(), current.Version, code)
	if err != nil {
		w.unavailable(rw, r, err)
		return st, nil, consent, false
	}
	consent = consentData{Version: wording.Version, Body: wording.Body, Lang: wording.Language}
	return st, f.WithConsentVersion(wording.Version), consent, true
}

func (w *Web) showStep(rw http.ResponseWriter, r *http.Request, s *webSession) {
	st, f, consent, ok := w.stepRequest(rw, r, s)
	if !ok {
		return
	}
	p := w.page(r, s)
	if !w.takeNotice(rw, r, s, &p) {
		return
	}
	p.Back = w.before(s, st.ID)
	values, selected := f.Form(s.Answers, st.ID)
	p.Form = formValues(values)
	p.Data = stepData{Step: st, Selected: selected, Consent: consent}
	w.render(rw, r, http.StatusOK, "web/step", p)
}

func (w *Web) saveStep(rw http.ResponseWriter, r *http.Request, s *webSession) {
	st, f, consent, ok := w.stepRequest(rw, r, s)
	if !ok {
		return
	}
	problems := f.Answer(&s.Answers, st.ID, r.PostForm)
	// Words about danger from someone, in any box, get the domestic
	// abuse helpline from now on, as a text would (crisisWords); the
	// answers keep self-harm words themselves.
	if f.DetectCrisis(core.CleanLine(r.PostForm.Get(st.Field))).Danger {
		s.Danger = true
	}
	if problems == nil {
		w.noticeArea(r, s, st)
		w.savedTo(rw, r, s, w.after(s, st.ID))
		return
	}
	// Crisis words typed in a refused answer still count: keep them.
	if err := w.saveSession(r.Context(), s); err != nil {
		w.unavailable(rw, r, err)
		return
	}
	code := w.requestLang(r, s)
	if code != f.Lang {
		// The answer moved the client to another language (words of
		// self-harm in it): the question is asked again in that one, not
		// in the page's old language inside the new one's page.
		if st, _, consent, ok = w.stepRequest(rw, r, s); !ok {
			return
		}
	}
	var errs []formError
	for _, pr := range problems {
		errs = append(errs, formError{Field: pr.Field, Message: w.problemWords(code, st, pr, r.PostForm)})
	}
	w.renderRefused(rw, r, s, st, consent, errs, r.PostForm)
}

// renderRefused shows question st again with errs (400), and what was
// typed in form shown back; a refused agreement is asked again unticked.
func (w *Web) renderRefused(rw http.ResponseWriter, r *http.Request, s *webSession, st flow.Step, consent consentData, errs []formError, form url.Values) {
	p := w.page(r, s)
	p.Back = w.before(s, st.ID)
	p.Errors = errs
	selected := map[string]bool{}
	for _, v := range form[st.Field] {
		selected[v] = true
	}
	for _, in := range []string{st.Field, "phone", "email"} {
		p.Form[in] = core.CleanLine(form.Get(in))
	}
	if st.Type == flow.AnswerConsent {
		p.Form[st.Field] = ""
	}
	p.Data = stepData{Step: st, Selected: selected, Consent: consent}
	w.render(rw, r, http.StatusBadRequest, "web/step", p)
}
