package bot

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestWebCouldNotContactAsksFirst: on the staff web "Could not contact" is a
// deliberate step. The inbox's card links to the referral page's panel
// rather than posting at once; the panel says it closes the referral and
// tells the client; a post without the panel's confirmation (a one-click
// button of an older page) changes nothing and points at the panel; the
// confirmed post closes it.
func TestWebCouldNotContactAsksFirst(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.act(tb.selfReferral("cnc-asks", false), core.ActionAccept, tb.Net.Adviser)
	page := "/staff/referrals/" + r.Reference
	c := tb.signedIn(tb.Net.Adviser)

	// A card in a list links to the panel; it posts nothing itself.
	v, err := buildView(t.Context(), tb.Engine, r, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	var card bytes.Buffer
	if err := staffPages()["inbox"].ExecuteTemplate(&card, "card", cardItem{cardView: v, CSRF: "CSRF", Linked: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(card.String(), `action="`+page+`/fail"`) || !strings.Contains(card.String(), `href="`+page+`#fail"`) {
		t.Errorf("a listed card closes the referral as could not contact in one press, or does not lead to the panel:\n%s", card.String())
	}

	_, body := c.get(page)
	panel := between(body, `<section id="fail"`, `</section>`)
	for _, want := range []string{"closes the referral as could not contact", "cannot be reopened",
		"The client is told that Kirkton Citizens Advice could not reach them", `name="confirm" value="yes"`, `action="` + page + `/fail"`} {
		if !strings.Contains(panel, want) {
			t.Errorf("the Could not contact panel lacks %q:\n%s", want, panel)
		}
	}
	if strings.Count(body, `action="`+page+`/fail"`) != 1 {
		t.Errorf("the referral page offers Could not contact other than on its panel")
	}

	// Unconfirmed: nothing changes, and the page points at the panel.
	resp, body := c.post(page+"/fail", url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#fail"`) || !strings.Contains(body, `id="fail-error"`) {
		t.Errorf("an unconfirmed Could not contact: %d, want 422 pointing at the panel", resp.StatusCode)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusAccepted {
		t.Fatalf("an unconfirmed Could not contact left the referral %s", got.Status)
	}

	// Confirmed on the panel: closed.
	resp, _ = c.post(page+"/fail", url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed Could not contact: %d", resp.StatusCode)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusFailed {
		t.Errorf("a confirmed Could not contact left the referral %s", got.Status)
	}
	_, body = c.get(resp.Header.Get("Location"))
	if !strings.Contains(body, r.Reference+" closed: could not contact. The client is told") {
		t.Errorf("the page after Could not contact does not say the referral is closed and the client told")
	}
}

// TestCouldNotContactIsOneRecord: once the client was marked contacted,
// neither the staff web nor Slack's card offers Could not contact (and
// the staff web shows core's refusal of one sent from an older page), and
// neither completion form offers the outcome "Could not contact" (nor
// takes it from an older form): a client never reached is recorded one
// way, as a failed referral, and the reports do not split the event
// between Failed and Completed.
func TestCouldNotContactIsOneRecord(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.act(tb.act(tb.selfReferral("cnc-once", false), core.ActionAccept, tb.Net.Adviser), core.ActionContact, tb.Net.Adviser)
	page := "/staff/referrals/" + r.Reference
	c := tb.signedIn(tb.Net.Adviser)
	_, body := c.get(page)
	if strings.Contains(body, page+"/fail") || strings.Contains(body, `id="fail"`) || strings.Contains(body, "Could not contact…") {
		t.Errorf("the page of a referral whose client was contacted offers Could not contact")
	}
	if strings.Contains(body, `value="could-not-contact"`) {
		t.Errorf("the completion form offers the outcome Could not contact")
	}
	if !strings.Contains(body, `value="help-given"`) {
		t.Fatalf("the page has no completion form")
	}
	v, err := buildView(t.Context(), tb.Engine, r, KindAgency)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(v.Buttons, btnFail) {
		t.Errorf("Slack's card of a referral whose client was contacted offers Could not contact: %v", v.Buttons)
	}

	// Could not contact from a page shown before contact: core's refusal,
	// in its words, and nothing recorded.
	resp, body := c.post(page+"/fail", url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, core.FailAfterContact) {
		t.Errorf("Could not contact after contact: %d, want 409 saying the client was contacted:\n%s", resp.StatusCode, body)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusInProgress {
		t.Fatalf("Could not contact after contact left the referral %s", got.Status)
	}

	// A completion form from before: refused, nothing recorded.
	resp, body = c.post(page+"/complete", url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(r.Version)}, "outcome": {"could-not-contact"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="outcome-error"`) ||
		!strings.Contains(between(body, `id="outcome-error"`, `</`), core.OutcomeNotACompletion.Message) {
		t.Errorf("completed with the outcome Could not contact: %d, want 422 with core's refusal beside the outcome", resp.StatusCode)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusInProgress {
		t.Errorf("a completion with the outcome Could not contact left the referral %s", got.Status)
	}

	// Slack's modal: not offered, and refused when sent.
	n, err := tb.Engine.Network(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if js := mustJSON(t, completeModal(v, n, false)); strings.Contains(js, `"value":"could-not-contact"`) || !strings.Contains(js, `"value":"help-given"`) {
		t.Errorf("Slack's completion modal offers the outcome Could not contact")
	}
	body = wantStatus(t, tb.interact(tb.viewSubmission("U0AILSA", "V0CNC", cbComplete, buttonValue(r.ID, r.Version), map[string]any{
		blkOutcome: selected("could-not-contact")})), 200)
	if !strings.Contains(body, `"outcome":"`+core.OutcomeNotACompletion.Message) {
		t.Errorf("Slack took the outcome Could not contact: %s", body)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusInProgress {
		t.Errorf("Slack's completion with the outcome Could not contact left the referral %s", got.Status)
	}

	// Before contact, Slack's card still offers it (with its dialog).
	accepted := tb.act(tb.selfReferral("cnc-once-accepted", false), core.ActionAccept, tb.Net.Adviser)
	if v, err := buildView(t.Context(), tb.Engine, accepted, KindAgency); err != nil || !slices.Contains(v.Buttons, btnFail) {
		t.Errorf("Slack's card of an accepted referral does not offer Could not contact: %v %v", v.Buttons, err)
	}
}

// between is the part of s from the first from to the next to after it
// ("" when either is missing).
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// TestCouldNotContactNeedsTheBoxTicked: the referral page's Could not
// contact panel sends nothing that records it when its button alone is
// pressed: the adviser ticks a labelled box first, and without it the
// page comes back saying so beside the box, the referral unchanged.
func TestCouldNotContactNeedsTheBoxTicked(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	r := tb.act(tb.selfReferral("cnc-box", false), core.ActionAccept, tb.Net.Adviser)
	page := "/staff/referrals/" + r.Reference
	c := tb.signedIn(tb.Net.Adviser)
	_, body := c.get(page)
	panel := between(body, `<section id="fail"`, `</section>`)
	if !strings.Contains(panel, `<input type="checkbox" id="fail-confirm" name="confirm" value="yes">`) || !strings.Contains(panel, `<label for="fail-confirm">`) {
		t.Errorf("the Could not contact panel has no labelled box to tick:\n%s", panel)
	}
	// One press: what the form sends without the box ticked.
	resp, body := c.post(page+"/fail", confirmForm(t, body, page+"/fail"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="fail-error"`) || !strings.Contains(body, "tick the box") {
		t.Errorf("Could not contact pressed without the box ticked: %d, want 422 asking to tick it", resp.StatusCode)
	}
	if got := tb.referral(r.ID); got.Status != core.StatusAccepted {
		t.Fatalf("one press of Could not contact left the referral %s", got.Status)
	}
}
