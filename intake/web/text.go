package web

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/onward-network/onward/core"
)

// smsOption is "continue by text message": the network's SMS number and a
// link that opens the phone's messages app with a first message written.
// The client sends it, so the SMS conversation starts from their phone
// exactly as if they had typed it; nothing is sent before they choose to.
type smsOption struct {
	Number string       // as people write it, "07700 900000"
	Href   template.URL // sms:+447700900000?&body=…
	// HelpKeyword is the HELP keyword as the page's language names it
	// ("POMOC"), the word its texts name too.
	HelpKeyword string
}

// smsOption is the option for a page in language code: the first message
// is written in it (web.start.sms_link_body), so the conversation starts
// in the language the client was reading.
func (w *Web) smsOption(code string) *smsOption {
	// Only a number that parses reaches the page and its sms: link.
	p, err := core.ParsePhone(w.cfg.SMSNumber)
	if err != nil {
		return nil
	}
	e164 := string(p)
	// "?&body=" is the form both iOS and Android read.
	body := url.PathEscape(w.cat.Text(code, "web.start.sms_link_body"))
	help, _ := w.flow.In(code).KeywordKeys()["HelpKeyword"].(string)
	return &smsOption{Number: displayPhone(e164), Href: template.URL("sms:" + e164 + "?&body=" + body), HelpKeyword: help}
}

// textInstead explains how to answer the same questions by text message.
func (w *Web) textInstead(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, nil)
	sms := w.smsOption(p.Lang.Code)
	if sms == nil {
		w.notFound(rw, r)
		return
	}
	p.Back = pathStart
	p.SMS = sms
	w.render(rw, r, http.StatusOK, "web/text", p)
}
