package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/nyaruka/phonenumbers"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// webPages is every page template, each parsed with the shared layout, and
// the words Go code needs (error messages, language names).
type webPages struct {
	pages     map[string]*template.Template // "web/needs" → layout + page
	messages  map[string]map[string]string  // field → rule → message
	languages map[string]string             // ISO 639-1 → name
	static    fs.FS
}

// Page folders and shared files under templates/html.
const (
	layoutGlob  = "html/layout*.html"
	pageFolders = "web directory"
)

func loadWebPages() (*webPages, error) {
	p := &webPages{pages: map[string]*template.Template{}}
	base, err := template.New("layout").Funcs(webFuncs).ParseFS(templates.FS, layoutGlob)
	if err != nil {
		return nil, fmt.Errorf("web pages: layout: %w", err)
	}
	for _, folder := range strings.Fields(pageFolders) {
		files, err := fs.Glob(templates.FS, "html/"+folder+"/*.html")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			t, err := base.Clone()
			if err != nil {
				return nil, err
			}
			if _, err := t.ParseFS(templates.FS, f); err != nil {
				return nil, fmt.Errorf("web pages: %s: %w", f, err)
			}
			for _, block := range []string{"title", "main"} {
				if t.Lookup(block) == nil {
					return nil, fmt.Errorf("web pages: %s defines no %q block", f, block)
				}
			}
			p.pages[folder+"/"+strings.TrimSuffix(path.Base(f), ".html")] = t
		}
	}
	if err := readYAML("html/web/messages.yaml", &p.messages); err != nil {
		return nil, err
	}
	if err := readYAML("html/directory/languages.yaml", &p.languages); err != nil {
		return nil, err
	}
	if p.static, err = fs.Sub(templates.FS, "html/static"); err != nil {
		return nil, err
	}
	return p, nil
}

func readYAML(name string, dst any) error {
	b, err := fs.ReadFile(templates.FS, name)
	if err != nil {
		return fmt.Errorf("web pages: %w", err)
	}
	if err := yaml.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("web pages: %s: %w", name, err)
	}
	return nil
}

// message returns the words for a field's broken rule. A missing message
// is a bug in messages.yaml; tests check every rule has one.
func (p *webPages) message(field, rule string) string {
	if m := p.messages[field][rule]; m != "" {
		return m
	}
	if m := p.messages[field]["default"]; m != "" {
		return m
	}
	return "Check this answer"
}

// webFuncs are the helpers page templates use.
var webFuncs = template.FuncMap{
	"needLabel": func(n core.Need) string { return n.Label() },
	"tel":       telURL,
	"phone":     displayPhone,
	"hasNeed": func(ns []core.Need, n core.Need) bool {
		for _, x := range ns {
			if x == n {
				return true
			}
		}
		return false
	},
	"join":  strings.Join,
	"lower": strings.ToLower,
}

// telURL makes a tel: link from a phone number as printed ("0800 000 0000",
// "116 123"). html/template refuses tel: URLs it cannot check, so only
// digits and a leading + get through.
func telURL(number string) template.URL {
	var b strings.Builder
	for i, r := range number {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return template.URL("tel:" + b.String())
}

// displayPhone prints an E.164 number the way people in the UK write it.
func displayPhone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "GB")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(n, phonenumbers.NATIONAL)
}

// webPage is what every page template gets.
type webPage struct {
	Network core.Network
	CSRF    string // form token; "" on pages without forms
	Back    string // the back link, "" for none
	Crisis  bool   // show the crisis help panel
	// SelfHarmLead and DangerLine are what the text channel answers words
	// about self-harm and danger with, for the crisis panel, when the
	// client typed such words (crisisWords); "" otherwise.
	SelfHarmLead string
	DangerLine   template.HTML
	Errors       []formError // the error summary, in page order
	Notice       string      // a one-off notice, e.g. "expired"
	SMS          *smsOption  // "continue by text message", nil when off
	Form         formValues  // values to show in the inputs
	NoIndex      bool        // keep search engines off personal pages
	Data         any         // the page's own data
	// Lang is the page's language (lang and dir, and its words: T, H);
	// Languages is the switcher, nil on pages only in English.
	Lang      pageLang
	Languages []langLink
	// LangQuery is "?lang=pl" when the switcher chose the language, for
	// a form's address to keep it; "" otherwise.
	LangQuery string
	// OtherLanguage is the link "My language is not listed" beside the
	// switcher on the form's pages; "" elsewhere.
	OtherLanguage string
	// carryLang says links to Onward's own pages must name the page's
	// language: it is not the one the browser asks for.
	carryLang bool
}

// Href is the address of one of Onward's own pages (a path) in this
// page's language, so a link off the form keeps the language the client
// reads: "/privacy?lang=ar". A page in the browser's own language needs
// no ?lang: the page linked to picks the same.
func (p webPage) Href(path string) string {
	if !p.carryLang {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + langParam + "=" + url.QueryEscape(p.Lang.Code)
}

// English is this page's address in English, for the "translation is
// new" notice.
func (p webPage) English() string {
	for _, l := range p.Languages {
		if l.Code == lang.English {
			return l.Href
		}
	}
	return "?lang=en"
}

// formError is one problem with an answer: the input it belongs to (for
// the error summary link) and what to do about it.
type formError struct {
	Field   string // the input's id
	Href    string // where the summary links; "#"+Field when empty
	Message string
}

// ErrorFor returns the message for an input, or "".
func (p webPage) ErrorFor(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// formValues holds submitted or saved answers to show again.
type formValues map[string]string

// Get returns the value for an input.
func (f formValues) Get(name string) string { return f[name] }

// render writes a page with status, or the plain fault page if the
// template fails (which tests prevent).
func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, name string, p webPage) {
	t := w.pages.pages[name]
	if t == nil {
		w.log.Error("web page missing", "page", name)
		w.plainFault(rw)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		w.log.Error("render web page", "page", name, "err", err)
		w.plainFault(rw)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept-Language, Cookie") // a page's words follow the browser's languages, or the one chosen
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	rw.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = rw.Write(buf.Bytes())
	}
}

// plainFault is the last resort when even the fault page cannot render.
func (w *Web) plainFault(rw http.ResponseWriter) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.WriteHeader(http.StatusInternalServerError)
	_, _ = rw.Write([]byte("Sorry, something went wrong. Please try again later.\n"))
}

// static serves the stylesheet (and any other file under html/static).
func (w *Web) static(rw http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(w.pages.static, name)
	if err != nil || strings.Contains(name, "/") {
		w.notFound(rw, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		rw.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		rw.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".svg":
		rw.Header().Set("Content-Type", "image/svg+xml")
	default:
		rw.Header().Set("Content-Type", "application/octet-stream")
	}
	rw.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = rw.Write(b)
}
