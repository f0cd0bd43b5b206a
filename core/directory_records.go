package core

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// The directory as Open Referral UK publishes it (HSDS 3.0, UK profile):
// organizations (agencies), services, locations and the links between
// them, each with a UUID given once and never changed. Records that hang
// off a service (its schedules, areas, languages, phone, terms) take ids
// derived from the service's UUID and what they are, so they too are the
// same in every call and every export.

// namespaceOnward is the UUID namespace of ids Onward derives.
var namespaceOnward = uuid.MustParse("0b7d6c56-3f7e-4f53-9c51-6a0b2a4e5d10")

// DerivedUUID is the stable id of a record that hangs off parent (a UUID)
// as kind ("schedule", "language") with key ("0", "en").
func DerivedUUID(parent, kind, key string) string {
	p, err := uuid.Parse(parent)
	if err != nil {
		p = namespaceOnward
	}
	return uuid.NewSHA1(p, []byte(kind+":"+key)).String()
}

// ValidUUID reports whether s is a UUID in any of its usual spellings.
func ValidUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// NeedsTaxonomyID is the UUID of the network's needs taxonomy.
func NeedsTaxonomyID() string {
	return uuid.NewSHA1(namespaceOnward, []byte("taxonomy:needs")).String()
}

// NeedTermID is the UUID of a need as a term of the needs taxonomy.
func NeedTermID(n Need) string {
	return uuid.NewSHA1(namespaceOnward, []byte("need:"+string(n))).String()
}

// NeedForTerm returns the need a term of the needs taxonomy stands for.
func NeedForTerm(id string) (Need, bool) {
	for _, n := range Needs {
		if NeedTermID(n) == strings.ToLower(id) {
			return n, true
		}
	}
	return "", false
}

// CostOption is what a service costs, shaped after the HSDS cost_option.
type CostOption struct {
	Option            string   `json:"option,omitempty"`
	Amount            *float64 `json:"amount,omitempty"`
	AmountDescription string   `json:"amount_description,omitempty"`
}

// ExternalTerm is a term of another taxonomy an imported service came
// classified with.
type ExternalTerm struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy,omitempty"`
	TaxonomyID  string `json:"taxonomy_id,omitempty"`
	TermURI     string `json:"term_uri,omitempty"`
	Term        string `json:"term,omitempty"`
}

// DirectoryOrganization is an agency as the directory publishes it.
type DirectoryOrganization struct {
	ID          AgencyID  `db:"id"`
	UUID        string    `db:"uuid"`
	Slug        string    `db:"slug"`
	Name        string    `db:"name"`
	Description string    `db:"description"`
	Email       string    `db:"email"`
	Website     string    `db:"website"`
	Phone       string    `db:"phone"`
	UpdatedAt   time.Time `db:"updated_at"`
	// RetiredAt is when the agency left the network (RetireAgency): its
	// services are then closed for good. The directory's reads fill it
	// (organizationColumns, organizationRow).
	RetiredAt *time.Time `db:"-"`
}

// organizationColumns are what the directory's reads of an organization
// select from agencies: a DirectoryOrganization's, and when it retired.
const organizationColumns = `id, uuid::text AS uuid, slug, name, description, email, website, phone, updated_at, retired_at`

// organizationRow reads a row of organizationColumns.
func organizationRow(row pgx.CollectableRow) (DirectoryOrganization, error) {
	var o DirectoryOrganization
	err := row.Scan(&o.ID, &o.UUID, &o.Slug, &o.Name, &o.Description, &o.Email, &o.Website, &o.Phone, &o.UpdatedAt, &o.RetiredAt)
	return o, err
}

// DirectoryLocation is a place a service is delivered, and the link
// (service_at_location) that says so.
type DirectoryLocation struct {
	ID            int64     `db:"id"`
	UUID          string    `db:"uuid"`
	LinkUUID      string    `db:"link_uuid"`
	ServiceID     ServiceID `db:"service_id"`
	AgencyID      AgencyID  `db:"agency_id"`
	Name          string    `db:"name"`
	Description   string    `db:"description"`
	Address1      string    `db:"address_1"`
	City          string    `db:"city"`
	StateProvince string    `db:"state_province"`
	PostalCode    string    `db:"postal_code"`
	Country       string    `db:"country"`
	// Latitude and Longitude are the location's own, or else its
	// postcode's from the network's postcode file; nil when neither.
	Latitude  *float64 `db:"latitude"`
	Longitude *float64 `db:"longitude"`
	// Distance is metres from the searched postcode, when both are known.
	Distance *float64 `db:"distance"`
}

// DirectoryService is a service as the directory publishes it.
type DirectoryService struct {
	ID                ServiceID      `db:"id"`
	UUID              string         `db:"uuid"`
	AgencyID          AgencyID       `db:"agency_id"`
	Name              string         `db:"name"`
	Description       string         `db:"description"`
	URL               string         `db:"url"`
	Email             string         `db:"email"`
	Active            bool           `db:"active"`
	Referable         bool           `db:"referable"`
	Needs             []Need         `db:"needs"`
	Eligibility       string         `db:"eligibility"`
	MinimumAge        *int           `db:"minimum_age"`
	MaximumAge        *int           `db:"maximum_age"`
	PostcodeDistricts []string       `db:"postcode_districts"`
	CouncilAreas      []string       `db:"council_areas"`
	Languages         []string       `db:"languages"`
	OpeningHours      string         `db:"opening_hours"`
	Schedules         []Schedule     `db:"schedules"`
	CostOptions       []CostOption   `db:"cost_options"`
	ExternalTerms     []ExternalTerm `db:"external_terms"`
	UpdatedAt         time.Time      `db:"updated_at"`

	Organization DirectoryOrganization `db:"-"`
	Locations    []DirectoryLocation   `db:"-"`
}

// Status is the service's HSDS status: "defunct" (closed for good) once
// its agency has left the network, else "active" or "inactive" (a service
// taken out of the directory, which may come back).
func (s DirectoryService) Status() string {
	switch {
	case s.Organization.RetiredAt != nil:
		return "defunct"
	case s.Active:
		return "active"
	}
	return "inactive"
}

// DirectoryQuery is a search of the directory. Every field given narrows
// it (they combine as AND); the zero value lists everything.
type DirectoryQuery struct {
	Search       string // words in a service's or its agency's name or description
	Needs        []Need // offers any of these needs
	ExternalTerm string // classified with this term of another taxonomy
	TaxonomyID   string // classified with a term of this taxonomy
	// MinimumAge and MaximumAge are the Open Referral filters: a service's
	// own minimum age at least, maximum age at most, the value given.
	MinimumAge, MaximumAge *int
	// ServesAge keeps services whose age range includes this age (the
	// public directory's filter).
	ServesAge *int
	// StartTime, EndTime ("09:00") and Day ("MO") keep services with a
	// schedule opening at or after StartTime, closing at or before EndTime,
	// on Day.
	StartTime, EndTime, Day string
	// Open keeps services open then (the "open now" filter, from
	// Engine.OpenNow): none on a bank holiday (OpenTime.Open).
	Open       *OpenTime
	Language   string // ISO 639-1
	ActiveOnly bool   // leave out inactive services (the public pages)
	// Services keeps only these services (a page narrowing what matching
	// chose); nil for every service.
	Services []ServiceID
	// District and CouncilArea keep services whose area covers them.
	District, CouncilArea string
	// Lat and Lon (with Proximity in metres, 0 for no limit) measure
	// distance and order nearest first.
	Lat, Lon  *float64
	Proximity float64
	Page      int // from 1
	PerPage   int
	// Places search from several places at once, as well as District,
	// CouncilArea, Lat and Lon: a town spread over several postcode
	// districts (Engine.DistrictPlaces). A service covering any of them
	// is kept, and each location is measured from the nearest that has a
	// point, within Proximity of one (directory_places.go).
	Places []Place
}

// DirectoryPage is one page of a search.
type DirectoryPage struct {
	Total    int
	Services []DirectoryService // for service_at_location searches, one per link, with that location only
}

// queryBuilder numbers the arguments of a query built from parts.
type queryBuilder struct {
	conds []string
	args  []any
}

func (b *queryBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

func (b *queryBuilder) where(cond string) { b.conds = append(b.conds, cond) }

func (b *queryBuilder) sql() string {
	if len(b.conds) == 0 {
		return "true"
	}
	return strings.Join(b.conds, " AND ")
}

const sqlDistance = `6371008.8 * 2 * asin(sqrt(power(sin(radians(coalesce(l.latitude, p.latitude) - %[1]s) / 2), 2) +
  cos(radians(%[1]s)) * cos(radians(coalesce(l.latitude, p.latitude))) *
  power(sin(radians(coalesce(l.longitude, p.longitude) - %[2]s) / 2), 2)))`

func (q DirectoryQuery) filters(b *queryBuilder) {
	if s := strings.TrimSpace(q.Search); s != "" {
		like := b.arg("%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s) + "%")
		// Each branch has its index (migration 017), so Postgres ORs
		// their bitmaps rather than reading every service.
		b.where(`(s.search_vector @@ plainto_tsquery('english', ` + b.arg(s) + `)
			OR s.name ILIKE ` + like + ` OR s.agency_name ILIKE ` + like + `)`)
	}
	if len(q.Needs) > 0 && q.ExternalTerm != "" {
		b.where(`(s.needs && ` + b.arg(NeedStrings(q.Needs)) + ` OR s.external_terms @> jsonb_build_array(jsonb_build_object('id', ` + b.arg(q.ExternalTerm) + `::text)))`)
	} else if len(q.Needs) > 0 {
		b.where(`s.needs && ` + b.arg(NeedStrings(q.Needs)))
	} else if q.ExternalTerm != "" {
		b.where(`s.external_terms @> jsonb_build_array(jsonb_build_object('id', ` + b.arg(q.ExternalTerm) + `::text))`)
	}
	if q.TaxonomyID != "" && !strings.EqualFold(q.TaxonomyID, NeedsTaxonomyID()) {
		b.where(`s.external_terms @> jsonb_build_array(jsonb_build_object('taxonomy_id', ` + b.arg(strings.ToLower(q.TaxonomyID)) + `::text))`)
	}
	if q.MinimumAge != nil {
		b.where(`s.minimum_age >= ` + b.arg(*q.MinimumAge))
	}
	if q.MaximumAge != nil {
		b.where(`s.maximum_age <= ` + b.arg(*q.MaximumAge))
	}
	if q.ServesAge != nil {
		age := b.arg(*q.ServesAge)
		b.where(`coalesce(s.minimum_age, 0) <= ` + age + ` AND coalesce(s.maximum_age, 1000) >= ` + age)
	}
	if q.StartTime != "" || q.EndTime != "" || q.Day != "" {
		var c []string
		if q.Day != "" {
			c = append(c, `(','||(sch->>'byday')||',') LIKE `+b.arg("%,"+q.Day+",%"))
		}
		if q.StartTime != "" {
			c = append(c, `sch->>'opens_at' >= `+b.arg(q.StartTime))
		}
		if q.EndTime != "" {
			c = append(c, `sch->>'closes_at' <= `+b.arg(q.EndTime))
		}
		b.where(`EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(s.schedules, '[]')) sch WHERE sch ? 'byday' AND ` + strings.Join(c, " AND ") + `)`)
	}
	switch {
	case q.Open != nil && q.Open.BankHoliday:
		b.where(`false`) // every service is closed on a bank holiday (OpenTime.Open)
	case q.Open != nil:
		clock := b.arg(q.Open.Clock)
		b.where(`EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(s.schedules, '[]')) sch WHERE (','||(sch->>'byday')||',') LIKE ` +
			b.arg("%,"+q.Open.Day+",%") + ` AND sch->>'opens_at' <= ` + clock + ` AND sch->>'closes_at' > ` + clock + `)`)
	}
	if q.Language != "" {
		b.where(`s.languages @> ARRAY[` + b.arg(q.Language) + `::text]`)
	}
	if q.ActiveOnly {
		b.where(`s.active`)
	}
	if q.Services != nil {
		ids := make([]int64, len(q.Services))
		for i, id := range q.Services {
			ids[i] = int64(id)
		}
		b.where(`s.id = ANY(` + b.arg(ids) + `)`)
	}
	q.covers(b)
}

// sqlServicesFrom and sqlServiceAtLocationsFrom are what the searches
// read: services, or the links of services to locations with the
// locations' postcodes for their coordinates.
const (
	sqlServicesFrom           = `services s`
	sqlServiceAtLocationsFrom = `service_locations sl JOIN services s ON s.id = sl.service_id
		JOIN locations l ON l.id = sl.location_id LEFT JOIN postcodes p ON p.postcode = l.postal_code`
)

func (q DirectoryQuery) limits() (limit, offset int) {
	per := q.PerPage
	if per <= 0 {
		per = 50
	}
	return per, PageOffset(q.Page, per)
}

// PageOffset is how many rows come before page (from 1) of perPage rows.
// A page is read from outside, so the product can pass what an int
// holds: it stops at math.MaxInt, past every row, so a page no list
// reaches is read as empty (as any page past the last is) rather than
// wrapping round to a negative offset or to an earlier page's rows.
func PageOffset(page, perPage int) int {
	if page <= 1 || perPage <= 0 {
		return 0
	}
	if page-1 > math.MaxInt/perPage {
		return math.MaxInt
	}
	return (page - 1) * perPage
}

const directoryServiceColumns = `s.id, s.uuid::text AS uuid, s.agency_id, s.name, s.description, s.url, s.email, s.active,
s.referable, s.needs, s.eligibility, s.minimum_age, s.maximum_age, s.postcode_districts, s.council_areas,
s.languages, s.opening_hours, coalesce(s.schedules, '[]') AS schedules, s.cost_options, s.external_terms, s.updated_at`

// DirectoryServices is one page of services matching q, by name.
func (e *Engine) DirectoryServices(ctx context.Context, q DirectoryQuery) (DirectoryPage, error) {
	var b queryBuilder
	q.filters(&b)
	limit, offset := q.limits()
	sql := `SELECT ` + directoryServiceColumns + `, count(*) OVER () AS total
		FROM ` + sqlServicesFrom + ` WHERE ` + b.sql() +
		` ORDER BY s.name, s.uuid LIMIT ` + b.arg(limit) + ` OFFSET ` + b.arg(offset)
	return e.readDirectoryPage(ctx, q, sql, b, false)
}

// DirectoryServiceAtLocations is one page of the links between services
// and the places they are delivered, matching q: nearest first when q
// has a point, else by service name.
func (e *Engine) DirectoryServiceAtLocations(ctx context.Context, q DirectoryQuery) (DirectoryPage, error) {
	var b queryBuilder
	q.filters(&b)
	dist := q.within(&b)
	order := "s.name, sl.uuid"
	if dist != "" {
		order = "distance NULLS LAST, s.name, sl.uuid"
	} else {
		dist = "NULL::double precision"
	}
	limit, offset := q.limits()
	sql := `SELECT ` + directoryServiceColumns + `, count(*) OVER () AS total,
		` + locationColumns + `, ` + dist + ` AS distance
		FROM ` + sqlServiceAtLocationsFrom + `
		WHERE ` + b.sql() + ` ORDER BY ` + order + ` LIMIT ` + b.arg(limit) + ` OFFSET ` + b.arg(offset)
	return e.readDirectoryPage(ctx, q, sql, b, true)
}

const locationColumns = `l.id AS l_id, l.uuid::text AS l_uuid, sl.uuid::text AS link_uuid, l.agency_id AS l_agency_id,
l.name AS l_name, l.description AS l_description, l.address_1, l.city, l.state_province, l.postal_code, l.country,
coalesce(l.latitude, p.latitude) AS latitude, coalesce(l.longitude, p.longitude) AS longitude`

// readDirectoryPage runs a directory search on the engine's readers: the
// public directory and the feed may be answered from a read replica.
func (e *Engine) readDirectoryPage(ctx context.Context, q DirectoryQuery, sql string, b queryBuilder, withLocation bool) (DirectoryPage, error) {
	var page DirectoryPage
	err := e.readers.Read(ctx, func(db DB) error {
		var err error
		page, err = directoryPage(ctx, db, q, sql, b, withLocation)
		return err
	})
	return page, err
}

func directoryPage(ctx context.Context, db DB, q DirectoryQuery, sql string, b queryBuilder, withLocation bool) (DirectoryPage, error) {
	rows, err := db.Query(ctx, sql, b.args...)
	if err != nil {
		return DirectoryPage{}, fmt.Errorf("search directory: %w", err)
	}
	var page DirectoryPage
	for rows.Next() {
		var s DirectoryService
		var l DirectoryLocation
		dest := []any{&s.ID, &s.UUID, &s.AgencyID, &s.Name, &s.Description, &s.URL, &s.Email, &s.Active,
			&s.Referable, &s.Needs, &s.Eligibility, &s.MinimumAge, &s.MaximumAge, &s.PostcodeDistricts, &s.CouncilAreas,
			&s.Languages, &s.OpeningHours, &s.Schedules, &s.CostOptions, &s.ExternalTerms, &s.UpdatedAt, &page.Total}
		if withLocation {
			dest = append(dest, &l.ID, &l.UUID, &l.LinkUUID, &l.AgencyID, &l.Name, &l.Description, &l.Address1, &l.City,
				&l.StateProvince, &l.PostalCode, &l.Country, &l.Latitude, &l.Longitude, &l.Distance)
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return DirectoryPage{}, fmt.Errorf("search directory: %w", err)
		}
		if withLocation {
			l.ServiceID = s.ID
			s.Locations = []DirectoryLocation{l}
		}
		page.Services = append(page.Services, s)
	}
	if err := rows.Err(); err != nil {
		return DirectoryPage{}, fmt.Errorf("search directory: %w", err)
	}
	if len(page.Services) == 0 && q.Page > 1 {
		// Past the last page: count what the search finds all the same.
		var cb queryBuilder
		q.filters(&cb)
		from := sqlServicesFrom
		if withLocation {
			from = sqlServiceAtLocationsFrom
			q.within(&cb)
		}
		if err := db.QueryRow(ctx, `SELECT count(*) FROM `+from+` WHERE `+cb.sql(), cb.args...).Scan(&page.Total); err != nil {
			return DirectoryPage{}, fmt.Errorf("count directory: %w", err)
		}
	}
	return page, fillOrganizations(ctx, db, page.Services)
}

const sqlDirectoryOrganizations = `SELECT ` + organizationColumns + ` FROM agencies WHERE id = ANY($1)`

// fillOrganizations sets each service's Organization.
func fillOrganizations(ctx context.Context, db DB, ss []DirectoryService) error {
	if len(ss) == 0 {
		return nil
	}
	ids := make([]int64, len(ss))
	for i, s := range ss {
		ids[i] = int64(s.AgencyID)
	}
	rows, _ := db.Query(ctx, sqlDirectoryOrganizations, ids)
	orgs, err := pgx.CollectRows(rows, organizationRow)
	if err != nil {
		return fmt.Errorf("read organizations: %w", err)
	}
	byID := make(map[AgencyID]DirectoryOrganization, len(orgs))
	for _, o := range orgs {
		byID[o.ID] = o
	}
	for i := range ss {
		ss[i].Organization = byID[ss[i].AgencyID]
	}
	return nil
}

const sqlServiceLocations = `
SELECT l.id, l.uuid::text AS uuid, sl.uuid::text AS link_uuid, sl.service_id, l.agency_id, l.name, l.description,
       l.address_1, l.city, l.state_province, l.postal_code, l.country,
       coalesce(l.latitude, p.latitude) AS latitude, coalesce(l.longitude, p.longitude) AS longitude,
       NULL::double precision AS distance
FROM service_locations sl JOIN locations l ON l.id = sl.location_id LEFT JOIN postcodes p ON p.postcode = l.postal_code
WHERE sl.service_id = ANY($1) ORDER BY sl.service_id, l.main DESC, l.uuid`

// fillLocations sets each service's Locations (every link).
func fillLocations(ctx context.Context, db DB, ss []DirectoryService) error {
	if len(ss) == 0 {
		return nil
	}
	ids := make([]int64, len(ss))
	for i, s := range ss {
		ids[i] = int64(s.ID)
	}
	rows, _ := db.Query(ctx, sqlServiceLocations, ids)
	ls, err := pgx.CollectRows(rows, pgx.RowToStructByName[DirectoryLocation])
	if err != nil {
		return fmt.Errorf("read locations: %w", err)
	}
	byService := map[ServiceID][]DirectoryLocation{}
	for _, l := range ls {
		byService[l.ServiceID] = append(byService[l.ServiceID], l)
	}
	for i := range ss {
		ss[i].Locations = byService[ss[i].ID]
	}
	return nil
}

// DirectoryService returns one service by its UUID, with its organization
// and every location.
func (e *Engine) DirectoryService(ctx context.Context, id string) (DirectoryService, error) {
	if !ValidUUID(id) {
		return DirectoryService{}, fmt.Errorf("service %q: %w", id, ErrNotFound)
	}
	ss, err := e.readDirectoryServices(ctx, `s.uuid = $1`, id)
	if err != nil {
		return DirectoryService{}, err
	}
	if len(ss) == 0 {
		return DirectoryService{}, fmt.Errorf("service %s: %w", id, ErrNotFound)
	}
	return ss[0], nil
}

// DirectoryServiceAtLocation returns the service a link names, with only
// that link's location.
func (e *Engine) DirectoryServiceAtLocation(ctx context.Context, id string) (DirectoryService, error) {
	if !ValidUUID(id) {
		return DirectoryService{}, fmt.Errorf("service at location %q: %w", id, ErrNotFound)
	}
	ss, err := e.readDirectoryServices(ctx, `s.id = (SELECT service_id FROM service_locations WHERE uuid = $1)`, id)
	if err != nil {
		return DirectoryService{}, err
	}
	if len(ss) == 0 {
		return DirectoryService{}, fmt.Errorf("service at location %s: %w", id, ErrNotFound)
	}
	s := ss[0]
	for _, l := range s.Locations {
		if strings.EqualFold(l.LinkUUID, id) {
			s.Locations = []DirectoryLocation{l}
		}
	}
	return s, nil
}

// AllDirectoryServices is every service, active or not, with its
// organization and locations: the whole directory, for export. It reads
// the primary: an import compares it with what it is about to write.
func (e *Engine) AllDirectoryServices(ctx context.Context) ([]DirectoryService, error) {
	return directoryServicesWhere(ctx, e.pool, `true`)
}

// PublishedDirectoryServices is AllDirectoryServices for the public feed,
// which may be answered from a read replica.
func (e *Engine) PublishedDirectoryServices(ctx context.Context) ([]DirectoryService, error) {
	return e.readDirectoryServices(ctx, `true`)
}

// DirectoryServicesOf is an agency's services, for its public page.
func (e *Engine) DirectoryServicesOf(ctx context.Context, agency AgencyID) ([]DirectoryService, error) {
	return e.readDirectoryServices(ctx, `s.agency_id = $1 AND s.active`, agency)
}

// readDirectoryServices is directoryServicesWhere on the engine's readers.
func (e *Engine) readDirectoryServices(ctx context.Context, where string, args ...any) ([]DirectoryService, error) {
	var ss []DirectoryService
	err := e.readers.Read(ctx, func(db DB) error {
		var err error
		ss, err = directoryServicesWhere(ctx, db, where, args...)
		return err
	})
	return ss, err
}

func directoryServicesWhere(ctx context.Context, db DB, where string, args ...any) ([]DirectoryService, error) {
	rows, _ := db.Query(ctx, `SELECT `+directoryServiceColumns+`
		FROM services s WHERE `+where+` ORDER BY s.name, s.uuid`, args...)
	ss, err := pgx.CollectRows(rows, pgx.RowToStructByName[DirectoryService])
	if err != nil {
		return nil, fmt.Errorf("read services: %w", err)
	}
	if err := fillOrganizations(ctx, db, ss); err != nil {
		return nil, err
	}
	return ss, fillLocations(ctx, db, ss)
}

// DirectoryOrganizations is one page of organizations by name, and how
// many there are.
func (e *Engine) DirectoryOrganizations(ctx context.Context, page, perPage int) ([]DirectoryOrganization, int, error) {
	var orgs []DirectoryOrganization
	var total int
	err := e.readers.Read(ctx, func(db DB) error {
		var err error
		orgs, total, err = directoryOrganizations(ctx, db, page, perPage)
		return err
	})
	return orgs, total, err
}

func directoryOrganizations(ctx context.Context, db DB, page, perPage int) ([]DirectoryOrganization, int, error) {
	limit, offset := DirectoryQuery{Page: page, PerPage: perPage}.limits()
	var total int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM agencies`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count organizations: %w", err)
	}
	rows, _ := db.Query(ctx, `SELECT `+organizationColumns+` FROM agencies ORDER BY name, uuid LIMIT $1 OFFSET $2`, limit, offset)
	orgs, err := pgx.CollectRows(rows, organizationRow)
	if err != nil {
		return nil, 0, fmt.Errorf("list organizations: %w", err)
	}
	return orgs, total, nil
}

// DirectoryOrganization returns an organization by UUID.
func (e *Engine) DirectoryOrganization(ctx context.Context, id string) (DirectoryOrganization, error) {
	if !ValidUUID(id) {
		return DirectoryOrganization{}, fmt.Errorf("organization %q: %w", id, ErrNotFound)
	}
	var o DirectoryOrganization
	err := e.readers.Read(ctx, func(db DB) error {
		rows, _ := db.Query(ctx, `SELECT `+organizationColumns+` FROM agencies WHERE uuid = $1`, id)
		var err error
		o, err = pgx.CollectExactlyOneRow(rows, organizationRow)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return o, fmt.Errorf("organization %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("organization %s: %w", id, err)
	}
	return o, nil
}

// DirectoryChanged is when the published directory last changed and how
// many records it holds: the feed's Last-Modified and the seed of its
// ETags.
func (e *Engine) DirectoryChanged(ctx context.Context) (time.Time, int64, error) {
	var at time.Time
	var n int64
	err := e.readers.Read(ctx, func(db DB) error {
		return db.QueryRow(ctx, `
		SELECT greatest((SELECT max(updated_at) FROM agencies), (SELECT max(updated_at) FROM services),
		                (SELECT max(updated_at) FROM locations), timestamptz 'epoch'),
		       (SELECT count(*) FROM services) * 1000003 + (SELECT count(*) FROM service_locations) * 1009
		       + (SELECT count(*) FROM agencies) + (SELECT count(*) FROM need_terms)
		       + coalesce((SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'postcodes'), 0)`).Scan(&at, &n)
	})
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("directory last changed: %w", err)
	}
	return at, n, nil
}

// NeedTerm is a need's place in another taxonomy (from the network file).
type NeedTerm struct {
	Need     Need   `db:"need"`
	Taxonomy string `db:"taxonomy"` // the taxonomy's name or id as feeds give it; "" for any
	Term     string `db:"term"`     // the term's id or code there
	Name     string `db:"name"`     // the term's name there, as the feed publishes it
}

// TermID is the term's UUID in the feed: its own id when it has one, else
// one derived from its taxonomy and code, the same in every call.
func (t NeedTerm) TermID() string {
	if ValidUUID(t.Term) {
		return strings.ToLower(t.Term)
	}
	return uuid.NewSHA1(namespaceOnward, []byte("term:"+t.Taxonomy+":"+t.Term)).String()
}

// TaxonomyID is the UUID of the term's taxonomy in the feed, likewise.
func (t NeedTerm) TaxonomyID() string {
	if ValidUUID(t.Taxonomy) {
		return strings.ToLower(t.Taxonomy)
	}
	return uuid.NewSHA1(namespaceOnward, []byte("taxonomy:"+t.Taxonomy)).String()
}

// NeedTerms lists where each need sits in other taxonomies.
func (e *Engine) NeedTerms(ctx context.Context) ([]NeedTerm, error) {
	var ts []NeedTerm
	err := e.readers.Read(ctx, func(db DB) error {
		rows, _ := db.Query(ctx, `SELECT need, taxonomy, term, name FROM need_terms ORDER BY need, taxonomy, term`)
		var err error
		ts, err = pgx.CollectRows(rows, pgx.RowToStructByName[NeedTerm])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read need terms: %w", err)
	}
	return ts, nil
}

// SetNeedTerm records that a term of another taxonomy means a need.
func (e *Engine) SetNeedTerm(ctx context.Context, db DB, t NeedTerm) error {
	if !t.Need.Valid() {
		return &ValidationError{Fields: []FieldError{{Field: "need", Message: fmt.Sprintf("%q is not a need we know", t.Need)}}}
	}
	if strings.TrimSpace(t.Term) == "" {
		return &ValidationError{Fields: []FieldError{{Field: "term", Message: "a taxonomy term needs its id or code"}}}
	}
	_, err := db.Exec(ctx, `INSERT INTO need_terms (need, taxonomy, term, name) VALUES ($1, $2, $3, $4)
		ON CONFLICT (taxonomy, term) DO UPDATE SET need = $1, name = $4`,
		t.Need, strings.TrimSpace(t.Taxonomy), strings.TrimSpace(t.Term), strings.TrimSpace(t.Name))
	if err != nil {
		return fmt.Errorf("set need term %s: %w", t.Term, err)
	}
	return nil
}

// fillSchedules gives services written before opening hours were
// structured their schedules, read from their opening hours text: the
// migration of today's text, where it parses (the rest is kept as a
// description).
func fillSchedules(ctx context.Context, db DB) error {
	rows, _ := db.Query(ctx, `SELECT id, opening_hours FROM services WHERE schedules IS NULL`)
	type row struct {
		ID    ServiceID `db:"id"`
		Hours string    `db:"opening_hours"`
	}
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return fmt.Errorf("migrate opening hours: %w", err)
	}
	for _, r := range rs {
		if _, err := db.Exec(ctx, `UPDATE services SET schedules = $2 WHERE id = $1`, r.ID, ParseOpeningHours(r.Hours)); err != nil {
			return fmt.Errorf("migrate opening hours of service %d: %w", r.ID, err)
		}
	}
	return nil
}
