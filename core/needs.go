package core

import (
	"fmt"
	"slices"
	"strings"
)

// Need is a code from the network's fixed needs taxonomy. Services offer
// needs and referrals ask for them; the codes are stable and appear in
// reports, so copy for people lives in templates, not here.
type Need string

// The needs taxonomy, shaped after the service taxonomies Open Referral
// directories use for advice networks.
const (
	NeedDebt          Need = "debt"
	NeedBenefits      Need = "benefits"
	NeedIncomeMax     Need = "income-maximisation"
	NeedHousing       Need = "housing"
	NeedEmployability Need = "employability"
	NeedHealth        Need = "health"
	NeedEducation     Need = "education"
	NeedFood          Need = "food"
	NeedFuel          Need = "fuel"
	NeedFamily        Need = "family"
	NeedOther         Need = "other"
)

// Needs lists every need in the order clients are offered them.
var Needs = []Need{NeedDebt, NeedBenefits, NeedIncomeMax, NeedHousing, NeedEmployability,
	NeedHealth, NeedEducation, NeedFood, NeedFuel, NeedFamily, NeedOther}

var needLabels = map[Need]string{
	NeedDebt:          "Debt",
	NeedBenefits:      "Benefits and welfare rights",
	NeedIncomeMax:     "Income maximisation",
	NeedHousing:       "Housing",
	NeedEmployability: "Work and employability",
	NeedHealth:        "Health and wellbeing",
	NeedEducation:     "Education and learning",
	NeedFood:          "Food",
	NeedFuel:          "Fuel and energy",
	NeedFamily:        "Family and relationships",
	NeedOther:         "Something else",
}

// Label is the plain-words name of the need, for staff screens and reports.
func (n Need) Label() string {
	if l, ok := needLabels[n]; ok {
		return l
	}
	return string(n)
}

// Valid reports whether n is in the taxonomy.
func (n Need) Valid() bool { return slices.Contains(Needs, n) }

// ParseNeed turns a code (any case, surrounding space ignored) into a Need.
func ParseNeed(s string) (Need, error) {
	n := Need(strings.ToLower(strings.TrimSpace(s)))
	if !n.Valid() {
		return "", fmt.Errorf("%q is not a need we know; use one of %s", s, joinNeeds(Needs))
	}
	return n, nil
}

func joinNeeds(ns []Need) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = string(n)
	}
	return strings.Join(parts, ", ")
}

// NeedStrings converts needs to their codes, for storing in text[] columns.
func NeedStrings(ns []Need) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = string(n)
	}
	return out
}
