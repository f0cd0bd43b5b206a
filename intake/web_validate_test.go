package intake

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
		want   string // message key in messages.yaml
	}{
		{"no need", pathNeeds, url.Values{}, "needs", "needs.required"},
		{"unknown need", pathNeeds, url.Values{"needs": {"astrology"}}, "needs", "needs.need"},
		{"too many needs", pathNeeds, url.Values{"needs": strings.Fields(strings.Repeat("debt ", 12))}, "needs", "needs.max"},
		{"no postcode", pathPostcode, url.Values{"postcode": {"  "}}, "postcode", "postcode.required"},
		{"not a postcode", pathPostcode, url.Values{"postcode": {"KY1"}}, "postcode", "postcode.ukpostcode"},
		{"long postcode", pathPostcode, url.Values{"postcode": {long}}, "postcode", "postcode.ukpostcode"},
		{"no town", pathTown, url.Values{"town": {"\t\n"}}, "town", "town.required"},
		{"long town", pathTown, url.Values{"town": {long}}, "town", "town.max"},
		{"no food answer", pathFood, url.Values{}, "no_food", "no_food.required"},
		{"odd food answer", pathFood, url.Values{"no_food": {"maybe"}}, "no_food", "no_food.default"},
		{"no home answer", pathHome, url.Values{}, "losing_home", "losing_home.required"},
		{"no name", pathName, url.Values{"name": {"   "}}, "name", "name.required"},
		{"long name", pathName, url.Values{"name": {long}}, "name", "name.max"},
		{"no contact", pathContact, url.Values{"phone": {""}, "email": {""}}, "phone", "phone.required"},
		{"bad phone", pathContact, url.Values{"phone": {"12"}}, "phone", "phone.ukphone"},
		{"long phone", pathContact, url.Values{"phone": {long}}, "phone", "phone.ukphone"},
		{"bad email", pathContact, url.Values{"email": {"morag at example"}}, "email", "email.email"},
		{"long email", pathContact, url.Values{"email": {long + "@example.com"}}, "email", "email.max"},
		{"no method", pathPreference, url.Values{"time": {"any"}}, "method", "method.required"},
		{"no time", pathPreference, url.Values{"method": {"call"}}, "time", "time.required"},
		{"odd time", pathPreference, url.Values{"method": {"call"}, "time": {"midnight"}}, "time", "time.default"},
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
			field, rule, _ := strings.Cut(c.want, ".")
			msg := html.EscapeString(e.web.pages.message(field, rule))
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
			if s := e.sessionOf(b); s.firstMissing() != pathNeeds && c.path == pathNeeds {
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
	p := b.answer(pathPreference, url.Values{"method": {"text"}, "time": {"any"}})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, html.EscapeString(e.web.pages.message("method", "needs_phone"))) {
		t.Errorf("text chosen without a phone: status %d\n%s", p.Status, p.Body)
	}
	b.answer(pathContact, url.Values{"phone": {"07700900123"}})
	p = b.answer(pathPreference, url.Values{"method": {"email"}, "time": {"any"}})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, html.EscapeString(e.web.pages.message("method", "needs_email"))) {
		t.Errorf("email chosen without an address: status %d", p.Status)
	}
}

// Every rule a page input can break has words in messages.yaml.
func TestWebMessagesCoverEveryRule(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, in := range []any{needsInput{}, postcodeInput{}, townInput{}, foodInput{}, homeInput{}, nameInput{},
		contactInput{}, preferenceInput{}, consentInput{}, directoryInput{}} {
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
