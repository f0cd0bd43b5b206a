package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// Client's data… on a Slack card: an adviser who may see the referral can
// record a withdrawal (evidence required), but not erase or export; staff
// of another agency cannot open it (and the attempt is recorded); a
// coordinator can erase and is sent to the staff web for the export.
// Nothing about the client reaches Slack.
func TestSlackClientDataActions(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r := tb.selfReferral("slack-dp", false)
	value := buttonValue(r.ID, r.Version)

	_, _, blocks, err := NewCards(tb.Engine, tb.cfg).Card(ctx, r.ID, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	if s := mustJSON(t, blocks); !strings.Contains(s, `"action_id":"client_data"`) || !strings.Contains(s, "Client's data") {
		t.Fatalf("card has no Client's data button: %s", s)
	}

	// Another agency's adviser: no modal, the refusal recorded.
	wantStatus(t, tb.interact(tb.blockAction("U0ISLA", "C0CAB", "client_data", value)), 200)
	tb.bot.wait()
	if len(tb.slack.called("views.open")) != 0 {
		t.Fatal("another agency's adviser opened the client's data modal")
	}
	if n := countKind(tb.events(r.ID), core.EventAccessDenied); n != 1 {
		t.Errorf("%d access-denied events, want 1", n)
	}

	// The referral's adviser: withdrawal only.
	press := tb.blockAction("U0AILSA", "C0CAB", "client_data", value)
	wantStatus(t, tb.interact(press), 200)
	view := tb.openedView(press["trigger_id"].(string))
	s := mustJSON(t, view)
	if !strings.Contains(s, `"value":"withdraw"`) || strings.Contains(s, `"value":"erase"`) || strings.Contains(s, `"value":"export"`) {
		t.Fatalf("adviser's modal should offer withdrawal only: %s", s)
	}
	meta := view["private_metadata"].(string)
	submit := func(user, viewID, action, text string) map[string]any {
		t.Helper()
		values := map[string]any{blkDPText: typed(text)}
		if action != "" {
			values[blkDPAction] = radio(action)
		}
		if action == dpActionErase && core.ErasureReason(text).Label() != "" {
			values[blkDPReason] = selected(text)
		}
		return submitResponse(t, wantStatus(t, tb.interact(tb.viewSubmission(user, viewID, cbClientData, meta, values)), 200))
	}
	errorOn := func(resp map[string]any, block, want string) {
		t.Helper()
		errs, _ := resp["errors"].(map[string]any)
		if resp["response_action"] != "errors" || !strings.Contains(errs[block].(string), want) {
			t.Errorf("want an error on %s saying %q, got %v", block, want, resp)
		}
	}
	// A crafted erase or export from an adviser is refused by the same rules.
	errorOn(submit("U0AILSA", "V0DP1", dpActionErase, string(core.ErasureClientAsked)), blkDPAction, "only a coordinator")
	errorOn(submit("U0AILSA", "V0DP2", dpActionExport, ""), blkDPAction, "only a coordinator")
	errorOn(submit("U0AILSA", "V0DP3", "", "phone call"), blkDPAction, "Choose what")
	errorOn(submit("U0AILSA", "V0DP4", dpActionWithdraw, " "), blkDPText, "say how the client asked")
	if c, err := tb.Engine.ClientDetailsFor(ctx, r.ClientID); err != nil || c.Erased {
		t.Fatalf("refused submissions changed the client: %+v %v", c, err)
	}
	resp := submit("U0AILSA", "V0DP5", dpActionWithdraw, "phone call 3 Dec, spoke to Ailsa")
	if resp["response_action"] != "update" || !strings.Contains(mustJSON(t, resp), "1 open referral cancelled") {
		t.Fatalf("withdrawal answer: %v", resp)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusCancelled {
		t.Errorf("referral %s after withdrawal, want cancelled", got.Status)
	}
	errorOn(submit("U0AILSA", "V0DP6", dpActionWithdraw, "again"), blkDPAction, "already withdrawn")

	// The coordinator: erasure and the export's link to the staff web.
	press = tb.blockAction("U0MORVEN", "C0TRIAGE", "client_data", value)
	wantStatus(t, tb.interact(press), 200)
	s = mustJSON(t, tb.openedView(press["trigger_id"].(string)))
	if !strings.Contains(s, `"value":"erase"`) || !strings.Contains(s, `"value":"export"`) {
		t.Fatalf("coordinator's modal should offer erasure and export: %s", s)
	}
	// The erasure's reasons are core's list (audit D 6).
	for _, c := range core.ErasureReasons() {
		if !strings.Contains(s, `"value":"`+c.Code+`"`) {
			t.Errorf("coordinator's modal does not offer the reason %s: %s", c.Code, s)
		}
	}
	// The export goes through the staff web's request form (audit D 1).
	resp = submit("U0MORVEN", "V0DP7", dpActionExport, "")
	if s := mustJSON(t, resp); resp["response_action"] != "update" || !strings.Contains(s, "http://onward.test/staff/referrals/"+r.Reference+"/export") ||
		!strings.Contains(s, "data protection officer") {
		t.Fatalf("export answer: %s", s)
	}
	errorOn(submit("U0MORVEN", "V0DP8", dpActionErase, ""), blkDPReason, "say why")
	errorOn(submit("U0MORVEN", "V0DP8b", dpActionErase, "client asked by letter"), blkDPReason, "say why")
	if resp := submit("U0MORVEN", "V0DP9", dpActionErase, string(core.ErasureClientAsked)); resp["response_action"] != "update" {
		t.Fatalf("erasure answer: %v", resp)
	}
	if c, err := tb.Engine.ClientDetailsFor(ctx, r.ClientID); err != nil || !c.Erased {
		t.Fatalf("client after erasure: %+v %v", c, err)
	}
	// Erased again (the modal sent twice, or erased on the web first):
	// the details are erased, as asked, and no fault is logged.
	if resp := submit("U0MORVEN", "V0DP10", dpActionErase, string(core.ErasureClientAsked)); resp["response_action"] != "update" ||
		!strings.Contains(mustJSON(t, resp), "erased") {
		t.Errorf("erasure again: %v, want the modal saying the details are erased", resp)
	}
	if log := tb.logText(); strings.Contains(log, "level=ERROR") {
		t.Errorf("erasing again logged an error:\n%s", log)
	}

	// Nothing personal went to Slack, in any call.
	tb.bot.wait()
	for _, m := range []string{"views.open", "chat.postEphemeral", "chat.postMessage", "chat.update", "response_url"} {
		for _, c := range tb.slack.called(m) {
			if a := c.all(); strings.Contains(a, "Morag") || strings.Contains(a, "7700") || strings.Contains(a, "Rent arrears") {
				t.Errorf("%s carried the client's details: %s", m, a)
			}
		}
	}
}

// TestSlackClientDataRefusedAsViewDetailsIs (review m1): staff of an
// agency not on the referral pressing Client's data… on its card are
// told what View details tells them on the same card ("Not allowed", in
// core's words), not that the referral no longer exists.
func TestSlackClientDataRefusedAsViewDetailsIs(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("slack-dp-other", false)
	value := buttonValue(r.ID, r.Version)
	answer := func(button string) string {
		t.Helper()
		tb.slack.reset()
		wantStatus(t, tb.interact(tb.blockAction("U0ISLA", "C0CAB", button, value)), 200)
		tb.bot.wait()
		eph := tb.slack.called("chat.postEphemeral")
		if len(eph) != 1 {
			t.Fatalf("%s by another agency's adviser: %d replies, want 1", button, len(eph))
		}
		return eph[0].text()
	}
	details, data := answer("details"), answer("client_data")
	if !strings.Contains(details, "Not allowed: only staff of the agencies on this referral, or a coordinator, can see it") || data != details {
		t.Errorf("Client's data… by another agency's adviser says %q, View details %q: want the same Not allowed", data, details)
	}
	if len(tb.slack.called("views.open")) != 0 {
		t.Error("another agency's adviser opened the client's data modal")
	}
	if n := countKind(tb.events(r.ID), core.EventAccessDenied); n != 2 {
		t.Errorf("%d access-denied events, want 2", n)
	}
}
