package web

import (
	"io/fs"
	"net/http"
)

// robotsTxt lets search engines index the public directory and keeps
// them off the form, the staff pages and everything else that is
// personal or changes state.
const robotsTxt = `User-agent: *
Allow: /directory
Allow: /openreferral/
Disallow: /refer
Disallow: /r/
Disallow: /staff
Disallow: /dev/
Disallow: /twilio/
Disallow: /slack/
`

// siteRoutes adds the files every site is asked for: robots.txt and the
// favicon (browsers ask for /favicon.ico on every page; a missing one is
// a console error), the root, and noRoute for every address nobody else
// serves.
func (w *Web) siteRoutes(h func(string, http.HandlerFunc), noRoute http.HandlerFunc) {
	h("GET /robots.txt", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = rw.Write([]byte(robotsTxt))
	})
	favicon := func(rw http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(w.pages.static, "favicon.svg")
		if err != nil {
			w.notFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "image/svg+xml")
		rw.Header().Set("Cache-Control", "public, max-age=86400")
		_, _ = rw.Write(b)
	}
	h("GET /favicon.svg", favicon)
	h("GET /favicon.ico", favicon)
	h("GET /accessibility", w.staticPage("directory/accessibility"))
	h("GET /privacy", w.privacy)
	h("GET /{$}", w.home)
	// Every address nobody else serves gets the site's own 404 page, or
	// a 405 where only the method is wrong.
	h("/", noRoute)
}

// staticPage serves a page of words in the site's layout.
func (w *Web) staticPage(name string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		p := w.page(r, nil)
		p.NoIndex = false
		rw.Header().Set("Cache-Control", "public, max-age=300")
		w.render(rw, r, http.StatusOK, name, p)
	}
}
