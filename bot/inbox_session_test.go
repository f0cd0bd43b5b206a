package bot

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRedisHoldsNoStaffCookie: whoever reads Redis (or its append-only
// file, or a backup) finds no staff cookie in any key name, value or set
// member, and a key's name sent back as a cookie signs nobody in; the
// sessions still work, and signing out and ending every session (as
// deactivation does) still end them.
func TestRedisHoldsNoStaffCookie(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	u, _ := url.Parse(tb.srv.URL)
	cookieOf := func(c *webClient) string {
		for _, ck := range c.http.Jar.Cookies(&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/staff/"}) {
			if ck.Name == sessionCookie {
				return ck.Value
			}
		}
		t.Fatal("no session cookie")
		return ""
	}
	inboxWith := func(cookie string) int {
		req, _ := http.NewRequest(http.MethodGet, tb.srv.URL+"/staff/", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	a, b2 := tb.signedIn(tb.Net.Coordinator), tb.signedIn(tb.Net.Coordinator)
	cookies := []string{cookieOf(a), cookieOf(b2)}

	// Everything Redis holds under this test's prefix, as a reader of it
	// would see it.
	rdb := tb.bot.rdb
	keys, err := rdb.Keys(ctx, tb.bot.prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var sessionKeys []string
	for _, k := range keys {
		seen := []string{k}
		switch typ, _ := rdb.Type(ctx, k).Result(); typ {
		case "string":
			v, _ := rdb.Get(ctx, k).Result()
			seen = append(seen, v)
		case "zset":
			ms, _ := rdb.ZRange(ctx, k, 0, -1).Result()
			seen = append(seen, ms...)
		case "set":
			ms, _ := rdb.SMembers(ctx, k).Result()
			seen = append(seen, ms...)
		case "hash":
			m, _ := rdb.HGetAll(ctx, k).Result()
			for f, v := range m {
				seen = append(seen, f, v)
			}
		}
		for _, s := range seen {
			for _, c := range cookies {
				if strings.Contains(s, c) {
					t.Errorf("Redis key %q holds a staff cookie in clear", k)
				}
			}
		}
		if rest, ok := strings.CutPrefix(k, tb.bot.prefix+"bot:session:"); ok {
			sessionKeys = append(sessionKeys, rest)
		}
	}
	if len(sessionKeys) != 2 {
		t.Fatalf("session keys %v: want one for each of the 2 sign-ins", sessionKeys)
	}
	// A key's name is no cookie; the cookies themselves still sign in.
	for _, k := range sessionKeys {
		if st := inboxWith(k); st != http.StatusUnauthorized {
			t.Errorf("a session key's name as the cookie: %d, want 401", st)
		}
	}
	for _, c := range cookies {
		if st := inboxWith(c); st != http.StatusOK {
			t.Fatalf("a signed-in cookie: %d, want 200", st)
		}
	}
	if ss, err := tb.bot.StaffSessions(ctx, tb.Net.Coordinator.ID); err != nil || len(ss) != 2 {
		t.Fatalf("sessions listed %v, %v: want 2", ss, err)
	}

	// Signing out ends that session only.
	_, body := a.get("/staff/")
	a.noteCSRF(body)
	if resp, _ := a.post("/staff/logout", url.Values{"csrf": {a.csrf}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	if st := inboxWith(cookies[0]); st != http.StatusUnauthorized {
		t.Errorf("signed-out session: %d, want 401", st)
	}
	if ss, _ := tb.bot.StaffSessions(ctx, tb.Net.Coordinator.ID); len(ss) != 1 {
		t.Errorf("sessions after signing out one: %d, want 1", len(ss))
	}
	// Ending them all (deactivation, `onward staff deactivate`) ends the other.
	if n, err := EndStaffSessions(ctx, rdb, tb.bot.prefix, tb.Net.Coordinator.ID); err != nil || n != 1 {
		t.Fatalf("ended %d sessions, %v: want 1", n, err)
	}
	if st := inboxWith(cookies[1]); st != http.StatusUnauthorized {
		t.Errorf("a session after every session ended: %d, want 401", st)
	}
	if left, _ := rdb.Keys(ctx, tb.bot.prefix+"bot:session*").Result(); len(left) != 0 {
		t.Errorf("left in Redis after every session ended: %v", left)
	}
}
