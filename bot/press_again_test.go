package bot

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestUndoPressedTwice: a double click on Undo posts the same form twice.
// The second press finds the completion already undone: the page says
// so, by whom and when, and that nothing more was changed — as a notice,
// not as "That didn't work", and not as "marked contacted". Accept
// pressed twice reads the same way; another action refused because the
// referral moved on is still a failure.
func TestUndoPressedTwice(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r := tb.selfReferral("undo-twice", false)
	ailsa := tb.signedIn(tb.Net.Adviser)
	base := "/staff/referrals/" + r.Reference
	version := func() string { return strconv.Itoa(tb.referral(r.ID).Version) }
	// already checks the answer to a press made twice.
	already := func(what string, resp *http.Response, body string, done *regexp.Regexp) {
		t.Helper()
		if resp.StatusCode != http.StatusConflict {
			t.Errorf("%s again: status %d, want 409 (nothing was changed)", what, resp.StatusCode)
		}
		if strings.Contains(body, "That didn't work") || strings.Contains(body, `role="alert"`) {
			t.Errorf("%s again reads as a failure", what)
		}
		notice := regexp.MustCompile(`<p class="flash" role="status">(.*?)</p>`).FindStringSubmatch(body)
		if notice == nil || !done.MatchString(notice[1]) {
			t.Errorf("%s again: want a notice matching %q, got %q", what, done, notice)
		}
	}

	accept := url.Values{"csrf": {ailsa.csrf}, "version": {version()}}
	if resp, _ := ailsa.post(base+"/accept", accept); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	resp, body := ailsa.post(base+"/accept", accept)
	already("accept", resp, body, regexp.MustCompile(`^<strong>Already done\.</strong> Accepted by Ailsa Brodie \(Kirkton Citizens Advice\), just now \(\d\d:\d\d on [A-Za-z]{3} \d+ [A-Za-z]{3} \d{4}\)\. Nothing more was changed\.$`))

	if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionContact, Actor: tb.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	resp, _ = ailsa.post(base+"/complete", url.Values{"csrf": {ailsa.csrf}, "version": {version()}, "outcome": {"help-given"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete: %d", resp.StatusCode)
	}
	undo := url.Values{"csrf": {ailsa.csrf}, "version": {version()}}
	if resp, _ := ailsa.post(base+"/reopen", undo); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("undo: %d", resp.StatusCode)
	}
	after := tb.referral(r.ID)
	resp, body = ailsa.post(base+"/reopen", undo)
	already("undo", resp, body, regexp.MustCompile(`^<strong>Already done\.</strong> Completion undone by Ailsa Brodie \(Kirkton Citizens Advice\), just now \(\d\d:\d\d on [^)]+\)\. Nothing more was changed\.$`))
	if strings.Contains(body, "marked contacted by") {
		t.Errorf("the second undo says the referral was marked contacted")
	}
	if got := tb.referral(r.ID); got.Version != after.Version || got.Status != core.StatusInProgress {
		t.Errorf("the second undo changed the referral: version %d → %d, status %s", after.Version, got.Version, got.Status)
	}

	// Marking it could-not-contact (confirmed, as its panel sends it)
	// from a page older than the undo: a different action the referral
	// moved on from, so it failed.
	undo.Set("confirm", "yes")
	resp, body = ailsa.post(base+"/fail", undo)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "That didn't work") || strings.Contains(body, "Already done.") {
		t.Errorf("a stale different action: %d, want 409 explained as a failure", resp.StatusCode)
	}
}

// An email-only adviser's review: a completion (or rejection) sent twice
// by the same adviser (Back, then send again) said "That didn't work…
// What you wrote was not saved", though the first had saved it. Their own
// repeat now reads as done; a colleague's form that lost the race still
// fails, handing back what they typed.
func TestTypedFormSentTwiceBySameAdviser(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	ailsa := tb.signedIn(tb.Net.Adviser)
	callum := tb.signedIn(tb.Net.Adviser2)
	notice := regexp.MustCompile(`<p class="flash" role="status">(.*?)</p>`)

	r := tb.selfReferral("complete-twice", false)
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact} {
		if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: tb.Net.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	base := "/staff/referrals/" + r.Reference
	form := url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(tb.referral(r.ID).Version)}, "outcome": {"help-given"},
		"outcome_note": {"Parcel delivered; next delivery Thursday"}}
	if resp, body := ailsa.post(base+"/complete", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete: %d %s", resp.StatusCode, body)
	}
	resp, body := ailsa.post(base+"/complete", form)
	if m := notice.FindStringSubmatch(body); resp.StatusCode != http.StatusConflict || strings.Contains(body, "That didn't work") ||
		m == nil || !strings.Contains(m[1], "Already done.</strong> Completed by Ailsa Brodie") {
		t.Errorf("the same completion sent again: %d, notice %q; want it read as already done", resp.StatusCode, m)
	}

	// A colleague's rejection from the same old page lost the race: a
	// failure, their words handed back.
	r2 := tb.selfReferral("reject-race", false)
	base2 := "/staff/referrals/" + r2.Reference
	reject := func(s *webClient) url.Values {
		return url.Values{"csrf": {s.csrf}, "version": {strconv.Itoa(r2.Version)}, "reason": {string(core.ReasonNotEligible)},
			"feedback": {"We do not cover Fife: try Kirkton Citizens Advice"}}
	}
	if resp, body := ailsa.post(base2+"/reject", reject(ailsa)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d %s", resp.StatusCode, body)
	}
	resp, body = callum.post(base2+"/reject", reject(callum))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "That didn't work") || strings.Contains(body, "Already done.") ||
		!strings.Contains(body, "We do not cover Fife") {
		t.Errorf("a colleague's rejection after Ailsa's: %d; want a failure handing back their words", resp.StatusCode)
	}
	// Ailsa's own again reads as done.
	resp, body = ailsa.post(base2+"/reject", reject(ailsa))
	if m := notice.FindStringSubmatch(body); resp.StatusCode != http.StatusConflict || m == nil || !strings.Contains(m[1], "Already done.") {
		t.Errorf("Ailsa's rejection sent again: %d, notice %q; want already done", resp.StatusCode, m)
	}
}
