package core

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// councilAreas are Scotland's 32 council areas by their GSS codes (the
// codes the Office for National Statistics and National Records of
// Scotland publish, current since 2019), with the names people use.
var councilAreas = map[string]string{
	"S12000005": "Clackmannanshire",
	"S12000006": "Dumfries and Galloway",
	"S12000008": "East Ayrshire",
	"S12000010": "East Lothian",
	"S12000011": "East Renfrewshire",
	"S12000013": "Na h-Eileanan Siar",
	"S12000014": "Falkirk",
	"S12000017": "Highland",
	"S12000018": "Inverclyde",
	"S12000019": "Midlothian",
	"S12000020": "Moray",
	"S12000021": "North Ayrshire",
	"S12000023": "Orkney Islands",
	"S12000026": "Scottish Borders",
	"S12000027": "Shetland Islands",
	"S12000028": "South Ayrshire",
	"S12000029": "South Lanarkshire",
	"S12000030": "Stirling",
	"S12000033": "Aberdeen City",
	"S12000034": "Aberdeenshire",
	"S12000035": "Argyll and Bute",
	"S12000036": "City of Edinburgh",
	"S12000038": "Renfrewshire",
	"S12000039": "West Dunbartonshire",
	"S12000040": "West Lothian",
	"S12000041": "Angus",
	"S12000042": "Dundee City",
	"S12000045": "East Dunbartonshire",
	"S12000047": "Fife",
	"S12000048": "Perth and Kinross",
	"S12000049": "Glasgow City",
	"S12000050": "North Lanarkshire",
}

// councilAreaAliases are other names people give a council area.
var councilAreaAliases = map[string]string{
	"edinburgh":                 "S12000036",
	"glasgow":                   "S12000049",
	"aberdeen":                  "S12000033",
	"dundee":                    "S12000042",
	"western isles":             "S12000013",
	"eilean siar":               "S12000013",
	"comhairle nan eilean siar": "S12000013",
	"orkney":                    "S12000023",
	"shetland":                  "S12000027",
	"borders":                   "S12000026",
	"perth & kinross":           "S12000048",
	"argyll & bute":             "S12000035",
	"dumfries & galloway":       "S12000006",
}

// councilAreaCodes maps each name, lower case, to its code.
var councilAreaCodes = func() map[string]string {
	m := make(map[string]string, len(councilAreas)+len(councilAreaAliases))
	for code, name := range councilAreas {
		m[strings.ToLower(name)] = code
	}
	for alias, code := range councilAreaAliases {
		m[alias] = code
	}
	return m
}()

// localAuthorityCode is a GSS code of a local authority anywhere in the
// UK: a Scottish council area (S12), an English unitary, district,
// metropolitan or London borough (E06–E09), a Welsh principal area (W06)
// or a Northern Irish district (N09).
var localAuthorityCode = regexp.MustCompile(`^(S12|E06|E07|E08|E09|W06|N09)[0-9]{6}$`)

// CouncilAreaName is how a council area is shown to people: its name
// ("Fife" for S12000047), or the code itself when it is not one of
// Scotland's.
func CouncilAreaName(code string) string {
	if name, ok := councilAreas[code]; ok {
		return name
	}
	return code
}

// codeShaped is anything written like a GSS code, a letter and digits,
// a digit too few or too many included.
var codeShaped = regexp.MustCompile(`^[A-Z][0-9]{5,}$`)

// ParseCouncilArea reads a council area as an administrator writes it,
// by name ("Fife", "City of Edinburgh", "Edinburgh") or by GSS code
// ("S12000047", any case), and returns what is stored: the code of one
// of Scotland's council areas, a local authority's code from elsewhere in
// the UK as it is, or a name Onward does not know as written (a network
// elsewhere, or a demo's made-up council). Refused: a code that is no
// local authority's (it would match no postcode), and a name one or two
// letters away from a Scottish council area's (a typo would quietly
// match nothing), with the name meant.
func ParseCouncilArea(s string) (string, error) {
	t := strings.Join(strings.Fields(s), " ")
	if t == "" {
		return "", fmt.Errorf("a council area is empty: give its name, like Fife, or its code, like S12000047")
	}
	if code, ok := councilAreaCodes[strings.ToLower(t)]; ok {
		return code, nil
	}
	up := strings.ToUpper(t)
	if _, ok := councilAreas[up]; ok {
		return up, nil
	}
	if codeShaped.MatchString(up) {
		if localAuthorityCode.MatchString(up) && !strings.HasPrefix(up, "S12") {
			return up, nil
		}
		if strings.HasPrefix(up, "S") {
			return "", fmt.Errorf("%q is not one of Scotland's 32 council areas: give its name, like Fife, or its current code, like S12000047", t)
		}
		return "", fmt.Errorf("%q is not a local authority's code: give the council area's name, like Fife, or its code, like S12000047", t)
	}
	if meant := nearCouncilArea(strings.ToLower(t)); meant != "" {
		return "", fmt.Errorf("%q is not a council area: did you mean %s?", t, meant)
	}
	return t, nil
}

// nearCouncilArea is the Scottish council area whose name is one or two
// letters away from name (lower case), if any: "fyfe" → Fife.
func nearCouncilArea(name string) string {
	if len([]rune(name)) < 4 {
		return ""
	}
	for code, n := range councilAreas {
		if d := EditDistance(name, strings.ToLower(n)); d > 0 && d <= 2 {
			return councilAreas[code]
		}
	}
	return ""
}

// SplitCouncilAreas splits a list of council areas as people write it:
// names or codes separated by commas, semicolons or new lines, and codes
// also by spaces ("Fife, Perth and Kinross", "S12000047 S12000048").
// Each entry still has to pass ParseCouncilArea.
func SplitCouncilAreas(text string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		words := strings.Fields(part)
		if len(words) > 1 && allCodeShaped(words) {
			out = append(out, words...)
			continue
		}
		out = append(out, part)
	}
	return out
}

// allCodeShaped reports whether every word is written like a GSS code.
func allCodeShaped(words []string) bool {
	for _, w := range words {
		if !codeShaped.MatchString(strings.ToUpper(w)) {
			return false
		}
	}
	return true
}

// CouncilAreaNames are the names of codes, for showing a list of them.
func CouncilAreaNames(codes []string) []string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = CouncilAreaName(c)
	}
	return names
}

// feedCouncilAreas stores a feed's council areas by code where they name
// one ("Fife" → S12000047) and as the feed gives them otherwise: a feed
// from elsewhere is not refused for an area Onward does not know.
func feedCouncilAreas(areas []string) []string {
	if areas == nil {
		return nil
	}
	out := make([]string, 0, len(areas))
	for _, a := range areas {
		if code, err := ParseCouncilArea(a); err == nil {
			a = code
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}
