package bot

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// Slack's own worked example, from its "Verifying requests from Slack"
// guide: a slash command signed with the guide's signing secret.
const (
	publishedSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	publishedTimestamp = "1531420618"
	publishedBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	publishedSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

// publishedTime is the moment of the guide's example.
var publishedTime = time.Unix(1531420618, 0)

// at runs f with the clock at t. slack-go's verifier reads the wall
// clock itself (it takes no clock), so the clock is injected the way Go
// provides for that: a synctest bubble, whose fake clock starts in 2000
// and moves forward instantly when every goroutine in it sleeps.
func at(t *testing.T, when time.Time, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(when))
		if now := time.Now(); !now.Equal(when) {
			t.Fatalf("clock at %s, want %s", now, when)
		}
		f(t)
	})
}

func slackHeader(sig, ts string) http.Header {
	h := http.Header{}
	if sig != "" {
		h.Set(headerSignature, sig)
	}
	if ts != "" {
		h.Set(headerTimestamp, ts)
	}
	return h
}

func TestVerifySlackPublishedExample(t *testing.T) {
	t.Parallel()
	// One character of the body changed: "roadrunner" becomes "roadrunnes".
	changed := strings.Replace(publishedBody, "roadrunner", "roadrunnes", 1)
	if len(changed) != len(publishedBody) || changed == publishedBody {
		t.Fatal("the changed body should differ in exactly one character")
	}
	upper := "v0=" + strings.ToUpper(strings.TrimPrefix(publishedSignature, "v0="))
	cases := []struct {
		name    string
		now     time.Time
		secret  string
		sig, ts string
		body    string
		want    error
	}{
		{"Slack's example", publishedTime, publishedSecret, publishedSignature, publishedTimestamp, publishedBody, nil},
		{"five minutes later, still in the window", publishedTime.Add(5 * time.Minute), publishedSecret, publishedSignature, publishedTimestamp, publishedBody, nil},
		{"five minutes before, still in the window", publishedTime.Add(-5 * time.Minute), publishedSecret, publishedSignature, publishedTimestamp, publishedBody, nil},
		{"one character of the body changed", publishedTime, publishedSecret, publishedSignature, publishedTimestamp, changed, errBadSignature},
		{"stale: five minutes and a second later", publishedTime.Add(5*time.Minute + time.Second), publishedSecret, publishedSignature, publishedTimestamp, publishedBody, errOldSignature},
		{"stale: a day later", publishedTime.Add(24 * time.Hour), publishedSecret, publishedSignature, publishedTimestamp, publishedBody, errOldSignature},
		{"from the future", publishedTime.Add(-5*time.Minute - time.Second), publishedSecret, publishedSignature, publishedTimestamp, publishedBody, errOldSignature},
		{"another secret", publishedTime, publishedSecret + "x", publishedSignature, publishedTimestamp, publishedBody, errBadSignature},
		{"timestamp changed", publishedTime, publishedSecret, publishedSignature, "1531420619", publishedBody, errBadSignature},
		{"upper-case hex", publishedTime, publishedSecret, upper, publishedTimestamp, publishedBody, errBadSignature},
		{"no v0 prefix", publishedTime, publishedSecret, strings.TrimPrefix(publishedSignature, "v0="), publishedTimestamp, publishedBody, errBadSignature},
		{"v1 prefix", publishedTime, publishedSecret, "v1=" + strings.TrimPrefix(publishedSignature, "v0="), publishedTimestamp, publishedBody, errBadSignature},
		{"signature cut short", publishedTime, publishedSecret, publishedSignature[:len(publishedSignature)-2], publishedTimestamp, publishedBody, errBadSignature},
		{"not a timestamp", publishedTime, publishedSecret, publishedSignature, "soon", publishedBody, errBadSignature},
		{"no signature", publishedTime, publishedSecret, "", publishedTimestamp, publishedBody, errNoSignature},
		{"no timestamp", publishedTime, publishedSecret, publishedSignature, "", publishedBody, errNoSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at(t, c.now, func(t *testing.T) {
				if err := verifySlack(slackHeader(c.sig, c.ts), []byte(c.body), c.secret); !errors.Is(err, c.want) {
					t.Errorf("verifySlack: %v, want %v", err, c.want)
				}
			})
		})
	}
	if err := verifySlack(slackHeader(publishedSignature, publishedTimestamp), []byte(publishedBody), ""); err == nil {
		t.Errorf("verified without a signing secret")
	}
}

// The test harness and the benchmark sign as Slack does; both are pinned
// to the guide's example, so a test that passes is signed correctly.
func TestSlackSignMatchesPublishedExample(t *testing.T) {
	t.Parallel()
	if got := slackSign(publishedSecret, publishedTimestamp, []byte(publishedBody)); got != publishedSignature {
		t.Errorf("test harness signs %s, Slack's guide says %s", got, publishedSignature)
	}
	if got := SlackSignature(publishedSecret, 1531420618, []byte(publishedBody)); got != publishedSignature {
		t.Errorf("SlackSignature gives %s, Slack's guide says %s", got, publishedSignature)
	}
}
