package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
)

func TestSignatureRefusedAndNothingProcessed(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("sig", false)
	payload := tb.blockAction("U0AILSA", "C0CAB", "accept", buttonValue(r.ID, r.Version))
	raw := url.Values{"payload": {mustJSON(t, payload)}}.Encode()
	// Slack's clock, and the one slack-go checks the window against, is
	// the real one.
	now := time.Now().Unix()
	at := func(ts int64) string { return strconv.FormatInt(ts, 10) }
	good := slackSign(testSigningSecret, at(now), []byte(raw))
	cases := []struct {
		name     string
		sig, ts  string
		mutate   func(string) string
		wantCode int
	}{
		{"missing headers", "", "", nil, 401},
		{"wrong secret", slackSign("not-the-secret", at(now), []byte(raw)), at(now), nil, 401},
		{"body changed after signing", good, at(now), func(s string) string { return s + "&x=1" }, 401},
		{"six minutes old", slackSign(testSigningSecret, at(now-360), []byte(raw)), at(now - 360), nil, 401},
		{"six minutes ahead", slackSign(testSigningSecret, at(now+360), []byte(raw)), at(now + 360), nil, 401},
		{"no v0 prefix", strings.TrimPrefix(good, "v0="), at(now), nil, 401},
		{"upper-case hex", "v0=" + strings.ToUpper(strings.TrimPrefix(good, "v0=")), at(now), nil, 401},
		{"not a timestamp", good, "soon", nil, 401},
	}
	for _, c := range cases {
		for _, path := range []string{"/slack/interactions", "/slack/commands"} {
			body := raw
			if c.mutate != nil {
				body = c.mutate(body)
			}
			req, _ := http.NewRequest(http.MethodPost, tb.srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.sig != "" {
				req.Header.Set(headerSignature, c.sig)
			}
			if c.ts != "" {
				req.Header.Set(headerTimestamp, c.ts)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.wantCode {
				t.Errorf("%s %s: status %d, want %d", c.name, path, resp.StatusCode, c.wantCode)
			}
		}
	}
	tb.bot.wait()
	if got := tb.referral(r.ID); got.Status != core.StatusRequested {
		t.Errorf("a refused request changed the referral to %s", got.Status)
	}
	if n := len(tb.slack.calls); n != 0 {
		t.Errorf("refused requests caused %d Slack calls", n)
	}
	// The same payload, properly signed, is processed.
	wantStatus(t, tb.interact(payload), 200)
	tb.bot.wait()
	if got := tb.referral(r.ID); got.Status != core.StatusAccepted {
		t.Errorf("signed accept: status %s, want accepted", got.Status)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	s, err := jsonString(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAcceptContactComplete(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("flow", false)
	steps := []struct {
		button string
		want   core.Status
	}{{"accept", core.StatusAccepted}, {"contact", core.StatusInProgress}, {"complete", core.StatusCompleted}}
	for _, s := range steps {
		cur := tb.referral(r.ID)
		if body := wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", s.button, buttonValue(cur.ID, cur.Version))), 200); body != "" {
			t.Errorf("%s: acknowledgement body %q, want empty", s.button, body)
		}
		tb.bot.wait()
		if s.button == "complete" {
			// Completing asks how it ended: a modal, then its submission.
			view := tb.openedView("")
			if view["callback_id"] != cbComplete || !strings.Contains(mustJSON(t, view), "Help given") {
				t.Fatalf("complete should open the outcome modal: %v", view)
			}
			if got := tb.referral(r.ID); got.Status != core.StatusInProgress {
				t.Fatalf("pressing Mark completed changed the referral before an outcome was given")
			}
			body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0DONE", cbComplete, view["private_metadata"].(string),
				map[string]any{blkOutcomeNote: typed("")})), 200)
			if !strings.Contains(body, blkOutcome) {
				t.Fatalf("completing without an outcome should be refused against the outcome field: %s", body)
			}
			wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0DONE2", cbComplete, view["private_metadata"].(string),
				map[string]any{blkOutcome: selected(string(core.OutcomeHelpGiven))})), 200)
		}
		if got := tb.referral(r.ID); got.Status != s.want {
			t.Fatalf("after %s: status %s, want %s", s.button, got.Status, s.want)
		} else if s.button == "complete" && (got.Outcome == nil || *got.Outcome != core.OutcomeHelpGiven) {
			t.Errorf("completed with outcome %v, want help-given", got.Outcome)
		}
		tb.Clock.Advance(time.Hour)
	}
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 0 {
		t.Errorf("successful presses sent ephemeral replies: %v", eph[0].text())
	}
	evs := tb.events(r.ID)
	if n := countKind(evs, core.EventTransition); n != 3 {
		t.Errorf("audit log has %d transitions, want 3", n)
	}
	for _, e := range evs {
		if e.Kind == core.EventTransition && (e.ActorID == nil || *e.ActorID != tb.Net.Adviser.ID) {
			t.Errorf("transition %s→%s not recorded as Ailsa's", e.FromStatus, e.ToStatus)
		}
	}
	// Every change asked notify to bring the card up to date.
	if cards := agencyCards(t, tb, r.ID); cards != 4 {
		t.Errorf("%d agency card.sync rows, want 4 (created + 3 changes)", cards)
	}
	// The completed card has no action buttons left, only Client's data….
	_, _, blocks, err := tb.bot.cards.Card(t.Context(), r.ID, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	if s := mustJSON(t, blocks); strings.Count(s, `"type":"button"`) != 1 || !strings.Contains(s, `"action_id":"client_data"`) || !strings.Contains(s, "Completed") {
		t.Errorf("completed card should show Completed and only Client's data…: %s", s)
	}
}

func TestTwoAdvisersAcceptAtTheSameMoment(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("race", false)
	value := buttonValue(r.ID, r.Version)
	users := []string{"U0AILSA", "U0CALLUM"}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, u := range users {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			<-start
			resp := tb.interact(tb.blockAction(u, "C0CAB", "accept", value))
			if resp.StatusCode != 200 {
				t.Errorf("%s: status %d", u, resp.StatusCode)
			}
		}(u)
	}
	close(start)
	wg.Wait()
	tb.bot.wait()
	got := tb.referral(r.ID)
	if got.Status != core.StatusAccepted || got.StatusBy == nil {
		t.Fatalf("status %s, want accepted", got.Status)
	}
	winner, loser := tb.Net.Adviser, "U0CALLUM"
	if *got.StatusBy == tb.Net.Adviser2.ID {
		winner, loser = tb.Net.Adviser2, "U0AILSA"
	}
	eph := tb.slack.called("chat.postEphemeral")
	if len(eph) != 1 {
		t.Fatalf("%d ephemeral replies, want 1 (to the one who lost)", len(eph))
	}
	want := fmt.Sprintf("Already changed: Accepted by %s (Kirkton Citizens Advice), at 10:00 on Mon 23 Nov", winner.Name)
	if eph[0].Form.Get("user") != loser || eph[0].Form.Get("channel") != "C0CAB" || !strings.Contains(eph[0].text(), want) {
		t.Errorf("reply to %s in %s: %q; want to %s containing %q", eph[0].Form.Get("user"), eph[0].Form.Get("channel"), eph[0].text(), loser, want)
	}
	if n := countKind(tb.events(r.ID), core.EventTransition); n != 1 {
		t.Errorf("%d transitions recorded, want 1", n)
	}
}

func TestOtherAgencyRefusedAndAudited(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("other", false)
	wantStatus(t, tb.interact(tb.blockAction("U0ISLA", "C0CAB", "accept", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	if got := tb.referral(r.ID); got.Status != core.StatusRequested {
		t.Fatalf("another agency's adviser changed the referral to %s", got.Status)
	}
	eph := tb.slack.called("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != "U0ISLA" || !strings.Contains(eph[0].text(), "Not allowed") {
		t.Fatalf("want one refusal to U0ISLA, got %+v", eph)
	}
	evs := tb.events(r.ID)
	if countKind(evs, core.EventAccessDenied) != 1 {
		t.Errorf("the refusal was not audited: %+v", evs)
	}
}

func TestUnregisteredAndFirstUse(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("who", false)
	tb.slack.emails["U0STRANGER"] = "stranger@elsewhere.example"
	tb.slack.emails["U0EUAN"] = "Euan@Housing.example"

	// Unknown to Onward: told so, nothing happens.
	for _, button := range []string{"accept", "reject", "details"} {
		tb.slack.reset()
		wantStatus(t, tb.interact(tb.blockAction("U0STRANGER", "C0CAB", button, buttonValue(r.ID, r.Version))), 200)
		tb.bot.wait()
		eph := tb.slack.called("chat.postEphemeral")
		if len(eph) != 1 || !strings.Contains(eph[0].text(), "not registered") {
			t.Errorf("%s by an unknown user: want a not-registered reply, got %+v", button, eph)
		}
		if n := len(tb.slack.called("views.open")); n != 0 {
			t.Errorf("%s by an unknown user opened %d modals", button, n)
		}
	}
	if got := tb.referral(r.ID); got.Status != core.StatusRequested {
		t.Fatalf("an unknown user changed the referral to %s", got.Status)
	}
	// A user Slack cannot find at all is unknown too.
	tb.slack.reset()
	wantStatus(t, tb.interact(tb.blockAction("U0NOBODY", "C0CAB", "accept", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].text(), "not registered") {
		t.Errorf("user Slack does not know: got %+v", eph)
	}

	// Known by email on first use: linked, then found by Slack id.
	if _, err := tb.bot.staffForSlack(t.Context(), "U0EUAN"); err != nil {
		t.Fatalf("first use by email: %v", err)
	}
	s, err := tb.Engine.StaffBySlackUser(t.Context(), "U0EUAN")
	if err != nil || s.ID != tb.Net.HousingAdviser.ID {
		t.Fatalf("Slack user not linked to Euan: %+v %v", s, err)
	}
	before := len(tb.slack.called("users.info"))
	if _, err := tb.bot.staffForSlack(t.Context(), "U0EUAN"); err != nil {
		t.Fatal(err)
	}
	if after := len(tb.slack.called("users.info")); after != before {
		t.Errorf("a linked user was looked up in Slack again")
	}
}

func TestRetriesAndDoubleClicksProcessedOnce(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("dup", false)
	press := tb.blockAction("U0AILSA", "C0CAB", "accept", buttonValue(r.ID, r.Version))
	wantStatus(t, tb.interact(press), 200)
	wantStatus(t, tb.interact(press, headerRetryNum, "1", "X-Slack-Retry-Reason", "http_timeout"), 200)
	// A second click of the same button on the same card: a new action_ts.
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", "accept", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	if n := countKind(tb.events(r.ID), core.EventTransition); n != 1 {
		t.Errorf("%d transitions, want 1", n)
	}
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 0 {
		t.Errorf("a retry or double click got a reply: %q", eph[0].text())
	}
}

func TestUnknownReferralAndBadValues(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	for _, c := range []struct{ button, value, want string }{
		{"accept", "999999:1", "no longer exists"},
		{"reject", "999999:1", "no longer exists"},
		{"details", "999999:1", "no longer exists"},
		{"accept", "not-a-value", "out of date"},
	} {
		tb.slack.reset()
		wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", c.button, c.value)), 200)
		tb.bot.wait()
		eph := tb.slack.called("chat.postEphemeral")
		if len(eph) != 1 || !strings.Contains(eph[0].text(), c.want) {
			t.Errorf("%s %s: want one reply containing %q, got %+v", c.button, c.value, c.want, eph)
		}
	}
	// A payload that is not JSON is a bad request, not a crash.
	resp := tb.post("/slack/interactions", url.Values{"payload": {"{not json"}})
	if resp.StatusCode != 400 {
		t.Errorf("unreadable payload: status %d, want 400", resp.StatusCode)
	}
	// A payload whose text holds a NUL, which no column can store, is
	// refused before it reaches the database.
	tb.slack.reset()
	resp = tb.interact(tb.blockAction("U0AILSA", "C0CAB", "accept", "999999:1\x00"))
	if resp.StatusCode != 400 {
		t.Errorf("payload with a NUL: status %d, want 400", resp.StatusCode)
	}
	tb.bot.wait()
	if n := len(tb.slack.called("chat.postEphemeral")); n != 0 {
		t.Errorf("payload with a NUL was acted on: %d replies", n)
	}
	// An unknown interaction type is acknowledged and ignored.
	wantStatus(t, tb.interact(map[string]any{"type": "shortcut", "user": slackUser("U0AILSA")}), 200)
}

func TestEphemeralFallsBackToResponseURL(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("fallback", false)
	press := tb.blockAction("U0ISLA", "", "accept", buttonValue(r.ID, r.Version))
	press["channel"] = map[string]any{}
	press["container"] = map[string]any{"type": "message"}
	wantStatus(t, tb.interact(press), 200)
	tb.bot.wait()
	got := tb.slack.called("response_url")
	if len(got) != 1 || got[0].JSON["response_type"] != "ephemeral" || !strings.Contains(got[0].text(), "Not allowed") {
		t.Errorf("want one ephemeral response_url reply, got %+v", got)
	}
}

// errPressExploded is the panic of a press made with panicsOnUse.
var errPressExploded = errors.New("the press exploded")

// panicsOnUse is a context that panics as soon as anything waits on it,
// so a press made with it fails as a bug in the engine would.
type panicsOnUse struct{ context.Context }

func (panicsOnUse) Done() <-chan struct{} { panic(errPressExploded) }

func TestAPressThatPanicsCanBeMadeAgain(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("panics", false)
	value := buttonValue(r.ID, r.Version)
	key := pressKey("U0AILSA", string(btnAccept), value)
	if !tb.bot.first(t.Context(), key) {
		t.Fatal("a new press was taken for a repeat")
	}
	p := press{button: btnAccept, id: r.ID, version: r.Version, to: replyTo{channel: "C0CAB", user: "U0AILSA"}}
	func() {
		defer func() {
			if v := recover(); v != errPressExploded {
				t.Fatalf("the press's panic came out as %v, want it passed on to the job's recovery", v)
			}
		}()
		tb.bot.pressed(panicsOnUse{t.Context()}, p, key)
	}()
	// Nothing was decided, so the same press, made again (a Slack retry
	// or a second click), is taken and accepts the referral.
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", string(btnAccept), value)), 200)
	tb.bot.wait()
	if got := tb.referral(r.ID).Status; got != core.StatusAccepted {
		t.Fatalf("after the panic the same press left the referral %s, want accepted: the press was dropped as a repeat", got)
	}
}

// A press refused because Onward does not know the presser is not a
// decision about the referral: once a coordinator adds them, the same
// press (the same button on the same card) is taken. Done, it is kept as
// a repeat for the hour; in hand, for no longer than pressWorkTTL, so a
// press whose process died can be made again within a minute.
func TestAPressAboutThePresserCanBeMadeAgain(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := t.Context()
	r := tb.selfReferral("later", false)
	value := buttonValue(r.ID, r.Version)
	tb.slack.emails["U0LATE"] = "late@cab.example"
	press := func() {
		tb.slack.reset()
		wantStatus(t, tb.interact(tb.blockAction("U0LATE", "C0CAB", "accept", value)), 200)
		tb.bot.wait()
	}
	press()
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].text(), "not registered") {
		t.Fatalf("a press by someone Onward does not know: want a not-registered reply, got %+v", eph)
	}
	if _, err := tb.Engine.AddStaff(ctx, tb.Pool, core.NewStaff{AgencyID: tb.Net.CAB, Name: "Lachlan Fictional",
		Role: core.RoleAdviser, Email: "late@cab.example"}); err != nil {
		t.Fatal(err)
	}
	press()
	if got := tb.referral(r.ID).Status; got != core.StatusAccepted {
		t.Fatalf("the same press after the presser was added left the referral %s, want accepted", got)
	}
	key := tb.bot.prefix + "bot:once:" + pressKey("U0LATE", string(btnAccept), value)
	if ttl := tb.bot.rdb.PTTL(ctx, key).Val(); ttl <= pressWorkTTL {
		t.Errorf("a press done is kept %s as a repeat, want the hour", ttl)
	}
	// A press still in hand holds its key for pressWorkTTL only.
	inHand := pressKey("U0LATE", string(btnHold), value)
	if !tb.bot.firstFor(ctx, inHand, pressWorkTTL) {
		t.Fatal("a new press was taken for a repeat")
	}
	if ttl := tb.bot.rdb.PTTL(ctx, tb.bot.prefix+"bot:once:"+inHand).Val(); ttl <= 0 || ttl > pressWorkTTL {
		t.Errorf("a press in hand is held %s, want at most %s", ttl, pressWorkTTL)
	}
}
