package bot

import (
	"context"
	"slices"

	"github.com/onward-network/onward/core"
)

// The staff web's "Mark completed" form: the network's outcomes, the
// financial gain (only for money, benefits and debt referrals, as core
// decides), the National Standards advice type and the network's topics,
// and a note. Core checks everything; this file only reads and redraws.

// completeForm is the completion form as shown, with what was typed.
type completeForm struct {
	Outcomes    []reasonOption
	OfferGain   bool
	Gains       []gainInput
	AdviceTypes []reasonOption
	Topics      []reasonOption
	Outcome     string
	AdviceType  string
	AdviceTopic string
	Note        string
}

// gainInput is one amount of the gain, in pounds as typed.
type gainInput struct{ Key, Label, Value string }

// fieldOrder is the order of the referral page's form fields (the
// reject form's, the redirect's, the completion's), so the error summary
// lists a form's problems in the order they are met on the page.
var fieldOrder = []string{"reason", "agency", "feedback", "redirect-note", "outcome", "gain_weekly_income",
	"gain_one_off_income", "gain_debt_written_off", "gain_debt_managed", "advice_type", "advice_topic", "outcome_note"}

// completionRequest reads a posted completion form (get is its
// PostFormValue, or a kept form's Get) into the request and the values to
// redraw; pound amounts that are not money are field errors.
func completionRequest(get func(string) string, req *core.TransitionRequest) (completeForm, []core.FieldError) {
	f := completeForm{Outcome: get("outcome"), AdviceType: get("advice_type"),
		AdviceTopic: get("advice_topic"), Note: get("outcome_note")}
	for _, g := range core.GainFields {
		f.Gains = append(f.Gains, gainInput{Key: g.Key, Label: g.Label, Value: get(g.Key)})
	}
	gain, problems := core.ParseGain(get)
	req.Outcome, req.OutcomeNote, req.Gain = core.Outcome(f.Outcome), f.Note, gain
	req.AdviceType, req.AdviceTopic = core.AdviceType(f.AdviceType), f.AdviceTopic
	return f, problems
}

// fillCompleteForm adds the choices the network and the referral offer to
// a form (as typed, or empty).
func (b *Bot) fillCompleteForm(ctx context.Context, ref core.Referral, f *completeForm) error {
	n, err := b.engine.Network(ctx)
	if err != nil {
		return err
	}
	for _, o := range n.CompletionOutcomes() {
		f.Outcomes = append(f.Outcomes, reasonOption{Value: string(o.Outcome), Label: o.Label})
	}
	f.OfferGain = ref.OffersGain()
	if f.Gains == nil {
		for _, g := range core.GainFields {
			f.Gains = append(f.Gains, gainInput{Key: g.Key, Label: g.Label})
		}
	}
	for _, t := range core.AdviceTypes {
		f.AdviceTypes = append(f.AdviceTypes, reasonOption{Value: string(t), Label: t.Label()})
	}
	for _, t := range n.AdviceTopics() {
		f.Topics = append(f.Topics, reasonOption{Value: t.ID, Label: t.Label})
	}
	return nil
}

// fieldRank orders field problems by where their field is on the page.
func fieldRank(field string) int {
	if i := slices.Index(fieldOrder, field); i >= 0 {
		return i
	}
	return len(fieldOrder)
}
