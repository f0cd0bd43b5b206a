package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// "Check your answers" speaks the client's language all through: the
// phone code block, a wrong code, and core's objections to the request
// (each shown from the message files, not core's English, and linking to
// the question that fixes it).
func TestWebCheckPageInTheClientsLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.acceptLanguage = "pl"
	a := goodAnswers()
	b.get(pathStart)
	for _, st := range []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod} {
		b.answer(st, a[st])
	}
	b.answer("/refer/interpreter", map[string][]string{"interpreter": {"no"}})
	b.answer(pathTime, a[pathTime])
	check := b.answer(pathConsent, a[pathConsent])
	if check.Path != pathCheck {
		t.Fatalf("answers ended at %s", check.Path)
	}
	for _, want := range []string{"Numer sprawy SMS-em (nieobowiązkowo)", `<span dir="ltr">07700 900123</span> to Twój telefon`, "Wyślij mi kod SMS-em"} {
		if !strings.Contains(check.Body, want) {
			t.Errorf("check page lacks %q", want)
		}
	}
	for _, english := range []string{"Get your reference by text", "Text me a code", "To text you, we first check"} {
		if strings.Contains(check.Body, english) {
			t.Errorf("check page still says %q in English", english)
		}
	}
	sent := b.postRaw(pathSendCode, url.Values{"csrf": {b.token()}})
	if !strings.Contains(sent.Body, "Kod z naszego SMS-a") || !strings.Contains(sent.Body, "Sprawdź kod") || !strings.Contains(sent.Body, "Wyślij nowy kod") {
		t.Errorf("after sending a code the page is not in Polish:\n%s", sent.Body)
	}
	var codeLang string
	if err := e.env.Pool.QueryRow(context.Background(), `SELECT coalesce(payload->>'language', '') FROM outbox WHERE kind = 'sms.code' ORDER BY id DESC LIMIT 1`).Scan(&codeLang); err != nil || codeLang != "pl" {
		t.Errorf("the code's text is queued in %q (%v), want the page's Polish", codeLang, err)
	}
	wrong := b.postRaw(pathCheckCode, url.Values{"csrf": {b.token()}, "code": {"000000"}})
	if wrong.Status != http.StatusBadRequest || !strings.Contains(wrong.Body, "Ten kod jest błędny albo wygasł") {
		t.Errorf("a wrong code: %d, not in Polish:\n%s", wrong.Status, wrong.Body)
	}

	// Core refuses the request: a phone of another country, then a
	// service that left the directory.
	refuse := func(change func(*webSession), want ...string) {
		t.Helper()
		s := e.sessionOf(b)
		change(s)
		if err := e.web.saveSession(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		refused := b.postRaw(pathCheck, url.Values{"csrf": {b.token()}})
		if refused.Status != http.StatusBadRequest {
			t.Fatalf("refused request: status %d\n%s", refused.Status, refused.Body)
		}
		for _, w := range want {
			if !strings.Contains(refused.Body, w) {
				t.Errorf("refusal lacks %q", w)
			}
		}
		if strings.Contains(refused.Body, "no longer in the directory") || strings.Contains(refused.Body, "Phone number:") {
			t.Errorf("refusal shows core's English:\n%s", refused.Body)
		}
	}
	phone := e.sessionOf(b).Answers.Phone
	refuse(func(s *webSession) { s.Answers.Phone = "+12025550123" }, "Sprawdź podany numer telefonu", `href="/refer/contact#phone"`)
	refuse(func(s *webSession) { s.Answers.Phone, s.Service = phone, 999999 }, "Wybranej poradni nie ma już w katalogu")
}

// The data-sharing page is in the reader's language, with the network's
// consent wording in that language and the helpline kept left to right.
func TestWebDataSharingPageInEveryLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	for _, c := range []struct{ lang, title string }{
		{"pl", "Jak udostępniamy i chronimy Twoje dane"},
		{"uk", "Як ми передаємо і захищаємо ваші дані"},
		{"ar", "كيف نشارك بياناتك ونحميها"},
		{"ur", "ہم آپ کی تفصیلات کیسے شیئر اور محفوظ کرتے ہیں"},
		{"gd", "Mar a bhios sinn a’ co-roinn agus a’ dìon an fhiosrachaidh agad"},
	} {
		b := e.browser()
		b.acceptLanguage = c.lang
		p := b.get("/data-sharing")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "<h1>"+c.title+"</h1>") || !strings.Contains(p.Body, `lang="`+c.lang+`"`) {
			t.Errorf("%s: status %d, no translated title", c.lang, p.Status)
		}
		if strings.Contains(p.Body, "Who can see your details") || strings.Contains(p.Body, "Changing your mind") {
			t.Errorf("%s: the page is still partly English", c.lang)
		}
		if !strings.Contains(p.Body, `dir="ltr">0800`) {
			t.Errorf("%s: the helpline is not kept left to right", c.lang)
		}
	}
}

// The web form completes in Ukrainian and in Scottish Gaelic as in
// Polish (TestWebFormInPolish) and right to left in Arabic and Urdu (the
// browser tests): each page in the language, and the same referral, with
// the language kept on the client.
func TestWebFormInUkrainianAndGaelic(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ code, check, done, name string }{
		{"uk", "Перевірте відповіді перед надсиланням звернення", "Звернення надіслано", "Оксана"},
		{"gd", "Thoiribh sùil air ur freagairtean mus cuir sibh an t-iarrtas", "Chaidh an t-iarrtas a chur", "Mòrag"},
	} {
		e := newWebEnv(t)
		b := e.browser()
		b.acceptLanguage = c.code
		a := goodAnswers()
		a[pathName] = url.Values{"name": {c.name}}
		if p := b.get(pathStart); !strings.Contains(p.Body, `lang="`+c.code+`"`) {
			t.Fatalf("%s: start page is not in the language", c.code)
		}
		for _, st := range []string{pathNeeds, pathPostcode, pathFood, pathHome, pathName, pathContact, pathMethod} {
			if p := b.answer(st, a[st]); p.Status != http.StatusOK {
				t.Fatalf("%s: answer %s: status %d at %s", c.code, st, p.Status, p.Path)
			}
		}
		b.answer("/refer/interpreter", map[string][]string{"interpreter": {"yes"}})
		b.answer(pathTime, a[pathTime])
		check := b.answer(pathConsent, a[pathConsent])
		if check.Path != pathCheck || !strings.Contains(check.Body, c.check) {
			t.Fatalf("%s: check your answers at %s is not in the language", c.code, check.Path)
		}
		if done := b.send(); done.Path != pathDone || !strings.Contains(done.Body, c.done) {
			t.Fatalf("%s: send ended at %s", c.code, done.Path)
		}
		rs := e.referrals()
		if len(rs) != 1 || len(rs[0].Needs) == 0 || rs[0].PostcodeDistrict != "KY1" {
			t.Fatalf("%s: referrals %+v", c.code, rs)
		}
		var language string
		var interpreter bool
		if err := e.env.Pool.QueryRow(t.Context(), `SELECT language, interpreter FROM clients`).Scan(&language, &interpreter); err != nil {
			t.Fatal(err)
		}
		if language != c.code || !interpreter {
			t.Errorf("%s: client language %q interpreter %v", c.code, language, interpreter)
		}
	}
}
