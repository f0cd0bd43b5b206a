package lang

import "testing"

// A client's review: in Arabic and Urdu texts Samaritans' 116 123 showed
// as 123 116. Phone numbers in right-to-left text are isolated left to
// right; text with no right-to-left letters is left as it is.
func TestIsolateNumbers(t *testing.T) {
	const lri, pdi = "\u2066", "\u2069"
	for _, c := range []struct{ in, want string }{
		{"Samaritans: 116 123, free.", "Samaritans: 116 123, free."},
		{"Zadzwoń pod 0808 157 0192.", "Zadzwoń pod 0808 157 0192."},
		{"سامريتانز، مجانًا ليلًا ونهارًا: 116 123.", "سامريتانز، مجانًا ليلًا ونهارًا: " + lri + "116 123" + pdi + "."},
		{"Breathing Space، شام کو: 0800 83 85 87۔", "Breathing Space، شام کو: " + lri + "0800 83 85 87" + pdi + "۔"},
		{"اتصل على 0808 157 0192 أو 999", "اتصل على " + lri + "0808 157 0192" + pdi + " أو 999"},
		{"رقمك +447700900123", "رقمك " + lri + "+447700900123" + pdi},
		{"مرجعك ONW-7K3M9PQ", "مرجعك ONW-7K3M9PQ"},
		{"سجّلنا رمزك البريدي: KY1 1AB.", "سجّلنا رمزك البريدي: KY1 1AB."},
		{"مثلاً PA1 1AB۔", "مثلاً PA1 1AB۔"},
		{"", ""},
	} {
		got := IsolateNumbers(c.in)
		if got != c.want {
			t.Errorf("IsolateNumbers(%q) = %q, want %q", c.in, got, c.want)
		}
		if again := IsolateNumbers(got); again != got {
			t.Errorf("IsolateNumbers twice on %q = %q, want %q", c.in, again, got)
		}
	}
}

func FuzzIsolateNumbers(f *testing.F) {
	f.Add("سامريتانز: 116 123")
	f.Add("Samaritans: 116 123")
	f.Fuzz(func(t *testing.T, s string) {
		once := IsolateNumbers(s)
		if IsolateNumbers(once) != once {
			t.Fatalf("not idempotent on %q", s)
		}
		if !hasRightToLeft(s) && once != s {
			t.Fatalf("changed %q, which has no right-to-left letters", s)
		}
	})
}
