package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// DirectoryChange is one thing an import adds, changes or retires.
type DirectoryChange struct {
	Action string // "add", "change" or "retire"
	Kind   string // "organization", "service" or "location"
	UUID   string
	Name   string
	Fields []string // for a change: what differs
}

func (c DirectoryChange) String() string {
	s := fmt.Sprintf("%s %s %s %q", c.Action, c.Kind, c.UUID, c.Name)
	if len(c.Fields) > 0 {
		s += " (" + strings.Join(c.Fields, ", ") + ")"
	}
	return s
}

// DirectoryImport is what an import did, or would do.
type DirectoryImport struct {
	Changes []DirectoryChange
	DryRun  bool
}

// Count returns how many changes have the action.
func (r DirectoryImport) Count(action string) int {
	n := 0
	for _, c := range r.Changes {
		if c.Action == action {
			n++
		}
	}
	return n
}

// DirectoryImportFrom says where an import came from and who ran it, for
// the audit log.
type DirectoryImportFrom struct {
	Source string // the file, or the feed's address without its query (which may hold a key)
	By     Actor  // a coordinator, or the command line as the system
}

// ImportDirectory merges services (with their organizations and
// locations, as read from an Open Referral feed) into the directory by
// UUID, in one transaction: what is new is added (a new service is not
// referable until a coordinator enables it), what differs is changed, and
// an organization's services the feed no longer lists are retired
// (inactive). With dryRun nothing is kept: the report says what would
// happen. Records that are the same are not touched.
//
// Each addition, change and retirement is an event in its agency's audit
// chain, written in the same transaction, saying what changed, from which
// source and by whom.
func (e *Engine) ImportDirectory(ctx context.Context, feed []DirectoryService, dryRun bool, from DirectoryImportFrom) (DirectoryImport, error) {
	rep := DirectoryImport{DryRun: dryRun}
	if err := mayKeepDirectory(from.By); err != nil {
		return rep, err
	}
	existing, err := e.AllDirectoryServices(ctx)
	if err != nil {
		return rep, err
	}
	have := map[string]DirectoryService{}
	for _, s := range existing {
		have[s.UUID] = s
	}
	now := e.clock.Now()
	errRollback := errors.New("dry run")
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		record := func(agency AgencyID, c DirectoryChange) error {
			rep.Changes = append(rep.Changes, c)
			kind := EventServiceChanged
			if c.Kind == "organization" {
				kind = EventAgencyChanged
			}
			data := eventData("import", from.Source, "action", c.Action, "uuid", c.UUID, "name", c.Name)
			if len(c.Fields) > 0 {
				data["fields"] = c.Fields
			}
			return e.appendEvent(ctx, tx, newEvent{kind: kind, agency: agency, actor: from.By, data: data})
		}
		orgs := map[string]AgencyID{}
		feedOrgs := map[string]bool{}
		inFeed := map[string]bool{}
		for _, s := range feed {
			o := s.Organization
			feedOrgs[o.UUID] = true
			inFeed[s.UUID] = true
			if _, done := orgs[o.UUID]; done {
				continue
			}
			id, change, err := e.mergeOrganization(ctx, tx, o, now)
			if err != nil {
				return err
			}
			orgs[o.UUID] = id
			if change != nil {
				if err := record(id, *change); err != nil {
					return err
				}
			}
		}
		for _, s := range feed {
			s.AgencyID = orgs[s.Organization.UUID]
			old, ok := have[s.UUID]
			s = keepUnsaid(s, old, ok)
			var fields []string
			if ok {
				fields = serviceDiff(old, s)
				if len(fields) == 0 {
					continue
				}
			}
			if err := e.writeService(ctx, tx, s, ok, now); err != nil {
				return err
			}
			c := DirectoryChange{Action: "add", Kind: "service", UUID: s.UUID, Name: s.Name}
			if ok {
				c = DirectoryChange{Action: "change", Kind: "service", UUID: s.UUID, Name: s.Name, Fields: fields}
			}
			if err := record(s.AgencyID, c); err != nil {
				return err
			}
		}
		for _, s := range existing {
			if s.Active && feedOrgs[s.Organization.UUID] && !inFeed[s.UUID] {
				if _, err := tx.Exec(ctx, `UPDATE services SET active = false, updated_at = $2 WHERE id = $1`, s.ID, now); err != nil {
					return fmt.Errorf("retire service %s: %w", s.UUID, err)
				}
				if err := record(s.AgencyID, DirectoryChange{Action: "retire", Kind: "service", UUID: s.UUID, Name: s.Name}); err != nil {
					return err
				}
			}
		}
		if dryRun {
			return errRollback
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRollback) {
		return DirectoryImport{}, err
	}
	e.forgetCache()
	return rep, nil
}

// keepUnsaid fills the lists a feed record left out (nil) from the
// service as it is, or for a new service with the defaults: every service
// has a need and a language. Council areas are stored by code.
func keepUnsaid(s, old DirectoryService, exists bool) DirectoryService {
	if !exists {
		old = DirectoryService{Needs: []Need{NeedOther}, Languages: []string{"en"}, PostcodeDistricts: []string{},
			CouncilAreas: []string{}, Schedules: []Schedule{}, CostOptions: []CostOption{}, ExternalTerms: []ExternalTerm{}}
	}
	if s.Schedules == nil {
		s.Schedules = old.Schedules
	}
	if s.PostcodeDistricts == nil {
		s.PostcodeDistricts, s.CouncilAreas = old.PostcodeDistricts, old.CouncilAreas
	}
	if len(s.Languages) == 0 { // none given, or none with a code we can read
		s.Languages = old.Languages
	}
	if s.Needs == nil {
		s.Needs, s.ExternalTerms = old.Needs, old.ExternalTerms
	}
	if len(s.Needs) == 0 {
		s.Needs = []Need{NeedOther}
	}
	if s.CostOptions == nil {
		s.CostOptions = old.CostOptions
	}
	if s.Locations == nil && exists {
		s.Locations = old.Locations
	}
	s.CouncilAreas = feedCouncilAreas(s.CouncilAreas)
	return s
}

var slugUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

const (
	sqlOrganizationByUUID = `SELECT id, uuid::text AS uuid, slug, name, description, email, website, phone, updated_at FROM agencies WHERE uuid = $1`
	sqlInsertOrganization = `
INSERT INTO agencies (uuid, slug, name, description, email, website, phone, accepts_self_referrals, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, $8) RETURNING id`
	sqlUpdateOrganization = `UPDATE agencies SET name = $2, description = $3, email = $4, website = $5, phone = $6, updated_at = $7 WHERE id = $1`
)

// mergeOrganization adds or updates an agency from the feed.
func (e *Engine) mergeOrganization(ctx context.Context, tx pgx.Tx, o DirectoryOrganization, now time.Time) (AgencyID, *DirectoryChange, error) {
	rows, _ := tx.Query(ctx, sqlOrganizationByUUID, o.UUID)
	old, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[DirectoryOrganization])
	if errors.Is(err, pgx.ErrNoRows) {
		base := strings.Trim(slugUnsafe.ReplaceAllString(strings.ToLower(o.Name), "-"), "-")
		if len(base) > 50 {
			base = strings.Trim(base[:50], "-")
		}
		if base == "" {
			base = "organization"
		}
		slug := base
		for i := 2; ; i++ {
			var taken bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM agencies WHERE slug = $1)`, slug).Scan(&taken); err != nil {
				return 0, nil, fmt.Errorf("import organization %s: %w", o.UUID, err)
			}
			if !taken {
				break
			}
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		var id AgencyID
		if err := tx.QueryRow(ctx, sqlInsertOrganization, o.UUID, slug, o.Name, o.Description, o.Email, o.Website, o.Phone, now).Scan(&id); err != nil {
			return 0, nil, fmt.Errorf("import organization %s: %w", o.UUID, err)
		}
		return id, &DirectoryChange{Action: "add", Kind: "organization", UUID: o.UUID, Name: o.Name}, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("import organization %s: %w", o.UUID, err)
	}
	var fields []string
	for _, f := range []struct {
		name     string
		old, new string
	}{{"name", old.Name, o.Name}, {"description", old.Description, o.Description}, {"email", old.Email, o.Email},
		{"website", old.Website, o.Website}, {"phone", old.Phone, o.Phone}} {
		if f.old != f.new {
			fields = append(fields, f.name)
		}
	}
	if len(fields) == 0 {
		return old.ID, nil, nil
	}
	if _, err := tx.Exec(ctx, sqlUpdateOrganization, old.ID, o.Name, o.Description, o.Email, o.Website, o.Phone, now); err != nil {
		return 0, nil, fmt.Errorf("import organization %s: %w", o.UUID, err)
	}
	return old.ID, &DirectoryChange{Action: "change", Kind: "organization", UUID: o.UUID, Name: o.Name, Fields: fields}, nil
}

// serviceDiff names the fields in which an imported service differs.
func serviceDiff(old, s DirectoryService) []string {
	j := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	var out []string
	for _, f := range []struct {
		name     string
		old, new any
	}{
		{"organization", old.Organization.UUID, s.Organization.UUID},
		{"name", old.Name, s.Name}, {"description", old.Description, s.Description}, {"url", old.URL, s.URL},
		{"email", old.Email, s.Email}, {"status", old.Active, s.Active}, {"eligibility", old.Eligibility, s.Eligibility},
		{"minimum_age", old.MinimumAge, s.MinimumAge}, {"maximum_age", old.MaximumAge, s.MaximumAge},
		{"service_areas", j(nonNil(old.PostcodeDistricts)) + j(nonNil(old.CouncilAreas)), j(nonNil(s.PostcodeDistricts)) + j(nonNil(s.CouncilAreas))},
		{"languages", j(old.Languages), j(s.Languages)},
		{"schedules", j(nonNilSlice(old.Schedules)), j(nonNilSlice(s.Schedules))},
		{"cost_options", j(nonNilSlice(old.CostOptions)), j(nonNilSlice(s.CostOptions))},
		{"taxonomy_terms", j(old.Needs) + j(nonNilSlice(old.ExternalTerms)), j(s.Needs) + j(nonNilSlice(s.ExternalTerms))},
		{"locations", j(locationKeys(old.Locations)), j(locationKeys(s.Locations))},
	} {
		if j(f.old) != j(f.new) {
			out = append(out, f.name)
		}
	}
	return out
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// locationKeys is what an import compares of a service's locations.
func locationKeys(ls []DirectoryLocation) []DirectoryLocation {
	out := make([]DirectoryLocation, len(ls))
	for i, l := range ls {
		out[i] = DirectoryLocation{UUID: l.UUID, LinkUUID: l.LinkUUID, Name: l.Name, Description: l.Description,
			Address1: l.Address1, City: l.City, StateProvince: l.StateProvince, PostalCode: l.PostalCode, Country: l.Country,
			Latitude: l.Latitude, Longitude: l.Longitude}
	}
	slices.SortFunc(out, func(a, b DirectoryLocation) int { return strings.Compare(a.LinkUUID, b.LinkUUID) })
	return out
}

const (
	sqlImportInsertService = `
INSERT INTO services (uuid, agency_id, name, description, url, email, active, referable, needs, eligibility,
    minimum_age, maximum_age, postcode_districts, council_areas, languages, opening_hours, schedules, cost_options,
    external_terms, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19) RETURNING id`
	sqlImportUpdateService = `
UPDATE services SET agency_id = $2, name = $3, description = $4, url = $5, email = $6, active = $7, needs = $8,
    eligibility = $9, minimum_age = $10, maximum_age = $11, postcode_districts = $12, council_areas = $13,
    languages = $14, opening_hours = $15, schedules = $16, cost_options = $17, external_terms = $18, updated_at = $19
WHERE uuid = $1 RETURNING id`
	sqlImportLocation = `
INSERT INTO locations (uuid, agency_id, name, description, address_1, city, state_province, postal_code, country,
    latitude, longitude, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
ON CONFLICT (uuid) DO NOTHING`
	sqlImportLink = `INSERT INTO service_locations (uuid, service_id, location_id) SELECT $1, $2, id FROM locations WHERE uuid = $3`
)

// writeService inserts or updates a service and its locations.
func (e *Engine) writeService(ctx context.Context, tx pgx.Tx, s DirectoryService, exists bool, now time.Time) error {
	hours := ScheduleText(s.Schedules)
	if exists {
		// Keep the words staff wrote when the schedules they parse to
		// are what the feed says.
		var old string
		if err := tx.QueryRow(ctx, `SELECT opening_hours FROM services WHERE uuid = $1`, s.UUID).Scan(&old); err != nil {
			return fmt.Errorf("import service %s: %w", s.UUID, err)
		}
		if a, _ := json.Marshal(ParseOpeningHours(old)); string(a) == mustJSON(nonNilSlice(s.Schedules)) {
			hours = old
		}
	}
	args := []any{s.UUID, s.AgencyID, s.Name, s.Description, s.URL, s.Email, s.Active, NeedStrings(s.Needs),
		s.Eligibility, s.MinimumAge, s.MaximumAge, nonNil(s.PostcodeDistricts), nonNil(s.CouncilAreas),
		nonNil(s.Languages), hours, nonNilSlice(s.Schedules), nonNilSlice(s.CostOptions), nonNilSlice(s.ExternalTerms), now}
	sql := sqlImportInsertService
	if exists {
		sql = sqlImportUpdateService
	}
	var id ServiceID
	if err := tx.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
		return fmt.Errorf("import service %s (%s): %w", s.UUID, s.Name, err)
	}
	if s.Locations == nil {
		return nil // a new service the feed gives no place: its agency's main location, as the trigger linked
	}
	if _, err := tx.Exec(ctx, `DELETE FROM service_locations WHERE service_id = $1`, id); err != nil {
		return fmt.Errorf("import service %s: %w", s.UUID, err)
	}
	for _, l := range s.Locations {
		var oldL DirectoryLocation
		rows, _ := tx.Query(ctx, `SELECT l.id, l.uuid::text AS uuid, '' AS link_uuid, 0::bigint AS service_id, l.agency_id, l.name,
			l.description, l.address_1, l.city, l.state_province, l.postal_code, l.country,
			coalesce(l.latitude, p.latitude) AS latitude, coalesce(l.longitude, p.longitude) AS longitude, NULL::double precision AS distance
			FROM locations l LEFT JOIN postcodes p ON p.postcode = l.postal_code WHERE l.uuid = $1`, l.UUID)
		oldL, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[DirectoryLocation])
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if _, err := tx.Exec(ctx, sqlImportLocation, l.UUID, s.AgencyID, l.Name, l.Description, l.Address1, l.City,
				l.StateProvince, l.PostalCode, l.Country, l.Latitude, l.Longitude, now); err != nil {
				return fmt.Errorf("import location %s: %w", l.UUID, err)
			}
		case err != nil:
			return fmt.Errorf("import location %s: %w", l.UUID, err)
		default:
			a, b := locationKeys([]DirectoryLocation{oldL}), locationKeys([]DirectoryLocation{l})
			a[0].LinkUUID, b[0].LinkUUID = "", ""
			if mustJSON(a) != mustJSON(b) {
				if _, err := tx.Exec(ctx, `UPDATE locations SET from_agency = false, name = $2, description = $3, address_1 = $4,
					city = $5, state_province = $6, postal_code = $7, country = $8, latitude = $9, longitude = $10, updated_at = $11
					WHERE id = $1`, oldL.ID, l.Name, l.Description, l.Address1, l.City, l.StateProvince, l.PostalCode, l.Country,
					l.Latitude, l.Longitude, now); err != nil {
					return fmt.Errorf("import location %s: %w", l.UUID, err)
				}
			}
		}
		if _, err := tx.Exec(ctx, sqlImportLink, l.LinkUUID, id, l.UUID); err != nil {
			if isUniqueViolation(err, "") {
				return fmt.Errorf("import service %s: service_at_location %s is already another service's", s.UUID, l.LinkUUID)
			}
			return fmt.Errorf("import service %s: link to location %s: %w", s.UUID, l.UUID, err)
		}
	}
	return nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

const sqlSetReferable = `UPDATE services SET referable = $2, updated_at = $3 WHERE id = $1 RETURNING agency_id, name`

// SetReferable lets matching offer a service (or stops it): imported
// services wait for a coordinator to enable them. Only coordinators and
// admins may; the change is an event in the agency's audit chain.
func (e *Engine) SetReferable(ctx context.Context, id ServiceID, referable bool, by Actor) error {
	if err := mayKeepDirectory(by); err != nil {
		return err
	}
	return inTx(ctx, e.pool, func(tx pgx.Tx) error {
		var agency AgencyID
		var name string
		err := tx.QueryRow(ctx, sqlSetReferable, id, referable, e.clock.Now()).Scan(&agency, &name)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("service %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("set service %d referable: %w", id, err)
		}
		return e.appendEvent(ctx, tx, newEvent{kind: EventServiceChanged, agency: agency, actor: by,
			data: eventData("service_id", int64(id), "name", name, "referable", referable)})
	})
}
