package web

import (
	"html"
	"html/template"
	"regexp"
	"strings"

	"github.com/onward-network/onward/core"
)

// What the form says to a client who types words about suicide or
// self-harm, or about danger from someone, in any box: what the text
// channel says to them (the flow's Messages.SelfHarm and Messages.Danger,
// found by the flow's crisis detection), in the crisis panel every page
// then shows. The panel lists 999, Samaritans, NHS 24 and the network's
// own lines itself, so the messages are rendered saying those are given:
// self-harm's is then its first words ("You don't have to cope alone."),
// danger's the domestic abuse helpline alone.

// crisisWords are the panel's additions for a client who wrote about
// self-harm (lead, above the list) or danger (line, in the list after
// 999), in language code; "" for what they did not write about. A
// message that fails to render is left out and logged (the panel's
// list still stands): tests render every language's.
func (w *Web) crisisWords(n core.Network, code string, selfHarm, danger bool) (lead string, line template.HTML) {
	f := w.flow.In(code)
	data := map[string]any{"Network": n.Name, "Helpline": n.Phone, "Hours": n.OpeningHours,
		// The panel gives these: the messages leave them out.
		"CrisisSamaritans": true, "CrisisEmergency": true, "CrisisLines": "", "WithCrisisLines": true}
	if selfHarm && f.Messages.SelfHarm != "" {
		s, err := w.cat.RenderText(code, f.Messages.SelfHarm, data)
		if err != nil {
			w.log.Error("web: render the self-harm words", "message", f.Messages.SelfHarm, "lang", code, "err", err)
		}
		lead = strings.TrimSpace(s)
	}
	if danger && f.Messages.Danger != "" {
		s, err := w.cat.RenderText(code, f.Messages.Danger, data)
		if err != nil {
			w.log.Error("web: render the danger words", "message", f.Messages.Danger, "lang", code, "err", err)
		}
		line = telLinks(strings.TrimSpace(s))
	}
	return lead, line
}

// ukNumberRe finds a phone number written in a sentence the UK way
// ("0800 027 1234", "0808 801 0302").
var ukNumberRe = regexp.MustCompile(`\b0\d{3} ?\d{3} ?\d{3,4}\b`)

// telLinks is text, escaped, with every UK phone number in it a tel:
// link, left to right in a right-to-left sentence as the page's other
// numbers are.
func telLinks(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range ukNumberRe.FindAllStringIndex(text, -1) {
		b.WriteString(html.EscapeString(text[last:m[0]]))
		num := text[m[0]:m[1]]
		b.WriteString(`<a href="` + string(telURL(num)) + `" dir="ltr">` + html.EscapeString(num) + `</a>`)
		last = m[1]
	}
	b.WriteString(html.EscapeString(text[last:]))
	return template.HTML(b.String())
}
