package web

// The public directory: who offers what, where. Anyone can search it by
// need and place, open a page per agency and per service, and refer
// themselves to a service from its page. It reads core's directory; it
// needs no session, so it keeps working when Redis does not.

import (
	"cmp"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
)

// Directory paths.
const (
	pathDirectory = "/directory"
)

// directoryInput is a search: one need (or any), a place (or anywhere),
// and the filters: open now, a language spoken, an age served.
type directoryInput struct {
	Need     string `form:"need" validate:"omitempty,need"`
	Area     string `form:"area" validate:"max=100"`
	Open     bool   `form:"open"`
	Language string `form:"language"`
	Age      string `form:"age"`
}

// readDirectoryInput reads a search from a link's query or a posted form.
func readDirectoryInput(v url.Values) directoryInput {
	return directoryInput{Need: strings.TrimSpace(v.Get("need")), Area: core.CleanLine(v.Get("area")),
		Open: v.Get("open") != "", Language: strings.TrimSpace(v.Get("language")), Age: strings.TrimSpace(v.Get("age"))}
}

// filtered reports whether the search narrows by open now, language or age.
func (in directoryInput) filtered() bool { return in.Open || in.Language != "" || in.Age != "" }

// languageOption is one language in the filter's list.
type languageOption struct{ Code, Name string }

// serviceView is a service with what its pages show beside it.
type serviceView struct {
	core.Service
	Agency    core.Agency
	Languages []string // names, "English"
	Areas     []string // districts and council areas served
	Distance  *float64 // metres from the searched place to its nearest location, when both are on the map
}

// agencyView is an agency and its active services.
type agencyView struct {
	core.Agency
	Services []serviceView
	Reasons  core.MatchReasons // why it fits a search, or why it was left out
	Distance *float64          // its nearest service's Distance
}

// directoryData is the directory page.
type directoryData struct {
	Needs []core.Need
	Need  core.Need
	Area  string // as typed or as in the link
	// Districts are the postcode districts searched: one for a postcode
	// or a district, all of a town's for a town (Kirkcaldy: KY1 and KY2);
	// none for anywhere. District names them for the page ("KY1/KY2").
	Districts []string
	District  string
	Place     string // the districts' town, for the heading
	// AreaLink is what the search's link carries for its place: the
	// district of a postcode (never the postcode), or the district or
	// town as the network writes it.
	AreaLink string
	Searched bool
	// Open, Language and Age are the filters as given; Languages lists
	// what the language filter offers.
	Open      bool
	Language  string
	Age       string
	Languages []languageOption
	// Located: results are nearest first, with distances from the middle
	// of the searched district, or of the nearest of a town's districts
	// (never a full postcode's own point, which the page's address does
	// not carry).
	Located  bool
	Results  []agencyView // matches, best first; every agency when not searching
	Excluded []agencyView // offer the need but cannot help here, with reasons
	// ExamplePostcode and ExampleTown are the hint's examples, taken from
	// the network's own area so they always work.
	ExamplePostcode, ExampleTown string
}

// directory lists every service, or the results of a search given in the
// query (?need=debt&area=KY1).
func (w *Web) directory(rw http.ResponseWriter, r *http.Request) {
	in := readDirectoryInput(r.URL.Query())
	d, errs, err := w.resolveSearch(r, in)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	if errs == nil && d.AreaLink != "" && in.Area != d.AreaLink && looksLikePostcode(in.Area) {
		// A full postcode in a link: show the same results under the
		// district only, so the postcode does not stay in the address.
		in.Area = d.AreaLink
		http.Redirect(rw, r, directoryURL(in), http.StatusSeeOther)
		return
	}
	w.renderDirectory(rw, r, d, errs)
}

// directorySearch takes the search form. The form posts, then redirects to
// a link with the postcode district only, so a full postcode never appears
// in an address, a browser history or a server log. Nothing is written, so
// cross-origin refusal is all the protection a search needs.
func (w *Web) directorySearch(rw http.ResponseWriter, r *http.Request) {
	if !w.readForm(rw, r) {
		return
	}
	in := readDirectoryInput(r.PostForm)
	d, errs, err := w.resolveSearch(r, in)
	if err != nil {
		w.unavailable(rw, r, err)
		return
	}
	if errs != nil {
		w.renderDirectory(rw, r, d, errs)
		return
	}
	if d.AreaLink != "" {
		in.Area = d.AreaLink
	}
	to := directoryURL(in)
	sep := "&"
	if !strings.Contains(to, "?") {
		sep = "?"
	}
	http.Redirect(rw, r, to+w.langQuery(r, sep), http.StatusSeeOther)
}

// directoryURL is the link of a search.
func directoryURL(in directoryInput) string {
	v := url.Values{}
	for k, x := range map[string]string{"need": in.Need, "area": in.Area, "language": in.Language, "age": in.Age} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if in.Open {
		v.Set("open", "1")
	}
	if len(v) == 0 {
		return pathDirectory
	}
	return pathDirectory + "?" + v.Encode()
}

// resolveSearch checks a search and runs it. errs are the searcher's
// mistakes; err means the database failed.
func (w *Web) resolveSearch(r *http.Request, in directoryInput) (d directoryData, errs []formError, err error) {
	ctx := r.Context()
	d = directoryData{Needs: core.Needs, Area: in.Area, Open: in.Open, Language: in.Language, Age: in.Age,
		Languages: w.languageOptions()}
	if ds, err := w.engine.Districts(ctx); err == nil && len(ds) > 0 {
		first := ""
		for name := range ds {
			if first == "" || core.CompareDistricts(name, first) < 0 {
				first = name
			}
		}
		d.ExamplePostcode, d.ExampleTown = first+" 1AB", ds[first].Town
	}
	errs = nil
	for _, fe := range w.check(in) {
		id := fe.Field
		if id == "area" {
			id = "area_long" // the only rule check has for it
		}
		errs = append(errs, w.directoryError(r, fe.Field, id))
	}
	age, ageErr := parseAge(in.Age)
	if ageErr {
		errs = append(errs, w.directoryError(r, "age", "age"))
	}
	if _, ok := w.pages.languages[in.Language]; in.Language != "" && !ok {
		errs = append(errs, w.directoryError(r, "language", "language"))
	}
	if errs != nil {
		return d, errs, nil
	}
	d.Need = core.Need(in.Need)
	var places []core.Place
	if in.Area != "" {
		// The district only, even from a full postcode: the page's
		// address carries no more, so neither do its distances. A town
		// is every district it spans.
		var err error
		places, err = w.engine.DistrictPlaces(ctx, in.Area)
		if errors.Is(err, core.ErrDistrict) {
			return d, []formError{w.directoryError(r, "area", "area")}, nil
		}
		if err != nil {
			return d, nil, err
		}
		for _, p := range places {
			d.Districts = append(d.Districts, p.District)
		}
		d.District, d.Place, d.AreaLink = core.DistrictsText(d.Districts), places[0].Town, places[0].District
		if _, err := core.ParseDistrict(in.Area); err != nil && !looksLikePostcode(in.Area) {
			d.AreaLink = places[0].Town // a town stays a town in the link
		}
	}
	if d.Need == "" && d.District == "" {
		all, err := w.allAgencies(r)
		d.Results = all
		if err != nil || !in.filtered() {
			return d, nil, err
		}
		d.Searched = true
		return d, nil, w.narrow(r, &d, in, age, places)
	}
	d.Searched = true
	needs := []core.Need{d.Need}
	if d.Need == "" {
		needs = core.Needs
	}
	m, err := w.engine.SuggestInDistricts(ctx, core.MatchQuery{Needs: needs}, d.Districts)
	if err != nil {
		return d, nil, err
	}
	for _, s := range m.Suggestions {
		d.Results = append(d.Results, w.agencyView(s.Agency, s.Services, s.Reasons, w.requestLang(r, nil)))
	}
	for _, x := range m.Excluded {
		d.Excluded = append(d.Excluded, agencyView{Agency: x.Agency, Reasons: x.Reasons})
	}
	return d, nil, w.narrow(r, &d, in, age, places)
}

// directoryError is a search's mistake in the searcher's language.
func (w *Web) directoryError(r *http.Request, field, id string) formError {
	return formError{Field: field, Message: w.cat.Text(w.requestLang(r, nil), "directory.errors."+id)}
}

// parseAge reads the age filter: "" for any age, else whole years from 0
// to 120; bad is true when it is neither.
func parseAge(s string) (age *int, bad bool) {
	if s == "" {
		return nil, false
	}
	// Digits of any keyboard ("١٦" is 16), and nothing else.
	digits := core.Digits(s)
	if len(digits) != utf8.RuneCountInString(s) {
		return nil, true
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 || n > 120 {
		return nil, true
	}
	return &n, false
}

// narrow keeps, of the results matching chose, the services that pass
// the filters (open now, language, age), and when the searched places
// are on the map gives each its distance from the nearest of them and
// puts the nearest first. Core's directory search decides both, as it
// does for the Open Referral feed.
func (w *Web) narrow(r *http.Request, d *directoryData, in directoryInput, age *int, places []core.Place) error {
	var points []core.Place
	for _, p := range places {
		if p.Lat != nil && p.Lon != nil {
			points = append(points, p)
		}
	}
	located := len(points) > 0
	if !in.filtered() && !located {
		return nil
	}
	q := core.DirectoryQuery{Language: in.Language, ServesAge: age, ActiveOnly: true, Services: []core.ServiceID{}}
	for _, a := range d.Results {
		for _, s := range a.Services {
			q.Services = append(q.Services, s.ID)
		}
	}
	q.PerPage = math.MaxInt32 // one page: every link of these services
	if in.Open {
		now, err := w.engine.OpenNow(r.Context())
		if err != nil {
			return err
		}
		q.Open = &now
	}
	if !located {
		points = []core.Place{{}} // one search, measuring nothing
	}
	// Each service's distance is from the nearest of the points: one
	// search per point (a town spans a few districts), each giving one
	// row per service and location, nearest first, so a service's first
	// row is its distance from that point.
	kept := map[core.ServiceID]*float64{}
	for _, p := range points {
		q.Lat, q.Lon = p.Lat, p.Lon
		page, err := w.engine.DirectoryServiceAtLocations(r.Context(), q)
		if err != nil {
			return err
		}
		seen := map[core.ServiceID]bool{}
		for _, s := range page.Services {
			if seen[s.ID] {
				continue
			}
			seen[s.ID] = true
			dist, ok := kept[s.ID]
			if at := s.Locations[0].Distance; !ok || at != nil && (dist == nil || *at < *dist) {
				kept[s.ID] = at
			}
		}
	}
	var out []agencyView
	for _, a := range d.Results {
		var ss []serviceView
		for _, s := range a.Services {
			dist, ok := kept[s.ID]
			if !ok {
				continue
			}
			s.Distance = dist
			if dist != nil && (a.Distance == nil || *dist < *a.Distance) {
				a.Distance = dist
			}
			ss = append(ss, s)
		}
		if len(ss) > 0 {
			a.Services = ss
			out = append(out, a)
		}
	}
	if located {
		slices.SortStableFunc(out, func(x, y agencyView) int {
			switch {
			case x.Distance == nil && y.Distance == nil:
				return 0
			case x.Distance == nil:
				return 1
			case y.Distance == nil:
				return -1
			}
			return cmp.Compare(*x.Distance, *y.Distance)
		})
		d.Located = slices.ContainsFunc(out, func(a agencyView) bool { return a.Distance != nil })
	}
	d.Results = out
	return nil
}

// languageOptions are the languages the filter offers, by name.
func (w *Web) languageOptions() []languageOption {
	var out []languageOption
	for code, name := range w.pages.languages {
		out = append(out, languageOption{Code: code, Name: name})
	}
	slices.SortFunc(out, func(a, b languageOption) int { return cmp.Compare(a.Name, b.Name) })
	return out
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
	page := w.requestLang(r, nil)
	var out []agencyView
	for _, a := range agencies {
		var mine []core.Service
		for _, s := range services {
			if s.AgencyID == a.ID {
				mine = append(mine, s)
			}
		}
		if len(mine) > 0 {
			out = append(out, w.agencyView(a, mine, nil, page))
		}
	}
	return out, nil
}

// agencyView is an agency and its services as the directory shows them
// on a page in the language page.
func (w *Web) agencyView(a core.Agency, services []core.Service, reasons core.MatchReasons, page string) agencyView {
	v := agencyView{Agency: a, Reasons: reasons}
	for _, s := range services {
		v.Services = append(v.Services, w.serviceView(s, a, page))
	}
	return v
}

// serviceView is a service as the directory shows it on a page in the
// language page: the languages it helps in are named in that language,
// English when it lists none.
func (w *Web) serviceView(s core.Service, a core.Agency, page string) serviceView {
	v := serviceView{Service: s, Agency: a}
	languages := s.Languages
	if len(languages) == 0 {
		languages = []string{lang.English}
	}
	for _, l := range languages {
		v.Languages = append(v.Languages, w.languageName(l, page))
	}
	v.Areas = append(append(v.Areas, s.PostcodeDistricts...), core.CouncilAreaNames(s.CouncilAreas)...)
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
