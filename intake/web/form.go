package web

import (
	"errors"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// maxFormBytes caps a form POST: ten times the longest answer anyone
// needs, so a 10,000-character paste gets a friendly message, not a crash.
const maxFormBytes = 64 << 10

// Form field names shared by every form.
const (
	fieldCSRF     = "csrf"
	fieldHoneypot = "website" // hidden from people; bots fill it in
)

// sessionHandler serves a request that belongs to a session.
type sessionHandler func(rw http.ResponseWriter, r *http.Request, s *webSession)

// session loads the request's form session and hands it to h. Without one
// (never started, or expired) it starts a fresh one at the start page.
// POSTs must carry the session's CSRF token; a filled honeypot marks the
// session as a bot's. Once a request is sent, every form page leads to
// its confirmation, so back, refresh and resubmit create nothing twice.
func (w *Web) session(h sessionHandler) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		s, hadCookie, err := w.loadSession(ctx, r)
		if errors.Is(err, errNoSession) {
			s, err = w.newSession(rw)
			if err == nil {
				if hadCookie {
					s.Notice = "expired"
				}
				err = w.saveSession(ctx, s)
			}
			if err != nil {
				w.unavailable(rw, r, err)
				return
			}
			http.Redirect(rw, r, pathStart, http.StatusSeeOther)
			return
		}
		if err != nil {
			w.unavailable(rw, r, err)
			return
		}
		if r.Method == http.MethodPost {
			if !w.readSessionForm(rw, r, s) {
				return
			}
			if r.PostForm.Get(fieldHoneypot) != "" && !s.Bot {
				s.Bot = true
				if err := w.saveSession(ctx, s); err != nil {
					w.unavailable(rw, r, err)
					return
				}
			}
		}
		if s.Submitted && r.URL.Path != pathDone && r.URL.Path != pathNew {
			http.Redirect(rw, r, pathDone, http.StatusSeeOther)
			return
		}
		h(rw, r, s)
	}
}

// page starts a page's data with what every form page shows.
func (w *Web) page(r *http.Request, s *webSession) webPage {
	n, _ := w.network(r)
	code := w.requestLang(r, s)
	l, _ := w.cat.Language(code)
	// The pages' words show .Network.OpeningHours: the hours in the
	// page's language, as the SMS help text gives them.
	n.OpeningHours = n.OpeningHoursIn(l.Code)
	// Links to Onward's own pages carry the page's language when the
	// browser would not pick it (webPage.Href); so does
	// .Network.DataSharingURL, when it is Onward's own page, and always
	// in a language other than English, as the SMS gives it: what the
	// client agrees to opens in their language wherever the link is
	// opened (a remembered choice, another browser).
	carry := l.Code != w.browserLang(r)
	if carry || l.Code != lang.English {
		n.DataSharingURL = w.ownDataSharing(r, n.DataSharingURL, l.Code)
	}
	p := webPage{Network: n, NoIndex: true, Form: formValues{}, Lang: pageLang{Language: l, cat: w.cat},
		Languages: w.switcher(r, code, s != nil), LangQuery: w.langQuery(r, "?"), carryLang: carry}
	if s != nil {
		p.CSRF = s.CSRF
		p.Crisis = s.crisis() || s.Crisis
		if s.Answers.SelfHarm || s.Danger {
			p.SelfHarmLead, p.DangerLine = w.crisisWords(n, l.Code, s.Answers.SelfHarm, s.Danger)
		}
		if !s.Submitted && strings.HasPrefix(r.URL.Path, pathStart) {
			p.OtherLanguage = pathOtherLanguage
		}
	}
	return p
}

// newWebValidator checks page inputs: the `form` tag names each field as
// its input, so errors map straight to the error summary's links.
func newWebValidator() (*validator.Validate, error) {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string { return f.Tag.Get("form") })
	for tag, fn := range map[string]validator.Func{
		"need": func(fl validator.FieldLevel) bool { return core.Need(fl.Field().String()).Valid() },
	} {
		if err := v.RegisterValidation(tag, fn); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// check validates a page's input and returns one error per field, worded
// from messages.yaml.
func (w *Web) check(in any) []formError {
	err := w.validate.Struct(in)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return []formError{{Message: w.pages.message("form", "default")}}
	}
	var out []formError
	seen := map[string]bool{}
	for _, fe := range ves {
		field, _, _ := strings.Cut(fe.Field(), "[")
		if seen[field] {
			continue
		}
		seen[field] = true
		out = append(out, formError{Field: field, Message: w.pages.message(field, fe.Tag())})
	}
	return out
}

// fieldError is one message from messages.yaml for a check the page makes
// itself.
func (w *Web) fieldError(field, rule string) formError {
	return formError{Field: field, Message: w.pages.message(field, rule)}
}
