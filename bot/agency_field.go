package bot

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/onward-network/onward/core"
)

// agencyField is the choice of an agency that the refer page and a
// referral's assign and redirect forms share (the "agency-choice"
// template): the directory's suggestions, with why others were left out,
// and every other agency of the network besides, so that one can be
// chosen when none fits the needs and the area. Core still decides: a
// choice it refuses (outside the client's consent, say) comes back with
// why.
type agencyField struct {
	Match    *core.Match // nil until the directory is asked
	District string      // the area the directory was asked about
	Others   []option    // every other agency that may be chosen, after "Choose an agency"
	Chosen   string      // the agency chosen, kept when the form comes back
	Error    string      // what is wrong with the choice
	// Consent, on a referral's redirect or assign form, is the client's
	// consent when it does not cover the whole network: whom it covers,
	// and the way to record more (consentNote).
	Consent *consentNote
}

// Fits reports whether the directory suggested any agency: the
// suggestions are then the field, and the list of the others the way out
// of them.
func (c agencyField) Fits() bool { return c.Match != nil && len(c.Match.Suggestions) > 0 }

// newAgencyField builds the choice. The list holds every agency not
// suggested, not retired and not left out by leaveOut (the one making or
// holding the referral, or any core refuses). An agency the client's consent does not cover is named so in
// it, since core refuses it; nil consent is one not yet given.
func (b *Bot) newAgencyField(ctx context.Context, m *core.Match, district, chosen string, leaveOut func(core.AgencyID) bool, consent *core.Consent) (agencyField, error) {
	c := agencyField{Match: m, District: district, Chosen: chosen}
	agencies, err := b.engine.Agencies(ctx)
	if err != nil {
		return c, err
	}
	suggested := func(id core.AgencyID) bool {
		return m != nil && slices.ContainsFunc(m.Suggestions, func(s core.Suggestion) bool { return s.Agency.ID == id })
	}
	c.Others = append(c.Others, option{Value: "", Label: "Choose an agency", Selected: true})
	for _, a := range agencies {
		if leaveOut(a.ID) || a.RetiredAt != nil || suggested(a.ID) {
			continue
		}
		o := option{Value: strconv.FormatInt(int64(a.ID), 10), Label: a.Name}
		var marks []string
		if a.AtCapacity {
			// Core sends a referral there all the same; the adviser
			// should know the client may wait, and for how long.
			marks = append(marks, capacityMark(a))
		}
		if consent != nil && !consent.Covers(a.ID) {
			marks = append(marks, "outside the client's consent")
		}
		if len(marks) > 0 {
			o.Label += " (" + strings.Join(marks, "; ") + ")"
		}
		if o.Value == chosen {
			// Chosen from the list before the form came back: kept.
			o.Selected, c.Others[0].Selected = true, false
		}
		c.Others = append(c.Others, o)
	}
	return c, nil
}

// sameAgency leaves agency id out of an agencyField's list: the one
// making or holding the referral.
func sameAgency(id core.AgencyID) func(core.AgencyID) bool {
	return func(a core.AgencyID) bool { return a == id }
}

// capacityMark says an agency is at capacity, with its own note on how
// long the wait is ("Waiting list of about six weeks"), or the date it
// published, for the staff who choose it.
func capacityMark(a core.Agency) string {
	mark := "at capacity"
	if a.CapacityUntil != nil {
		mark += " until " + a.CapacityUntil.Format("2 January 2006")
	}
	if note := strings.TrimRight(strings.TrimSpace(a.CapacityNote), ".;:, "); note != "" {
		// The note ends where the mark does: "…support; outside the
		// client's consent", never "…support.; outside".
		mark += ": " + note
	}
	return mark
}

// twoAgencies answers a staff web form naming two different agencies: a
// suggestion ticked and another agency picked from the list.
const twoAgencies = "You chose a suggested agency and another one from the list: choose one of them " +
	"(set the list back to “Choose an agency” to send it to the suggestion)"

// formAgency is the agency a staff web form's agency choice names: the
// suggestion ticked or the agency picked from the list. Both, naming two
// different agencies, is refused (twoAgencies): unlike Slack's modals, whose
// radio buttons cannot be unselected (chosenAgency lets the list win),
// the web form's list can be set back, so which was meant is asked,
// never guessed.
func formAgency(form url.Values) (string, error) {
	var chosen string
	for _, v := range form["agency"] { // document order: suggestions, then the list
		v = strings.TrimSpace(v)
		switch {
		case v == "" || v == chosen:
		case chosen != "":
			return "", &core.ValidationError{Fields: []core.FieldError{{Field: "agency", Message: twoAgencies}}}
		default:
			chosen = v
		}
	}
	return chosen, nil
}
