package web

import (
	"html"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// Each question's bad answers get the error summary, naming the field with
// a link to it and saying how to fix it; the answer is not saved and
// nothing reaches the database.
func TestWebInvalidAnswers(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	long := strings.Repeat("a", 10000)
	cases := []struct {
		name   string
		path   string
		values url.Values
		field  string // the input the summary links to
		want   string // step id and problem code: the flow file's words for it
	}{
		{"no need", pathNeeds, url.Values{}, "needs", "needs.required"},
		{"unknown need", pathNeeds, url.Values{"needs": {"astrology"}}, "needs", "needs.invalid"},
		{"one unknown need among good ones", pathNeeds, url.Values{"needs": {"debt", "astrology"}}, "needs", "needs.invalid"},
		{"no postcode", pathPostcode, url.Values{"postcode": {"  "}}, "postcode", "postcode.required"},
		{"not a postcode", pathPostcode, url.Values{"postcode": {"12345"}}, "postcode", "postcode.invalid"},
		{"long postcode", pathPostcode, url.Values{"postcode": {long}}, "postcode", "postcode.invalid"},
		{"no town", pathTown, url.Values{"town": {"\t\n"}}, "town", "town.required"},
		{"long town", pathTown, url.Values{"town": {long}}, "town", "town.invalid"},
		{"no food answer", pathFood, url.Values{}, "no_food", "crisis_food.required"},
		{"odd food answer", pathFood, url.Values{"no_food": {"maybe"}}, "no_food", "crisis_food.invalid"},
		{"no home answer", pathHome, url.Values{}, "losing_home", "crisis_home.required"},
		{"no name", pathName, url.Values{"name": {"   "}}, "name", "name.required"},
		{"long name", pathName, url.Values{"name": {long}}, "name", "name.invalid"},
		// A name that fits the limit but is no name is asked for as one,
		// not told of the limit, nor told to enter one as if the box
		// were empty.
		{"crisis sentence as name", pathName, url.Values{"name": {"I have no food at all"}}, "name", "name.unclear"},
		{"self-harm words as name", pathName, url.Values{"name": {"i want to die"}}, "name", "name.unclear"},
		{"danger words as name", pathName, url.Values{"name": {"my partner hits me"}}, "name", "name.unclear"},
		{"a greeting as name", pathName, url.Values{"name": {"hi"}}, "name", "name.unclear"},
		{"no as name", pathName, url.Values{"name": {"no"}}, "name", "name.unclear"},
		{"a greeting as town", pathTown, url.Values{"town": {"hello"}}, "town", "town.unclear"},
		{"no contact", pathContact, url.Values{"phone": {""}, "email": {""}}, "phone", "contact.required"},
		{"bad phone", pathContact, url.Values{"phone": {"12"}}, "phone", "contact.phone"},
		{"long phone", pathContact, url.Values{"phone": {long}}, "phone", "contact.phone"},
		// Finding 6: these were taken as phones, and the international one texted.
		{"five digits", pathContact, url.Values{"phone": {"12345"}}, "phone", "contact.phone"},
		{"a digit short", pathContact, url.Values{"phone": {"07700 90012"}}, "phone", "contact.phone"},
		{"a helpline short code", pathContact, url.Values{"phone": {"116123"}}, "phone", "contact.phone_helpline"},
		{"a freephone number", pathContact, url.Values{"phone": {"0800 027 1234"}}, "phone", "contact.phone_helpline"},
		{"abroad", pathContact, url.Values{"phone": {"+2348031234567"}}, "phone", "contact.phone_abroad"},
		{"a Polish mobile", pathContact, url.Values{"phone": {"+48 600 700 800"}}, "phone", "contact.phone_abroad"},
		{"bad email", pathContact, url.Values{"email": {"morag at example"}}, "email", "contact.email"},
		{"long email", pathContact, url.Values{"email": {long + "@example.com"}}, "email", "contact.email"},
		{"no method", pathMethod, url.Values{}, "contact_method", "contact_method.required"},
		{"odd method", pathMethod, url.Values{"contact_method": {"pigeon"}}, "contact_method", "contact_method.invalid"},
		{"no time", pathTime, url.Values{}, "contact_time", "contact_time.required"},
		{"odd time", pathTime, url.Values{"contact_time": {"midnight"}}, "contact_time", "contact_time.invalid"},
		{"no consent", pathConsent, url.Values{"version": {"v1"}}, "consent", "consent.required"},
		{"consent wording changed", pathConsent, url.Values{"consent": {"yes"}, "version": {"v0"}}, "consent", "consent.changed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := e.browser()
			b.get(pathStart)
			p := b.answer(c.path, c.values)
			if p.Status != http.StatusBadRequest || p.Path != c.path {
				t.Fatalf("status %d at %s, want 400 on %s", p.Status, p.Path, c.path)
			}
			step, code, _ := strings.Cut(c.want, ".")
			// The flow's words, or the message file's for what the flow's
			// codes do not tell apart (problemWords).
			msg := e.web.flow.Message(step, code)
			if id := "flow." + step + ".errors." + code; e.web.cat.Has("en", id) {
				msg = e.web.cat.Text("en", id)
			}
			msg = html.EscapeString(msg)
			if msg == "" {
				t.Fatalf("the flow file has no words for %s", c.want)
			}
			summary := between(p.Body, `class="error-summary"`, "</div>")
			if !strings.Contains(summary, `href="#`+c.field+`"`) || !strings.Contains(summary, msg) {
				t.Errorf("error summary does not link #%s with %q:\n%s", c.field, msg, summary)
			}
			if !strings.Contains(p.Body, `id="`+c.field+`-error"`) || !strings.Contains(p.Body, `id="`+c.field+`"`) {
				t.Errorf("no message beside input #%s", c.field)
			}
			if !strings.HasPrefix(between(p.Body, "<title>", "</title>"), "Error: ") {
				t.Errorf("title does not start with Error:")
			}
			// Nothing was saved: the question is still unanswered.
			if s := e.sessionOf(b); e.web.firstMissing(s) != pathNeeds && c.path == pathNeeds {
				t.Errorf("needs saved after an invalid answer")
			}
		})
	}
	e.assertNothingWritten()
}

// The contact method must fit the details given.
func TestWebContactMethodNeedsDetails(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	b.answer(pathContact, url.Values{"email": {"morag@example.com"}})
	p := b.answer(pathMethod, url.Values{"contact_method": {"text"}})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, html.EscapeString(e.web.flow.Message("contact_method", "needs_phone"))) {
		t.Errorf("text chosen without a phone: status %d\n%s", p.Status, p.Body)
	}
	b.answer(pathContact, url.Values{"phone": {"07700900123"}})
	p = b.answer(pathMethod, url.Values{"contact_method": {"email"}})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, html.EscapeString(e.web.flow.Message("contact_method", "needs_email"))) {
		t.Errorf("email chosen without an address: status %d", p.Status)
	}
	// A way of contact whose detail is taken away is asked again.
	b.answer(pathContact, url.Values{"phone": {"07700900123"}, "email": {"morag@example.com"}})
	if p = b.answer(pathMethod, url.Values{"contact_method": {"email"}}); p.Status != http.StatusOK {
		t.Fatalf("email with an address: status %d", p.Status)
	}
	b.answer(pathContact, url.Values{"phone": {"07700900123"}})
	if s := e.sessionOf(b); s.Answers.ContactMethod != "" {
		t.Errorf("email kept as the way of contact after the address was removed: %q", s.Answers.ContactMethod)
	}
}

// Every rule a directory input can break has words in messages.yaml (the
// form's questions have theirs in the flow file, checked when it loads).
func TestWebMessagesCoverEveryRule(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, in := range []any{directoryInput{}} {
		typ := reflect.TypeOf(in)
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := f.Tag.Get("form")
			for _, rule := range strings.Split(f.Tag.Get("validate"), ",") {
				rule, _, _ = strings.Cut(rule, "=")
				if rule == "omitempty" || rule == "dive" || rule == "" {
					continue
				}
				if e.web.pages.messages[name][rule] == "" && e.web.pages.messages[name]["default"] == "" {
					t.Errorf("%s: no message for %s.%s", typ.Name(), name, rule)
				}
			}
		}
	}
}

// between returns the text after start up to end, or "".
func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	out, _, _ := strings.Cut(rest, end)
	return out
}

// A name or town with more words than the flow allows is refused with
// words that say so, in every language the catalogue has (each message
// file words it, naming the limit), not with the length message: six
// short words are well within 60 characters.
func TestWebTooManyWordsSaysSo(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	cat := e.web.cat
	for _, l := range cat.Languages() {
		for _, c := range []struct {
			path, step, field, answer, limit string
		}{
			{pathName, "name", "name", "a b c d e f", "5"},
			{pathTown, "town", "town", "a b c d e f g", "6"},
		} {
			id := "flow." + c.step + ".errors."
			if !cat.Has(l.Code, id+"too_many_words") {
				t.Errorf("%s.toml has no %stoo_many_words", l.Code, id)
				continue
			}
			want, length := cat.Text(l.Code, id+"too_many_words"), cat.Text(l.Code, id+"invalid")
			if !strings.Contains(want, c.limit) || want == length {
				t.Errorf("%s %s: %q does not name the limit of %s words, or is the length message", l.Code, c.step, want, c.limit)
			}
			b := e.browser()
			b.get(pathStart + "?lang=" + l.Code)
			p := b.answer(c.path, url.Values{c.field: {c.answer}})
			summary := between(p.Body, `class="error-summary"`, "</div>")
			if p.Status != http.StatusBadRequest || !strings.Contains(summary, html.EscapeString(want)) ||
				!strings.Contains(summary, `href="#`+c.field+`"`) || strings.Contains(p.Body, html.EscapeString(length)) {
				t.Errorf("%s %q on %s: status %d, want 400 saying %q:\n%s", l.Code, c.answer, c.path, p.Status, want, summary)
			}
		}
	}
}

// A yes/no question left unanswered is asked for plainly, "Select yes or
// no", in every language: the same words for every such question, never
// a sentence that reads as a nudge to say yes.
func TestWebYesNoErrorIsPlain(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, l := range e.web.cat.Languages() {
		var words []string
		for _, step := range []string{"crisis_food", "crisis_home", "interpreter"} {
			words = append(words, e.web.cat.Text(l.Code, "flow."+step+".errors.required"))
		}
		if words[0] != words[1] || words[1] != words[2] {
			t.Errorf("%s: the yes/no questions' errors differ, so they say more than yes or no: %q", l.Code, words)
		}
	}
	b := e.browser()
	b.get(pathStart)
	p := b.answer(pathFood, url.Values{})
	if summary := between(p.Body, `class="error-summary"`, "</div>"); !strings.Contains(summary, ">Select yes or no</a>") {
		t.Errorf("the unanswered question's error is not \"Select yes or no\":\n%s", summary)
	}
}
