package flow

import (
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// TestShortRepliesAreNoName: a black-box review's replies to "what is
// your name?" that were stored as the client's name. A few words asking
// the texts to stop are told to send STOP alone; "who is this?" is told
// who we are, then the question again; a keyword with a word around it
// ("help me") gets the question again. None is a name, and only the
// keyword's gets a miss. Inside a sentence the same words are read as
// before, and names are still names.
func TestShortRepliesAreNoName(t *testing.T) {
	f := loadSelfReferralFlow(t)
	name := f.steps["name"]
	for _, c := range []struct {
		code, in string
		want     []string
	}{
		{lang.English, "please stop", []string{f.Messages.StopHow}},
		{lang.English, "Stop please", []string{f.Messages.StopHow}},
		{lang.English, "stop it", []string{f.Messages.StopHow}},
		{lang.English, "no stop", []string{f.Messages.StopHow}},
		{lang.English, "No, STOP!", []string{f.Messages.StopHow}},
		{lang.English, "leave me alone", []string{f.Messages.StopHow}},
		{lang.English, "who is this?", []string{f.Messages.WhoWeAre, name.prompt}},
		{lang.English, "Sorry, who are you?", []string{f.Messages.WhoWeAre, name.prompt}},
		{lang.English, "help me", []string{name.reprompt}},
		{lang.English, "help please", []string{name.reprompt}},
		{"pl", "koniec proszę", []string{f.Messages.StopHow}},
		{"pl", "kto to?", []string{f.Messages.WhoWeAre, name.prompt}},
		{"uk", "хто це?", []string{f.Messages.WhoWeAre, name.prompt}},
	} {
		g := f.In(c.code)
		in := Conversation{Flow: f.ID, Lang: c.code, Step: "name", Answers: Answers{Language: c.code, Needs: []core.Need{core.NeedDebt}}}
		got, r := g.Advance(in, c.in)
		if got.Step != "name" || got.Answers.Name != "" || !slices.Equal(r.Templates, c.want) {
			t.Errorf("%s %q at the name question: step %s name %q %v; want %v, no name", c.code, c.in, got.Step, got.Answers.Name, r.Templates, c.want)
		}
		if wantMiss := c.want[0] == name.reprompt; (got.Misses == 1) != wantMiss {
			t.Errorf("%s %q: misses %d", c.code, c.in, got.Misses)
		}
	}
	for _, c := range []struct{ step, in string }{
		{"name", "Sam"},
		{"name", "my name is Hope"},
		{"needs", "how do I stop the bailiffs, its about debt"},
		{"needs", "help me with debt please"},
		{"postcode", "KY1 1AB who is this"},
	} {
		got, r := f.Advance(Conversation{Flow: f.ID, Lang: lang.English, Step: c.step}, c.in)
		if got.Step == c.step || slices.Contains(r.Templates, f.Messages.StopHow) || slices.Contains(r.Templates, f.Messages.WhoWeAre) {
			t.Errorf("%q at %s: still at %s, %v; want it read as the answer", c.in, c.step, got.Step, r.Templates)
		}
	}
}

// TestSharedAcronymsAreNoEnglish: an English benefit's acronym that is an
// everyday word in another language offered (sharedAcronyms: "dla" is
// Polish for "for") neither says a text is English nor names a need but
// in capitals or in reply to the English needs question (a black-box
// review: "nie mam jedzenia dla dzieci" was answered in English and read
// as Benefits).
func TestSharedAcronymsAreNoEnglish(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		in, code string
		needs    []core.Need
	}{
		{"nie mam jedzenia dla dzieci", "pl", []core.Need{core.NeedFood, core.NeedFamily}},
		{"kupić jedzenia dla dzieci", "pl", []core.Need{core.NeedFood, core.NeedFamily}},
		{"pieniądze dla dzieci", "pl", []core.Need{core.NeedIncomeMax, core.NeedFamily}},
		{"I need help with my DLA", lang.English, []core.Need{core.NeedBenefits}},
		{"help with pip and uc", lang.English, []core.Need{core.NeedBenefits}},
	} {
		c2, _ := f.Start(convTestStart, c.in)
		if c2.Lang != c.code || !slices.Equal(c2.Answers.Needs, c.needs) {
			t.Errorf("first text %q: language %q needs %v; want %q, %v", c.in, c2.Lang, c2.Answers.Needs, c.code, c.needs)
		}
	}
	for _, c := range []struct {
		code, in string
		needs    []core.Need
	}{
		{lang.English, "dla", []core.Need{core.NeedBenefits}}, // asked in English: the acronym
		{lang.English, "esa and debt", []core.Need{core.NeedBenefits, core.NeedDebt}},
		{"pl", "pomoc dla dzieci", []core.Need{core.NeedFamily}},
		{"pl", "DLA dla dzieci", []core.Need{core.NeedBenefits, core.NeedFamily}},
		{"pl", "POMOC DLA DZIECI", []core.Need{core.NeedFamily}}, // all in capitals: nothing singled out
	} {
		got, _ := f.In(c.code).Advance(Conversation{Flow: f.ID, Lang: c.code, Step: "needs", Answers: Answers{Language: c.code}}, c.in)
		if !slices.Equal(got.Answers.Needs, c.needs) {
			t.Errorf("%s %q at the needs question: %v; want %v", c.code, c.in, got.Answers.Needs, c.needs)
		}
	}
}

// TestMisspelledNeeds: needs as a black-box review typed them ("benifits",
// "dept", "nie mam co jesc") are read, and a first text naming them
// starts with them taken; a department is not a debt.
func TestMisspelledNeeds(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		in, code string
		needs    []core.Need
	}{
		{"need help with benifits and dept, postcode ky11ab", lang.English, []core.Need{core.NeedBenefits, core.NeedDebt}},
		{"I need help with my dept", lang.English, []core.Need{core.NeedDebt}},
		{"benefit", lang.English, []core.Need{core.NeedBenefits}},
		{"the housing dept wont fix my windows", lang.English, []core.Need{core.NeedHousing}},
		{"nie mam co jesc", "pl", []core.Need{core.NeedFood}},
	} {
		c2, _ := f.Start(convTestStart, c.in)
		if c2.Lang != c.code || !slices.Equal(c2.Answers.Needs, c.needs) {
			t.Errorf("first text %q: language %q needs %v; want %q, %v", c.in, c2.Lang, c2.Answers.Needs, c.code, c.needs)
		}
	}
	c, _ := f.Start(convTestStart, "nie mam co jesc")
	if !c.Answers.Crisis() {
		t.Errorf("'nie mam co jesc' is no crisis: %+v", c.Answers)
	}
}
