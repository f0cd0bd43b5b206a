package web

// The public directory: who offers what, where. Anyone can search it by
// need and place, open a page per agency and per service, and refer
// themselves to a service from its page. It reads core's directory; it
// needs no session, so it keeps working when Redis does not.

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/onward-network/onward/core"
)

// Directory paths.
const (
	pathDirectory = "/directory"
)

// directoryInput is a search: one need (or any) and a place (or anywhere).
type directoryInput struct {
	Need string `form:"need" validate:"omitempty,need"`
	Area string `form:"area" validate:"max=100"`
}

// serviceView is a service with what its pages show beside it.
type serviceView struct {
	core.Service
	Agency    core.Agency
	Languages []string // names, "English"
	Areas     []string // districts and council areas served
}

// agencyView is an agency and its active services.
type agencyView struct {
	core.Agency
	Services []serviceView
	Reasons  []string // why it fits a search, or why it was left out
}

// directoryData is the directory page.
type directoryData struct {
	Needs    []core.Need
	Need     core.Need
	Area     string // as typed or as in the link
	District string // the postcode district searched, "" for anywhere
	Place    string // the district's town, for the heading
	Searched bool
	Results  []agencyView // matches, best first; every agency when not searching
	Excluded []agencyView // offer the need but cannot help here, with reasons
	// ExamplePostcode and ExampleTown are the hint's examples, taken from
	// the network's own area so they always work.
	ExamplePostcode, ExampleTown string
}

// directory lists every service, or the results of a search given in the
// query (?need=debt&area=KY1).
func (w *Web) directory(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := directoryInput{Need: strings.TrimSpace(q.Get("need")), Area: core.CleanLine(q.Get("area"))}
	d, errs, err := w.resolveSearch(r, in)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	if errs == nil && d.District != "" && in.Area != d.District && looksLikePostcode(in.Area) {
		// A full postcode in a link: show the same results under the
		// district only, so the postcode does not stay in the address.
		http.Redirect(rw, r, directoryURL(d.Need, d.District), http.StatusSeeOther)
		return
	}
	w.renderDirectory(rw, r, d, errs)
}

// directorySearch takes the search form. The form posts, then redirects to
// a link with the postcode district only, so a full postcode never appears
// in an address, a browser history or a server log. Nothing is written, so
// cross-origin refusal is all the protection a search needs.
func (w *Web) directorySearch(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		w.fault(rw, r, http.StatusRequestEntityTooLarge, "too_large")
		return
	}
	in := directoryInput{Need: strings.TrimSpace(r.PostForm.Get("need")), Area: core.CleanLine(r.PostForm.Get("area"))}
	d, errs, err := w.resolveSearch(r, in)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	if errs != nil {
		w.renderDirectory(rw, r, d, errs)
		return
	}
	area := d.District
	if area == "" {
		area = in.Area
	}
	http.Redirect(rw, r, directoryURL(d.Need, area), http.StatusSeeOther)
}

func directoryURL(need core.Need, area string) string {
	v := url.Values{}
	if need != "" {
		v.Set("need", string(need))
	}
	if area != "" {
		v.Set("area", area)
	}
	if len(v) == 0 {
		return pathDirectory
	}
	return pathDirectory + "?" + v.Encode()
}

// resolveSearch checks a search and runs it. errs are the searcher's
// mistakes; err means the database failed.
func (w *Web) resolveSearch(r *http.Request, in directoryInput) (directoryData, []formError, error) {
	ctx := r.Context()
	d := directoryData{Needs: core.Needs, Area: in.Area}
	if ds, err := w.engine.Districts(ctx); err == nil && len(ds) > 0 {
		first := ""
		for name := range ds {
			if first == "" || core.CompareDistricts(name, first) < 0 {
				first = name
			}
		}
		d.ExamplePostcode, d.ExampleTown = first+" 1AB", ds[first].Town
	}
	errs := w.check(in)
	if errs != nil {
		return d, errs, nil
	}
	d.Need = core.Need(in.Need)
	if in.Area != "" {
		districts, err := w.engine.Districts(ctx)
		if err != nil {
			return d, nil, err
		}
		if pc, err := core.ParsePostcode(in.Area); err == nil {
			d.District = pc.District()
		} else if dist, err := core.ParseDistrict(in.Area); err == nil {
			d.District = dist
		} else if t, ok, err := w.engine.DistrictForTown(ctx, in.Area); err != nil {
			return d, nil, err
		} else if ok {
			d.District = t.District
		} else {
			return d, []formError{w.fieldError("area", "unknown")}, nil
		}
		d.Place = districts[d.District].Town
	}
	if d.Need == "" && d.District == "" {
		all, err := w.allAgencies(r)
		d.Results = all
		return d, nil, err
	}
	d.Searched = true
	needs := []core.Need{d.Need}
	if d.Need == "" {
		needs = core.Needs
	}
	m, err := w.engine.Suggest(ctx, core.MatchQuery{Needs: needs, District: d.District})
	if err != nil {
		return d, nil, err
	}
	for _, s := range m.Suggestions {
		d.Results = append(d.Results, w.agencyView(s.Agency, s.Services, s.Reasons))
	}
	for _, x := range m.Excluded {
		d.Excluded = append(d.Excluded, agencyView{Agency: x.Agency, Reasons: x.Reasons})
	}
	return d, nil, nil
}

func (w *Web) renderDirectory(rw http.ResponseWriter, r *http.Request, d directoryData, errs []formError) {
	p := w.page(r, nil)
	p.NoIndex = d.Searched
	p.Errors = errs
	p.Form["need"], p.Form["area"] = string(d.Need), d.Area
	p.Data = d
	status := http.StatusOK
	if errs != nil {
		status = http.StatusBadRequest
	}
	rw.Header().Set("Cache-Control", "public, max-age=60")
	w.render(rw, r, status, "directory/index", p)
}

// allAgencies is every agency with at least one active service, by name.
func (w *Web) allAgencies(r *http.Request) ([]agencyView, error) {
	agencies, err := w.engine.Agencies(r.Context())
	if err != nil {
		return nil, err
	}
	services, err := w.engine.Services(r.Context(), 0)
	if err != nil {
		return nil, err
	}
	var out []agencyView
	for _, a := range agencies {
		var mine []core.Service
		for _, s := range services {
			if s.AgencyID == a.ID {
				mine = append(mine, s)
			}
		}
		if len(mine) > 0 {
			out = append(out, w.agencyView(a, mine, nil))
		}
	}
	return out, nil
}

func (w *Web) agencyView(a core.Agency, services []core.Service, reasons []string) agencyView {
	v := agencyView{Agency: a, Reasons: reasons}
	for _, s := range services {
		v.Services = append(v.Services, w.serviceView(s, a))
	}
	return v
}

func (w *Web) serviceView(s core.Service, a core.Agency) serviceView {
	v := serviceView{Service: s, Agency: a}
	for _, l := range s.Languages {
		name := w.pages.languages[l]
		if name == "" {
			name = l
		}
		v.Languages = append(v.Languages, name)
	}
	v.Areas = append(append(v.Areas, s.PostcodeDistricts...), s.CouncilAreas...)
	return v
}

// looksLikePostcode reports whether text is a full postcode.
func looksLikePostcode(s string) bool {
	_, err := core.ParsePostcode(s)
	return err == nil
}

// directoryPageError maps a failed look-up to not found or unavailable.
func (w *Web) directoryPageError(rw http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, core.ErrNotFound) {
		w.notFound(rw, r)
		return
	}
	w.unavailable(rw, r, err)
}
