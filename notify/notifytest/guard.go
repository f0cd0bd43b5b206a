package notifytest

import (
	"net/http"
	"net/url"
)

// Guard is an http.RoundTripper that lets requests through only to the
// given fakes' hosts and fails the test on any other: no test may reach a
// real provider.
func Guard(t T, allowed ...string) http.RoundTripper {
	hosts := map[string]bool{}
	for _, a := range allowed {
		u, err := url.Parse(a)
		if err != nil {
			panic("notifytest.Guard: " + err.Error())
		}
		hosts[u.Host] = true
	}
	return guard{t: t, hosts: hosts, base: http.DefaultTransport}
}

type guard struct {
	t     T
	hosts map[string]bool
	base  http.RoundTripper
}

func (g guard) RoundTrip(r *http.Request) (*http.Response, error) {
	if !g.hosts[r.URL.Host] {
		g.t.Errorf("request to %s %s: only the fake providers may be called", r.URL.Host, r.URL.Path)
		return nil, &url.Error{Op: r.Method, URL: r.URL.String(), Err: errBlocked}
	}
	return g.base.RoundTrip(r)
}

type blockedError struct{}

func (blockedError) Error() string { return "blocked by the test guard" }

var errBlocked = blockedError{}
