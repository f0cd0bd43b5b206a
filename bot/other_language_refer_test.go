package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// The staff refer form records the client's language for texts and the
// interpreter they need, in any language (audit A1 #3), and names a
// language it cannot take against its field.
func TestReferFormRecordsLanguageAndInterpreter(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	c := tb.signedIn(tb.Net.Adviser)
	_, page := c.get("/staff/refer")
	for _, want := range []string{`name="language"`, `<option value="pl">Polish (Polski)</option>`,
		`name="interpreter" value="yes"`, `<option value="ro">Romanian</option>`, `<option value="ti">Tigrinya</option>`} {
		if !strings.Contains(page, want) {
			t.Errorf("refer page lacks %s", want)
		}
	}
	key := referKeyOf(t, page)
	send := func(name, phone, language, interpreterLanguage string) (int, string, map[string][]string) {
		form := map[string][]string{"csrf": {c.csrf}, "key": {key}, "name": {name}, "phone": {phone},
			"needs": {"debt"}, "agency": {strconv.FormatInt(int64(tb.Net.Housing), 10)}, "consent": {"yes"}, "step": {"send"},
			"language": {language}, "interpreter": {"yes"}, "interpreter_language": {interpreterLanguage}}
		resp, body := c.post("/staff/refer", form)
		return resp.StatusCode, body, form
	}
	for _, tc := range []struct{ name, phone, language, interp, wantLang, wantInterp string }{
		{"Ana Fictiva", "07700 900411", "en", "ro", "en", "ro"},
		{"Ola Fikcyjna", "07700 900412", "pl", "", "pl", ""},
	} {
		r := tb.sentReferral(c.post("/staff/refer", map[string][]string{"csrf": {c.csrf}, "key": {key}, "name": {tc.name},
			"phone": {tc.phone}, "needs": {"debt"}, "agency": {strconv.FormatInt(int64(tb.Net.Housing), 10)},
			"consent": {"yes"}, "step": {"send"}, "language": {tc.language}, "interpreter": {"yes"},
			"interpreter_language": {tc.interp}}))
		cl, err := tb.Engine.ClientDetailsFor(context.Background(), r.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		if cl.Language != tc.wantLang || !cl.Interpreter || cl.InterpreterLanguage != tc.wantInterp {
			t.Errorf("%s: texts in %q, interpreter %v for %q; want %q, true, %q", tc.name, cl.Language, cl.Interpreter,
				cl.InterpreterLanguage, tc.wantLang, tc.wantInterp)
		}
	}
	status, body, _ := send("T Fictional", "07700 900413", "xx", "")
	if status != 400 && status != 422 || !strings.Contains(body, `id="language-error"`) {
		t.Errorf("a language Onward cannot text in: %d, language error shown %v", status, strings.Contains(body, `id="language-error"`))
	}
}
