package flow

import (
	"net/url"
	"slices"
	"testing"
)

// TestImpossiblePostcodeOnBothChannels: a postcode whose letters are no
// postcode area ("XX99 9ZZ", "QQ1 1AA") is refused by text (the postcode
// question is asked again) and on the web (the page says it is not a
// postcode), so no referral reaches coordinators as "Area XX99"; a real
// postcode outside the network's area is taken on both.
func TestImpossiblePostcodeOnBothChannels(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct {
		in       string
		district string // "" when refused
	}{
		{"XX99 9ZZ", ""},
		{"QQ1 1AA", ""},
		{"xx99", ""},
		{"EH1 1AA", "EH1"},
		{"KY1 1AB", "KY1"},
	} {
		conv, r := f.Advance(Conversation{Flow: f.ID, Step: "postcode", Lang: "en"}, c.in)
		if c.district == "" {
			if conv.Step != "postcode" || conv.Answers.District != "" || conv.Answers.Postcode != "" ||
				!slices.Equal(r.Templates, []string{f.steps["postcode"].reprompt}) {
				t.Errorf("by text %q: step %s, answers %+v, reply %v; want the postcode asked again", c.in, conv.Step, conv.Answers, r.Templates)
			}
		} else if conv.Answers.District != c.district {
			t.Errorf("by text %q: district %q, want %q", c.in, conv.Answers.District, c.district)
		}

		var a Answers
		problems := f.Answer(&a, "postcode", url.Values{"postcode": {c.in}})
		if c.district == "" {
			if len(problems) != 1 || problems[0].Code != "invalid" || a.District != "" || a.Postcode != "" {
				t.Errorf("on the web %q: problems %+v, answers %+v; want invalid", c.in, problems, a)
			}
		} else if problems != nil || a.District != c.district {
			t.Errorf("on the web %q: problems %+v, district %q; want %q", c.in, problems, a.District, c.district)
		}
	}
}
