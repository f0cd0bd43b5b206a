package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

type serviceJSON struct {
	ID                int64    `json:"id"`
	Name              string   `json:"name"`
	Description       string   `json:"description,omitempty"`
	Needs             []string `json:"needs"`
	Eligibility       string   `json:"eligibility,omitempty"`
	PostcodeDistricts []string `json:"postcode_districts"`
	CouncilAreas      []string `json:"council_areas"`
	Languages         []string `json:"languages"`
	OpeningHours      string   `json:"opening_hours,omitempty"`
}

type agencyJSON struct {
	Slug         string        `json:"slug"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Phone        string        `json:"phone,omitempty"`
	Email        string        `json:"email,omitempty"`
	Website      string        `json:"website,omitempty"`
	AtCapacity   bool          `json:"at_capacity"`
	CapacityNote string        `json:"capacity_note,omitempty"`
	Services     []serviceJSON `json:"services"`
}

func serviceOut(s core.Service) serviceJSON {
	return serviceJSON{ID: int64(s.ID), Name: s.Name, Description: s.Description, Needs: core.NeedStrings(s.Needs),
		Eligibility: s.Eligibility, PostcodeDistricts: nonNil(s.PostcodeDistricts), CouncilAreas: nonNil(s.CouncilAreas),
		Languages: nonNil(s.Languages), OpeningHours: s.OpeningHours}
}

func agencyOut(ag core.Agency, ss []core.Service) agencyJSON {
	j := agencyJSON{Slug: ag.Slug, Name: ag.Name, Description: ag.Description, Phone: ag.Phone, Email: ag.Email,
		Website: ag.Website, AtCapacity: ag.AtCapacity, CapacityNote: ag.CapacityNote, Services: []serviceJSON{}}
	for _, s := range ss {
		j.Services = append(j.Services, serviceOut(s))
	}
	return j
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (a *API) listAgencies(w http.ResponseWriter, r *http.Request, p core.Partner) {
	as, err := a.engine.Agencies(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ss, err := a.engine.Services(r.Context(), 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	by := map[core.AgencyID][]core.Service{}
	for _, s := range ss {
		by[s.AgencyID] = append(by[s.AgencyID], s)
	}
	out := struct {
		Data []agencyJSON `json:"data"`
	}{Data: []agencyJSON{}}
	for _, ag := range as {
		out.Data = append(out.Data, agencyOut(ag, by[ag.ID]))
	}
	writeJSON(w, http.StatusOK, out)
}

type suggestionJSON struct {
	Agency  agencyJSON `json:"agency"`
	Covers  []string   `json:"covers"`
	Reasons []string   `json:"reasons"` // in English, as staff read them
	// Why is the same reasons for a machine: each one's kind and the
	// facts it names, for a partner system that shows them in its own
	// words or language.
	Why   []reasonJSON `json:"why"`
	Score int          `json:"score"`
}

// reasonJSON is a core.MatchReason as a partner system reads it.
type reasonJSON struct {
	Kind     string `json:"kind"`
	Need     string `json:"need,omitempty"`
	Area     string `json:"area,omitempty"`
	Language string `json:"language,omitempty"`
	Until    string `json:"until,omitempty"` // a date, YYYY-MM-DD
}

func reasonsOut(rs core.MatchReasons) []reasonJSON {
	out := make([]reasonJSON, len(rs))
	for i, r := range rs {
		out[i] = reasonJSON{Kind: string(r.Kind), Need: string(r.Need), Area: r.Area, Language: r.Language}
		if r.Until != nil {
			out[i].Until = r.Until.Format(time.DateOnly)
		}
	}
	return out
}

func (a *API) suggestions(w http.ResponseWriter, r *http.Request, p core.Partner) {
	q, fields := queryProblems(r, "needs", "area")
	var needs []core.Need
	for _, s := range strings.FieldsFunc(q.Get("needs"), func(r rune) bool { return r == ',' }) {
		n, err := core.ParseNeed(s)
		if err != nil {
			fields = append(fields, core.FieldError{Field: "needs", Message: err.Error()})
			continue
		}
		needs = append(needs, n)
	}
	if len(needs) == 0 && len(fields) == 0 {
		fields = append(fields, core.FieldError{Field: "needs", Message: "name at least one need, comma-separated, from " + OrList(core.Needs)})
	}
	var district string
	if area := q.Get("area"); area != "" {
		// The district is the first word, so a full postcode ("KY1 1AB")
		// gives its district; an area of only spaces has no word, and is
		// refused as no district.
		first := ""
		if words := strings.Fields(strings.ToUpper(area)); len(words) > 0 {
			first = words[0]
		}
		d, err := core.ParseDistrict(first)
		if err != nil {
			fields = append(fields, core.FieldError{Field: "area", Message: "area must be a postcode district like KY1, or a full postcode"})
		}
		district = string(d)
	}
	if len(fields) > 0 {
		a.fail(w, r, queryProblem(fields))
		return
	}
	m, err := a.engine.Suggest(r.Context(), core.MatchQuery{Needs: needs, District: district})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []suggestionJSON `json:"data"`
	}{Data: []suggestionJSON{}}
	for _, s := range m.Suggestions {
		out.Data = append(out.Data, suggestionJSON{Agency: agencyOut(s.Agency, s.Services), Covers: core.NeedStrings(s.Covers),
			Reasons: s.Reasons.Strings(), Why: reasonsOut(s.Reasons), Score: s.Score})
	}
	writeJSON(w, http.StatusOK, out)
}
