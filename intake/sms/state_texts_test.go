package sms

import (
	"fmt"
	"slices"
	"testing"

	"github.com/onward-network/onward/core"
)

// A conversation keeps the SIDs of its texts in order, the newest
// core.MaxConversationTexts of them however many the client sends, and
// none of another length than Twilio's.
func TestConversationKeepsItsTextsBounded(t *testing.T) {
	sid := func(i int) string { return fmt.Sprintf("SM%032x", i) }
	for _, tc := range []struct {
		name  string
		texts int
		extra string
		want  []string
	}{
		{"none", 0, "", []string{}},
		{"a few", 3, "", []string{sid(1), sid(2), sid(3)}},
		{"not a SID", 2, "SM123", []string{sid(1), sid(2)}},
		{"past the cap", core.MaxConversationTexts + 5, "", func() []string {
			var out []string
			for i := 6; i <= core.MaxConversationTexts+5; i++ {
				out = append(out, sid(i))
			}
			return out
		}()},
	} {
		var st smsState
		for i := 1; i <= tc.texts; i++ {
			st.keepText(sid(i))
		}
		if tc.extra != "" {
			st.keepText(tc.extra)
		}
		if got := st.textSIDs(""); !slices.Equal(got, tc.want) {
			t.Errorf("%s: kept %v, want %v", tc.name, got, tc.want)
		}
		if got := st.textSIDs("SMlast"); got[len(got)-1] != "SMlast" || len(got) != len(tc.want)+1 {
			t.Errorf("%s: with the text being handled: %v", tc.name, got)
		}
	}
}
