package flow

import "testing"

// A postcode typed with the digits of an Arabic, Urdu or full-width
// keyboard is taken by the postcode question (by text and on the web,
// which read it through apply), as numbered answers are.
func TestPostcodeDigitsOfEveryKeyboard(t *testing.T) {
	f := loadSelfReferralFlow(t)
	for _, c := range []struct{ lang, in, postcode, district string }{
		{"ar", "KY١ ٢AB", "KY1 2AB", "KY1"},
		{"ar", "\u200fKY١ ٢AB\u200f", "KY1 2AB", "KY1"},
		{"ar", "الرمز البريدي KY١ ٢AB شكرا", "KY1 2AB", "KY1"},
		{"ur", "ky۱ ۲ab", "KY1 2AB", "KY1"},
		{"pl", "ＫＹ１ ２ＡＢ", "KY1 2AB", "KY1"},
		{"ar", "KY١", "", "KY1"},
	} {
		got, _ := f.In(c.lang).Advance(Conversation{Step: "postcode", Lang: c.lang, Answers: Answers{Language: c.lang}}, c.in)
		if got.Answers.Postcode != c.postcode || got.Answers.District != c.district || got.Step == "postcode" {
			t.Errorf("%s %q: postcode %q district %q step %s; want %q %q and the next question",
				c.lang, c.in, got.Answers.Postcode, got.Answers.District, got.Step, c.postcode, c.district)
		}
	}
}

// A postcode given before it was asked for is kept (keepPostcode), and
// the postcode question is then answered already (givenEarly).
func TestPostcodeGivenEarlyIsKept(t *testing.T) {
	f := loadSelfReferralFlow(t).In("pl")
	needs, postcode := f.steps["needs"], f.steps["postcode"]
	cases := []struct {
		in   string
		a    Answers
		want string // the postcode kept, "" for none
	}{
		{in: "Marek Nowak KY1 2AB dlugi, eksmisja w piatek", want: "KY1 2AB"},
		{in: "KY1 2AB", want: "KY1 2AB"},
		{in: "ky12ab dlug", want: "KY1 2AB"},
		{in: "KY١ ٢AB", want: "KY1 2AB"},
		{in: "KY1 2AB albo KY2 5XX", want: ""}, // two: which is theirs?
		{in: "KY1 2AB, KY1 2AB", want: "KY1 2AB"},
		{in: "KY1, dlug", want: ""}, // a district alone may be a choice's number
		{in: "dlug", want: ""},
		// A postcode question answered already is left as it is.
		{in: "KY1 2AB", a: Answers{Postcode: "KY5 0AA", District: "KY5"}, want: "KY5 0AA"},
		{in: "KY1 2AB", a: Answers{Town: "Kirkcaldy", Outcomes: map[string]string{"postcode": "unknown"}}, want: ""},
		{in: "KY1 2AB", a: Answers{Outcomes: map[string]string{"postcode": "unknown"}}, want: ""},
	}
	for _, c := range cases {
		a := c.a.clone()
		f.keepPostcode(&a, needs, c.in)
		if a.Postcode != c.want {
			t.Errorf("%q with %+v kept %q, want %q", c.in, c.a, a.Postcode, c.want)
		}
		if c.a.Postcode != "" || c.a.Outcomes != nil {
			continue
		}
		outcome, early := a.givenEarly(postcode)
		if early != (c.want != "") || (early && outcome != "postcode") {
			t.Errorf("%q: givenEarly = %q, %v; want it answered: %v", c.in, outcome, early, c.want != "")
		}
		if _, early := a.givenEarly(needs); early {
			t.Errorf("%q: the needs question is answered early", c.in)
		}
	}
	// The postcode question itself and the town question read their own answers.
	a := Answers{}
	f.keepPostcode(&a, postcode, "KY1 2AB")
	if a.Postcode != "" {
		t.Errorf("keepPostcode kept the postcode question's own answer")
	}
}
