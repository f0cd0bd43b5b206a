package flow

import (
	"maps"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// TestDoneMessageNoLocalService: the text that ends a conversation
// promises a local advice service only when core found one that can take
// the referral. With none (a postcode outside the network's area), it
// says, in the client's language, that a coordinator will look at the
// request and say where to get help, by phone or text as they chose.
func TestDoneMessageNoLocalService(t *testing.T) {
	f := loadSelfReferralFlow(t)
	agency := &core.Agency{Name: "Kirkton Citizens Advice"}
	two := core.Match{Suggestions: []core.Suggestion{{Agency: *agency}, {Agency: core.Agency{Name: "Fife Law Centre"}}}}
	edinburgh := core.Referral{PostcodeDistrict: "EH1"}
	for _, tc := range []struct {
		name     string
		res      core.SelfReferralResult
		callback bool
		want     string
	}{
		{"to an agency", core.SelfReferralResult{Agency: agency, Match: two, Referral: edinburgh}, false, f.Messages.Done},
		{"a coordinator chooses between several", core.SelfReferralResult{Match: two, Referral: edinburgh}, false, f.Messages.Done},
		{"no agency serves the area", core.SelfReferralResult{Referral: edinburgh}, false, "conv_done_no_local"},
		{"those offering the need serve elsewhere", core.SelfReferralResult{Referral: edinburgh, Match: core.Match{Excluded: []core.Exclusion{
			{Agency: *agency, Reasons: core.MatchReasons{{Kind: core.WhyNotServed, Area: "EH1"}}}}}}, false, "conv_done_no_local"},
		// The area is served, by an agency left out for another reason:
		// a coordinator may still ask it.
		{"the one serving the area speaks no Polish", core.SelfReferralResult{Referral: edinburgh, Match: core.Match{Excluded: []core.Exclusion{
			{Agency: *agency, Reasons: core.MatchReasons{{Kind: core.WhyNoLanguage, Language: "pl"}}}}}}, false, f.Messages.Done},
		{"a crisis nobody near can take", core.SelfReferralResult{TriageReason: "crisis", Referral: edinburgh}, false, "conv_done_no_local"},
		// The network's own team phones a call-back, whatever the directory holds.
		{"a call-back", core.SelfReferralResult{Referral: edinburgh}, true, f.Messages.Done},
		// An area not known is not one outside the network's.
		{"no postcode or town", core.SelfReferralResult{}, false, f.Messages.Done},
		// A replay carries no match: what it would say cannot be known.
		{"replayed", core.SelfReferralResult{Replayed: true, Referral: edinburgh}, false, f.Messages.Done},
	} {
		if got := f.DoneMessage(tc.res, tc.callback); got != tc.want {
			t.Errorf("%s: DoneMessage = %q, want %q", tc.name, got, tc.want)
		}
	}

	cat := f.Catalogue()
	for _, l := range cat.Languages() {
		for _, method := range []string{"text", "call"} {
			data := maps.Clone(convTestNetwork)
			maps.Copy(data, map[string]any{"Urgent": false, "Callback": false, "ContactMethod": method, "Days": 5})
			done, err := cat.RenderData(l.Code, f.Messages.Done, data)
			if err != nil {
				t.Fatal(err)
			}
			text, err := cat.RenderData(l.Code, f.Messages.DoneNoLocal, data)
			if err != nil {
				t.Fatal(err)
			}
			if text == done || !strings.Contains(text, core.ReferenceExample) || !strings.Contains(text, "0800 000 0000") {
				t.Errorf("%s, %s: the no-local text is %q", l.Code, method, text)
			}
		}
	}
	data := maps.Clone(convTestNetwork)
	maps.Copy(data, map[string]any{"Urgent": false, "Callback": false, "ContactMethod": "call", "Days": 5})
	text, _ := cat.RenderData("en", f.Messages.DoneNoLocal, data)
	if want := "We may not have an advice service for your area, so a coordinator will look at your request and phone you to say where you can get help."; !strings.Contains(text, want) ||
		strings.Contains(text, "A local advice service will") {
		t.Errorf("English, by phone: %q", text)
	}
}
