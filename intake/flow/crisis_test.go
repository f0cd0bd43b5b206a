package flow

import (
	"slices"
	"testing"
)

func TestDetectCrisis(t *testing.T) {
	cases := []struct {
		in       string
		words    []string
		selfHarm bool
	}{
		{"I'm being EVICTED on Friday", []string{"evicted"}, false},
		{"got an eviction notice", []string{"eviction"}, false},
		{"landlord gave me a notice to leave", []string{"notice to leave"}, false},
		{"Bailiffs at the door!!", []string{"bailiffs"}, false},
		{"the sheriff officers came", []string{"sheriff officers"}, false},
		{"Sheriff Officer letter", []string{"sheriff officer"}, false},
		{"we have no food in the house", []string{"no food"}, false},
		{"no gas or electric since monday", []string{"no gas"}, false},
		{"no gas and no electric", []string{"no gas", "no electric"}, false},
		{"No electricity.", []string{"no electricity"}, false},
		{"no heating, kids are cold", []string{"no heating"}, false},
		{"I'm homeless", []string{"homeless"}, false},
		{"been sleeping rough", []string{"sleeping rough"}, false},
		{"sofa-surfing at my pal's", []string{"sofa surfing"}, false},
		{"I want to kill myself", []string{"kill myself"}, true},
		{"SUICIDAL", []string{"suicidal"}, true},
		{"thinking about suicide", []string{"suicide"}, true},
		{"i want to end my life", []string{"end my life"}, true},
		{"self-harm", []string{"self harm"}, true},
		{"Self harming again", []string{"self harming"}, true},
		{"I've been selfharming", []string{"selfharming"}, true},
		{"evicted and want to end it all", []string{"evicted", "want to end it all"}, true},
		{"evicted, evicted, EVICTED", []string{"evicted"}, false},
		// whole words only
		{"I know food banks help", nil, false},
		{"skill myself up for work", nil, false},
		{"pharmacy appointment", nil, false},
		{"no gasp", nil, false},
		{"preheating the oven", nil, false},
		{"the evictor", []string{"evictor"}, false}, // evict* is a stem on purpose
		{"homelessness", []string{"homelessness"}, false},
		{"debt and rent", nil, false},
		{"", nil, false},
	}
	for _, c := range cases {
		got := DetectCrisis(c.in)
		if !slices.Equal(got.Words, c.words) || got.SelfHarm != c.selfHarm || got.Found() != (c.words != nil) {
			t.Errorf("DetectCrisis(%q) = %+v, want %v self-harm %v", c.in, got, c.words, c.selfHarm)
		}
	}
}

// TestSelfHarmInEverydaySpellings: the self-harm messages an outside probe
// found missed in other languages — Polish typed without its letters, an
// ordinary word inside a phrase, Ukrainian's other forms, Gaelic without
// its accent — are caught as self-harm, and the words a coordinator reads
// are the client's own, as written.
func TestSelfHarmInEverydaySpellings(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ in, word string }{
		{"nie chce zyc", "nie chce zyc"},
		{"chce umrzec", "chce umrzec"},
		{"mysle o samobojstwie", "samobojstwie"},
		{"zabije sie", "zabije sie"},
		{"Nie chcę już żyć.", "nie chcę już żyć"},
		{"не хочу більше жити", "не хочу більше жити"},
		{"хочу вмерти", "хочу вмерти"},
		{"chan eil mi airson a bhith beo", "chan eil mi airson a bhith beo"},
		{"I don't really want to live", "dont really want to live"},
	} {
		for _, code := range []string{"en", "pl", "uk", "gd"} {
			got := f.In(code).DetectCrisis(c.in)
			if !got.SelfHarm || !slices.Equal(got.Words, []string{c.word}) {
				t.Errorf("in a %s conversation DetectCrisis(%q) = %+v, want self-harm %q", code, c.in, got, c.word)
			}
		}
	}
	// Ordinary words count only inside self-harm phrases, where a miss
	// costs most, and only a few of them.
	for _, in := range []string{"No, just gas", "nie chcę już dłużej tak bardzo żyć"} {
		if got := f.DetectCrisis(in); got.SelfHarm || (in == "No, just gas" && got.Found()) {
			t.Errorf("DetectCrisis(%q) = %+v", in, got)
		}
	}
}

// TestCrisisPhraseWhereAClauseEnds: a phrase written with a trailing $
// ("не можу більше$", "I can't any more") is found where a sentence or
// clause ends with it, ordinary words after it or not, and not where the
// sentence goes on ("не можу більше чекати", "I can't wait any longer").
func TestCrisisPhraseWhereAClauseEnds(t *testing.T) {
	m := newCrisisMatcher()
	m.addBetween("вже", "дуже", "зовсім")
	m.add("не можу більше$", crisisSelfHarm, "uk")
	for _, c := range []struct {
		in    string
		found bool
	}{
		{"не можу більше", true},
		{"Я не можу більше!!!", true},
		{"не можу більше вже", true},
		{"не можу більше, допоможіть", true},
		{"не можу більше. Що робити?", true},
		{"не можу більше 😢 допоможіть", true},
		{"не можу більше\nдопоможіть", true},
		{"не можу більше вже зовсім дуже", false}, // three ordinary words after it
		{"не можу більше чекати", false},
		{"не можу більше вже чекати", false},
		{"не можу більше-чекати", false}, // a hyphen joins words
	} {
		if got := detectCrisisIn(m, c.in); got.SelfHarm != c.found {
			t.Errorf("detectCrisisIn(%q) = %+v, want self-harm %v", c.in, got, c.found)
		}
	}
}
