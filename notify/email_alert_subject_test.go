package notify

import "testing"

// An alert email's subject says what happened: the alert's first
// sentence, cut at a word when it is long, never "Onward alert" alone.
func TestAlertSubject(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Lochgair Food Share is at capacity.":                                                                                     "Lochgair Food Share is at capacity",
		"A client says nobody contacted them (ONW-ABC1234). Call them today.":                                                     "A client says nobody contacted them (ONW-ABC1234)",
		"Texts to a client are held back:\n the number is a landline. Check it.":                                                  "Texts to a client are held back: the number is a landline",
		"Dunmarnock Citizens Advice has left the network keeping 19 open referrals its staff can no longer act on: ONW-1, ONW-2.": "Dunmarnock Citizens Advice has left the network keeping 19 open referrals its staff can…",
	} {
		if got := alertSubject(in); got != want {
			t.Errorf("alertSubject(%q) = %q, want %q", in, got, want)
		}
	}
}
