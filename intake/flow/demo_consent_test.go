package flow

import (
	"maps"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/demo"
	"github.com/onward-network/onward/core/lang"
)

// The demo network's consent wording asked now (a DPO's review: it said
// to withdraw by calling or telling the agency only) says, in every
// shipped language, how to withdraw by text, with a word the
// conversation reads as the withdraw keyword (the network's own,
// WITHDRAW by default, in English; the language's own in the others),
// and online, at the withdrawal page; and its consent question, with
// the demo's links, keeps to the budget TestMessageBudgets holds every
// text to (English three GSM-7 segments, a translation six).
func TestDemoConsentWordingSaysHowToWithdraw(t *testing.T) {
	f := loadSelfReferralFlow(t)
	cat := f.Catalogue()
	for _, base := range []string{"https://onward.example.org", "http://localhost:8080"} {
		ws := demo.ConsentWordings(base)
		current := ws[len(ws)-1].Version
		page := strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://") + "/withdraw"
		shown := map[string]bool{}
		for _, w := range ws {
			if w.Version != current {
				continue
			}
			shown[w.Language] = true
			if !strings.Contains(w.Body, page) {
				t.Errorf("%s %s does not give the withdrawal page %s:\n%s", w.Version, w.Language, page, w.Body)
			}
			words := []string{"WITHDRAW"}
			if w.Language != lang.English {
				words = strings.Split(cat.Own(w.Language, "sms_words.withdraw"), ", ")
			}
			said := ""
			for _, k := range words {
				if k != "" && strings.Contains(w.Body, k) {
					said = k
				}
			}
			if said == "" || (w.Language != lang.English && f.Keyword(said) != KeywordWithdraw) {
				t.Errorf("%s %s gives none of the withdraw words %q:\n%s", w.Version, w.Language, words, w.Body)
			}

			data := maps.Clone(convTestNetwork)
			data["DataSharingURL"], data["ConsentWording"] = base+"/data-sharing", w.Body
			text, err := cat.Render(w.Language, "conv_consent", data, 3)
			if err != nil {
				t.Fatal(err)
			}
			n, enc := core.SMSSegments(lang.IsolateNumbers(text))
			budget := segmentBudget("conv_consent")
			if w.Language != lang.English {
				budget *= 2
			} else if enc != core.SMSEncodingGSM7 {
				t.Errorf("the English consent question is %s, want GSM-7:\n%s", enc, text)
			}
			if n > budget {
				t.Errorf("the %s consent question with %s is %d %s segments, budget %d:\n%s", w.Language, base, n, enc, budget, text)
			}
		}
		for _, l := range cat.Languages() {
			if !shown[l.Code] {
				t.Errorf("the demo's consent wording %s has no %s", current, l.English)
			}
		}
	}
}
