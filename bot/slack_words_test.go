package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// referStepTwo runs /refer's first step and returns step two's view.
func (tb *testBot) referStepTwo(viewID string, needs ...string) map[string]any {
	tb.t.Helper()
	wantStatus(tb.t, tb.command("U0AILSA", "/refer", ""), 200)
	body := wantStatus(tb.t, tb.interact(tb.viewSubmission("U0AILSA", viewID, cbReferStart, "",
		map[string]any{blkNeeds: multi(needs...), blkPostcode: typed("KY1 2CD"), blkCrisis: checked()})), 200)
	resp := submitResponse(tb.t, body)
	if resp["response_action"] != "update" {
		tb.t.Fatalf("step one: want response_action update, got %s", body)
	}
	return resp["view"].(map[string]any)
}

// TestReferNotesWithinSlacksLimit (finding 2): step two's notes input
// asks Slack for at most 3000 characters, Slack's most, and a longer note
// sent all the same is refused beside the notes, making no referral.
func TestReferNotesWithinSlacksLimit(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	step2 := tb.referStepTwo("V0NOTES", "housing")
	checkBlockKit(t, "/refer step two", "modal", step2)
	if s := mustJSON(t, step2); !strings.Contains(s, `"max_length":3000`) {
		t.Errorf("the notes input should take at most 3000 characters: %s", s)
	}
	housing := strconv.FormatInt(int64(tb.Net.Housing), 10)
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0NOTES", cbReferSend, step2["private_metadata"].(string),
		map[string]any{blkName: typed("Kenny Lumsden"), blkPhone: typed("07700 900557"), blkNotes: typed(strings.Repeat("n", 3001)),
			blkAgency: radio(housing), blkConsent: checked(consentAgreed)})), 200)
	errs, _ := submitResponse(t, body)["errors"].(map[string]any)
	if msg, _ := errs[blkNotes].(string); !strings.Contains(msg, "at most 3000 characters") {
		t.Fatalf("3001 characters of notes should be refused beside the notes: %s", body)
	}
	if rs, err := tb.Engine.ListReferrals(t.Context(), core.ReferralFilter{ToAgency: tb.Net.Housing}); err != nil || len(rs) != 0 {
		t.Errorf("a refused /refer made %d referrals (%v)", len(rs), err)
	}
}

// TestReferEveryProblemAtOnce: notes over Slack's limit are named with
// every other problem of the modal in the same answer, each beside its
// own box, not before and instead of them; nothing is made.
func TestReferEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	step2 := tb.referStepTwo("V0ALLAT", "housing")
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0ALLAT", cbReferSend, step2["private_metadata"].(string),
		map[string]any{blkName: typed(" "), blkPhone: typed("12"), blkNotes: typed(strings.Repeat("n", 3001))})), 200)
	errs, _ := submitResponse(t, body)["errors"].(map[string]any)
	for _, want := range []struct{ block, says string }{
		{blkName, "Name"},
		{blkPhone, "Phone number"},
		{blkNotes, "Notes can be at most 3000 characters in Slack; these are 3001"},
		{blkAgency, "Receiving agency"},
		{blkConsent, "Confirm the client agreed"},
	} {
		if msg, _ := errs[want.block].(string); !strings.HasPrefix(msg, want.says) {
			t.Errorf("block %s says %q, want it to begin %q", want.block, msg, want.says)
		}
	}
	if len(errs) != 5 {
		t.Errorf("want five boxes named, got %s", body)
	}
	if rs, err := tb.Engine.ListReferrals(t.Context(), core.ReferralFilter{ToAgency: tb.Net.Housing}); err != nil || len(rs) != 0 {
		t.Errorf("a refused /refer made %d referrals (%v)", len(rs), err)
	}
}

// TestReferConfirmationSaysWhatHappens (finding 4): the confirmation no
// longer promises a text core does not send (a referral between agencies
// texts the client when the agency accepts it), and says how the
// receiving agency hears: its Slack channel, or, for an agency with none,
// not Slack.
func TestReferConfirmationSaysWhatHappens(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	for _, c := range []struct {
		name, need string
		agency     core.AgencyID
		agencyName string
		hears      string
	}{
		{"on Slack", "housing", tb.Net.Housing, "Kingdom Housing Options", "Its card is in their Slack channel"},
		{"not on Slack", "food", tb.Net.FoodBank, "Kingdom Food Bank", "They are not on Slack"},
	} {
		viewID := "V0DONE" + strings.ReplaceAll(c.name, " ", "")
		step2 := tb.referStepTwo(viewID, c.need)
		body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", viewID, cbReferSend, step2["private_metadata"].(string),
			map[string]any{blkName: typed("Kenny Lumsden"), blkPhone: typed("07700 900558"), blkNotes: typed("Eviction notice"),
				blkAgency: radio(strconv.FormatInt(int64(c.agency), 10)), blkConsent: checked(consentAgreed)})), 200)
		if strings.Contains(body, "the client gets a text with the reference.") || strings.Contains(body, "see it in their channel") {
			t.Errorf("%s: the confirmation promises what does not happen: %s", c.name, body)
		}
		for _, want := range []string{c.hears, "gets a text with the reference when " + c.agencyName + " accepts it"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the confirmation lacks %q: %s", c.name, want, body)
			}
		}
		// What core does: no text to the client until the agency accepts.
		rs, err := tb.Engine.ListReferrals(t.Context(), core.ReferralFilter{ToAgency: c.agency})
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s: want one referral, got %d (%v)", c.name, len(rs), err)
		}
		for _, o := range coretest.OutboxRows(t, tb.Engine) {
			if o.Kind == core.OutboxClientSMS && o.ReferralID != nil && *o.ReferralID == rs[0].ID {
				t.Errorf("%s: a text to the client was queued on creation (%s): the confirmation should say so", c.name, o.Payload.Template)
			}
		}
	}
}

// TestViewDetailsShowsWhyItIsACrisis (findings 5 and 13): View details,
// the audited disclosure, says why the referral is a crisis, for the
// coordinator in triage and for the agency it is assigned to, and on a
// later referral of the chain; the card in channel history never does.
// The phone is in the national format staff dial, the language by name.
func TestViewDetailsShowsWhyItIsACrisis(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := t.Context()
	const reason = "at risk of losing their home within two weeks"
	in := coretest.SelfReferral("details-crisis")
	in.Crisis, in.CrisisReasons = true, []string{reason}
	in.Client.Phone, in.Client.Language, in.Client.ContactTime = "07700 900611", "pl", "any"
	res, err := tb.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	details := func(user, channel string, id core.ReferralID) string {
		t.Helper()
		tb.slack.reset()
		cur := tb.referral(id)
		wantStatus(t, tb.interact(tb.blockAction(user, channel, "details", buttonValue(cur.ID, cur.Version))), 200)
		tb.bot.wait()
		eph := tb.slack.called("chat.postEphemeral")
		if len(eph) != 1 {
			t.Fatalf("want one ephemeral, got %d", len(eph))
		}
		return eph[0].Form.Get("blocks")
	}
	got := details("U0MORVEN", "C0TRIAGE", r.ID)
	for _, want := range []string{"Why it is a crisis:* " + reason, "*Phone:* 07700 900611", "*Language:* Polish", "at any time"} {
		if !strings.Contains(got, want) {
			t.Errorf("the coordinator's details lack %q: %s", want, got)
		}
	}
	if strings.Contains(got, "+447700") || strings.Contains(got, "*Language:* pl") {
		t.Errorf("details show the phone or language as stored, not as staff read them: %s", got)
	}
	for _, kind := range []string{KindTriage} {
		_, text, blocks, err := tb.bot.cards.Card(ctx, r.ID, kind)
		if err != nil {
			t.Fatal(err)
		}
		if s := mustJSON(t, blocks) + text; strings.Contains(s, "losing their home") {
			t.Errorf("the %s card shows the crisis reason in channel history: %s", kind, s)
		}
	}
	// Assigned to CAB: its adviser sees why too.
	for _, a := range []core.TransitionRequest{
		{Action: core.ActionClaim, Actor: tb.Net.Coordinator.Actor()},
		{Action: core.ActionAssign, Actor: tb.Net.Coordinator.Actor(), ToAgency: tb.Net.CAB},
	} {
		a.Referral = r.ID
		if _, err := tb.Engine.Act(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if got := details("U0AILSA", "C0CAB", r.ID); !strings.Contains(got, reason) {
		t.Errorf("the agency's details lack the crisis reason: %s", got)
	}
	// CAB turns it down: the referral carrying the client on back in
	// triage has no reasons of its own; the chain's are shown.
	rej, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionReject, Actor: tb.Net.Adviser.Actor(),
		Reason: core.ReasonNotEligible, Feedback: "Not in our area"})
	if err != nil || rej.Child == nil {
		t.Fatalf("reject: %v %+v", err, rej.Child)
	}
	if got := details("U0MORVEN", "C0TRIAGE", rej.Child.ID); !strings.Contains(got, reason) {
		t.Errorf("the details of the referral back in triage lack the chain's crisis reason: %s", got)
	}
}

// TestCouldNotContactAsksFirst (finding 6): the one press that closes a
// referral asks Slack to confirm first; no other card button closes one
// without a modal.
func TestCouldNotContactAsksFirst(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("confirm-fail", false)
	if _, err := tb.Engine.Act(t.Context(), core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: tb.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	_, _, blocks, err := tb.bot.cards.Card(t.Context(), r.ID, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	var tree []any
	if err := json.Unmarshal([]byte(mustJSON(t, blocks)), &tree); err != nil {
		t.Fatal(err)
	}
	var buttons []map[string]any
	for _, b := range tree {
		if obj(b)["type"] == "actions" {
			for _, e := range list(obj(b)["elements"]) {
				buttons = append(buttons, obj(e))
			}
		}
	}
	found := false
	for _, b := range buttons {
		confirm := obj(b["confirm"])
		switch b["action_id"] {
		case "fail":
			found = true
			if confirm == nil || !strings.Contains(mustJSON(t, confirm), "cannot be reopened") || confirm["style"] != "danger" {
				t.Errorf("Could not contact has no confirmation dialog: %v", b)
			}
		default:
			if stateChanging[button(str(b["action_id"]))] && closes(button(str(b["action_id"]))) && confirm == nil {
				t.Errorf("%s closes a referral in one press with no confirmation", b["action_id"])
			}
		}
	}
	if !found {
		t.Fatalf("no Could not contact button on the accepted card: %v", buttons)
	}
}

// closes reports whether the card button's action ends a referral.
func closes(b button) bool {
	switch b.action() {
	case core.ActionFail, core.ActionCancel, core.ActionReject, core.ActionRedirect, core.ActionComplete:
		return true
	}
	return false
}

// TestSlackCompletionSaysHowToUndo (finding 6): Slack's completion tells
// the adviser, in the modal, how long it can be undone (core's window)
// and where: the referral's page on the staff web, which undoes it.
func TestSlackCompletionSaysHowToUndo(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("undo", false)
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact} {
		if _, err := tb.Engine.Act(t.Context(), core.TransitionRequest{Referral: r.ID, Action: a, Actor: tb.Net.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	cur := tb.referral(r.ID)
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", "complete", buttonValue(cur.ID, cur.Version))), 200)
	view := tb.openedView("")
	if s := mustJSON(t, view); !strings.Contains(s, fmt.Sprintf("undone for %d minutes", int(core.UndoWindow.Minutes()))) {
		t.Errorf("the complete modal does not say a completion can be undone: %s", s)
	}
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0UNDO", cbComplete, view["private_metadata"].(string),
		map[string]any{blkOutcome: selected(string(core.OutcomeHelpGiven))})), 200)
	done := checkResponseView(t, "the completion's confirmation", body)
	s := str(obj(list(done["blocks"])[0])["text"].(map[string]any)["text"])
	for _, want := range []string{"is marked completed", "undo it on the staff web", "<http://onward.test/staff/referrals/" + r.Reference + "|open " + r.Reference + ">"} {
		if !strings.Contains(s, want) {
			t.Errorf("the confirmation lacks %q: %s", want, s)
		}
	}
	if got := tb.referral(r.ID); got.Status != core.StatusCompleted || !got.Undoable(tb.Clock.Now()) {
		t.Fatalf("the referral is %s, undoable %v", got.Status, got.Undoable(tb.Clock.Now()))
	}
}

// TestCapacityRepliesSayWhatHappened (finding 10): marking an agency at
// capacity again tells nobody, and the reply says so; `/onward capacity`
// alone says where the agency stands.
func TestCapacityRepliesSayWhatHappened(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	alerts := func() int {
		n := 0
		for _, o := range coretest.OutboxRows(t, tb.Engine) {
			if o.Kind == core.OutboxAlert {
				n++
			}
		}
		return n
	}
	steps := []struct {
		text        string
		want, never string
		alerts      int
	}{
		{"capacity", "is taking new referrals", "coordinators", 0},
		{"capacity on Waiting list full", "is now marked at capacity (Waiting list full)", "not told again", 1},
		{"capacity on Still full", "was already marked at capacity; its note is now “Still full”", "have been told", 1},
		{"capacity", "is marked at capacity (Still full)", "", 1},
		{"capacity off", "is taking referrals again. The coordinators have been told", "", 2},
		{"capacity off", "was already taking referrals", "have been told", 2},
	}
	for _, s := range steps {
		tb.slack.reset()
		wantStatus(t, tb.command("U0AILSA", "/onward", s.text), 200)
		tb.bot.wait()
		replies := tb.slack.called("response_url")
		if len(replies) != 1 {
			t.Fatalf("%s: want one reply, got %d", s.text, len(replies))
		}
		got := replies[0].text()
		if !strings.Contains(got, s.want) || (s.never != "" && strings.Contains(got, s.never)) {
			t.Errorf("%s: reply %q, want %q and not %q", s.text, got, s.want, s.never)
		}
		if n := alerts(); n != s.alerts {
			t.Errorf("%s: %d coordinator alerts queued in all, want %d", s.text, n, s.alerts)
		}
	}
}

// TestStatsForACoordinator (finding 11): a coordinator is pointed to the
// network's reports, not given their own small team's zeros.
func TestStatsForACoordinator(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	wantStatus(t, tb.command("U0MORVEN", "/onward", "stats 7"), 200)
	tb.bot.wait()
	replies := tb.slack.called("response_url")
	if len(replies) != 1 {
		t.Fatalf("want one reply, got %d", len(replies))
	}
	got := replies[0].text()
	today := tb.Clock.Now().In(mustCalendar(t, tb).Location).Format(time.DateOnly)
	for _, want := range []string{"*The network: the last 7 days*", "<http://onward.test/staff/reports?from=", "to=" + today + "|open the network's reports"} {
		if !strings.Contains(got, want) {
			t.Errorf("the coordinator's stats lack %q: %s", want, got)
		}
	}
	if strings.Contains(got, "Kingdom Advice Network Team: the last") || strings.Contains(got, "agency=") {
		t.Errorf("the coordinator's stats are about their own team: %s", got)
	}
}

func mustCalendar(t *testing.T, tb *testBot) core.Calendar {
	t.Helper()
	cal, err := tb.Engine.Calendar(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// TestAssignRefusedAtOpenForAnAdviser (finding 13): an adviser's Assign…
// on a triage card opens no modal: they are told at once, in core's words
// for the refusal, and the attempt is audited.
func TestAssignRefusedAtOpenForAnAdviser(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("assign-refused", true)
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0TRIAGE", "assign", buttonValue(r.ID, r.Version))), 200)
	tb.bot.wait()
	if opens := tb.slack.called("views.open"); len(opens) != 0 {
		t.Errorf("Assign… opened a modal for an adviser")
	}
	eph := tb.slack.called("chat.postEphemeral")
	if len(eph) != 1 || !strings.Contains(eph[0].text(), "Not allowed: only a coordinator can triage referrals") {
		t.Fatalf("want the refusal at once, got %+v", eph)
	}
	if countKind(tb.events(r.ID), core.EventAccessDenied) != 1 {
		t.Errorf("the refused Assign… was not audited")
	}
	// The same words as a submission would get from core.
	_, err := tb.Engine.Act(t.Context(), core.TransitionRequest{Referral: r.ID, Action: core.ActionAssign, Actor: tb.Net.Adviser.Actor(), ToAgency: tb.Net.CAB})
	if err == nil || !strings.Contains(eph[0].text(), strings.TrimPrefix(errorsForbiddenWhy(err), "not allowed: ")) {
		t.Errorf("the refusal at open (%q) differs from core's (%v)", eph[0].text(), err)
	}
	// Another agency's Reject… is refused at open too.
	tb.slack.reset()
	cab := tb.selfReferral("reject-refused", false)
	wantStatus(t, tb.interact(tb.blockAction("U0ISLA", "C0CAB", "reject", buttonValue(cab.ID, cab.Version))), 200)
	tb.bot.wait()
	if len(tb.slack.called("views.open")) != 0 {
		t.Errorf("Reject… opened a modal for another agency's adviser")
	}
	if eph := tb.slack.called("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].text(), "sent to another agency") {
		t.Errorf("want the refusal at once, got %+v", eph)
	}
}

// errorsForbiddenWhy is the words of core's refusal.
func errorsForbiddenWhy(err error) string {
	s := err.Error()
	if i := strings.Index(s, "not allowed: "); i >= 0 {
		return s[i:]
	}
	return s
}

// TestCardWords (finding 13): Mark completed… ends in "…" as it opens a
// modal (as the staff web and README say), and an acknowledgement within
// the minute does not read "after 0m".
func TestCardWords(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.selfReferral("card-words", false)
	tb.Clock.Advance(20 * time.Second)
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact} {
		if _, err := tb.Engine.Act(t.Context(), core.TransitionRequest{Referral: r.ID, Action: a, Actor: tb.Net.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	_, _, blocks, err := tb.bot.cards.Card(t.Context(), r.ID, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	s := mustJSON(t, blocks)
	if !strings.Contains(s, `"text":"Mark completed…"`) {
		t.Errorf("the button is not Mark completed…: %s", s)
	}
	if strings.Contains(s, "after 0m") || !strings.Contains(s, "Acknowledged within a minute") {
		t.Errorf("an acknowledgement in 20 seconds reads: %s", s)
	}
}
