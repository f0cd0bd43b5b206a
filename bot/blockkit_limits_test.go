package bot

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// Slack's published Block Kit limits (docs.slack.dev, reference/block-kit
// and reference/views/modal-views), the ones Onward's views and cards
// touch. checkBlockKit walks a view or a message's blocks as they go on
// the wire and reports each limit broken; a block or element type it does
// not know fails too, so a new one gets its limits written here first.
const (
	kitModalTitle    = 24   // a modal's title, submit and close
	kitModalBlocks   = 100  // blocks in a modal
	kitMessageBlocks = 50   // blocks in a message
	kitMetadata      = 3000 // private_metadata
	kitID            = 255  // block_id, action_id, callback_id
	kitSectionText   = 3000 // a section's text, a context's text element
	kitFields        = 10   // a section's fields
	kitFieldText     = 2000 // each field
	kitHeaderText    = 150
	kitContextElems  = 10
	kitActionsElems  = 25
	kitLabel         = 2000 // an input's label and hint
	kitPlaceholder   = 150
	kitButtonText    = 75
	kitButtonValue   = 2000
	kitURL           = 3000
	kitInputMax      = 3000 // plain_text_input max_length (and min_length)
	kitSelectOptions = 100  // static select options, option groups, options in a group
	kitChoices       = 10   // radio buttons' and checkboxes' options
	kitOptionText    = 75   // an option's text and description, a group's label
	kitOptionValue   = 150
	kitConfirmTitle  = 100
	kitConfirmText   = 300
	kitConfirmButton = 30
)

// kitCheck collects the limits one surface breaks.
type kitCheck struct {
	where    string
	problems []string
}

func (c *kitCheck) fail(path, format string, args ...any) {
	c.problems = append(c.problems, c.where+": "+path+": "+fmt.Sprintf(format, args...))
}

// checkBlockKit checks v, a modal view ("modal") or a message's blocks
// ("message"), against Slack's limits, through its JSON as sent.
func checkBlockKit(t *testing.T, where, surface string, v any) {
	t.Helper()
	for _, p := range kitProblems(t, where, surface, v) {
		t.Error(p)
	}
}

// kitProblems is checkBlockKit's list of the limits broken.
func kitProblems(t *testing.T, where, surface string, v any) []string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	c := &kitCheck{where: where}
	switch surface {
	case "modal":
		c.view(tree)
	case "message":
		list, _ := tree.([]any)
		c.blocks("blocks", list, kitMessageBlocks)
	default:
		t.Fatalf("unknown surface %q", surface)
	}
	return c.problems
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func list(v any) []any         { l, _ := v.([]any); return l }
func str(v any) string         { s, _ := v.(string); return s }

func (c *kitCheck) length(path string, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		c.fail(path, "%d characters, Slack allows %d", n, max)
	}
}

// text checks a text object: its type, not empty, at most max.
func (c *kitCheck) text(path string, v any, max int, plainOnly bool) {
	m := obj(v)
	if m == nil {
		c.fail(path, "missing text object")
		return
	}
	switch str(m["type"]) {
	case "plain_text":
	case "mrkdwn":
		if plainOnly {
			c.fail(path, "must be plain_text")
		}
	default:
		c.fail(path, "text object of type %q", m["type"])
	}
	if str(m["text"]) == "" {
		c.fail(path, "empty text")
	}
	c.length(path, str(m["text"]), max)
}

func (c *kitCheck) optText(path string, v any, max int, plainOnly bool) {
	if v != nil {
		c.text(path, v, max, plainOnly)
	}
}

func (c *kitCheck) view(v any) {
	m := obj(v)
	if str(m["type"]) != "modal" {
		c.fail("view", "type %q, want modal", m["type"])
	}
	c.text("title", m["title"], kitModalTitle, true)
	c.optText("submit", m["submit"], kitModalTitle, true)
	c.optText("close", m["close"], kitModalTitle, true)
	c.length("private_metadata", str(m["private_metadata"]), kitMetadata)
	c.length("callback_id", str(m["callback_id"]), kitID)
	c.blocks("blocks", list(m["blocks"]), kitModalBlocks)
}

func (c *kitCheck) blocks(path string, blocks []any, max int) {
	if len(blocks) > max {
		c.fail(path, "%d blocks, Slack allows %d", len(blocks), max)
	}
	for i, b := range blocks {
		m := obj(b)
		p := fmt.Sprintf("%s[%d](%s)", path, i, str(m["type"]))
		c.length(p+".block_id", str(m["block_id"]), kitID)
		switch str(m["type"]) {
		case "section":
			if m["text"] == nil && m["fields"] == nil {
				c.fail(p, "a section needs text or fields")
			}
			c.optText(p+".text", m["text"], kitSectionText, false)
			fields := list(m["fields"])
			if len(fields) > kitFields {
				c.fail(p+".fields", "%d fields, Slack allows %d", len(fields), kitFields)
			}
			for j, f := range fields {
				c.text(fmt.Sprintf("%s.fields[%d]", p, j), f, kitFieldText, false)
			}
			if m["accessory"] != nil {
				c.element(p+".accessory", m["accessory"])
			}
		case "header":
			c.text(p+".text", m["text"], kitHeaderText, true)
		case "context":
			elems := list(m["elements"])
			if len(elems) == 0 || len(elems) > kitContextElems {
				c.fail(p+".elements", "%d elements, Slack allows 1 to %d", len(elems), kitContextElems)
			}
			for j, e := range elems {
				c.text(fmt.Sprintf("%s.elements[%d]", p, j), e, kitSectionText, false)
			}
		case "actions":
			elems := list(m["elements"])
			if len(elems) == 0 || len(elems) > kitActionsElems {
				c.fail(p+".elements", "%d elements, Slack allows 1 to %d", len(elems), kitActionsElems)
			}
			for j, e := range elems {
				c.element(fmt.Sprintf("%s.elements[%d]", p, j), e)
			}
		case "input":
			c.text(p+".label", m["label"], kitLabel, true)
			c.optText(p+".hint", m["hint"], kitLabel, true)
			c.element(p+".element", m["element"])
		case "divider":
		default:
			c.fail(p, "a block type whose limits this check does not know: add them")
		}
	}
}

func (c *kitCheck) element(path string, v any) {
	m := obj(v)
	p := path + "(" + str(m["type"]) + ")"
	c.length(p+".action_id", str(m["action_id"]), kitID)
	c.optText(p+".placeholder", m["placeholder"], kitPlaceholder, true)
	switch str(m["type"]) {
	case "button":
		c.text(p+".text", m["text"], kitButtonText, true)
		c.length(p+".value", str(m["value"]), kitButtonValue)
		c.length(p+".url", str(m["url"]), kitURL)
		if s := str(m["style"]); s != "" && s != "primary" && s != "danger" {
			c.fail(p+".style", "style %q", s)
		}
		if m["confirm"] != nil {
			c.confirm(p+".confirm", m["confirm"])
		}
	case "email_text_input":
		// Slack's email input has no length of its own (action_id and
		// placeholder are checked above), and takes no max_length.
		if _, has := m["max_length"]; has {
			c.fail(p+".max_length", "an email_text_input takes no max_length")
		}
	case "plain_text_input":
		maxLen, hasMax := m["max_length"].(float64)
		if hasMax && (maxLen < 1 || maxLen > kitInputMax) {
			c.fail(p+".max_length", "%v, Slack allows 1 to %d", maxLen, kitInputMax)
		}
		if minLen, ok := m["min_length"].(float64); ok && (minLen < 0 || minLen > kitInputMax) {
			c.fail(p+".min_length", "%v, Slack allows 0 to %d", minLen, kitInputMax)
		}
		if hasMax {
			c.length(p+".initial_value", str(m["initial_value"]), int(maxLen))
		}
	case "static_select", "multi_static_select":
		opts, groups := list(m["options"]), list(m["option_groups"])
		if len(opts) > kitSelectOptions || len(groups) > kitSelectOptions || (len(opts) == 0) == (len(groups) == 0) {
			c.fail(p, "%d options and %d option groups: Slack wants one of them, with at most %d", len(opts), len(groups), kitSelectOptions)
		}
		c.options(p+".options", opts, kitSelectOptions, true)
		for j, g := range groups {
			gp := fmt.Sprintf("%s.option_groups[%d]", p, j)
			c.text(gp+".label", obj(g)["label"], kitOptionText, true)
			c.options(gp+".options", list(obj(g)["options"]), kitSelectOptions, true)
		}
	case "radio_buttons", "checkboxes":
		opts := list(m["options"])
		if len(opts) == 0 {
			c.fail(p, "no options")
		}
		c.options(p+".options", opts, kitChoices, false)
	default:
		c.fail(p, "an element type whose limits this check does not know: add them")
	}
}

func (c *kitCheck) options(path string, opts []any, max int, plainOnly bool) {
	if len(opts) > max {
		c.fail(path, "%d options, Slack allows %d", len(opts), max)
	}
	seen := map[string]bool{}
	for i, o := range opts {
		m := obj(o)
		p := fmt.Sprintf("%s[%d]", path, i)
		c.text(p+".text", m["text"], kitOptionText, plainOnly)
		c.optText(p+".description", m["description"], kitOptionText, true)
		val := str(m["value"])
		c.length(p+".value", val, kitOptionValue)
		if seen[val] {
			c.fail(p+".value", "value %q twice", val)
		}
		seen[val] = true
	}
}

func (c *kitCheck) confirm(path string, v any) {
	m := obj(v)
	c.text(path+".title", m["title"], kitConfirmTitle, true)
	c.text(path+".text", m["text"], kitConfirmText, true)
	c.text(path+".confirm", m["confirm"], kitConfirmButton, true)
	c.text(path+".deny", m["deny"], kitConfirmButton, true)
	if s := str(m["style"]); s != "" && s != "primary" && s != "danger" {
		c.fail(path+".style", "style %q", s)
	}
}

// TestKitCheckCatchesTheLimits: the checker itself refuses what Slack
// refuses (finding 2's notes input with max_length 4000, among others),
// so a pass below means something.
func TestKitCheckCatchesTheLimits(t *testing.T) {
	t.Parallel()
	bad := map[string]any{"type": "modal", "title": map[string]any{"type": "plain_text", "text": strings.Repeat("t", 25)},
		"blocks": []any{
			map[string]any{"type": "input", "label": map[string]any{"type": "plain_text", "text": "Notes"},
				"element": map[string]any{"type": "plain_text_input", "action_id": "notes", "max_length": 4000}},
			map[string]any{"type": "actions", "elements": []any{map[string]any{"type": "button", "action_id": "fail",
				"text": map[string]any{"type": "plain_text", "text": "Could not contact"},
				"confirm": map[string]any{"title": map[string]any{"type": "plain_text", "text": "Sure?"},
					"text":    map[string]any{"type": "plain_text", "text": strings.Repeat("x", 301)},
					"confirm": map[string]any{"type": "plain_text", "text": "Yes"}, "deny": map[string]any{"type": "plain_text", "text": "No"}}}}},
			map[string]any{"type": "video"},
		}}
	all := strings.Join(kitProblems(t, "bad", "modal", bad), "\n")
	for _, want := range []string{"title: 25 characters", "max_length: 4000", "confirm.text: 301 characters", "does not know"} {
		if !strings.Contains(all, want) {
			t.Errorf("the check misses %q; it said:\n%s", want, all)
		}
	}
}

// TestEveryViewAndCardWithinSlackLimits walks what Onward sends Slack:
// every card in every state, in both channel kinds; every modal a button
// or a command opens, and every view a submission answers with; the
// ephemeral View details, with a crisis reason and the longest notes the
// staff web allows. Each is checked against Slack's published limits.
func TestEveryViewAndCardWithinSlackLimits(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := t.Context()
	n := tb.Net
	act := func(id core.ReferralID, req core.TransitionRequest) {
		t.Helper()
		req.Referral = id
		if _, err := tb.Engine.Act(ctx, req); err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
	}
	press := func(user, channel, button string, id core.ReferralID) {
		t.Helper()
		cur := tb.referral(id)
		wantStatus(t, tb.interact(tb.blockAction(user, channel, button, buttonValue(cur.ID, cur.Version))), 200)
		tb.bot.wait()
	}

	// A crisis self-referral with a long reason and the longest notes.
	in := coretest.SelfReferral("limits-crisis")
	in.Client.Phone = fmt.Sprintf("07700 9%05d", phoneSeq.Add(1))
	in.Crisis, in.CrisisReasons = true, []string{strings.Repeat("at risk of losing their home ", 6)}
	in.Client.Notes = strings.Repeat("n", 4000)
	crisis, err := tb.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	checkCard(t, tb, "triage crisis, waiting", crisis.Referral.ID)
	press("U0MORVEN", "C0TRIAGE", "details", crisis.Referral.ID)
	press("U0MORVEN", "C0TRIAGE", "assign", crisis.Referral.ID)
	act(crisis.Referral.ID, core.TransitionRequest{Action: core.ActionClaim, Actor: n.Coordinator.Actor()})
	checkCard(t, tb, "triage crisis, claimed", crisis.Referral.ID)
	act(crisis.Referral.ID, core.TransitionRequest{Action: core.ActionAssign, Actor: n.Coordinator.Actor(), ToAgency: n.CAB})
	checkCard(t, tb, "crisis, assigned", crisis.Referral.ID)

	// A debt referral through its life in Slack: every button and modal.
	r := tb.selfReferral("limits-debt", false)
	checkCard(t, tb, "new", r.ID)
	for _, b := range []string{"reject", "redirect", "details", "client_data"} {
		press("U0AILSA", "C0CAB", b, r.ID)
	}
	act(r.ID, core.TransitionRequest{Action: core.ActionHold, Actor: n.Adviser.Actor()})
	checkCard(t, tb, "on the waiting list", r.ID)
	act(r.ID, core.TransitionRequest{Action: core.ActionResume, Actor: n.Adviser.Actor()})
	act(r.ID, core.TransitionRequest{Action: core.ActionAccept, Actor: n.Adviser.Actor()})
	checkCard(t, tb, "accepted", r.ID)
	act(r.ID, core.TransitionRequest{Action: core.ActionContact, Actor: n.Adviser.Actor()})
	checkCard(t, tb, "contacted", r.ID)
	press("U0AILSA", "C0CAB", "complete", r.ID)
	meta := tb.openedView("")["private_metadata"].(string)
	body := wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0LIMDONE", cbComplete, meta,
		map[string]any{blkOutcome: selected(string(core.OutcomeHelpGiven))})), 200)
	checkResponseView(t, "the completion's confirmation", body)
	checkCard(t, tb, "completed", r.ID)

	failed := tb.selfReferral("limits-fail", false)
	act(failed.ID, core.TransitionRequest{Action: core.ActionAccept, Actor: n.Adviser.Actor()})
	checkCard(t, tb, "accepted, with Could not contact", failed.ID)
	act(failed.ID, core.TransitionRequest{Action: core.ActionFail, Actor: n.Adviser.Actor()})
	checkCard(t, tb, "could not contact", failed.ID)

	redirected := tb.selfReferral("limits-redirect", false)
	act(redirected.ID, core.TransitionRequest{Action: core.ActionRedirect, Actor: n.Adviser.Actor(), ToAgency: n.Welfare})
	checkCard(t, tb, "redirected", redirected.ID)
	rejected := tb.selfReferral("limits-reject", false)
	act(rejected.ID, core.TransitionRequest{Action: core.ActionReject, Actor: n.Adviser.Actor(), Reason: core.ReasonNotEligible, Feedback: "Outside our area"})
	checkCard(t, tb, "rejected", rejected.ID)
	tb.Clock.Advance(10 * 24 * time.Hour)
	checkCard(t, tb, "overdue", tb.selfReferral("limits-overdue", false).ID)

	// /refer, both steps and the confirmation.
	wantStatus(t, tb.command("U0AILSA", "/refer", ""), 200)
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0LIMREF", cbReferStart, "",
		map[string]any{blkNeeds: multi("housing", "debt"), blkPostcode: typed("KY1 2CD"), blkCrisis: checked(crisisYes)})), 200)
	step2 := checkResponseView(t, "/refer step two", body)
	housing := strconv.FormatInt(int64(n.Housing), 10)
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0LIMREF", cbReferSend, step2["private_metadata"].(string),
		map[string]any{blkName: typed("Kenny Lumsden"), blkPhone: typed("07700 900556"), blkNotes: typed("Eviction notice"),
			blkAgency: radio(housing), blkConsent: checked(consentAgreed)})), 200)
	checkResponseView(t, "/refer confirmation", body)

	opened := tb.slack.called("views.open")
	var ids []string
	for _, o := range opened {
		ids = append(ids, str(obj(o.JSON["view"])["callback_id"]))
	}
	for _, want := range []string{cbAssign, cbReject, cbRedirect, cbClientData, cbComplete, cbReferStart} {
		if !strings.Contains(strings.Join(ids, " "), want) {
			t.Errorf("the %s modal was not opened (opened: %v)", want, ids)
		}
	}
	for i, o := range opened {
		checkBlockKit(t, fmt.Sprintf("views.open #%d (%v)", i, obj(o.JSON["view"])["callback_id"]), "modal", o.JSON["view"])
	}
	eph := tb.slack.called("chat.postEphemeral")
	if len(eph) < 2 {
		t.Fatalf("want the details ephemerals, got %d", len(eph))
	}
	for i, e := range eph {
		var blocks []any
		if err := json.Unmarshal([]byte(e.Form.Get("blocks")), &blocks); err != nil && e.Form.Get("blocks") != "" {
			t.Fatalf("ephemeral blocks: %v", err)
		}
		checkBlockKit(t, fmt.Sprintf("ephemeral #%d", i), "message", blocks)
	}
}

// checkCard checks a referral's card in both channel kinds.
func checkCard(t *testing.T, tb *testBot, name string, id core.ReferralID) {
	t.Helper()
	for _, kind := range []string{KindAgency, KindTriage} {
		_, text, blocks, err := tb.bot.cards.Card(t.Context(), id, kind)
		if err != nil {
			continue // no channel of that kind for this referral
		}
		if text == "" {
			t.Errorf("card %s (%s): no notification text", name, kind)
		}
		checkBlockKit(t, "card "+name+" ("+kind+")", "message", blocks)
	}
}

// checkResponseView checks the view of a view_submission answer of
// response_action update, and returns it.
func checkResponseView(t *testing.T, where, body string) map[string]any {
	t.Helper()
	resp := submitResponse(t, body)
	if resp["response_action"] != "update" {
		t.Fatalf("%s: want response_action update, got %s", where, body)
	}
	view := obj(resp["view"])
	checkBlockKit(t, where, "modal", view)
	return view
}
