package bot

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// TestStaffNotFound: a signed-in member of staff who opens a staff
// address that does not exist gets the staff web's own page, 404, with the
// staff menu and a plain message, never the public site's page for
// clients (served here, as in production, by a catch-all for "/"). A
// referral that is someone else's is answered exactly like one that does
// not exist. Someone not signed in is asked to sign in, and a script using
// the wrong method on a staff address is told the methods it answers.
func TestStaffNotFound(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	// The public site's catch-all, as the web form mounts it beside the
	// staff web.
	tb.srv.Config.Handler.(*http.ServeMux).HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "public site: page not found", http.StatusNotFound)
	})
	res, err := tb.Engine.SelfRefer(t.Context(), coretest.SelfReferral("not-found-cab"))
	if err != nil {
		t.Fatal(err)
	}
	cabs := res.Referral.Reference // the CAB's, not the welfare agency's
	c := tb.signedIn(tb.Net.WelfareAdviser)

	staffPage := func(what string, resp *http.Response, body, message string) {
		t.Helper()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", what, resp.StatusCode)
		}
		for _, want := range []string{`<nav aria-label="Account">`, `<a href="/staff/sent">Sent</a>`, "<h1>Not found</h1>", message} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %q:\n%s", what, want, body)
			}
		}
		if strings.Contains(body, "public site") {
			t.Errorf("%s: the public site's page answered", what)
		}
	}
	const noPage = "There is no page at this address in Onward."
	for _, path := range []string{"/staff/nonsense", "/staff/referrals/" + cabs + "/history/old", "/staff/admin/nothing-here/"} {
		resp, body := c.get(path)
		staffPage("GET "+path, resp, body, noPage)
	}
	resp, body := c.post("/staff/nonsense", url.Values{})
	staffPage("POST /staff/nonsense", resp, body, noPage)

	const noReferral = "That referral does not exist in Onward."
	resp, missing := c.get("/staff/referrals/999999")
	staffPage("a referral that does not exist", resp, missing, noReferral)
	resp, theirs := c.get("/staff/referrals/" + cabs)
	staffPage("another agency's referral", resp, theirs, noReferral)
	if theirs != missing {
		t.Errorf("another agency's referral is answered unlike a missing one:\n%s\n---\n%s", theirs, missing)
	}

	anon := tb.web()
	resp, body = anon.get("/staff/nonsense")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `action="/staff/login"`) || strings.Contains(body, noPage) {
		t.Errorf("not signed in: status %d, want 401 asking to sign in:\n%s", resp.StatusCode, body)
	}

	req, _ := http.NewRequest(http.MethodDelete, tb.srv.URL+"/staff/refer", nil)
	del, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	del.Body.Close()
	if del.StatusCode != http.StatusMethodNotAllowed || del.Header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("DELETE /staff/refer: %d, Allow %q; want 405 with GET, HEAD, POST", del.StatusCode, del.Header.Get("Allow"))
	}
}
