package core_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestParsePounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		pence int64
		bad   bool
	}{
		{"", 0, false}, {"125", 12500, false}, {"£1,250.50", 125050, false}, {" 3.5 ", 350, false},
		{"-20", -2000, false}, {".75", 75, false}, {"1000001", 100000100, false},
		{"12.345", 0, true}, {"ten", 0, true}, {"1e6", 0, true}, {"12.", 0, true}, {"£", 0, true},
	} {
		p, err := core.ParsePounds(tc.in)
		if (err != nil) != tc.bad || p != tc.pence {
			t.Errorf("ParsePounds(%q) = %d, %v; want %d, bad %v", tc.in, p, err, tc.pence, tc.bad)
		}
	}
	if got := core.FormatPounds(125050); got != "£1,250.50" {
		t.Errorf("FormatPounds = %q", got)
	}
	if got := core.FormatPounds(100000000); got != "£1,000,000" {
		t.Errorf("FormatPounds = %q", got)
	}
}

// complete completes r with req's completion fields.
func complete(env *coretest.Env, r core.Referral, req core.TransitionRequest) (core.TransitionResult, error) {
	req.Referral, req.Action, req.Actor = r.ID, core.ActionComplete, env.Net.Adviser.Actor()
	return env.Engine.Act(context.Background(), req)
}

// TestCompletionRefusesBadInput: each mistake is refused with a field
// error naming the field, and nothing is recorded.
func TestCompletionRefusesBadInput(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	if err := env.Engine.SetNetwork(ctx, env.Pool, core.NetworkSettings{Name: "Kingdom Advice Network",
		Outcomes:     []core.OutcomeOption{{Outcome: core.OutcomeHelpGiven, Label: "Advice given"}, {Outcome: core.OutcomeCouldNotContact}},
		AdviceTopics: []core.AdviceTopic{{ID: "benefits", Label: "Benefits"}, {ID: "money-advice", Label: "Money advice"}}}); err != nil {
		t.Fatal(err)
	}
	money := referralIn(t, env, core.StatusInProgress, "money")
	other := referralIn(t, env, core.StatusInProgress, "housing")
	if _, err := env.Pool.Exec(ctx, `UPDATE referrals SET needs = '{housing,food}' WHERE id = $1`, other.ID); err != nil {
		t.Fatal(err)
	}
	other, _ = env.Engine.Referral(ctx, other.ID)
	for _, tc := range []struct {
		name  string
		r     core.Referral
		req   core.TransitionRequest
		field string
		says  string
	}{
		{"no outcome", money, core.TransitionRequest{}, "outcome", "Choose how"},
		{"outcome this network does not offer", money, core.TransitionRequest{Outcome: core.OutcomeClientDeclined}, "outcome", "not one of this network's outcomes"},
		{"negative gain", money, core.TransitionRequest{Outcome: core.OutcomeHelpGiven, Gain: core.Gain{WeeklyIncome: -100}}, "gain_weekly_income", "Weekly income gained cannot be negative"},
		{"absurd gain", money, core.TransitionRequest{Outcome: core.OutcomeHelpGiven, Gain: core.Gain{DebtWrittenOff: core.MaxGainPence + 1}}, "gain_debt_written_off", "Debt written off must be £1,000,000 or less"},
		{"gain on a housing referral", other, core.TransitionRequest{Outcome: core.OutcomeHelpGiven, Gain: core.Gain{OneOffIncome: 5000}}, "gain_one_off_income", "only for money, benefits or debt"},
		{"unknown advice type", money, core.TransitionRequest{Outcome: core.OutcomeHelpGiven, AdviceType: "type-4"}, "advice_type", "type I, II or III"},
		{"topic this network does not count", money, core.TransitionRequest{Outcome: core.OutcomeHelpGiven, AdviceTopic: "debt"}, "advice_topic", "not one of this network's advice topics"},
	} {
		_, err := complete(env, tc.r, tc.req)
		var ve *core.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Field(tc.field), tc.says) {
			t.Errorf("%s: err = %v, want %q on %s", tc.name, err, tc.says, tc.field)
		}
	}
	// Every problem is named at once: a wrong advice type beside a topic
	// the network does not count, and an outcome it does not offer.
	_, err := complete(env, money, core.TransitionRequest{Outcome: core.OutcomeClientDeclined, AdviceType: "type-9", AdviceTopic: "bogus"})
	var ve *core.ValidationError
	if !errors.As(err, &ve) || ve.Field("advice_type") == "" || ve.Field("advice_topic") == "" || ve.Field("outcome") == "" {
		t.Errorf("three mistakes at once: err = %v, want each of advice_type, advice_topic and outcome named", err)
	}
	for _, r := range []core.Referral{money, other} {
		got, _ := env.Engine.Referral(ctx, r.ID)
		if got.Status != core.StatusInProgress || got.GainWeeklyIncomePence != nil {
			t.Errorf("%s after refusals: %s, gain %v", r.Reference, got.Status, got.Gain())
		}
	}

	// A good completion is stored on the referral and in its event.
	want := core.Gain{WeeklyIncome: 4250, OneOffIncome: 120000, DebtWrittenOff: 350000}
	res, err := complete(env, money, core.TransitionRequest{Outcome: core.OutcomeHelpGiven, Gain: want,
		AdviceType: core.AdviceTypeII, AdviceTopic: "money-advice", OutcomeNote: "Benefit check done"})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Referral
	if got.Gain() != want || got.AdviceType == nil || *got.AdviceType != core.AdviceTypeII || got.AdviceTopic == nil || *got.AdviceTopic != "money-advice" {
		t.Errorf("stored gain %+v, type %v, topic %v", got.Gain(), got.AdviceType, got.AdviceTopic)
	}
	if got.GainDebtManagedPence != nil {
		t.Errorf("a gain left blank is stored as %d, want NULL", *got.GainDebtManagedPence)
	}
	var data map[string]any
	if err := env.Pool.QueryRow(ctx, `SELECT data FROM events WHERE referral_id = $1 AND data->>'action' = 'complete'`, money.ID).Scan(&data); err != nil {
		t.Fatal(err)
	}
	if data["outcome"] != "help-given" || data["advice_type"] != "type-2" || data["advice_topic"] != "money-advice" ||
		data["gain_weekly_income_pence"] != float64(4250) || data["gain_debt_written_off_pence"] != float64(350000) {
		t.Errorf("event data = %v", data)
	}
	if _, ok := data["outcome_note"]; ok {
		t.Errorf("the note is in the event data: %v", data)
	}
	tl, err := env.Engine.Timeline(ctx, money.ID, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	last := tl[len(tl)-1]
	if last.Outcome != core.OutcomeHelpGiven || last.Gain != want || last.AdviceTopic != "money-advice" {
		t.Errorf("timeline's last entry = %+v", last)
	}

	// A housing referral completes without a gain.
	if _, err := complete(env, other, core.TransitionRequest{Outcome: core.OutcomeHelpGiven}); err != nil {
		t.Errorf("complete a housing referral with no gain: %v", err)
	}
}

// TestNetworkOfferings: the defaults, labels and a file's mistakes.
func TestNetworkOfferings(t *testing.T) {
	t.Parallel()
	var n core.Network
	if len(n.Outcomes()) != 7 || n.Outcomes()[0].Label != "Help given" || len(n.AdviceTopics()) != len(core.DefaultAdviceTopics) {
		t.Errorf("defaults: %v, %v", n.Outcomes(), n.AdviceTopics())
	}
	n.OfferedOutcomes = []core.OutcomeOption{{Outcome: core.OutcomeOther, Label: "Something else"}}
	if !n.OffersOutcome(core.OutcomeOther) || n.OffersOutcome(core.OutcomeHelpGiven) || n.OutcomeLabel(core.OutcomeOther) != "Something else" {
		t.Errorf("named outcomes: %v", n.Outcomes())
	}
	env := coretest.NewEnv(t)
	err := env.Engine.SetNetwork(context.Background(), env.Pool, core.NetworkSettings{Name: "N",
		Outcomes: []core.OutcomeOption{{Outcome: "fixed"}}, AdviceTopics: []core.AdviceTopic{{ID: "Debt Advice", Label: "x"}}})
	if err == nil || !strings.Contains(err.Error(), `outcomes[0]: "fixed" is not an outcome`) || !strings.Contains(err.Error(), "advice_topics[0]") {
		t.Errorf("bad lists: %v", err)
	}
}

// TestConcurrentCompleteOneWinner: two advisers complete one referral at
// once with different outcomes; one wins, the other is told who did.
func TestConcurrentCompleteOneWinner(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := referralIn(t, env, core.StatusInProgress, "race-complete")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, who := range []core.Staff{env.Net.Adviser, env.Net.Adviser2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionComplete, Actor: who.Actor(),
				ExpectedVersion: r.Version, Outcome: []core.Outcome{core.OutcomeHelpGiven, core.OutcomeOther}[i],
				Gain: core.Gain{WeeklyIncome: int64(1000 * (i + 1))}})
		}()
	}
	wg.Wait()
	final, _ := env.Engine.Referral(ctx, r.ID)
	wins := 0
	for i, err := range errs {
		var ce *core.ConflictError
		switch {
		case err == nil:
			wins++
			if final.Gain().WeeklyIncome != int64(1000*(i+1)) {
				t.Errorf("winner %d, but stored gain is %d", i, final.Gain().WeeklyIncome)
			}
		case errors.As(err, &ce):
			if ce.Status != core.StatusCompleted || !strings.Contains(ce.By, "Kirkton Citizens Advice") {
				t.Errorf("conflict says %s by %s", ce.Status, ce.By)
			}
		default:
			t.Errorf("adviser %d: err = %v, want ConflictError", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d completions won, want 1", wins)
	}
}
