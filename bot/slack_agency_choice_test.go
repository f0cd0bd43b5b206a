package bot

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// viewOptions is every option of the select in block id of an opened
// modal, value → text, options in groups included.
func viewOptions(t *testing.T, view map[string]any, id string) map[string]string {
	t.Helper()
	out := map[string]string{}
	blocks, _ := view["blocks"].([]any)
	for _, b := range blocks {
		b, _ := b.(map[string]any)
		if b["block_id"] != id {
			continue
		}
		el, _ := b["element"].(map[string]any)
		opts, _ := el["options"].([]any)
		groups, _ := el["option_groups"].([]any)
		for _, g := range groups {
			g, _ := g.(map[string]any)
			more, _ := g["options"].([]any)
			opts = append(opts, more...)
		}
		for _, o := range opts {
			o, _ := o.(map[string]any)
			text, _ := o["text"].(map[string]any)
			out[o["value"].(string)] = text["text"].(string)
		}
	}
	return out
}

// TestSlackAssignAnyAgencyWhenNoneFits: a crisis self-referral from EH1,
// which no service of the Fife network covers, waits in triage. Slack's
// Assign… modal offers the same list as the staff web's triage form —
// every agency that may be chosen — and choosing one assigns it.
func TestSlackAssignAnyAgencyWhenNoneFits(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	in := coretest.SelfReferral("slack-uncovered")
	in.Client.Postcode, in.Client.Phone = "EH1 1YZ", "07700 900992"
	in.Crisis, in.CrisisReasons = true, []string{"bailiffs are coming today"}
	res, err := tb.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Referral
	if !r.InTriage() || r.PostcodeDistrict != "EH1" {
		t.Fatalf("want a triage referral in EH1, got in triage %v, district %q", r.InTriage(), r.PostcodeDistrict)
	}
	press := tb.blockAction("U0MORVEN", "C0TRIAGE", "assign", buttonValue(r.ID, r.Version))
	wantStatus(t, tb.interact(press), 200)
	view := tb.openedView(press["trigger_id"].(string))
	if view["submit"] == nil {
		t.Errorf("the Assign… modal for an uncovered area has no Assign button")
	}
	if s := mustJSON(t, view); !strings.Contains(s, "No agency in the directory fits these needs and this area (EH1): choose one below.") {
		t.Errorf("the modal should say no agency fits EH1 and offer a choice below: %s", s)
	}

	// The same agencies as the staff web may choose from.
	m, err := tb.bot.assignChoices(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	web, err := tb.bot.newAgencyField(ctx, &m, r.PostcodeDistrict, "", sameAgency(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	offered := viewOptions(t, view, blkAgency)
	for _, o := range web.Others[1:] {
		if _, ok := offered[o.Value]; !ok {
			t.Errorf("the modal does not offer %s, which the staff web does", o.Label)
		}
	}
	if len(offered) != len(web.Others)-1 || len(offered) < 4 {
		t.Errorf("the modal offers %d agencies, the staff web %d: %v", len(offered), len(web.Others)-1, offered)
	}
	welfare := strconv.FormatInt(int64(tb.Net.Welfare), 10)
	if offered[welfare] != "Kingdom Council Welfare Rights" {
		t.Fatalf("Welfare Rights is not offered: %v", offered)
	}

	body := wantStatus(t, tb.interact(tb.viewSubmission("U0MORVEN", "V0ASGANY", cbAssign, view["private_metadata"].(string),
		map[string]any{blkAgency: selected(welfare)})), 200)
	if strings.TrimSpace(body) != "" {
		t.Fatalf("assign to an agency from the list should close the modal, got %s", body)
	}
	if got := tb.referral(r.ID); got.ToAgencyID == nil || *got.ToAgencyID != tb.Net.Welfare {
		t.Errorf("the referral was not assigned to Welfare Rights: %+v", got.ToAgencyID)
	}
	if n := countKind(tb.events(r.ID), core.EventAssigned); n != 1 {
		t.Errorf("%d assignment events, want 1", n)
	}
}

// TestSlackRedirectToAnyAgency: a staff referral whose consent covers only
// the agency holding it. Nothing is suggested; the Redirect… modal lists
// every other agency, naming those outside the consent. Choosing one is
// refused in the modal on the list's block in plain words, with a link
// to the referral's consent form on the staff web; once the
// consent is set aside (a self-referral, consent to any), choosing from
// the list redirects.
func TestSlackRedirectToAnyAgency(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	ref, err := tb.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "slack-consent-scope", By: tb.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Kenny Lumsden", Phone: "07700 900779", Postcode: "KY1 2BB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: tb.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, tb.interact(tb.blockAction("U0AILSA", "C0CAB", "redirect", buttonValue(ref.ID, ref.Version))), 200)
	view := tb.openedView("")
	offered := viewOptions(t, view, blkAgency)
	housing := strconv.FormatInt(int64(tb.Net.Housing), 10)
	if offered[housing] != "Kingdom Housing Options (outside the client's consent)" {
		t.Fatalf("the redirect modal should list every agency, naming those outside the consent: %v", offered)
	}
	if _, ok := offered[strconv.FormatInt(int64(tb.Net.CAB), 10)]; ok {
		t.Errorf("the list offers the agency that holds the referral")
	}
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REDANY1", cbRedirect, view["private_metadata"].(string),
		map[string]any{blkAgency: selected(housing)})), 200)
	resp := submitResponse(t, body)
	errs, _ := resp["errors"].(map[string]any)
	msg, _ := errs[blkAgency].(string)
	if resp["response_action"] != "errors" || msg != sayPlain("eph.consent_scope", consentScopeWords{Agency: "Kingdom Housing Options",
		Link: tb.cfg.PublicURL + "/staff/referrals/" + ref.Reference + "/consent"}) || strings.ContainsAny(msg, "*&<") {
		t.Fatalf("want the consent refusal in plain words on the agency block, got %s", body)
	}
	if got := tb.referral(ref.ID); got.Status != core.StatusRequested {
		t.Errorf("a refused redirect changed the referral to %s", got.Status)
	}

	// A self-referral's consent covers the network: the list's choice goes
	// through, beside the suggestions, and wins over them.
	r := tb.selfReferral("slack-redirect-any", false)
	press := tb.blockAction("U0AILSA", "C0CAB", "redirect", buttonValue(r.ID, r.Version))
	wantStatus(t, tb.interact(press), 200)
	view = tb.openedView(press["trigger_id"].(string))
	others := viewOptions(t, view, blkAgencyOther)
	if others[housing] != "Kingdom Housing Options" || others[agencyNone] == "" {
		t.Fatalf("beside the suggestions, the modal should list any other agency and a way back: %v", others)
	}
	welfare := strconv.FormatInt(int64(tb.Net.Welfare), 10)
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0REDANY2", cbRedirect, view["private_metadata"].(string),
		map[string]any{blkAgency: radio(welfare), blkAgencyOther: selected(housing), blkFeedback: typed("")})), 200)
	if strings.TrimSpace(body) != "" {
		t.Fatalf("redirect to an agency from the list should close the modal, got %s", body)
	}
	onward, _ := tb.Engine.ListReferrals(ctx, core.ReferralFilter{ToAgency: tb.Net.Housing})
	if len(onward) != 1 {
		t.Errorf("want one referral now with Housing Options, got %d", len(onward))
	}
}

// TestAgencySelectGroups: Slack takes 100 options in a select; a longer
// list comes in groups of at most 100, none lost.
func TestAgencySelectGroups(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 100, 101, 130, 250} {
		opts := make([]*slack.OptionBlockObject, n)
		for i := range opts {
			opts[i] = slack.NewOptionBlockObject(strconv.Itoa(i), plainN(75, fmt.Sprintf("Agency %03d", i)), nil)
		}
		el := agencySelect(blkAgency, opts)
		got := len(el.Options)
		if n <= maxSelectOptions && len(el.OptionGroups) != 0 || n > maxSelectOptions && len(el.Options) != 0 {
			t.Errorf("%d agencies: %d options and %d groups", n, len(el.Options), len(el.OptionGroups))
		}
		for _, g := range el.OptionGroups {
			if len(g.Options) > maxSelectOptions || len([]rune(g.Label.Text)) > 75 {
				t.Errorf("%d agencies: a group of %d labelled %q", n, len(g.Options), g.Label.Text)
			}
			got += len(g.Options)
		}
		if got != n {
			t.Errorf("%d agencies: %d offered", n, got)
		}
	}
}

// TestSlackStalePressAfterUndo: a completion is undone; a press on a card
// from before says what last happened — the completion undone, by whom —
// in the staff web timeline's words, not "marked contacted".
func TestSlackStalePressAfterUndo(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r := tb.selfReferral("slack-undo-stale", false)
	act := func(a core.Action, outcome string) {
		t.Helper()
		req := core.TransitionRequest{Referral: r.ID, Action: a, Actor: tb.Net.Adviser.Actor(), ExpectedVersion: tb.referral(r.ID).Version}
		req.Outcome = core.Outcome(outcome)
		if _, err := tb.Engine.Act(ctx, req); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	act(core.ActionAccept, "")
	act(core.ActionContact, "")
	contacted := tb.referral(r.ID)
	act(core.ActionComplete, "help-given")
	act(core.ActionReopen, "")

	// "Could not contact" pressed on the card as it was before completion.
	tb.slack.reset()
	wantStatus(t, tb.interact(tb.blockAction("U0CALLUM", "C0CAB", "fail", buttonValue(r.ID, contacted.Version))), 200)
	tb.bot.wait()
	eph := tb.slack.called("chat.postEphemeral")
	if len(eph) != 1 {
		t.Fatalf("%d ephemeral replies, want 1", len(eph))
	}
	want := regexp.MustCompile(`^Already changed: Completion undone by Ailsa Brodie \(Kirkton Citizens Advice\), at \d\d:\d\d on [A-Za-z]{3} \d+ [A-Za-z]{3} — nothing more was changed on ` + r.Reference + `\.$`)
	if text := eph[0].text(); !want.MatchString(text) || strings.Contains(text, "marked contacted") {
		t.Errorf("stale press after an undo: %q, want it to match %q", text, want)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusInProgress {
		t.Errorf("the stale press changed the referral to %s", got.Status)
	}
}
