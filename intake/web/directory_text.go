package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"text/template"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/templates"
)

// serviceTextTemplate is the words of "text me this service".
var serviceTextTemplate = template.Must(template.ParseFS(templates.FS, "html/directory/service_text.txt"))

// DefaultDirectorySMSPerDay is ONWARD_DIRECTORY_SMS_PER_DAY's default.
const DefaultDirectorySMSPerDay = 5

// textService sends a service's name, phone, address and hours to the
// number typed, as one text through the outbox. It is limited per number
// and per IP each day, so the button cannot be used to flood a phone or
// run up the network's bill; the number is never in an address or a log.
func (w *Web) textService(rw http.ResponseWriter, r *http.Request) {
	if !w.readForm(rw, r) {
		return
	}
	s, err := w.engine.ServiceByUUID(r.Context(), r.PathValue("id"))
	if err != nil {
		w.directoryPageError(rw, r, err)
		return
	}
	phone, err := core.ParsePhone(r.PostForm.Get("phone"))
	if err != nil || !strings.HasPrefix(string(phone), "+447") {
		w.renderService(rw, r, s, http.StatusBadRequest, []formError{w.directoryError(r, "phone", "mobile")}, false)
		return
	}
	perDay := w.cfg.DirectorySMSPerDay
	if perDay <= 0 {
		perDay = DefaultDirectorySMSPerDay
	}
	limit := redis_rate.Limit{Rate: perDay, Burst: perDay, Period: 24 * time.Hour}
	ph := sha256.Sum256([]byte("directory-text:" + string(phone)))
	for _, key := range []string{w.rateKey(r) + ":text", w.cfg.KeyPrefix + "web:text:" + hex.EncodeToString(ph[:12])} {
		res, err := w.limiter.Allow(r.Context(), key, limit)
		if err != nil {
			w.unavailable(rw, r, err) // without Redis there is no limit, so no text
			return
		}
		if res.Allowed == 0 {
			w.renderService(rw, r, s, http.StatusTooManyRequests, []formError{w.directoryError(r, "phone", "texts_limit")}, false)
			return
		}
	}
	a, err := w.engine.Agency(r.Context(), s.AgencyID)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	n, _ := w.network(r)
	var body bytes.Buffer
	code := w.requestLang(r, nil) // the text is in the page's language
	if err := serviceTextTemplate.Execute(&body, map[string]any{"Service": s, "Agency": a, "Network": n,
		"PhoneLabel": w.cat.Text(code, "directory.sms_phone"), "AddressLabel": w.cat.Text(code, "directory.sms_address"),
		"OpenLabel": w.cat.Text(code, "directory.sms_open"),
		"Link":      strings.TrimRight(w.cfg.PublicURL, "/") + pathDirectory + "/services/" + s.UUID}); err != nil {
		w.unavailable(rw, r, err)
		return
	}
	if err := w.engine.TextService(r.Context(), phone, strings.TrimSpace(body.String()), w.engine.DirectoryTextKey(phone, s.UUID)); err != nil {
		w.unavailable(rw, r, err)
		return
	}
	http.Redirect(rw, r, pathDirectory+"/services/"+s.UUID+"?sent=1"+w.langQuery(r, "&")+"#text-me", http.StatusSeeOther)
}
