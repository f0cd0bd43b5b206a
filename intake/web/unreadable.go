package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/onward-network/onward/core"
)

// refuseAnswer answers a question's page posted with characters
// PostgreSQL cannot store (a NUL, invalid UTF-8: often pasted from
// another program), which the server's edge refused before any handler
// (Refuse): as the page answers any other refused answer, with the
// question again (400), an error beside each box that held them, naming
// it, and what was typed shown back without them. Nothing is saved. It
// reports false, having written nothing, for any other request (another
// page, no session or a wrong token, a sent request, a field that is not
// one of the page's boxes): Refuse's page answers those.
func (w *Web) refuseAnswer(rw http.ResponseWriter, r *http.Request) bool {
	page, ok := strings.CutPrefix(r.URL.Path, pathStart+"/")
	if r.Method != http.MethodPost || !ok || page == "" || strings.Contains(page, "/") || !core.Storable(page) {
		return false
	}
	r.Body = http.MaxBytesReader(rw, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return false
	}
	s, _, err := w.loadSession(r.Context(), r)
	if err != nil || s.Submitted || !tokenEqual(r.PostForm.Get(fieldCSRF), s.CSRF) {
		return false
	}
	code := w.requestLang(r, s)
	if _, ok := w.flow.In(code).PageStep(page); !ok {
		return false
	}
	r.SetPathValue("page", page)
	st, _, consent, ok := w.stepRequest(rw, r, s)
	if !ok {
		return true // it has answered: the database did not
	}
	labels := map[string]string{st.Field: st.Label, "phone": w.cat.Text(code, "web.phone_label"), "email": w.cat.Text(code, "web.email_label")}
	shown := url.Values{}
	var errs []formError
	for _, in := range []string{st.Field, "phone", "email"} {
		named := false
		for _, v := range r.PostForm[in] {
			if !core.Storable(v) && !named {
				named = true
				msg, err := w.cat.RenderData(code, "web.unreadable_field", map[string]any{"Label": labels[in]})
				if err != nil {
					w.log.Error("web: render the unreadable answer's words", "lang", code, "err", err)
					return false
				}
				errs = append(errs, formError{Field: in, Message: msg})
			}
			shown.Add(in, readable(v))
		}
	}
	for key, vs := range r.PostForm {
		if _, ok := labels[key]; ok {
			continue
		}
		for _, v := range vs {
			if !core.Storable(key) || !core.Storable(v) {
				return false // not a box the client typed in: nothing to name
			}
		}
	}
	if len(errs) == 0 {
		return false
	}
	w.renderRefused(rw, r, s, st, consent, errs, shown)
	return true
}

// readable is what can be shown of s: without NULs, and without bytes
// that are not UTF-8.
func readable(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "")
}
