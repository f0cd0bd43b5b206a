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
}

// Fits reports whether the directory suggested any agency: the
// suggestions are then the field, and the list of the others the way out
// of them.
func (c agencyField) Fits() bool { return c.Match != nil && len(c.Match.Suggestions) > 0 }

// newAgencyField builds the choice. The list holds every agency not
// suggested, not retired and not leaveOut (the one making or holding the
// referral). An agency the client's consent does not cover is named so in
// it, since core refuses it; nil consent is one not yet given.
func (b *Bot) newAgencyField(ctx context.Context, m *core.Match, district, chosen string, leaveOut core.AgencyID, consent *core.Consent) (agencyField, error) {
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
		if a.ID == leaveOut || a.RetiredAt != nil || suggested(a.ID) {
			continue
		}
		o := option{Value: strconv.FormatInt(int64(a.ID), 10), Label: a.Name}
		if consent != nil && !consent.Covers(a.ID) {
			o.Label += " (outside the client's consent)"
		}
		if o.Value == chosen {
			// Chosen from the list before the form came back: kept.
			o.Selected, c.Others[0].Selected = true, false
		}
		c.Others = append(c.Others, o)
	}
	return c, nil
}

// chosenFormAgency is the agency a staff web form's agency choice names:
// the list's when one was picked there, else the suggestion's. The list
// wins, as it does in Slack's modals (chosenAgency), whose radio buttons
// cannot be unselected: an adviser who ticked a suggestion and then
// picked another agency from the list meant the one picked last.
func chosenFormAgency(form url.Values) string {
	var chosen string
	for _, v := range form["agency"] { // document order: suggestions, then the list
		if v = strings.TrimSpace(v); v != "" {
			chosen = v
		}
	}
	return chosen
}
