package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestHelpAndUnknownCommands(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	for _, c := range []struct{ command, text, want string }{
		{"/onward", "help", "/refer"},
		{"/onward", "", "/onward capacity on"},
		{"/onward", "dance", "I don't know"},
		{"/elsewhere", "", "I don't know"},
	} {
		body := wantStatus(t, tb.command("U0AILSA", c.command, c.text), 200)
		var m map[string]string
		if err := json.Unmarshal([]byte(body), &m); err != nil || m["response_type"] != "ephemeral" || !strings.Contains(m["text"], c.want) {
			t.Errorf("%s %s: got %s, want an ephemeral reply containing %q", c.command, c.text, body, c.want)
		}
	}
}

// TestSSLCheckAnsweredEmpty: Slack's certificate check of the command
// address (ssl_check=1, with its token and no command) gets an empty 200
// and nothing else: no reply, no call to Slack, no dedupe key. The check
// may come unsigned (Slack's own SDKs answer it before the signature), so
// it is answered unsigned too; a command without a signature is not.
func TestSSLCheckAnsweredEmpty(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	keys := func() []string { return tb.bot.rdb.Keys(t.Context(), tb.bot.prefix+"*").Val() }
	unsigned := []string{headerSignature, "", headerTimestamp, ""}
	for _, c := range []struct {
		name    string
		headers []string
	}{{"signed", nil}, {"unsigned", unsigned}} {
		before := keys()
		resp := tb.post("/slack/commands", url.Values{"ssl_check": {"1"}, "token": {"legacy-token"}}, c.headers...)
		if body := wantStatus(t, resp, 200); body != "" {
			t.Errorf("%s ssl_check answered %q, want an empty body", c.name, body)
		}
		tb.bot.wait()
		tb.slack.mu.Lock()
		if len(tb.slack.calls) != 0 {
			t.Errorf("%s ssl_check called Slack: %+v", c.name, tb.slack.calls)
		}
		tb.slack.mu.Unlock()
		if after := keys(); len(after) != len(before) {
			t.Errorf("%s ssl_check wrote to Redis: keys %v, then %v", c.name, before, after)
		}
	}
	resp := tb.post("/slack/commands", url.Values{"command": {"/onward"}, "text": {"help"}, "user_id": {"U0AILSA"}}, unsigned...)
	wantStatus(t, resp, 401)
}

func TestCapacityCommand(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	wantStatus(t, tb.command("U0AILSA", "/onward", "capacity on waiting list until March"), 200)
	tb.bot.wait()
	a, err := tb.Engine.Agency(ctx, tb.Net.CAB)
	if err != nil || !a.AtCapacity || a.CapacityNote != "waiting list until March" {
		t.Fatalf("CAB should be at capacity with the note: %+v %v", a, err)
	}
	replies := tb.slack.called("response_url")
	if len(replies) != 1 || !strings.Contains(replies[0].text(), "at capacity") || replies[0].JSON["response_type"] != "ephemeral" {
		t.Fatalf("want one ephemeral confirmation, got %+v", replies)
	}
	alert, queued := "", false
	for _, o := range coretest.OutboxRows(t, tb.Engine) {
		if o.Kind == core.OutboxAlert {
			alert, queued = o.Payload.Text, true
			break
		}
	}
	if !queued {
		t.Fatal("no coordinator alert queued")
	}
	if !strings.Contains(alert, "Kirkton Citizens Advice is at capacity: waiting list until March (set by Ailsa Brodie)") {
		t.Errorf("alert text %q", alert)
	}
	// New self-referrals no longer go to CAB.
	m, err := tb.Engine.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedDebt}, District: "KY1"})
	if err != nil || len(m.Suggestions) == 0 || m.Suggestions[0].Agency.ID == tb.Net.CAB {
		t.Errorf("CAB still suggested while at capacity: %+v", m.Suggestions)
	}

	wantStatus(t, tb.command("U0AILSA", "/onward", "capacity off"), 200)
	wantStatus(t, tb.command("U0AILSA", "/onward", "capacity maybe"), 200)
	wantStatus(t, tb.command("U0STRANGER", "/onward", "capacity on"), 200)
	tb.bot.wait()
	if a, _ := tb.Engine.Agency(ctx, tb.Net.CAB); a.AtCapacity {
		t.Errorf("capacity off did not take effect")
	}
	replies = tb.slack.called("response_url")
	texts := []string{}
	for _, r := range replies {
		texts = append(texts, r.text())
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"taking referrals again", "Use `/onward capacity on", "not registered"} {
		if !strings.Contains(all, want) {
			t.Errorf("replies lack %q:\n%s", want, all)
		}
	}
}

func TestLoginCommandDMsALink(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	wantStatus(t, tb.command("U0AILSA", "/onward", "login"), 200)
	tb.bot.wait()
	opens := tb.slack.called("conversations.open")
	if len(opens) != 1 || opens[0].Form.Get("users") != "U0AILSA" {
		t.Fatalf("want a DM opened with U0AILSA, got %+v", opens)
	}
	posts := tb.slack.called("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "D0U0AILSA" {
		t.Fatalf("want the link posted in the DM, got %+v", posts)
	}
	text := posts[0].text()
	i := strings.Index(text, "http://onward.test/staff/login?token=")
	if i < 0 {
		t.Fatalf("no login link in %q", text)
	}
	link := text[i : strings.IndexByte(text[i:], '|')+i]
	if err := tb.signInWith(link); err != nil {
		t.Errorf("the DM'd link does not sign in: %v", err)
	}
	if r := tb.slack.called("response_url"); len(r) != 1 || !strings.Contains(r[0].text(), "direct message") {
		t.Errorf("want an ephemeral 'sent' reply, got %+v", r)
	}
}

func TestReferCommand(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	// Unknown users get no modal.
	body := wantStatus(t, tb.command("U0STRANGER", "/refer", ""), 200)
	if !strings.Contains(body, "not registered") || len(tb.slack.called("views.open")) != 0 {
		t.Fatalf("unknown user: %s", body)
	}

	wantStatus(t, tb.command("U0AILSA", "/refer", ""), 200)
	start := tb.openedView("")
	goldenJSON(t, "modal_refer_start", start)

	// Step one: a bad postcode is shown against its block.
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REF1", cbReferStart, "",
		map[string]any{blkNeeds: multi("housing"), blkPostcode: typed("not a postcode")})), 200)
	if errs, _ := submitResponse(t, body)["errors"].(map[string]any); errs[blkPostcode] == nil {
		t.Fatalf("want a postcode error, got %s", body)
	}
	// Step one done: the modal becomes step two with the suggestions.
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REF1", cbReferStart, "",
		map[string]any{blkNeeds: multi("housing"), blkPostcode: typed("ky1 2cd"), blkCrisis: checked()})), 200)
	resp := submitResponse(t, body)
	if resp["response_action"] != "update" {
		t.Fatalf("want response_action update, got %s", body)
	}
	next := resp["view"].(map[string]any)
	goldenJSON(t, "modal_refer_send", next)
	if s := mustJSON(t, next); !strings.Contains(s, "Kingdom Housing Options") || !strings.Contains(s, "Kingdom Advice Network will share") {
		t.Errorf("step two should offer Housing Options and show the consent wording: %s", s)
	}
	meta := next["private_metadata"].(string)
	housing := strconv.FormatInt(int64(tb.Net.Housing), 10)
	values := map[string]any{blkName: typed("Kenny Lumsden"), blkPhone: typed("07700 900555"), blkNotes: typed("Eviction notice"),
		blkAgency: radio(housing), blkConsent: checked()}

	// Without the consent box ticked: refused, in the modal.
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REF1", cbReferSend, meta, values)), 200)
	errs, _ := submitResponse(t, body)["errors"].(map[string]any)
	if msg, _ := errs[blkConsent].(string); !strings.Contains(msg, "Confirm the client agreed") {
		t.Fatalf("want a consent error, got %s", body)
	}
	// A bad phone number: against the phone block.
	values[blkConsent] = checked(consentAgreed)
	values[blkPhone] = typed("12")
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REF1", cbReferSend, meta, values)), 200)
	if errs, _ := submitResponse(t, body)["errors"].(map[string]any); errs[blkPhone] == nil {
		t.Fatalf("want a phone error, got %s", body)
	}
	// Neither phone nor email: said against the phone, which the form
	// and its hint offer with the email box beside it.
	values[blkPhone] = typed("")
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REF1", cbReferSend, meta, values)), 200)
	if errs, _ := submitResponse(t, body)["errors"].(map[string]any); !strings.Contains(fmt.Sprint(errs[blkPhone]), "email address") {
		t.Fatalf("want a phone-or-email error, got %s", body)
	}
	// An email alone is a way in: the client of a second referral, made
	// in another modal, has no phone.
	emailOnly := maps.Clone(values)
	emailOnly[blkName], emailOnly[blkEmail] = typed("Ishbel Fictional"), typed("ishbel@example.org")
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REF2", cbReferSend, meta, emailOnly)), 200)
	if submitResponse(t, body)["response_action"] != "update" {
		t.Fatalf("a client with an email and no phone: want the confirmation view, got %s", body)
	}
	values[blkPhone] = typed("07700 900555")
	sub := tb.viewSubmission("U0AILSA", "V0REF1", cbReferSend, meta, values)
	body = wantStatus(t, tb.interact(sub), 200)
	resp = submitResponse(t, body)
	if resp["response_action"] != "update" || !strings.Contains(body, "is with *Kingdom Housing Options*") {
		t.Fatalf("want the confirmation view, got %s", body)
	}
	rs, err := tb.Engine.ListReferrals(ctx, core.ReferralFilter{ToAgency: tb.Net.Housing})
	if err != nil || len(rs) != 2 {
		t.Fatalf("want two referrals to Housing, got %d (%v)", len(rs), err)
	}
	var r core.Referral
	for _, x := range rs {
		c, err := tb.Engine.ClientDetailsFor(ctx, x.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		switch c.Name {
		case "Kenny Lumsden":
			r = x
		case "Ishbel Fictional":
			if c.Email != "ishbel@example.org" || c.Phone != "" {
				t.Errorf("the client with an email alone: %+v", c)
			}
		}
	}
	if r.Source != core.SourceStaff || r.FromAgencyID == nil || *r.FromAgencyID != tb.Net.CAB || r.PostcodeDistrict != "KY1" {
		t.Errorf("referral %+v", r)
	}
	c, err := tb.Engine.Consent(ctx, r.ConsentID)
	if err != nil || c.Channel != core.ChannelStaff || c.StaffID == nil || *c.StaffID != tb.Net.Adviser.ID || !c.Covers(tb.Net.Housing) || c.Covers(tb.Net.Welfare) {
		t.Errorf("consent %+v %v: want staff-channel evidence by Ailsa, scoped to Housing", c, err)
	}
	// Submitted twice: still one referral.
	wantStatus(t, tb.interact(sub), 200)
	if rs, _ := tb.Engine.ListReferrals(ctx, core.ReferralFilter{ToAgency: tb.Net.Housing}); len(rs) != 2 {
		t.Errorf("a repeated submission made %d referrals", len(rs))
	}
	for _, p := range []string{"Kenny", "Lumsden", "900555", "Eviction"} {
		if strings.Contains(tb.logText(), p) {
			t.Errorf("log carries personal data %q", p)
		}
	}
}

func TestStatsCommand(t *testing.T) {
	t.Parallel()
	tb := reportsBot(t)
	ctx := context.Background()
	var received, acked, open int
	if err := tb.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status <> 'requested'),
		count(*) FILTER (WHERE status IN ('requested', 'accepted', 'in-progress', 'on-hold'))
		FROM referrals WHERE to_agency_id = $1`, tb.Net.CAB).Scan(&received, &acked, &open); err != nil {
		t.Fatal(err)
	}
	if received == 0 {
		t.Fatal("the seeded network sent nothing to CAB")
	}
	wantStatus(t, tb.command("U0AILSA", "/onward", "stats"), 200)
	wantStatus(t, tb.command("U0AILSA", "/onward", "stats 7 days"), 200)
	wantStatus(t, tb.command("U0AILSA", "/onward", "stats forever"), 200)
	wantStatus(t, tb.command("U0STRANGER", "/onward", "stats"), 200)
	tb.bot.wait()
	replies := tb.slack.called("response_url")
	if len(replies) != 4 {
		t.Fatalf("want 4 replies, got %d", len(replies))
	}
	var texts []string
	for _, r := range replies {
		if r.JSON["response_type"] != "ephemeral" {
			t.Errorf("a stats reply was not ephemeral: %+v", r.JSON)
		}
		texts = append(texts, r.text())
	}
	all := strings.Join(texts, "\n---\n")
	for _, want := range []string{
		"*Kirkton Citizens Advice: the last 30 days*",
		"*Kirkton Citizens Advice: the last 7 days*",
		"Received *" + strconv.Itoa(received) + "* referrals: " + strconv.Itoa(acked) + " acknowledged",
		strconv.Itoa(open) + " still open",
		"http://onward.test/staff/reports?agency=",
		"Use `/onward stats` for the last 30 days",
		"not registered",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("replies lack %q:\n%s", want, all)
		}
	}
	for _, pii := range []string{"Iain Rennie", "07700"} {
		if strings.Contains(all, pii) {
			t.Errorf("stats reply shows client details %q", pii)
		}
	}
}

// TestReferSuggestionsLeaveTheAdvisersAgencyOut: /refer's second step
// does not list the adviser's own agency as "already tried for this
// client" (no referral of this client was ever with it), as the staff
// web's form does not list it at all.
func TestReferSuggestionsLeaveTheAdvisersAgencyOut(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	wantStatus(t, tb.command("U0AILSA", "/refer", ""), 200)
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REF2", cbReferStart, "",
		map[string]any{blkNeeds: multi("debt"), blkPostcode: typed("ky1 2cd"), blkCrisis: checked()})), 200)
	if strings.Contains(body, "already tried") {
		t.Errorf("the adviser's own agency is listed as already tried: %s", body)
	}
	if !strings.Contains(body, "Kingdom Council Welfare Rights") {
		t.Errorf("step two suggests nobody for debt in KY1: %s", body)
	}
}
