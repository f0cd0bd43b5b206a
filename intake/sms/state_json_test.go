package sms

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/intake/flow"
)

// stateFrom builds a conversation state holding the given words in every
// kind of field the state has: strings, lists, maps, a *bool, times.
func stateFrom(words string, misses int, consent bool) smsState {
	at := time.Date(2026, 12, 3, 9, 4, 5, 123456789, time.FixedZone("", 3600))
	return smsState{ID: "conv-" + words, Last: at.Add(time.Minute), Reference: words, Conv: flow.Conversation{
		Flow: "self-referral", Lang: "pl", Step: "contact_time", Misses: misses, Started: at,
		Answers: flow.Answers{Needs: []core.Need{core.NeedDebt, core.Need(words)}, Postcode: "KY1 1AB", District: "KY1",
			Town: words, Name: words, Consent: &consent, ConsentVersion: "v3", CrisisWords: []string{words},
			Extra: map[string]string{words: words, "pets": "two cats"}, Outcomes: map[string]string{"needs": "", words: "yes"},
			FreeText: []string{words, ""}}}}
}

// TestStateJSONMatchesEncodingJSON: the state codec writes byte for byte
// what encoding/json writes, and reads encoding/json's output back to the
// same state, so a state written before the codec changed, or by a
// server not yet upgraded, reads the same.
func TestStateJSONMatchesEncodingJSON(t *testing.T) {
	states := []smsState{
		{},
		{ID: "abc", Conv: flow.Conversation{Flow: "self-referral", Step: flow.StepDone}},
		stateFrom("Ailsa Fictional", 0, true),
		stateFrom(`<b>"Zofia" & Łucja</b> ąę 🙂 \ / `+"\t\n\u2028", 2, false),
		stateFrom("", -1, true),
	}
	for _, st := range states {
		checkStateJSON(t, st)
	}
}

func FuzzStateJSONMatchesEncodingJSON(f *testing.F) {
	f.Add("Ailsa Fictional", 0, true)
	f.Add(`<script>"x" & 'y'</script>`, 3, false)
	f.Add("Zażółć gęślą jaźń \u2028\u2029 \x7f", -5, true)
	f.Add("\xff\xfe not UTF-8", 1, false)
	f.Fuzz(func(t *testing.T, words string, misses int, consent bool) {
		checkStateJSON(t, stateFrom(words, misses, consent))
	})
}

func checkStateJSON(t *testing.T, st smsState) {
	t.Helper()
	want, err := json.Marshal(&st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := encodeState(&st)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encodeState wrote\n%s\nencoding/json writes\n%s", got, want)
	}
	back, err := decodeState(want)
	if err != nil {
		t.Fatalf("decodeState of encoding/json's %s: %v", want, err)
	}
	var std smsState
	if err := json.Unmarshal(want, &std); err != nil {
		t.Fatal(err)
	}
	// Compared as encoding/json writes them: times and maps compare badly
	// with ==.
	gotBack, _ := json.Marshal(&back)
	stdBack, _ := json.Marshal(&std)
	if !bytes.Equal(gotBack, stdBack) {
		t.Fatalf("from\n%s\ndecodeState read\n%s\nencoding/json reads\n%s", want, gotBack, stdBack)
	}
}

// TestStateJSONRefusesWhatEncodingJSONRefuses: a state that is not JSON
// or not a state is refused, as encoding/json refuses it, so a damaged
// state starts the conversation again rather than half-reading.
func TestStateJSONRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, raw := range []string{``, `{`, `{"id":1}`, `{"conv":{"misses":"x"}}`, `[]`, `{"last":"yesterday"}`, "{\"id\":\"a\"} x"} {
		var std smsState
		if json.Unmarshal([]byte(raw), &std) == nil {
			t.Fatalf("%q: encoding/json took it; the case is wrong", raw)
		}
		if _, err := decodeState([]byte(raw)); err == nil {
			t.Errorf("decodeState took %q, which encoding/json refuses", raw)
		}
	}
}
