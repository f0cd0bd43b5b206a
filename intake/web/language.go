package web

import (
	"cmp"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/flow"
)

// The form's pages speak the client's language: the one they chose with
// the switcher on every page (?lang=pl, kept in their answers, so a switch
// keeps what they said), else the one they chose before (the lang cookie,
// which outlives the answers' session), else the best match for their
// browser's Accept-Language. Links to Onward's own pages carry the page's
// language, so it follows the client off the form. Arabic and Urdu pages
// are right to left: the layout sets lang and dir, the stylesheet mirrors
// with logical properties, and phone numbers, postcodes and references
// stay left to right.

// langParam is the switcher's query parameter.
const langParam = "lang"

// switcherParam marks the switcher's links on the form's pages
// (?lang=en&switcher=1). A ?lang= naming the language the client's
// answers are in already is no choice when a link merely carries the
// page's language (webPage.Href: the check page's "Change" links, for a
// browser that asks for another language), but it is when the client
// picks it from the switcher: a client who said after "Other" that they
// speak Tigrinya, and then picks English, the language the form went
// on in, reads English (flow.Flow.ChooseLanguage).
const switcherParam = "switcher"

// langCookieMaxAge is how long a browser remembers a chosen language: long
// enough for a client to come back to the form, short enough that a
// shared computer soon forgets it.
const langCookieMaxAge = 30 * 24 * time.Hour

// pageLang is the page's language and the words it is written in.
type pageLang struct {
	lang.Language
	cat *lang.Catalogue
}

// langLink is one language in the switcher.
type langLink struct {
	Code, Name, Href string
	Current          bool
}

// requestLang decides a request's language, the one definition every
// page uses: the switcher's choice (?lang=), recorded on the session
// (saved by the caller's next save, or here for pages that only show);
// else the session's; else the lang cookie's; else the browser's. The
// switcher's link to the answers' own language (switcherParam) is a
// choice too when it changes something: it forgets a language given
// after "Other".
func (w *Web) requestLang(r *http.Request, s *webSession) string {
	if code, ok := w.chosenLang(r); ok {
		if s != nil && (s.Answers.Language != code || fromSwitcher(r) && s.Answers.SaidOtherLanguage()) {
			w.flow.ChooseLanguage(&s.Answers, code) // and forgets a language chosen after "Other"
			if err := w.saveSession(r.Context(), s); err != nil {
				w.log.Warn("web: language choice not saved", "err", err)
			}
		}
		return code
	}
	if s != nil && s.Answers.Language != "" {
		return w.cat.Code(s.Answers.Language)
	}
	if code, ok := w.rememberedLang(r); ok {
		return code
	}
	return w.browserLang(r)
}

// fromSwitcher reports whether the request came from a switcher link on
// the form's pages (switcherParam). The switcher's links are followed,
// never posted to: a POST (a refused cross-origin one, say, which must
// change nothing) is no choice however its address reads.
func fromSwitcher(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Query().Get(switcherParam) != ""
}

// chosenLang is the shipped language the request's ?lang= names.
func (w *Web) chosenLang(r *http.Request) (string, bool) {
	tag := r.URL.Query().Get(langParam)
	if tag == "" {
		return "", false
	}
	return w.cat.Chosen(tag)
}

// rememberedLang is the shipped language the lang cookie names.
func (w *Web) rememberedLang(r *http.Request) (string, bool) {
	c, err := r.Cookie(w.langCookie())
	if err != nil || c.Value == "" || len(c.Value) > 35 {
		return "", false
	}
	return w.cat.Chosen(c.Value)
}

// browserLang is the shipped language that best matches the browser's
// Accept-Language.
func (w *Web) browserLang(r *http.Request) string {
	return w.cat.Match(r.Header.Get("Accept-Language"))
}

// langCookie names the cookie that remembers a chosen language. It holds
// only a language code, nothing about the client; like the session's, it
// takes the __Host- prefix when Secure.
func (w *Web) langCookie() string {
	if w.secureCookies() {
		return "__Host-onward_lang"
	}
	return "onward_lang"
}

// secureCookies says whether cookies are marked Secure: always in
// production (Config.Secure), and whenever the public address is https.
func (w *Web) secureCookies() bool {
	return w.cfg.Secure || strings.HasPrefix(strings.ToLower(w.cfg.PublicURL), "https://")
}

// rememberLang keeps the language a request chose with ?lang= in the lang
// cookie, so the page stays in it after the form's session has expired
// (and on pages that have no session). A choice that is what the browser
// asks for anyway needs no cookie: an older one is deleted instead.
func (w *Web) rememberLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if code, ok := w.chosenLang(r); ok {
			old, had := w.rememberedLang(r)
			c := &http.Cookie{Name: w.langCookie(), Value: code, Path: "/", MaxAge: int(langCookieMaxAge / time.Second),
				HttpOnly: true, Secure: w.secureCookies(), SameSite: http.SameSiteLaxMode}
			switch {
			case code == w.browserLang(r):
				if had {
					c.Value, c.MaxAge = "", -1
					http.SetCookie(rw, c)
				}
			case !had || old != code:
				http.SetCookie(rw, c)
			}
		}
		next.ServeHTTP(rw, r)
	})
}

// langQuery carries the switcher's choice from a form's address to the
// page it lands on: "" when the request has none (or names no shipped
// language), else sep+"lang=pl".
func (w *Web) langQuery(r *http.Request, sep string) string {
	if code, ok := w.chosenLang(r); ok {
		return sep + langParam + "=" + url.QueryEscape(code)
	}
	return ""
}

// ownDataSharing is the network's data sharing address for a page in
// code: with ?lang= when it is Onward's own /data-sharing page (on the
// public address, or on the host the client reached), so the client reads
// what they agree to in their language; any other address as it is
// (flow.DataSharingURLIn, the rule the SMS follows too).
func (w *Web) ownDataSharing(r *http.Request, raw, code string) string {
	own := []string{r.Host}
	if pub, err := url.Parse(w.cfg.PublicURL); err == nil {
		own = append(own, pub.Host)
	}
	return flow.DataSharingURLIn(raw, code, own...)
}

// switcher lists the languages, each linking to this page in it. On the
// form's pages (form) each link says it is the switcher's
// (switcherParam).
func (w *Web) switcher(r *http.Request, current string, form bool) []langLink {
	var out []langLink
	for _, l := range w.cat.Languages() {
		q := r.URL.Query() // a directory search stays the same search in another language
		q.Set(langParam, l.Code)
		if form {
			q.Set(switcherParam, "1")
		}
		out = append(out, langLink{Code: l.Code, Name: l.Name, Href: r.URL.Path + "?" + q.Encode(), Current: l.Code == current})
	}
	return out
}

// T is the page's words for message id; args are key, value pairs for
// the message's template. A "Days" value also picks the message's plural
// form ("1 working day", "5 dni roboczych"). A message that fails to
// render fails the page (which tests prevent) rather than show a half
// sentence.
func (p webPage) T(id string, args ...any) (string, error) {
	return p.Lang.cat.RenderData(p.Lang.Code, id, messageData(args, false))
}

// H is T for a message that holds markup (its id ends in _html): the
// values are escaped, the message's own markup is kept. The message files
// are ours, so their markup is trusted. A "Phone" value also gives "Tel",
// its tel: link.
func (p webPage) H(id string, args ...any) (template.HTML, error) {
	s, err := p.Lang.cat.RenderData(p.Lang.Code, id, messageData(args, true))
	return template.HTML(s), err
}

// Need is a need's name in the page's language (the flow's own words
// for it).
func (p webPage) Need(n core.Need) string { return n.In(p.Lang.cat, p.Lang.Code) }

// Why is matching's reasons for an agency in the page's language, joined
// with sep.
func (p webPage) Why(rs core.MatchReasons, sep string) (string, error) {
	out, err := rs.In(p.Lang.cat, p.Lang.Code)
	return strings.Join(out, sep), err
}

// Date is a day the way the page's language writes it ("14 marca 2027").
func (p webPage) Date(t time.Time) string { return lang.Date(p.Lang.Code, t) }

// Needs is Need for a list, joined with commas.
func (p webPage) Needs(ns []core.Need) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = p.Need(n)
	}
	return strings.Join(out, ", ")
}

// Km prints a distance in metres as kilometres to one place ("2.3"; at
// least "0.1"), with the decimal comma of the languages that write one.
func (p webPage) Km(metres *float64) string {
	if metres == nil {
		return ""
	}
	s := strconv.FormatFloat(max(*metres, 100)/1000, 'f', 1, 64)
	if p.Lang.Code == "pl" || p.Lang.Code == "uk" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func messageData(args []any, escape bool) map[string]any {
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		k, _ := args[i].(string)
		v := args[i+1]
		if s, ok := v.(string); ok {
			if k == "Phone" {
				data["Tel"] = string(telURL(s))
			}
			if escape {
				v = html.EscapeString(s)
			}
		}
		data[k] = v
	}
	return data
}

// languageName is the name of the language a service offers help in (an
// ISO 639-1 code), in the page's language: the directory's own English
// names (html/directory/languages.yaml) on an English page, CLDR's names
// (golang.org/x/text/language/display) on others ("Języki: angielski,
// polski"). A code neither knows is shown as the code.
func (w *Web) languageName(code, page string) string {
	english := w.pages.languages[code]
	if page == "" || page == lang.English {
		if english != "" {
			return english
		}
		return code
	}
	tag, err := language.Parse(code)
	pageTag, pageErr := language.Parse(page)
	if err != nil || pageErr != nil {
		return cmp.Or(english, code)
	}
	if name := display.Languages(pageTag).Name(tag); name != "" {
		return name
	}
	return cmp.Or(english, code)
}
