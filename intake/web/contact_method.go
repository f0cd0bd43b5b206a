package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// contactMethodField is the answer that says how the client wants an
// adviser to get in touch.
const contactMethodField = "contact_method"

// offeredWays leaves out of the question of how to be contacted the ways
// the client's details cannot serve now (email, with no email address),
// so the page offers only what can be chosen: by core's rule
// (core.ContactProblems), the one every way of referring a client keeps
// and the one that refuses such a request when it is sent. The details
// are the ones the request would carry (flow.SelfReferral). A way is left
// out only when choosing it adds a problem, so a page opened before the
// contact details were given still offers every way; and were every way
// left out, the question would be shown whole rather than empty. Any
// other question is shown as the flow has it.
func offeredWays(st flow.Step, f *flow.Flow, a flow.Answers) flow.Step {
	if st.Field != contactMethodField {
		return st
	}
	details := f.SelfReferral(a, flow.Origin{Channel: core.ChannelWeb}).Client
	details.PreferredContact = ""
	before := len(core.ContactProblems(details))
	offered := slices.DeleteFunc(slices.Clone(st.Choices), func(c flow.Choice) bool {
		d := details
		d.PreferredContact = c.Value
		return len(core.ContactProblems(d)) > before
	})
	if len(offered) > 0 {
		st.Choices = offered
	}
	return st
}

// noAddressForEmail is the words for core's refusal f when it is of email
// chosen as the way of contact with no email address (core.ContactProblems
// names the email field, and the client gave none): the contact method
// question's own words for it, in the client's language, which say where
// to give one or what to choose instead. "" for any other refusal, which
// keeps its general words ("check the email address you gave").
func (w *Web) noAddressForEmail(r *http.Request, s *webSession, f core.FieldError) string {
	if f.Field != "client.email address" || strings.TrimSpace(s.Answers.Email) != "" {
		return ""
	}
	st, ok := w.flow.FieldStep(contactMethodField)
	if !ok {
		return ""
	}
	return w.flow.In(w.requestLang(r, s)).Message(st.ID, "needs_email")
}
