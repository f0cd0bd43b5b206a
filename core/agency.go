package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
)

// Agency is a member organisation of the network.
type Agency struct {
	ID                   AgencyID   `db:"id"`
	Slug                 string     `db:"slug"`
	Name                 string     `db:"name"`
	Description          string     `db:"description"`
	Phone                string     `db:"phone"`
	Email                string     `db:"email"`
	Website              string     `db:"website"`
	Address              string     `db:"address"`
	SlackChannelID       string     `db:"slack_channel_id"`
	AtCapacity           bool       `db:"at_capacity"`
	CapacityNote         string     `db:"capacity_note"`
	AckTargetHours       int        `db:"ack_target_hours"`
	AcceptsSelfReferrals bool       `db:"accepts_self_referrals"`
	CreatedAt            time.Time  `db:"created_at"`
	RetiredAt            *time.Time `db:"retired_at"` // set when the agency left the network
	// CapacityUntil is the date an agency at capacity chose to publish
	// for taking new referrals again; the public directory shows it, never
	// the capacity note.
	CapacityUntil *time.Time `db:"capacity_until"`
	// NotifyEmail is a shared address that gets the agency's notifications
	// ("" for none); EmailStaff says when its staff get them at their own
	// addresses: "always", "without-slack" or "never".
	NotifyEmail string `db:"notify_email"`
	EmailStaff  string `db:"email_staff"`
}

// refuseRetired refuses to send a referral to an agency that has left the
// network (RetiredAt), as a ValidationError on field, saying when it left
// in the network's time (loc); nil for an agency still in it. Every way a
// referral reaches an agency asks it: staff referring, a coordinator
// assigning from triage, an agency redirecting. A stale page or a
// hand-made request must not send a client to an agency nobody watches.
func (a Agency) refuseRetired(field string, loc *time.Location) error {
	if a.RetiredAt == nil {
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	return &ValidationError{Fields: []FieldError{{Field: field,
		Message: fmt.Sprintf("%s has left the network (retired on %s): choose another agency", a.Name, a.RetiredAt.In(loc).Format("2 Jan 2006"))}}}
}

const agencyColumns = `id, slug, name, description, phone, email, website, address, slack_channel_id,
at_capacity, capacity_note, ack_target_hours, accepts_self_referrals, created_at, retired_at, capacity_until, notify_email, email_staff`

func getAgency(ctx context.Context, db DB, where string, arg any) (Agency, error) {
	rows, _ := db.Query(ctx, `SELECT `+agencyColumns+` FROM agencies WHERE `+where, arg)
	return collectAgency(rows)
}

// queueAgency queues the read of agency id in b; *a and *err hold the
// agency (or ErrNotFound) once b's results are read.
func queueAgency(b *pgx.Batch, id AgencyID, a *Agency, err *error) {
	b.Queue(`SELECT `+agencyColumns+` FROM agencies WHERE id = $1`, id).Query(func(rows pgx.Rows) error {
		*a, *err = collectAgency(rows)
		return nil
	})
}

// collectAgency reads the one agency rows hold.
func collectAgency(rows pgx.Rows) (Agency, error) {
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Agency])
	if errors.Is(err, pgx.ErrNoRows) {
		return Agency{}, ErrNotFound
	}
	return a, err
}

// Agency returns an agency by id.
func (e *Engine) Agency(ctx context.Context, id AgencyID) (Agency, error) {
	a, err := getAgency(ctx, e.pool, "id = $1", id)
	if err != nil {
		return Agency{}, fmt.Errorf("agency %d: %w", id, err)
	}
	return a, nil
}

// AgencyBySlug returns an agency by its short name.
func (e *Engine) AgencyBySlug(ctx context.Context, slug string) (Agency, error) {
	a, err := getAgency(ctx, e.pool, "slug = $1", slug)
	if err != nil {
		return Agency{}, fmt.Errorf("agency %q: %w", slug, err)
	}
	return a, nil
}

// Agencies lists every agency by name.
func (e *Engine) Agencies(ctx context.Context) ([]Agency, error) {
	rows, _ := e.pool.Query(ctx, `SELECT `+agencyColumns+` FROM agencies ORDER BY name`)
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[Agency])
	if err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	return as, nil
}

// DefaultAckTargetHours is a new agency's acknowledgement target, in
// working hours, when none is given: two working days.
const DefaultAckTargetHours = 16

// NewAgency is an agency to add to the network.
type NewAgency struct {
	Slug                 string `validate:"required,max=60,lowercase" label:"short name"`
	Name                 string `validate:"required,max=200" label:"name"`
	Description          string `validate:"max=2000" label:"description"`
	Phone                string `validate:"omitempty,max=40,contactphone" label:"phone"`
	Email                string `validate:"omitempty,email" label:"email"`
	Website              string `validate:"omitempty,url" label:"website"`
	Address              string `validate:"max=500" label:"address"`
	SlackChannelID       string `validate:"max=32" label:"Slack channel"`
	AckTargetHours       int    `validate:"min=1,max=400" label:"acknowledgement target"`
	AcceptsSelfReferrals bool
	// Notifications is where its email notifications go; the zero value
	// is no shared address and staff emailed while it is not on Slack.
	Notifications AgencyNotifications `validate:"-"`
}

const sqlInsertAgency = `
INSERT INTO agencies (slug, name, description, phone, email, website, address, slack_channel_id,
    ack_target_hours, accepts_self_referrals, created_at, updated_at, notify_email, email_staff)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13) RETURNING id`

// check is every rule a new agency from a person keeps (the staff web's
// form, the network file): its tags, a short name of the agencies table's
// letters, a description (descriptionRequired), a Slack channel id that
// is one, and where its notifications go.
// AddAgency itself keeps only the tags, for fixtures and the demo.
func (a *NewAgency) check() error {
	verr := mergeValidation(validate(a), a.Notifications.check())
	if a.Slug != "" && !slugRe.MatchString(a.Slug) {
		verr = mergeValidation(verr, &ValidationError{Fields: []FieldError{{Field: "short name",
			Message: "Enter a short name in lower-case letters, digits and hyphens, like kirkton-cab"}}})
	}
	if strings.TrimSpace(a.Description) == "" {
		verr = mergeValidation(verr, &ValidationError{Fields: []FieldError{{Field: "description", Message: descriptionRequired}}})
	}
	return mergeValidation(verr, checkSlackChannel(a.SlackChannelID))
}

// descriptionRequired says why an agency needs a description: the UK Open
// Referral profile requires one of every organisation the feed publishes.
const descriptionRequired = "description is required: say in a sentence or two what the agency does (the directory and its Open Referral feed publish it)"

// validContactPhone reports whether s is a phone number the directory can
// publish for people to call: digits and the usual separators only, and a
// number of a country Onward serves, of any kind (freephone, 03 and
// non-geographic numbers too, unlike ParsePhone, which is for numbers
// Onward texts). "call us" is not one.
func validContactPhone(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || !phoneChars(s) {
		return false
	}
	n, err := phonenumbers.Parse(s, currentPhoneCountries().list[0])
	if err != nil {
		return false
	}
	return phonenumbers.IsValidNumber(n) || dramaPhone(Phone(phonenumbers.Format(n, phonenumbers.E164)))
}

// ParseLanguage reads a language a service is offered in as its ISO 639
// code ("pl"; also "PL" or "pl-PL", kept as "pl"). The directory names it
// and matching compares it with the client's language, so a code no
// standard knows ("xx") or a language's name ("Polish") is refused.
func ParseLanguage(s string) (string, error) {
	t, err := language.Parse(strings.ReplaceAll(strings.TrimSpace(s), "_", "-"))
	base, conf := t.Base()
	if err != nil || t.IsRoot() || conf == language.No {
		return "", fmt.Errorf("%q is not a language code: give ISO 639 codes, like en, pl or ar", s)
	}
	return base.String(), nil
}

// AddAgency adds an agency.
func (e *Engine) AddAgency(ctx context.Context, db DB, a NewAgency) (AgencyID, error) {
	if err := mergeValidation(validate(a), a.Notifications.check()); err != nil {
		return 0, err
	}
	var id AgencyID
	err := db.QueryRow(ctx, sqlInsertAgency, a.Slug, a.Name, a.Description, a.Phone, a.Email, a.Website,
		a.Address, a.SlackChannelID, a.AckTargetHours, a.AcceptsSelfReferrals, e.clock.Now(),
		a.Notifications.NotifyEmail, a.Notifications.EmailStaff).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add agency %s: %w", a.Slug, err)
	}
	return id, nil
}

// Service is a directory entry: what an agency offers, to whom, where.
// Shaped after Open Referral HSDS `service` with its area and languages.
type Service struct {
	ID                ServiceID `db:"id"`
	AgencyID          AgencyID  `db:"agency_id"`
	Name              string    `db:"name"`
	Description       string    `db:"description"`
	Needs             []Need    `db:"needs"`
	Eligibility       string    `db:"eligibility"`
	PostcodeDistricts []string  `db:"postcode_districts"`
	CouncilAreas      []string  `db:"council_areas"`
	Languages         []string  `db:"languages"`
	OpeningHours      string    `db:"opening_hours"`
	Active            bool      `db:"active"`
	UUID              string    `db:"uuid"` // its id in the Open Referral feed and the directory's addresses
	// Referable: matching may offer it. Imported services wait until a
	// coordinator enables them.
	Referable bool `db:"referable"`
}

const serviceColumns = `id, agency_id, name, description, needs, eligibility, postcode_districts,
council_areas, languages, opening_hours, active, uuid::text AS uuid, referable`

// Services lists active services, of one agency or (0) all.
func (e *Engine) Services(ctx context.Context, agency AgencyID) ([]Service, error) {
	rows, _ := e.pool.Query(ctx, `SELECT `+serviceColumns+` FROM services
		WHERE active AND ($1::bigint = 0 OR agency_id = $1) ORDER BY agency_id, name`, agency)
	ss, err := pgx.CollectRows(rows, pgx.RowToStructByName[Service])
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return ss, nil
}

// Service returns a directory service by id.
func (e *Engine) Service(ctx context.Context, id ServiceID) (Service, error) {
	return getService(ctx, e.pool, id)
}

// getService reads a directory service through db.
func getService(ctx context.Context, db DB, id ServiceID) (Service, error) {
	rows, _ := db.Query(ctx, `SELECT `+serviceColumns+` FROM services WHERE id = $1`, id)
	return collectRecord[Service](rows, fmt.Sprintf("service %d", id))
}

// ServiceByUUID returns a directory service by its UUID.
func (e *Engine) ServiceByUUID(ctx context.Context, id string) (Service, error) {
	if !ValidUUID(id) {
		return Service{}, fmt.Errorf("service %q: %w", id, ErrNotFound)
	}
	rows, _ := e.pool.Query(ctx, `SELECT `+serviceColumns+` FROM services WHERE uuid = $1`, id)
	return collectRecord[Service](rows, "service "+id)
}

// NewService is a directory service to add.
type NewService struct {
	AgencyID          AgencyID `validate:"required" label:"agency"`
	Name              string   `validate:"required,max=200" label:"service name"`
	Description       string   `validate:"max=4000" label:"description"`
	Needs             []Need   `validate:"required,min=1,dive,need" label:"needs"`
	Eligibility       string   `validate:"max=2000" label:"eligibility"`
	PostcodeDistricts []string `validate:"dive,district" label:"postcode districts"`
	CouncilAreas      []string `validate:"dive,max=20" label:"council areas"`
	Languages         []string `validate:"dive,max=20" label:"languages"` // ISO 639 codes (ParseLanguage)
	OpeningHours      string   `validate:"max=500" label:"opening hours"`
}

const sqlInsertService = `
INSERT INTO services (agency_id, name, description, needs, eligibility, postcode_districts, council_areas,
    languages, opening_hours, created_at, updated_at, schedules)
VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8::text[], '{en}'), $9, $10, $10, $11) RETURNING id`

// AddService adds a directory service.
func (e *Engine) AddService(ctx context.Context, db DB, s NewService) (ServiceID, error) {
	c, err := checkService(s)
	if err != nil {
		return 0, err
	}
	if err := checkServiceDistricts(ctx, db, c.districts); err != nil {
		return 0, err
	}
	var id ServiceID
	err = db.QueryRow(ctx, sqlInsertService, s.AgencyID, s.Name, s.Description, NeedStrings(s.Needs), s.Eligibility,
		c.districts, c.councils, c.langs, s.OpeningHours, e.clock.Now(), ParseOpeningHours(s.OpeningHours)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add service %s: %w", s.Name, err)
	}
	return id, nil
}

// checkedService is a directory service's areas and languages as they
// are stored.
type checkedService struct {
	districts []string // normalised: "ky1" → "KY1"
	councils  []string // GSS codes: "Fife" → "S12000047"
	langs     []string // ISO 639 codes; nil for the default
}

// checkService validates a directory service and returns its areas and
// languages as they are stored.
func checkService(s NewService) (checkedService, error) {
	var c checkedService
	if err := validate(s); err != nil {
		return c, err
	}
	if len(s.PostcodeDistricts) == 0 && len(s.CouncilAreas) == 0 {
		return c, &ValidationError{Fields: []FieldError{{Field: "postcode districts", Message: "a service needs an area: postcode districts, council areas or both"}}}
	}
	c.districts = make([]string, len(s.PostcodeDistricts))
	for i, d := range s.PostcodeDistricts {
		c.districts[i], _ = ParseDistrict(d)
	}
	c.councils = make([]string, 0, len(s.CouncilAreas))
	for _, a := range s.CouncilAreas {
		code, err := ParseCouncilArea(a)
		if err != nil {
			return c, &ValidationError{Fields: []FieldError{{Field: "council areas", Message: "council areas: " + err.Error()}}}
		}
		if !slices.Contains(c.councils, code) {
			c.councils = append(c.councils, code)
		}
	}
	var bad []string
	for _, l := range s.Languages {
		code, err := ParseLanguage(l)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%q", l))
			continue
		}
		if !slices.Contains(c.langs, code) {
			c.langs = append(c.langs, code)
		}
	}
	if bad != nil {
		return c, &ValidationError{Fields: []FieldError{{Field: "languages", Message: fmt.Sprintf(
			"languages: %s is not a language code; give ISO 639 codes, like en, pl or ar", strings.Join(bad, ", "))}}}
	}
	return c, nil
}

// checkServiceDistricts refuses a service area outside the network: each
// postcode district must be one of the network's (the network file's
// districts), or clients there would be matched to a service the
// network's own pages say nothing about.
func checkServiceDistricts(ctx context.Context, db DB, districts []string) error {
	if len(districts) == 0 {
		return nil
	}
	rows, _ := db.Query(ctx, `SELECT district FROM postcode_districts ORDER BY district`)
	have, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("read postcode districts: %w", err)
	}
	var outside []string
	for _, d := range districts {
		if !slices.Contains(have, d) && !slices.Contains(outside, d) {
			outside = append(outside, d)
		}
	}
	if outside == nil {
		return nil
	}
	known := "none yet"
	if len(have) > 0 {
		known = strings.Join(have, ", ")
	}
	return &ValidationError{Fields: []FieldError{{Field: "postcode districts", Message: fmt.Sprintf(
		"postcode districts: %s is not one of the network's districts (%s); add it to the network file's districts first",
		strings.Join(outside, ", "), known)}}}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const sqlSetCapacity = `
UPDATE agencies SET at_capacity = $2, capacity_note = $3, updated_at = $4,
    capacity_until = CASE WHEN $2 THEN capacity_until END
WHERE id = $1`

// sqlAgencyForUpdate reads an agency and locks its row until the
// transaction ends: a change that depends on what the agency was waits
// for any other change of it to finish first, and then reads the result.
const sqlAgencyForUpdate = `SELECT ` + agencyColumns + ` FROM agencies WHERE id = $1 FOR UPDATE`

// CapacityAlert writes the coordinators' alert of a change of an
// agency's capacity, from the agency as it was before the change: the
// words are the channel's (a template), when it goes is core's rule
// (ChangeCapacity).
type CapacityAlert func(before Agency) string

// SetCapacity marks an agency at capacity (no new referrals are routed to
// it) or taking referrals again. Agency staff may set their own agency;
// coordinators any. It alerts nobody; ChangeCapacity does.
func (e *Engine) SetCapacity(ctx context.Context, agency AgencyID, atCapacity bool, note string, by Actor) error {
	_, err := e.ChangeCapacity(ctx, agency, atCapacity, note, by, nil)
	return err
}

// CheckCapacityNote says whether note may be an agency's capacity note:
// a *ValidationError when it is longer than 500 characters (characters,
// not bytes: a note in Polish or Arabic has the room the box shows).
// ChangeCapacity checks it, and the staff web before it asks whether to
// mark an agency at capacity, so that nobody confirms a change that
// would be refused.
func CheckCapacityNote(note string) error {
	if utf8.RuneCountInString(strings.TrimSpace(note)) > 500 {
		return &ValidationError{Fields: []FieldError{{Field: "note", Message: "note must be at most 500 characters"}}}
	}
	return nil
}

// ChangeCapacity is SetCapacity that says whether the agency was at
// capacity before and, when this call changed that (at capacity, or
// taking referrals again) and alert is given, queues the coordinators'
// alert in the same transaction. The agency's row is locked for the
// change, so of any number of presses at the same moment exactly one
// finds the agency as it was and alerts; the others find it changed
// already. Pressing again, or changing only the note, alerts nobody.
func (e *Engine) ChangeCapacity(ctx context.Context, agency AgencyID, atCapacity bool, note string, by Actor, alert CapacityAlert) (was bool, err error) {
	if by.Kind == ActorStaff && by.AgencyID != agency && !by.Coordinates() {
		return false, &ForbiddenError{Why: "only the agency's own staff or a coordinator can change its capacity"}
	}
	if err := CheckCapacityNote(note); err != nil {
		return false, err
	}
	// A note of only spaces says nothing, and is kept as none.
	note = strings.TrimSpace(note)
	if !atCapacity {
		note = ""
	}
	told := false
	err = inTx(ctx, e.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, sqlAgencyForUpdate, agency)
		before, err := collectAgency(rows)
		if err != nil {
			return fmt.Errorf("set capacity of agency %d: %w", agency, err)
		}
		was = before.AtCapacity
		now := e.clock.Now()
		if _, err := tx.Exec(ctx, sqlSetCapacity, agency, atCapacity, note, now); err != nil {
			return fmt.Errorf("set capacity of agency %d: %w", agency, err)
		}
		// The alert is the news of this change, so its dedupe key names
		// the change's event.
		var event int64
		if err := tx.QueryRow(ctx, sqlAppendEvent, e.eventArgs(newEvent{kind: EventCapacityChanged, agency: agency, actor: by,
			data: eventData("at_capacity", atCapacity, "note", note)}, now)...).Scan(&event); err != nil {
			return fmt.Errorf("append %s event: %w", EventCapacityChanged, err)
		}
		if alert == nil || was == atCapacity {
			return nil
		}
		level := "capacity-open"
		if atCapacity {
			level = "capacity-full"
		}
		told = true
		return e.outbox.EnqueueTx(ctx, tx, OutboxAlert, 0, OutboxPayload{AgencyID: agency, Level: level, Text: alert(before)},
			fmt.Sprintf("capacity:%d:event:%d", agency, event), time.Time{})
	})
	if err != nil {
		return false, err
	}
	if told {
		e.WakeWorkers()
	}
	return was, nil
}
