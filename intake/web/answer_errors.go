package web

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/intake/flow"
)

// problemWords is the error a page shows for a problem the flow found
// with its answer (flow.Flow.Answer), in language code: the flow's words,
// unless they would name a rule the client did not break, when the page
// says what it wants instead.
//
//   - A name or town that was typed but refused for no reason the flow
//     names (a greeting, "no", words about how the client feels) is not
//     "in 60 characters or fewer" when it fits them, nor "Enter your
//     name" as if the box were empty: it is the step's "unclear" words
//     (flow.<step>.errors.unclear), which ask for just the name.
//   - A phone refused because it is another country's ("+48 …") or a
//     helpline's (116 123, an 0800 number) says so
//     (flow.contact.errors.phone_abroad, phone_helpline).
//
// The flow's error codes do not tell these apart; the words for them are
// looked up in the message files and the flow's own words stand where a
// file has none.
func (w *Web) problemWords(code string, st flow.Step, pr flow.Problem, form url.Values) string {
	typed := core.CleanLine(form.Get(pr.Field))
	id := ""
	switch {
	case (st.Type == flow.AnswerText || st.Type == flow.AnswerTown) && pr.Field == st.Field &&
		(pr.Code == "invalid" || pr.Code == "required") && strings.TrimSpace(typed) != "" &&
		(st.MaxLen <= 0 || utf8.RuneCountInString(typed) <= st.MaxLen):
		id = "flow." + st.ID + ".errors.unclear"
	case pr.Field == "phone" && pr.Code == "phone":
		if why := phoneRefusal(typed); why != "" {
			id = "flow." + st.ID + ".errors.phone_" + why
		}
	}
	if id != "" && w.cat.Has(lang.English, id) {
		return w.cat.Text(code, id)
	}
	return pr.Message
}

// phoneRefusal says why a phone number core refused (core.ParsePhone)
// was refused, when the client can be told something more useful than
// "enter a UK phone number": "abroad" for a number of another country,
// "helpline" for a UK short number (116 123, 999, 111) or a freephone,
// shared-cost or premium one (0800, 0345, 09…), which is a service's,
// not a person's. "" for anything else (a digit short, letters). It only
// picks the words: whether a number is taken is core's to say.
func phoneRefusal(typed string) string {
	n, err := phonenumbers.Parse(typed, "GB")
	if err != nil {
		return ""
	}
	if n.GetCountryCode() != 44 {
		if phonenumbers.IsValidNumber(n) {
			return "abroad"
		}
		return ""
	}
	if !strings.HasPrefix(strings.TrimSpace(typed), "+") && phonenumbers.IsValidShortNumberForRegion(n, "GB") {
		return "helpline"
	}
	if phonenumbers.IsValidNumberForRegion(n, "GB") {
		switch phonenumbers.GetNumberType(n) {
		case phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.UAN:
			return "helpline"
		}
	}
	return ""
}
