package web

import (
	"net/url"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/flow"
)

// problemWords is the error a page shows for a problem the flow found
// with its answer (flow.Flow.Answer), in language code: the flow's words,
// unless they would name a rule the client did not break, when the page
// says what it wants instead.
//
//   - A phone refused because it is a country's the network does not
//     serve ("+234 …") or a helpline's (116 123, an 0800 number) says so
//     (core.PhoneRefusal; flow.contact.errors.phone_abroad, phone_helpline).
//
// The flow's error codes do not tell these apart; the words for them are
// looked up in the message files and the flow's own words stand where a
// file has none.
func (w *Web) problemWords(code string, st flow.Step, pr flow.Problem, form url.Values) string {
	typed := core.CleanLine(form.Get(pr.Field))
	id := ""
	switch {
	case pr.Field == "phone" && pr.Code == "phone":
		if why := core.PhoneRefusal(typed); why != "" {
			id = "flow." + st.ID + ".errors.phone_" + why
		}
	}
	if id != "" && w.cat.Has(lang.English, id) {
		return w.cat.Text(code, id)
	}
	return pr.Message
}
