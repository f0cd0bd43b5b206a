package web

import (
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkWebAnswer is one question answered: the page shown (session
// read from Redis, decrypted, page rendered) and the answer posted (CSRF
// checked, session encrypted and saved, redirect followed to the next
// page).
func BenchmarkWebAnswer(b *testing.B) {
	e := newWebEnv(b, unlimited)
	br := e.browser()
	br.get(pathStart)
	br.get(pathName)
	token := br.token()
	v := url.Values{"csrf": {token}, "name": {"Morag Baird"}}
	b.ResetTimer()
	for b.Loop() {
		if p := br.get(pathName); p.Status != http.StatusOK {
			b.Fatalf("GET: %d", p.Status)
		}
		if p := br.postRaw(pathName, v); p.Status != http.StatusOK || p.Path != pathContact {
			b.Fatalf("POST: %d at %s", p.Status, p.Path)
		}
	}
}

// BenchmarkWebSend is the whole form filled in and sent: every question,
// check your answers, and core's self-referral transaction.
func BenchmarkWebSend(b *testing.B) {
	e := newWebEnv(b, unlimited)
	a := goodAnswers()
	b.ResetTimer()
	for b.Loop() {
		br := e.browser()
		br.fill(a, pathStart)
		if p := br.send(); p.Path != pathDone {
			b.Fatalf("send ended at %s", p.Path)
		}
	}
}

// BenchmarkDirectorySearch is a directory search by need and district.
func BenchmarkDirectorySearch(b *testing.B) {
	e := newWebEnv(b, unlimited)
	br := e.browser()
	b.ResetTimer()
	for b.Loop() {
		if p := br.get("/directory?need=debt&area=KY1"); p.Status != http.StatusOK {
			b.Fatalf("status %d", p.Status)
		}
	}
}

// unlimited lifts the per-IP rate limit, which a benchmark would hit.
func unlimited(c *Config) { c.IPRatePerMinute = 1 << 30 }
