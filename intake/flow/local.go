package flow

import (
	"regexp"
	"strings"

	"github.com/onward-network/onward/core"
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
// lines (the network file's crisis_lines, in the one language the file is
// written in), and whether they already give the numbers the fixed text
// would (then the SMS leaves those out rather than say them twice).
type CrisisLines struct {
	Own string // the network's lines as given, ending with a full stop; "" when it has none
	// Samaritans: Own gives Samaritans' 116 123. Emergency: Own gives
	// 999 for danger now. Without them the fixed sentences are kept.
	Samaritans, Emergency bool
}

// samaritansRe and emergencyRe find Samaritans' and the emergency number
// as numbers of their own, not as part of a longer one ("0300 999 1234").
var (
	samaritansRe = regexp.MustCompile(`(?:^|[^\d\s]\s*)116\s?123(?:\s*[^\d\s]|\s*$)`)
	emergencyRe  = regexp.MustCompile(`(?:^|[^\d\s]\s*)999(?:\s*[^\d\s]|\s*$)`)
)

// CrisisLinesOf reads the network's crisis lines (core.Network.CrisisLines).
func CrisisLinesOf(lines string) CrisisLines {
	own := strings.Join(strings.Fields(lines), " ")
	if own == "" {
		return CrisisLines{}
	}
	if r := []rune(own); !strings.ContainsRune(".!?۔؟", r[len(r)-1]) {
		own += "."
	}
	return CrisisLines{Own: own, Samaritans: samaritansRe.MatchString(own), Emergency: emergencyRe.MatchString(own)}
}

// LocalKeys are the template keys about the network's own area and crisis
// lines that client texts use, beside the network keys (Network,
// Helpline, ...): ExamplePostcode and ExampleTown ("" for none), and
// CrisisLines with CrisisSamaritans and CrisisEmergency (conv_crisis_lines
// leaves out a fixed sentence whose number the network's lines give).
func LocalKeys(crisisLines string, ex AreaExample) map[string]any {
	c := CrisisLinesOf(crisisLines)
	return map[string]any{
		"ExamplePostcode": ex.Postcode, "ExampleTown": ex.Town,
		"CrisisLines": c.Own, "CrisisSamaritans": c.Samaritans, "CrisisEmergency": c.Emergency,
	}
}
