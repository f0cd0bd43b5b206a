package openreferral

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onward-network/onward/core"
)

// The JSON shapes of Open Referral UK 3.0 (the UK profile of HSDS 3.0):
// one Go type per schema in templates of the standard, every optional
// field omitted when empty so nothing reads null where the schema wants a
// string or a number. Fields the UK profile leaves out but HSDS 3.0 has
// (a service's phones and eligibility, a language's name and code) are
// added, as the profile allows, so an export loses nothing on import.

// Page is a page of a list endpoint, with the metadata the profile asks.
type Page[T any] struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   []T  `json:"contents"`
}

func newPage[T any](items []T, total, page, perPage int) Page[T] {
	pages := (total + perPage - 1) / perPage
	if items == nil {
		items = []T{}
	}
	return Page[T]{TotalItems: total, TotalPages: pages, PageNumber: page, Size: len(items),
		FirstPage: page == 1, LastPage: page >= pages, Empty: len(items) == 0, Contents: items}
}

// Organization is an HSDS organization.
type Organization struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Email       string    `json:"email,omitempty"`
	Website     string    `json:"website,omitempty"`
	Phones      []Phone   `json:"phones,omitempty"`
	Services    []Service `json:"services,omitempty"`
}

// Service is an HSDS service; a list entry carries only its one-to-one
// fields and organization, a full one every related record.
type Service struct {
	ID                     string              `json:"id"`
	OrganizationID         string              `json:"organization_id,omitempty"`
	Name                   string              `json:"name"`
	Description            string              `json:"description,omitempty"`
	URL                    string              `json:"url,omitempty"`
	Email                  string              `json:"email,omitempty"`
	Status                 string              `json:"status"`
	EligibilityDescription string              `json:"eligibility_description,omitempty"`
	MinimumAge             *float64            `json:"minimum_age,omitempty"`
	MaximumAge             *float64            `json:"maximum_age,omitempty"`
	LastModified           string              `json:"last_modified,omitempty"`
	Organization           *Organization       `json:"organization,omitempty"`
	Schedules              []Schedule          `json:"schedules,omitempty"`
	ServiceAreas           []ServiceArea       `json:"service_areas,omitempty"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages              []Language          `json:"languages,omitempty"`
	Phones                 []Phone             `json:"phones,omitempty"`
	CostOptions            []CostOption        `json:"cost_options,omitempty"`
	Attributes             []Attribute         `json:"attributes,omitempty"`
}

// Schedule is an HSDS schedule.
type Schedule struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Freq        string `json:"freq,omitempty"`
	ByDay       string `json:"byday,omitempty"`
	OpensAt     string `json:"opens_at,omitempty"`
	ClosesAt    string `json:"closes_at,omitempty"`
	Description string `json:"description,omitempty"`
}

// ServiceArea is an HSDS service_area.
type ServiceArea struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Name        string `json:"name,omitempty"`
	ServiceArea string `json:"service_area,omitempty"`
	ExtentType  string `json:"extent_type,omitempty"`
}

// ServiceAtLocation is an HSDS service_at_location: in a service, with its
// location; in its own list, with its service too.
type ServiceAtLocation struct {
	ID         string    `json:"id"`
	ServiceID  string    `json:"service_id,omitempty"`
	LocationID string    `json:"location_id,omitempty"`
	Location   *Location `json:"location,omitempty"`
	Service    *Service  `json:"service,omitempty"`
	// Distance is metres from the postcode searched, or from the nearest
	// district of a town searched (not in the schema; allowed, and what
	// "nearest first" was ordered by).
	Distance *float64 `json:"distance,omitempty"`
	// Name and Status repeat the service's on /service_at_locations/{id}:
	// the profile's OpenAPI document says that answer is a service (which
	// requires them) while its example and compiled schema are a
	// service_at_location; with both, it meets either reading.
	Name   string `json:"name,omitempty"`
	Status string `json:"status,omitempty"`
}

// Location is an HSDS location.
type Location struct {
	ID           string    `json:"id"`
	LocationType string    `json:"location_type"`
	Name         string    `json:"name,omitempty"`
	Description  string    `json:"description,omitempty"`
	Latitude     *float64  `json:"latitude,omitempty"`
	Longitude    *float64  `json:"longitude,omitempty"`
	Addresses    []Address `json:"addresses,omitempty"`
}

// Address is an HSDS address.
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Address1      string `json:"address_1"`
	City          string `json:"city"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

// Language is an HSDS language.
type Language struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Code      string `json:"code,omitempty"`
}

// Phone is an HSDS phone.
type Phone struct {
	ID     string `json:"id"`
	Number string `json:"number"`
}

// CostOption is an HSDS cost_option.
type CostOption struct {
	ID                string   `json:"id"`
	ServiceID         string   `json:"service_id,omitempty"`
	Option            string   `json:"option,omitempty"`
	Amount            *float64 `json:"amount,omitempty"`
	AmountDescription string   `json:"amount_description,omitempty"`
}

// Attribute links a record to a taxonomy term.
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id,omitempty"`
	LinkType       string        `json:"link_type,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
}

// Taxonomy is an HSDS taxonomy.
type Taxonomy struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Description   string         `json:"description"`
	URI           string         `json:"uri,omitempty"`
	Version       string         `json:"version,omitempty"`
	TaxonomyTerms []TaxonomyTerm `json:"taxonomy_terms,omitempty"`
}

// TaxonomyTerm is an HSDS taxonomy_term.
type TaxonomyTerm struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy,omitempty"`
	TaxonomyID  string `json:"taxonomy_id,omitempty"`
	TermURI     string `json:"term_uri,omitempty"`
	Term        string `json:"term,omitempty"`
}

// Root is the answer at the feed's base.
type Root struct {
	Version    string `json:"version"`
	Profile    string `json:"profile"`
	OpenAPIURL string `json:"openapi_url"`
}

// Version and Profile say which standard the feed speaks.
const (
	Version = "HSDS-UK-3.0"
	Profile = "https://github.com/openreferral/uk-profile"
)

// taxonomyName names the network's needs taxonomy.
const taxonomyName = "Onward needs"

// needsTaxonomy is the network's needs as an HSDS taxonomy.
func needsTaxonomy(withTerms bool) Taxonomy {
	t := Taxonomy{ID: core.NeedsTaxonomyID(), Name: taxonomyName, Version: "1",
		Description: "The needs people bring to the network's advice agencies: each service offers some, each referral asks for some."}
	if withTerms {
		t.TaxonomyTerms = needTerms()
	}
	return t
}

func needTerms() []TaxonomyTerm {
	out := make([]TaxonomyTerm, len(core.Needs))
	for i, n := range core.Needs {
		out[i] = needTerm(n)
	}
	return out
}

func needTerm(n core.Need) TaxonomyTerm {
	return TaxonomyTerm{ID: core.NeedTermID(n), Name: n.Label(), Description: n.Label(),
		Taxonomy: taxonomyName, TaxonomyID: core.NeedsTaxonomyID(), Term: string(n)}
}

// mappedTerm is a need's term in another taxonomy, as the network file
// names it.
func mappedTerm(m core.NeedTerm) TaxonomyTerm {
	name := cmp.Or(m.Name, m.Term)
	return TaxonomyTerm{ID: m.TermID(), Name: name, Description: name, Taxonomy: m.Taxonomy, TaxonomyID: m.TaxonomyID(), Term: m.Term}
}

// mappedTaxonomies are the other taxonomies the network file maps needs
// to, each once, by name.
func mappedTaxonomies(terms []core.NeedTerm, withTerms bool) []Taxonomy {
	var out []Taxonomy
	at := map[string]int{}
	for _, m := range terms {
		id := m.TaxonomyID()
		i, ok := at[id]
		if !ok {
			i = len(out)
			at[id] = i
			out = append(out, Taxonomy{ID: id, Name: cmp.Or(m.Taxonomy, "other"), Description: "A taxonomy the network maps its needs to."})
		}
		if withTerms {
			out[i].TaxonomyTerms = append(out[i].TaxonomyTerms, mappedTerm(m))
		}
	}
	slices.SortFunc(out, func(a, b Taxonomy) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// organization renders an agency (list form: no services).
func organization(o core.DirectoryOrganization) Organization {
	return Organization{ID: o.UUID, Name: o.Name, Description: o.Description, Email: o.Email, Website: o.Website}
}

// serviceSummary renders a service's one-to-one fields and organization.
func serviceSummary(s core.DirectoryService) Service {
	org := organization(s.Organization)
	out := Service{ID: s.UUID, OrganizationID: s.Organization.UUID, Name: s.Name, Description: s.Description,
		URL: s.URL, Email: s.Email, Status: s.Status(), EligibilityDescription: s.Eligibility,
		MinimumAge: age(s.MinimumAge), MaximumAge: age(s.MaximumAge),
		LastModified: s.UpdatedAt.UTC().Format(time.RFC3339), Organization: &org}
	return out
}

func age(p *int) *float64 {
	if p == nil {
		return nil
	}
	f := float64(*p)
	return &f
}

// languageNames are the names of the languages services are offered in.
type languageNames map[string]string

// serviceFull renders a service with every related record.
func serviceFull(s core.DirectoryService, langs languageNames, terms []core.NeedTerm) Service {
	out := serviceSummary(s)
	for i, sc := range s.Schedules {
		h := Schedule{ID: core.DerivedUUID(s.UUID, "schedule", strconv.Itoa(i)), ServiceID: s.UUID,
			ByDay: sc.ByDay, OpensAt: sc.OpensAt, ClosesAt: sc.ClosesAt, Description: sc.Description}
		if sc.ByDay != "" {
			h.Freq = "WEEKLY"
		}
		out.Schedules = append(out.Schedules, h)
	}
	for _, d := range s.PostcodeDistricts {
		out.ServiceAreas = append(out.ServiceAreas, ServiceArea{ID: core.DerivedUUID(s.UUID, "area", d), ServiceID: s.UUID,
			Name: d, ServiceArea: d, ExtentType: "postcode_district"})
	}
	for _, c := range s.CouncilAreas {
		out.ServiceAreas = append(out.ServiceAreas, ServiceArea{ID: core.DerivedUUID(s.UUID, "area", c), ServiceID: s.UUID,
			Name: core.CouncilAreaName(c), ServiceArea: c, ExtentType: "council_area"})
	}
	for _, l := range s.Locations {
		loc := location(l)
		out.ServiceAtLocations = append(out.ServiceAtLocations, ServiceAtLocation{ID: l.LinkUUID, ServiceID: s.UUID,
			LocationID: l.UUID, Location: &loc})
	}
	for _, l := range s.Languages {
		out.Languages = append(out.Languages, Language{ID: core.DerivedUUID(s.UUID, "language", l), ServiceID: s.UUID,
			Name: langs[l], Code: l})
	}
	if p := strings.TrimSpace(s.Organization.Phone); p != "" {
		out.Phones = []Phone{{ID: core.DerivedUUID(s.UUID, "phone", "0"), Number: p}}
	}
	for i, c := range s.CostOptions {
		out.CostOptions = append(out.CostOptions, CostOption{ID: core.DerivedUUID(s.UUID, "cost", strconv.Itoa(i)),
			ServiceID: s.UUID, Option: c.Option, Amount: c.Amount, AmountDescription: c.AmountDescription})
	}
	for _, n := range s.Needs {
		t := needTerm(n)
		out.Attributes = append(out.Attributes, Attribute{ID: core.DerivedUUID(s.UUID, "attribute", t.ID), LinkID: s.UUID,
			TaxonomyTermID: t.ID, LinkType: "service", TaxonomyTerm: &t})
	}
	seen := map[string]bool{}
	for _, x := range s.ExternalTerms {
		t := TaxonomyTerm{ID: x.ID, Name: x.Name, Description: x.Description, Taxonomy: x.Taxonomy,
			TaxonomyID: x.TaxonomyID, TermURI: x.TermURI, Term: x.Term}
		seen[t.ID] = true
		out.Attributes = append(out.Attributes, Attribute{ID: core.DerivedUUID(s.UUID, "attribute", t.ID), LinkID: s.UUID,
			TaxonomyTermID: t.ID, LinkType: "service", TaxonomyTerm: &t})
	}
	// The terms the network file maps the service's needs to, so readers
	// who classify by another taxonomy find it.
	for _, m := range terms {
		if t := mappedTerm(m); slices.Contains(s.Needs, m.Need) && !seen[t.ID] {
			seen[t.ID] = true
			out.Attributes = append(out.Attributes, Attribute{ID: core.DerivedUUID(s.UUID, "attribute", t.ID), LinkID: s.UUID,
				TaxonomyTermID: t.ID, LinkType: "service", TaxonomyTerm: &t})
		}
	}
	return out
}

// location renders a location with its address, when it has one.
func location(l core.DirectoryLocation) Location {
	out := Location{ID: l.UUID, LocationType: "physical", Name: l.Name, Description: l.Description,
		Latitude: l.Latitude, Longitude: l.Longitude}
	if l.Address1 != "" || l.PostalCode != "" {
		country := l.Country
		if country == "" {
			country = "GB"
		}
		out.Addresses = []Address{{ID: core.DerivedUUID(l.UUID, "address", "0"), LocationID: l.UUID,
			Address1: l.Address1, City: l.City, StateProvince: l.StateProvince, PostalCode: l.PostalCode,
			Country: country, AddressType: "physical"}}
	}
	return out
}

// serviceAtLocationItem renders a list entry: the link, its location and
// its service's one-to-one fields.
func serviceAtLocationItem(s core.DirectoryService) ServiceAtLocation {
	l := s.Locations[0]
	loc := location(l)
	loc.Addresses = nil
	svc := serviceSummary(s)
	return ServiceAtLocation{ID: l.LinkUUID, ServiceID: s.UUID, LocationID: l.UUID, Location: &loc, Service: &svc,
		Distance: l.Distance}
}
