package bot

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// rawSubmission is a view_submission payload as Slack escapes it, with
// each marker in its text replaced by the escape it stands for: "\u0000"
// or a lone "\ud800", which encoding/json never writes itself.
func rawSubmission(t *testing.T, payload map[string]any, escapes map[string]string) url.Values {
	t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for marker, escape := range escapes {
		s = strings.ReplaceAll(s, marker, escape)
	}
	return url.Values{"payload": {s}}
}

// TestModalWithUnstorableText: a modal submitted with a NUL or half of a
// character in a box is answered as Slack expects of a modal, 200 with
// response_action errors, each bad box saying what is wrong with it, and
// nothing is done: the same modal sent again with clean text is taken.
func TestModalWithUnstorableText(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	const nul, half = "(NUL)", "(HALF)"
	escapes := map[string]string{nul: `\u0000`, half: `\ud800`}
	r := tb.selfReferral("unstorable", false)
	press := tb.blockAction("U0AILSA", "C0CAB", "reject", buttonValue(r.ID, r.Version))
	wantStatus(t, tb.interact(press), 200)
	rejectMeta := tb.openedView(press["trigger_id"].(string))["private_metadata"].(string)
	step2 := tb.referStepTwo("V0UNSTORE", "housing")
	referMeta := step2["private_metadata"].(string)
	housing := strconv.FormatInt(int64(tb.Net.Housing), 10)
	refer := func(name, notes string) map[string]any {
		return tb.viewSubmission("U0AILSA", "V0UNSTORE", cbReferSend, referMeta, map[string]any{blkName: typed(name),
			blkPhone: typed("07700 900559"), blkNotes: typed(notes), blkAgency: radio(housing), blkConsent: checked(consentAgreed)})
	}
	reject := func(feedback string) map[string]any {
		return tb.viewSubmission("U0AILSA", "V0UNREJ", cbReject, rejectMeta,
			map[string]any{blkReason: selected("not-eligible"), blkFeedback: typed(feedback)})
	}
	nulSays, halfSays := say("modal.unstorable.nul", nil), say("modal.unstorable.half", nil)
	for _, c := range []struct {
		name    string
		payload map[string]any
		want    map[string]string
	}{
		{"NUL in the notes", refer("Kenny Lumsden", "Eviction"+nul+" notice"), map[string]string{blkNotes: nulSays}},
		{"half a character in the name", refer("Kenny "+half+"Lumsden", "Eviction notice"), map[string]string{blkName: halfSays}},
		{"both at once", refer("Kenny "+half, nul), map[string]string{blkName: halfSays, blkNotes: nulSays}},
		{"NUL in the feedback", reject("Outside our area" + nul), map[string]string{blkFeedback: nulSays}},
		{"half a character in the feedback", reject(half + " outside our area"), map[string]string{blkFeedback: halfSays}},
		{"NUL outside the boxes", tb.viewSubmission("U0AILSA", "V0UNREJ", cbReject, rejectMeta+nul,
			map[string]any{blkReason: selected("not-eligible"), blkFeedback: typed("Outside our area")}),
			map[string]string{blkReason: say("modal.unstorable.form", nil)}},
	} {
		body := wantStatus(t, tb.post("/slack/interactions", rawSubmission(t, c.payload, escapes)), 200)
		resp := submitResponse(t, body)
		errs, _ := resp["errors"].(map[string]any)
		if resp["response_action"] != "errors" || len(errs) != len(c.want) {
			t.Errorf("%s: want errors on %v, got %s", c.name, c.want, body)
			continue
		}
		for block, msg := range c.want {
			if errs[block] != msg {
				t.Errorf("%s: block %s says %v, want %q", c.name, block, errs[block], msg)
			}
		}
	}
	if got := tb.referral(r.ID); got.Status != core.StatusRequested {
		t.Errorf("a refused reject changed the referral to %s", got.Status)
	}
	if rs, err := tb.Engine.ListReferrals(t.Context(), core.ReferralFilter{ToAgency: tb.Net.Housing}); err != nil || len(rs) != 0 {
		t.Errorf("a refused /refer made %d referrals (%v)", len(rs), err)
	}
	// Nothing was half done: the same modals, sent again with clean text,
	// are taken.
	if body := wantStatus(t, tb.interact(refer("Kenny Lumsden", "Eviction notice")), 200); !strings.Contains(body, "Kingdom Housing Options") {
		t.Errorf("the /refer modal sent again with clean text: %s", body)
	}
	if body := wantStatus(t, tb.interact(reject("Outside our area")), 200); strings.TrimSpace(body) != "" {
		t.Errorf("the reject modal sent again with clean text: %s", body)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusRejected {
		t.Errorf("the reject sent again left the referral %s", got.Status)
	}
}
