package web

import (
	"context"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
)

// The audit's Arabic pages showed the network's English crisis lines two
// or three times each: on the start page, beside the crisis question and
// in the footer. Now every page gives the network's crisis lines once, in
// the page's language when the network translated them (and then no
// English), beside the fixed sentences in that language; a page in a
// language they are not translated into gives, once and marked as
// English, only the English line with a number of its own.
func TestCrisisLinesOncePerPageInThePagesLanguage(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx := context.Background()
	n, err := e.env.Engine.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	english := "If you are in danger now, call 999. Samaritans: 116 123, free, day or night. NHS 24: 111. " +
		"Breathing Space: 0800 83 85 87, evenings and weekends."
	arabic := "إذا كنت في خطر الآن، اتصل بـ 999. Samaritans مجانًا ليلًا أو نهارًا: 116 123. NHS 24: 111. " +
		"Breathing Space في المساء وعطلات نهاية الأسبوع: 0800 83 85 87."
	if err := e.env.Engine.SetNetwork(ctx, e.env.Pool, core.NetworkSettings{Name: n.Name, Phone: n.Phone, OpeningHours: n.OpeningHours,
		CrisisLines: english, CrisisLinesTranslations: map[string]string{"ar": arabic},
		DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL, Timezone: n.Timezone}); err != nil {
		t.Fatal(err)
	}
	// The number kept left to right (a client's review: in the
	// right-to-left line it read 87 85 83 0800).
	arabicBreathing := "Breathing Space في المساء وعطلات نهاية الأسبوع: \u20660800 83 85 87\u2069."
	englishWords := []string{"If you are in danger now, call 999", "free, day or night", "evenings and weekends"}
	// check: body gives the network's lines once, as want, and none of
	// the English words in never.
	check := func(where, body, want string, never ...string) {
		t.Helper()
		if c := strings.Count(body, "0800 83 85 87"); c != 1 || !strings.Contains(body, want) {
			t.Errorf("%s gives the network's crisis lines %d times, want once as %q:\n%s", where, c, want, body)
		}
		for _, english := range never {
			if strings.Contains(body, english) {
				t.Errorf("%s says %q in English:\n%s", where, english, body)
			}
		}
		if !strings.Contains(body, "tel:999") || !strings.Contains(body, "tel:116123") {
			t.Errorf("%s lacks the fixed 999 and Samaritans sentences:\n%s", where, body)
		}
	}

	b := e.browser()
	start := b.get("/refer?lang=ar")
	check("the Arabic start page", start.Body, arabicBreathing, englishWords...)
	if !strings.Contains(start.Body, "في خطر الآن") {
		t.Errorf("the Arabic start page does not say 999 in Arabic:\n%s", start.Body)
	}
	a := goodAnswers()
	for _, st := range []string{pathNeeds, pathPostcode} {
		b.answer(st, a[st])
	}
	check("the Arabic crisis question", b.get(pathFood).Body, arabicBreathing, englishWords...)
	next := b.answer(pathFood, map[string][]string{"no_food": {"yes"}})
	if next.Path != pathHome || !strings.Contains(next.Body, `class="crisis"`) {
		t.Fatalf("after a crisis answer: at %s without the crisis panel", next.Path)
	}
	check("the Arabic page with the crisis panel", next.Body, arabicBreathing, englishWords...)
	if !strings.Contains(next.Body, "إذا كنت تحتاج إلى مساعدة الآن") {
		t.Errorf("the crisis panel is not in Arabic:\n%s", next.Body)
	}

	// Urdu has no translation: the English line that adds a number, once.
	ur := e.browser().get("/refer?lang=ur")
	check("the Urdu start page", ur.Body, `<p dir="auto" lang="en">Breathing Space: 0800 83 85 87, evenings and weekends.</p>`, englishWords[:2]...)
	// English: the same line, with no lang of its own.
	en := e.browser().get("/refer?lang=en")
	check("the English start page", en.Body, `<p dir="auto">Breathing Space: 0800 83 85 87, evenings and weekends.</p>`)
}
