package flow

import (
	"testing"

	"github.com/onward-network/onward/core"
)

// MessageSizes lists every client text in every language; the English
// consent question fits in three GSM-7 segments, as TestMessageBudgets
// holds it to, and a Ukrainian text is UCS-2.
func TestMessageSizes(t *testing.T) {
	f := loadSelfReferralFlow(t)
	sizes, err := f.MessageSizes(convTestNetwork)
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	var consent, ukConsent *MessageSize
	for i, s := range sizes {
		per[s.Lang]++
		switch {
		case s.ID == "conv_consent" && s.Lang == "en":
			consent = &sizes[i]
		case s.ID == "conv_consent" && s.Lang == "uk":
			ukConsent = &sizes[i]
		}
	}
	if len(per) != 6 || per["en"] < 40 || per["en"] != per["ur"] {
		t.Errorf("texts per language = %v", per)
	}
	if consent == nil || consent.Segments < 1 || consent.Segments > 3 || consent.Encoding != core.SMSEncodingGSM7 {
		t.Errorf("English consent = %+v, want 1 to 3 GSM-7 segments", consent)
	}
	if ukConsent == nil || ukConsent.Encoding != core.SMSEncodingUCS2 {
		t.Errorf("Ukrainian consent = %+v, want UCS-2", ukConsent)
	}
}
