package web

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

// A client is told how long to wait before calling the network by the
// network's own settings (core.Network.ClientWaitDays), the same by text
// and on the web: a network that chases its agencies after 7 working
// days promises 7, and a crisis, which the crisis clock answers within a
// working day, promises 1.
func TestBothChannelsPromiseTheNetworksWait(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		sms    []string
		web    []parityPost
		crisis bool
		wait   string // the promise, in English
	}{
		{name: "routine", wait: "7 working days",
			sms: join([]string{"1", "KY1 1AB", "no", "no"}, smsTail("Ailsa Fictional")),
			web: join([]parityPost{post(pathNeeds, "needs", "debt"), post(pathPostcode, "postcode", "KY1 1AB"),
				post(pathFood, "no_food", "no"), post(pathHome, "losing_home", "no")}, webTail("Ailsa Fictional"))},
		{name: "crisis", crisis: true, wait: "1 working day",
			sms: join([]string{"1", "KY1 1AB", "yes", "no"}, smsTail("Cal")),
			web: join([]parityPost{post(pathNeeds, "needs", "debt"), post(pathPostcode, "postcode", "KY1 1AB"),
				post(pathFood, "no_food", "yes"), post(pathHome, "losing_home", "no")}, webTail("Cal"))},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := coretest.NewEnv(t)
			if _, err := env.Pool.Exec(context.Background(),
				`UPDATE network_settings SET contact_check_days = 3, contact_nudge_days = 7, crisis_ack_hours = 2`); err != nil {
				t.Fatal(err)
			}
			p := newParityEnvOn(t, env, nil)
			texts := p.textAll(t, "+447700900111", c.sms)
			done := p.webAll(t, c.web)
			for _, r := range p.web.referrals() {
				if r.Crisis != c.crisis {
					t.Fatalf("the %s referral has crisis=%t, want %t", r.Source, r.Crisis, c.crisis)
				}
			}
			if len(texts) == 0 {
				t.Fatal("no answer to the consent by text")
			}
			if want := "If you don't hear from us within " + c.wait + ", call 0800 000 0000"; !strings.Contains(texts[len(texts)-1], want) {
				t.Errorf("the conversation's last text does not say %q:\n%s", want, texts[len(texts)-1])
			}
			if done.Path != pathDone {
				t.Fatalf("the web form ended at %s, want %s", done.Path, pathDone)
			}
			if want := "If you have not heard from anyone in " + c.wait + ", call Kingdom Advice Network"; !strings.Contains(html.UnescapeString(done.Body), want) {
				t.Errorf("the web form's last page does not say %q:\n%s", want, done.Body)
			}
		})
	}
}

// englishDays finds the English words for the wait in a translation.
var englishDays = regexp.MustCompile(`(?i)\b(working )?days?\b`)

// The confirmation page's wait renders in every shipped language with the
// plural form its number needs (the same numbers as the SMS's test in
// intake/flow: every whole-number category the languages use), says each
// number differently, and never says "days" in English in a translation.
// testdata/web/not_heard.golden shows the sentence for each.
func TestNotHeardInEveryLanguage(t *testing.T) {
	t.Parallel()
	cat, err := lang.Load(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	var golden strings.Builder
	for _, l := range cat.Languages() {
		p := webPage{Lang: pageLang{Language: l, cat: cat}}
		seen := map[string]int{}
		for _, n := range []int{1, 2, 3, 5, 11, 21, 100} {
			got, err := p.H("web.done.not_heard_html", "Days", n, "Network", "Kingdom Advice Network",
				"Phone", "0800 000 0000", "Reference", "ONW-7K3M9P")
			if err != nil {
				t.Errorf("%s, a wait of %d: %v", l.English, n, err)
				continue
			}
			text := string(got)
			if l.Code == lang.English {
				want := fmt.Sprintf("in %d working days,", n)
				if n == 1 {
					want = "in 1 working day,"
				}
				if !strings.Contains(text, want) {
					t.Errorf("English, a wait of %d: want %q in %q", n, want, text)
				}
			} else if m := englishDays.FindString(text); m != "" {
				t.Errorf("%s, a wait of %d, says %q in English: %s", l.English, n, m, text)
			}
			if other, ok := seen[text]; ok {
				t.Errorf("%s says a wait of %d and of %d the same way: %s", l.English, other, n, text)
			}
			seen[text] = n
			fmt.Fprintf(&golden, "%s %d: %s\n", l.Code, n, text)
		}
	}
	coretest.Golden(t, "testdata/web/not_heard.golden", golden.String())
}
