package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// A second click on "Send request", a resend of the same form, the back
// button and another tab all lead to the one referral.
func TestWebSendsOnce(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.fill(goodAnswers(), pathStart)
	check := b.get(pathCheck)
	token := b.token()

	first := b.postRaw(pathCheck, url.Values{"csrf": {token}})
	if first.Path != pathDone {
		t.Fatalf("send ended at %s", first.Path)
	}
	ref := e.referrals()[0].Reference

	// Double submit: the same form posted again.
	again := b.postRaw(pathCheck, url.Values{"csrf": {token}})
	if again.Path != pathDone || !strings.Contains(again.Body, ref) {
		t.Errorf("second send: at %s without reference %s", again.Path, ref)
	}
	// Back to any question, or resubmitting an answer, leads to the confirmation.
	for _, path := range []string{pathCheck, pathName, pathConsent, pathStart} {
		if p := b.get(path); p.Path != pathDone {
			t.Errorf("back to %s after sending: at %s", path, p.Path)
		}
	}
	if p := b.postRaw(pathName, url.Values{"csrf": {token}, "name": {"Someone Else"}}); p.Path != pathDone {
		t.Errorf("answering after sending: at %s", p.Path)
	}
	if n := len(e.referrals()); n != 1 {
		t.Fatalf("%d referrals, want 1", n)
	}
	_ = check

	// The answers are gone from Redis once sent; only the confirmation stays.
	s := e.sessionOf(b)
	if s.Answers.Name != "" || s.Answers.Phone != "" || s.Answers.Postcode != "" || s.Answers.Email != "" || s.Reference != ref {
		t.Errorf("session after sending keeps answers: %+v", s)
	}

	// A new request is a new referral.
	done := b.get(pathDone)
	if !strings.Contains(done.Body, `action="/refer/new"`) {
		t.Fatal("confirmation has no way to start a new request")
	}
	if p := b.postRaw(pathNew, url.Values{"csrf": {b.token()}}); p.Path != pathStart {
		t.Fatalf("new request: at %s", p.Path)
	}
	b.fill(goodAnswers(), pathStart)
	b.send()
	if n := len(e.referrals()); n != 2 {
		t.Fatalf("%d referrals after a second request, want 2", n)
	}
}

// Two tabs of the same browser share the session: sending from both at
// once makes one referral, and both tabs show its reference.
func TestWebTwoTabsSendOnce(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.fill(goodAnswers(), pathStart)
	b.get(pathCheck)
	token := b.token()
	const tabs = 6
	var wg sync.WaitGroup
	pages := make([]*page, tabs)
	errs := make([]error, tabs)
	for i := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each tab posts on its own; no t.Fatal off the test goroutine.
			resp, err := b.c.PostForm(e.srv.URL+pathCheck, url.Values{"csrf": {token}})
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			pages[i] = &page{Status: resp.StatusCode, Path: resp.Request.URL.Path, Body: string(body)}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("tab %d: %v", i, err)
		}
	}
	rs := e.referrals()
	if len(rs) != 1 {
		t.Fatalf("%d referrals from %d tabs, want 1", len(rs), tabs)
	}
	for i, p := range pages {
		if p.Status != http.StatusOK || !strings.Contains(p.Body, rs[0].Reference) {
			t.Errorf("tab %d: status %d at %s without reference %s", i, p.Status, p.Path, rs[0].Reference)
		}
	}
}

// Changing an answer from "check your answers" comes back there, and a
// question newly needed on the way (the town) is asked first.
func TestWebChangeAnswerReturnsToCheck(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.fill(goodAnswers(), pathStart)
	check := b.get(pathCheck)
	if !strings.Contains(check.Body, `href="/refer/name"`) {
		t.Fatal("no change link for the name")
	}
	name := b.get(pathName)
	if !strings.Contains(name.Body, `value="Morag Baird"`) || !strings.Contains(name.Body, `class="back-link"`) {
		t.Error("changing the name does not show the saved answer and a back link")
	}
	if p := b.answer(pathName, url.Values{"name": {"Morag B. Baird"}}); p.Path != pathCheck || !strings.Contains(p.Body, "Morag B. Baird") {
		t.Errorf("after changing the name: at %s", p.Path)
	}
	// Refresh loses nothing.
	if p := b.get(pathCheck); !strings.Contains(p.Body, "Morag B. Baird") || !strings.Contains(p.Body, "KY1 1AB") {
		t.Error("refreshing check your answers lost answers")
	}
	b.answer(pathTown, url.Values{"town": {"Kirkcaldy"}})
	if p := b.get(pathCheck); !strings.Contains(p.Body, "Kirkcaldy") || strings.Contains(p.Body, "KY1 1AB") {
		t.Error("changing to a town did not replace the postcode")
	}
	e.assertNothingWritten()
}

// Skipping ahead to "check your answers" leads to the first question not
// answered yet; sending with answers missing sends nothing.
func TestWebCannotSkipQuestions(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	b.answer(pathNeeds, goodAnswers()[pathNeeds])
	if p := b.get(pathCheck); p.Path != pathPostcode {
		t.Errorf("check with answers missing: at %s, want %s", p.Path, pathPostcode)
	}
	b.get(pathName)
	if p := b.postRaw(pathCheck, url.Values{"csrf": {b.token()}}); p.Path != pathPostcode {
		t.Errorf("send with answers missing: at %s", p.Path)
	}
	e.assertNothingWritten()
}

// A session that expired starts again, saying why.
func TestWebExpiredSession(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	b := e.browser()
	b.get(pathStart)
	b.answer(pathNeeds, goodAnswers()[pathNeeds])
	s := e.sessionOf(b)
	if err := e.web.rdb.Del(t.Context(), e.web.sessionKey(s.id)).Err(); err != nil {
		t.Fatal(err)
	}
	p := b.get(pathPostcode)
	if p.Path != pathStart || !strings.Contains(p.Body, "Your answers were cleared") {
		t.Fatalf("after expiry: at %s\n%s", p.Path, p.Body)
	}
	if p := b.get(pathStart); strings.Contains(p.Body, "Your answers were cleared") {
		t.Error("the expiry notice shows more than once")
	}
	if ttl := e.web.rdb.TTL(t.Context(), e.web.sessionKey(e.sessionOf(b).id)).Val(); ttl <= 0 || ttl > DefaultSessionTTL {
		t.Errorf("session TTL %v, want up to %v", ttl, DefaultSessionTTL)
	}
}
