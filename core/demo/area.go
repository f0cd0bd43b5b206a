package demo

import (
	"strconv"

	"github.com/onward-network/onward/core"
)

// CouncilArea is the fictional council area the demo network serves.
const CouncilArea = "Kingdom Council"

// districts are the postcode districts of the area, with the main town of
// each. The districts are real in shape (KY is Fife's area); the towns are
// invented.
var districts = []core.District{
	{District: "KY1", CouncilArea: CouncilArea, Town: "Kirkcaldy"},
	{District: "KY2", CouncilArea: CouncilArea, Town: "Balgarvie"},
	{District: "KY3", CouncilArea: CouncilArea, Town: "Burnhaven"},
	{District: "KY4", CouncilArea: CouncilArea, Town: "Cowdenloch"},
	{District: "KY5", CouncilArea: CouncilArea, Town: "Lochgair"},
	{District: "KY6", CouncilArea: CouncilArea, Town: "Glenrothie"},
	{District: "KY7", CouncilArea: CouncilArea, Town: "Auchterlea"},
	{District: "KY8", CouncilArea: CouncilArea, Town: "Methilhaven"},
	{District: "KY11", CouncilArea: CouncilArea, Town: "Dunmarnock"},
	{District: "KY12", CouncilArea: CouncilArea, Town: "Torryhill"},
	{District: "KY15", CouncilArea: CouncilArea, Town: "Strathcraig"},
	{District: "KY16", CouncilArea: CouncilArea, Town: "St Serfs"},
}

// districtWeight is roughly how many of the area's people live in each
// district, so referrals come from where people are.
var districtWeight = map[string]int{
	"KY1": 14, "KY2": 12, "KY3": 5, "KY4": 6, "KY5": 7, "KY6": 9,
	"KY7": 9, "KY8": 10, "KY11": 12, "KY12": 8, "KY15": 4, "KY16": 4,
}

// leaflet is a printed leaflet whose short link or QR code brings people
// to the web form.
type leaflet struct {
	code, campaign, area string
}

// leaflets returns the network's leaflet campaigns for a year.
func leaflets(year int) []leaflet {
	y := strconv.Itoa(year)
	return []leaflet{
		{"gp1", "GP surgeries winter " + y, "KY1, KY2, KY6, KY7"},
		{"gp2", "GP surgeries winter " + y + " (west)", "KY11, KY12"},
		{"foodbank", "Food parcel bag inserts " + y, "KY1-KY8"},
		{"council", "Council tax bill insert " + y, CouncilArea},
		{"pharmacy", "Community pharmacy counters " + y, CouncilArea},
		{"school", "Primary school bag drop, autumn term " + y, "KY6, KY7, KY8"},
	}
}
