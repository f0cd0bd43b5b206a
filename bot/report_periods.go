package bot

import (
	"time"

	"github.com/onward-network/onward/core/report"
)

// periodYearsOffered is how many financial years, this one and those
// before, the reports pages offer by name with their quarters; any other
// can be asked for by its name in the link (period=2019-20 Q3).
const periodYearsOffered = 3

// periodChoices are the presets the reports pages offer on today, chosen
// the one named chosen: first those that move with the day, each saying
// which period it is today ("This quarter: 2026-27 Q3"), then this
// financial year and those before it, each with its quarters that have
// begun. A fixed period chosen that is not among them (an older year,
// from a link) is offered too, so the page shows what it counts.
func periodChoices(today time.Time, chosen string) []periodGroup {
	opt := func(p report.Preset, label string) option {
		return option{Value: p.String(), Label: label, Selected: p.String() == chosen}
	}
	moving := periodGroup{Label: "Moving with the day"}
	for _, p := range report.RelativePresets() {
		moving.Options = append(moving.Options, opt(p, sentence(p.String())+": "+p.Period(today).String()))
	}
	groups := []periodGroup{moving}
	found := chosen == ""
	for _, g := range groups[0].Options {
		found = found || g.Selected
	}
	for back := range periodYearsOffered {
		fy := report.FinancialYearOf(today.AddDate(-back, 0, 0))
		g := periodGroup{Label: "Financial year " + fy.String()}
		for _, p := range append([]report.Period{fy}, fy.Quarters()...) {
			if p.First().After(today) {
				continue
			}
			o := opt(report.FixedPreset(p), p.String()+" ("+report.DaysText(p.First(), p.Last())+")")
			found = found || o.Selected
			g.Options = append(g.Options, o)
		}
		groups = append(groups, g)
	}
	if !found {
		if p, err := report.ParsePreset(chosen); err == nil && p.String() == chosen {
			groups = append(groups, periodGroup{Label: "Chosen", Options: []option{opt(p, p.String())}})
		}
	}
	return groups
}
