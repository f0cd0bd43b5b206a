package bot

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestCompleteFormWithGains: the staff web's completion form offers the
// gain for a debt referral; mistakes come back in a GOV.UK error summary
// in page order, each linked to its field, with what was typed kept; a
// good form stores the gain, type and topic and shows them on the page.
func TestCompleteFormWithGains(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r := tb.selfReferral("gains", false)
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact} {
		if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: tb.Net.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	r = tb.referral(r.ID)
	ailsa := tb.signedIn(tb.Net.Adviser)
	_, page := ailsa.get("/staff/referrals/" + r.Reference)
	for _, want := range []string{"Weekly income gained", `id="gain_debt_written_off"`, "Type II: casework", `<option value="energy"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the completion form lacks %q", want)
		}
	}
	complete := "/staff/referrals/" + r.Reference + "/complete"
	form := url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(r.Version)}, "outcome": {"help-given"},
		"gain_weekly_income": {"-12"}, "gain_one_off_income": {"1000000.01"}, "gain_debt_managed": {"lots"},
		"advice_type": {"type-2"}, "advice_topic": {"debt"}, "outcome_note": {"Kept note"}}
	resp, body := ailsa.post(complete, form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("complete with bad amounts: %d", resp.StatusCode)
	}
	summary := body[strings.Index(body, "There is a problem"):]
	summary = summary[:strings.Index(summary, "</ul>")]
	if !strings.Contains(summary, `<a href="#gain_debt_managed">Debt managed must be an amount in pounds`) {
		t.Errorf("error summary = %s", summary)
	}
	// With an amount that is not money, the form's other problems are
	// named at once (an email-only adviser's review: a missing outcome
	// came only after the amount was mended): here the weekly income's
	// range, and an outcome left out.
	if !strings.Contains(summary, `href="#gain_weekly_income">Weekly income gained cannot be negative`) {
		t.Errorf("the range of another amount is not named beside the amount that is not money: %s", summary)
	}
	noOutcome := url.Values{"csrf": {ailsa.csrf}, "version": {strconv.Itoa(r.Version)}, "gain_weekly_income": {"12,50p"}}
	resp, body = ailsa.post(complete, noOutcome)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#outcome">Choose how the referral ended`) ||
		!strings.Contains(body, `<a href="#gain_weekly_income">`) {
		t.Errorf("a bad amount and no outcome: %d, want both named", resp.StatusCode)
	}
	form.Set("gain_debt_managed", "")
	resp, body = ailsa.post(complete, form)
	summary = body[strings.Index(body, "There is a problem"):]
	summary = summary[:strings.Index(summary, "</ul>")]
	weekly, oneOff := strings.Index(summary, `href="#gain_weekly_income">Weekly income gained cannot be negative`),
		strings.Index(summary, `href="#gain_one_off_income">One-off income gained must be £1,000,000 or less`)
	if resp.StatusCode != http.StatusUnprocessableEntity || weekly < 0 || oneOff < weekly {
		t.Errorf("error summary in page order = %s", summary)
	}
	for _, want := range []string{`value="-12"`, `aria-describedby="gain_weekly_income-error"`, `id="outcome-help-given" name="outcome" value="help-given" checked`, ">Kept note</textarea>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form sent back lacks %q", want)
		}
	}
	if tb.referral(r.ID).Status != core.StatusInProgress {
		t.Fatal("a refused completion changed the referral")
	}
	form.Set("gain_weekly_income", "42.50")
	form.Set("gain_one_off_income", "£1,200")
	resp, _ = ailsa.post(complete, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete: %d", resp.StatusCode)
	}
	got := tb.referral(r.ID)
	if got.Gain() != (core.Gain{WeeklyIncome: 4250, OneOffIncome: 120000}) || *got.AdviceType != core.AdviceTypeII || *got.AdviceTopic != "debt" {
		t.Errorf("stored %+v %v %v", got.Gain(), *got.AdviceType, *got.AdviceTopic)
	}
	_, body = ailsa.get(resp.Header.Get("Location"))
	for _, want := range []string{"<dd>Help given</dd>", "<dd>Type II: casework</dd>", "<dd>Debt</dd>", "<dt>Weekly income gained</dt><dd>£42.50</dd>", "<dd>£1,200</dd>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the referral page lacks %q", want)
		}
	}
}

// TestCompleteFormHousingHasNoGain: a referral for none of the money needs
// is not offered the gain.
func TestCompleteFormHousingHasNoGain(t *testing.T) {
	t.Parallel()
	tb := newTestBot(t)
	ctx := context.Background()
	r := tb.selfReferral("nogain", false)
	for _, a := range []core.Action{core.ActionAccept, core.ActionContact} {
		if _, err := tb.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: a, Actor: tb.Net.Adviser.Actor()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tb.Pool.Exec(ctx, `UPDATE referrals SET needs = '{housing}' WHERE id = $1`, r.ID); err != nil {
		t.Fatal(err)
	}
	_, page := tb.signedIn(tb.Net.Adviser).get("/staff/referrals/" + r.Reference)
	if strings.Contains(page, "Weekly income gained") || !strings.Contains(page, "Type I: information and signposting") {
		t.Error("a housing referral should be asked the advice type but not the gain")
	}
}
