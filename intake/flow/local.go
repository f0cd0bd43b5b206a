package flow

import (
	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// What a client is told about their own network rather than about any
// network: the examples of a postcode and a town (from the network's own
// districts, so they always work there), and the network's own crisis
// lines beside the fixed, translated ones. Every channel takes them from
// here: the SMS as template keys (LocalKeys), the web form and the
// directory as the same values.

// AreaExample is the postcode and town a network's clients are shown as
// examples ("For example, PA1 1AB or Paisley").
type AreaExample struct {
	Postcode string // the network's first district with " 1AB": "PA1 1AB"
	Town     string // that district's town, "" when the network file gives none
}

// AreaExampleOf is the example of the network whose postcode districts
// are ds: its first district as people read them (core.CompareDistricts)
// and that district's town. Both are "" for a network with no districts
// yet: the copy then gives no example rather than another network's.
func AreaExampleOf(ds map[string]core.District) AreaExample {
	first := ""
	for name := range ds {
		if first == "" || core.CompareDistricts(name, first) < 0 {
			first = name
		}
	}
	if first == "" {
		return AreaExample{}
	}
	return AreaExample{Postcode: first + " 1AB", Town: ds[first].Town}
}

// CrisisLines is what a client who writes about suicide or self-harm is
// given besides the fixed, translated words: the network's own crisis
// lines, and whether they give the fixed sentences' numbers themselves in
// the client's language (then the SMS leaves those sentences out rather
// than say them twice). core.CrisisLines says which of the network's
// words a client reading one language is given.
type CrisisLines = core.CrisisLines

// CrisisLinesOf reads crisis lines written in the client's own language:
// whole, with whether they give 116 123 and 999.
func CrisisLinesOf(lines string) CrisisLines {
	return core.CrisisLinesFor(lines, lang.English, lang.English)
}

// LocalKeys are the template keys about the network's own area and crisis
// lines that client texts use, beside the network keys (Network,
// Helpline, ...): ExamplePostcode and ExampleTown ("" for none), and
// CrisisLines with CrisisSamaritans and CrisisEmergency (conv_crisis_lines
// leaves out a fixed sentence whose number the network's lines give).
// Given only the network's English lines, they are keys for a text in any
// language: the fixed sentences are kept, in the text's language, and
// the lines add what those do not say. CrisisKeysIn gives the keys of a
// text in one language.
func LocalKeys(crisisLines string, ex AreaExample) map[string]any {
	keys := crisisKeys(core.CrisisLinesFor(crisisLines, lang.English, ""))
	keys["ExamplePostcode"], keys["ExampleTown"] = ex.Postcode, ex.Town
	return keys
}

// CrisisKeysIn are LocalKeys' crisis keys for a text in language code:
// the network's lines in that language (core.Network.CrisisLinesIn), so
// lines the network has translated are given whole, and English ones
// never stand in for the fixed sentences in the client's own words.
func CrisisKeysIn(n core.Network, code string) map[string]any {
	return crisisKeys(n.CrisisLinesIn(code))
}

func crisisKeys(c CrisisLines) map[string]any {
	return map[string]any{"CrisisLines": c.Own, "CrisisSamaritans": c.Samaritans, "CrisisEmergency": c.Emergency}
}
