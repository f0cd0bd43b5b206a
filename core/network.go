package core

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Network is the network-wide settings: who the network is, how to reach
// it, its working calendar and its current consent wording.
type Network struct {
	Name             string        `db:"name"`
	Phone            string        `db:"phone"`
	OpeningHours     string        `db:"opening_hours"`
	CrisisLines      string        `db:"crisis_lines"`
	DirectoryURL     string        `db:"directory_url"`
	DataSharingURL   string        `db:"data_sharing_url"`
	Timezone         string        `db:"timezone"`
	WorkingDays      []int32       `db:"working_days"` // ISO weekdays, Monday = 1
	WorkingStart     time.Duration `db:"working_start"`
	WorkingEnd       time.Duration `db:"working_end"`
	QuietStart       time.Duration `db:"quiet_start"`
	QuietEnd         time.Duration `db:"quiet_end"`
	AutoRoute        bool          `db:"auto_route"`
	ContactCheckDays int           `db:"contact_check_days"`
	ContactNudgeDays int           `db:"contact_nudge_days"`
	ConsentVersion   string        `db:"consent_version"`
	// CrisisAckHours is a crisis referral's acknowledgement target in
	// working hours; a crisis raised on a working day before
	// CrisisSameDayBefore (local time of day) is due that same day.
	CrisisAckHours      int           `db:"crisis_ack_hours"`
	CrisisSameDayBefore time.Duration `db:"crisis_same_day_before"`
	// OfferedOutcomes and OfferedTopics are the lists the network file
	// names (empty: the defaults); read them through Outcomes and
	// AdviceTopics.
	OfferedOutcomes []OutcomeOption `db:"outcomes"`
	OfferedTopics   []AdviceTopic   `db:"advice_topics"`

	// OpeningHoursTranslations are OpeningHours in other languages, by
	// language code ("pl"); read the hours through OpeningHoursIn.
	OpeningHoursTranslations map[string]string `db:"opening_hours_translations"`
	// CrisisLinesTranslations are CrisisLines in other languages, by
	// language code; read the lines through CrisisLinesIn.
	CrisisLinesTranslations map[string]string `db:"crisis_lines_translations"`

	// DataController, DataProtectionEmail and DataProtectionPhone are what
	// the privacy notice names: who is responsible for clients' details,
	// and how to reach the data protection officer ("" when not given).
	DataController      string `db:"data_controller"`
	DataProtectionEmail string `db:"data_protection_email"`
	DataProtectionPhone string `db:"data_protection_phone"`
}

const sqlSelectNetwork = `
SELECT name, phone, opening_hours, opening_hours_translations, crisis_lines, crisis_lines_translations, directory_url, data_sharing_url, timezone,
       working_days,
       working_start - time '00:00' AS working_start, working_end - time '00:00' AS working_end,
       quiet_start - time '00:00' AS quiet_start, quiet_end - time '00:00' AS quiet_end, auto_route,
       contact_check_days, contact_nudge_days, consent_version,
       crisis_ack_hours, crisis_same_day_before - time '00:00' AS crisis_same_day_before,
       outcomes, advice_topics, data_controller, data_protection_email, data_protection_phone
FROM network_settings`

// ErrNoNetwork means the database has no network settings yet (`onward demo`
// or `onward network init` writes them).
var ErrNoNetwork = errors.New("the network is not set up yet: run `onward network import FILE` (`onward network example` prints one to start from), or `onward demo` for the fictional demo network")

// engineCache holds rarely-changing rows for a short time so the hot paths
// do not reread them on every referral. Consent wordings never change once
// written, so they are kept for good.
type engineCache struct {
	mu          sync.Mutex
	gen         uint64 // counts forgetCache's calls (cachedOr)
	network     *Network
	location    *time.Location
	holidays    map[string]bool
	loadedAt    time.Time
	wordings    map[string]ConsentWording // by version and language
	districts   map[string]District
	districtsAt time.Time
	// dataProtection is read on every inbound text (its withdraw keyword).
	dataProtection   *DataProtection
	dataProtectionAt time.Time
}

const cacheTTL = 10 * time.Second

// Network returns the network settings (cached for a few seconds).
func (e *Engine) Network(ctx context.Context) (Network, error) {
	cal, err := e.calendar(ctx)
	if err != nil {
		return Network{}, err
	}
	return cal.Network, nil
}

// Calendar is the network's working calendar: working days and hours in the
// network's time zone, and bank holidays.
type Calendar struct {
	Network
	Location *time.Location
	Holidays map[string]bool // "2026-12-25"
}

const sqlSelectHolidays = `SELECT day::text FROM bank_holidays`

func (e *Engine) calendar(ctx context.Context) (Calendar, error) {
	return e.calendarIn(ctx, e.pool)
}

// calendarIn is calendar reading, when its cache is stale, through db: a
// caller inside a transaction passes it, so it never waits for a second
// connection from the pool while holding one (with every connection held
// by such callers, none would ever come). The cache's lock is never held
// while reading, for the same reason: a caller in a transaction must not
// wait behind one that waits for the pool (see cachedOr).
func (e *Engine) calendarIn(ctx context.Context, db DB) (Calendar, error) {
	c := &e.cache
	return cachedOr(&c.mu, &c.gen, func() (Calendar, bool) {
		if c.network == nil || time.Since(c.loadedAt) > cacheTTL {
			return Calendar{}, false
		}
		return Calendar{Network: *c.network, Location: c.location, Holidays: c.holidays}, true
	}, func() (Calendar, error) { return ReadCalendar(ctx, db) }, func(cal Calendar) {
		n := cal.Network
		c.network, c.location, c.holidays, c.loadedAt = &n, cal.Location, cal.Holidays, time.Now()
	})
}

// ReadCalendar reads the network's working calendar through db, uncached:
// for readers outside the engine (the reports, which count working days
// as the engine does) and for the engine's own cache.
func ReadCalendar(ctx context.Context, db DB) (Calendar, error) {
	rows, _ := db.Query(ctx, sqlSelectNetwork)
	n, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Network])
	if errors.Is(err, pgx.ErrNoRows) {
		return Calendar{}, ErrNoNetwork
	}
	if err != nil {
		return Calendar{}, fmt.Errorf("read network settings: %w", err)
	}
	rows, _ = db.Query(ctx, sqlSelectHolidays)
	days, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return Calendar{}, fmt.Errorf("read bank holidays: %w", err)
	}
	holidays := make(map[string]bool, len(days))
	for _, d := range days {
		holidays[d] = true
	}
	// time.LoadLocation reads the zone database from disk: once per
	// reload, not once per referral.
	loc, err := time.LoadLocation(n.Timezone)
	if err != nil {
		return Calendar{}, fmt.Errorf("network time zone %q: %w", n.Timezone, err)
	}
	return Calendar{Network: n, Location: loc, Holidays: holidays}, nil
}

// cachedOr is the engine cache's one way to read through: under mu,
// cached gives the value if it is fresh; if not, read runs without the
// lock (readers may wait for a database connection, and a caller inside
// a transaction must never wait behind them), and store keeps what it
// read, under mu, unless forgetCache ran meanwhile (gen moved): settings
// read before a change must not be kept after it.
func cachedOr[T any](mu *sync.Mutex, gen *uint64, cached func() (T, bool), read func() (T, error), store func(T)) (T, error) {
	mu.Lock()
	v, ok := cached()
	started := *gen
	mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	mu.Lock()
	if *gen == started {
		store(v)
	}
	mu.Unlock()
	return v, nil
}

// Calendar returns the network's working calendar.
func (e *Engine) Calendar(ctx context.Context) (Calendar, error) { return e.calendar(ctx) }

// snapshot is what a change reads from the caches: taken before its
// transaction begins, because refreshing a cache borrows a pool connection
// and a transaction already holding one must never wait for another (with
// every connection in transactions, that wait never ends).
type snapshot struct {
	cal       Calendar
	districts map[string]District
}

func (e *Engine) snapshot(ctx context.Context) (snapshot, error) {
	cal, err := e.calendar(ctx)
	if err != nil {
		return snapshot{}, err
	}
	ds, err := e.Districts(ctx)
	if err != nil {
		return snapshot{}, err
	}
	return snapshot{cal: cal, districts: ds}, nil
}

// forgetCache makes the next read fetch settings again; called after this
// process changes them.
func (e *Engine) forgetCache() {
	e.cache.mu.Lock()
	e.cache.gen++
	e.cache.network = nil
	e.cache.districts = nil
	e.cache.dataProtection = nil
	e.cache.mu.Unlock()
}

// NetworkSettings is what `onward demo` and admins set.
type NetworkSettings struct {
	Name           string `validate:"required,max=200" label:"network name"`
	Phone          string `validate:"max=40" label:"phone"`
	OpeningHours   string `validate:"max=200" label:"opening hours"`
	CrisisLines    string `validate:"max=500" label:"crisis lines"`
	DirectoryURL   string `validate:"omitempty,url" label:"directory URL"`
	DataSharingURL string `validate:"omitempty,url" label:"data sharing protocol URL"`
	Timezone       string `validate:"omitempty,timezone" label:"time zone"`
	AutoRoute      bool
	// Outcomes and AdviceTopics are offered when a referral is completed
	// (empty: all seven outcomes, DefaultAdviceTopics).
	Outcomes     []OutcomeOption
	AdviceTopics []AdviceTopic

	// OpeningHoursTranslations are OpeningHours in the other languages
	// clients may choose, by language code ("pl"); a language left out
	// is shown the English.
	OpeningHoursTranslations map[string]string
	// CrisisLinesTranslations are CrisisLines in those languages, by
	// language code; a language left out is given the fixed sentences in
	// its own words and the English lines' other numbers
	// (Network.CrisisLinesIn).
	CrisisLinesTranslations map[string]string
	// CalendarSettings are the working days and hours, quiet hours,
	// contact check and nudge, and crisis clock; each left out is its
	// default.
	CalendarSettings

	// DataController is who the privacy notice names as responsible for
	// clients' details (an organisation's name); DataProtectionEmail and
	// DataProtectionPhone reach its data protection officer. Each left
	// out makes the notice tell clients to ask any agency instead
	// (PrivacyNoticeGaps).
	DataController      string `validate:"max=200,notcontrol" label:"data controller"`
	DataProtectionEmail string
	DataProtectionPhone string
}

// privacyContactFields checks the data protection contact, naming what
// was given, as the import shows it to whoever wrote the file.
func (s NetworkSettings) privacyContactFields() []FieldError {
	var fields []FieldError
	if s.DataProtectionEmail != "" && validatorInstance().v.Var(s.DataProtectionEmail, "email,max=254") != nil {
		fields = append(fields, FieldError{Field: "data protection email",
			Message: fmt.Sprintf("data protection email must be one email address, like dpo@network.example.org; %q is not", s.DataProtectionEmail)})
	}
	if s.DataProtectionPhone != "" && (len(s.DataProtectionPhone) > 40 || !validContactPhone(s.DataProtectionPhone)) {
		fields = append(fields, FieldError{Field: "data protection phone",
			Message: fmt.Sprintf("data protection phone must be a phone number people can call, like 0800 000 0101; %q is not", s.DataProtectionPhone)})
	}
	return fields
}

// PrivacyNoticeGaps names, in plain words, what the privacy notice must
// say and these settings do not give: who the data controller is, and
// how to contact data protection. The notice tells clients to ask any
// agency in the directory instead; whoever sets the network up is warned.
func (s NetworkSettings) PrivacyNoticeGaps() []string {
	var out []string
	if strings.TrimSpace(s.DataController) == "" {
		out = append(out, "who the data controller is")
	}
	if strings.TrimSpace(s.DataProtectionEmail) == "" && strings.TrimSpace(s.DataProtectionPhone) == "" {
		out = append(out, "how to contact the data protection officer")
	}
	return out
}

const sqlUpsertNetwork = `
INSERT INTO network_settings (id, name, phone, opening_hours, crisis_lines, directory_url, data_sharing_url, timezone, auto_route, updated_at,
    outcomes, advice_topics, working_days, working_start, working_end, quiet_start, quiet_end,
    contact_check_days, contact_nudge_days, crisis_ack_hours, crisis_same_day_before, opening_hours_translations,
    crisis_lines_translations, data_controller, data_protection_email, data_protection_phone)
VALUES (true, $1, $2, $3, $4, $5, $6, coalesce(nullif($7, ''), 'Europe/London'), $8, $9,
    $10, $11, $12, time '00:00' + $13::interval, time '00:00' + $14::interval, time '00:00' + $15::interval, time '00:00' + $16::interval,
    $17, $18, $19, time '00:00' + $20::interval, $21, $22, $23, $24, $25)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone, opening_hours = excluded.opening_hours,
    opening_hours_translations = excluded.opening_hours_translations,
    crisis_lines = excluded.crisis_lines, crisis_lines_translations = excluded.crisis_lines_translations,
    directory_url = excluded.directory_url, data_sharing_url = excluded.data_sharing_url,
    timezone = excluded.timezone, auto_route = excluded.auto_route, updated_at = excluded.updated_at,
    outcomes = excluded.outcomes, advice_topics = excluded.advice_topics,
    working_days = excluded.working_days, working_start = excluded.working_start, working_end = excluded.working_end,
    quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
    contact_check_days = excluded.contact_check_days, contact_nudge_days = excluded.contact_nudge_days,
    crisis_ack_hours = excluded.crisis_ack_hours, crisis_same_day_before = excluded.crisis_same_day_before,
    data_controller = excluded.data_controller, data_protection_email = excluded.data_protection_email,
    data_protection_phone = excluded.data_protection_phone`

// SetNetwork writes the network settings, all of them in one statement:
// what s leaves out takes its default. Every mistake in s is named at
// once and nothing is written. Inside a caller's transaction, run it in
// ChangeSettings so the engine's cache is forgotten after the commit.
func (e *Engine) SetNetwork(ctx context.Context, db DB, s NetworkSettings) error {
	var fields []FieldError
	fields = append(fields, checkOfferings(s.Outcomes, s.AdviceTopics)...)
	cal, calFields := s.workingCalendar()
	fields = append(fields, calFields...)
	s.OpeningHours = strings.TrimSpace(s.OpeningHours)
	s.DataController = strings.TrimSpace(s.DataController)
	s.DataProtectionEmail = strings.TrimSpace(s.DataProtectionEmail)
	s.DataProtectionPhone = strings.TrimSpace(s.DataProtectionPhone)
	fields = append(fields, s.privacyContactFields()...)
	hours, hoursFields, err := openingHours(s.OpeningHours, s.OpeningHoursTranslations)
	if err != nil {
		return err
	}
	fields = append(fields, hoursFields...)
	crisis, crisisFields, err := crisisLinesTranslations(s.CrisisLines, s.CrisisLinesTranslations)
	if err != nil {
		return err
	}
	fields = append(fields, crisisFields...)
	if err := mergeValidation(validate(s), &ValidationError{Fields: fields}); err != nil {
		return err
	}
	outcomes, topics := s.Outcomes, s.AdviceTopics
	if outcomes == nil {
		outcomes = []OutcomeOption{}
	}
	if topics == nil {
		topics = []AdviceTopic{}
	}
	if _, err := db.Exec(ctx, sqlUpsertNetwork, s.Name, s.Phone, s.OpeningHours, s.CrisisLines, s.DirectoryURL, s.DataSharingURL, s.Timezone, s.AutoRoute, e.clock.Now(),
		outcomes, topics, cal.days, cal.workingStart, cal.workingEnd, cal.quietStart, cal.quietEnd,
		cal.contactCheckDays, cal.nudgeDays, cal.crisisAckHours, cal.crisisSameDayBefore, hours, crisis,
		s.DataController, s.DataProtectionEmail, s.DataProtectionPhone); err != nil {
		return fmt.Errorf("set network settings: %w", err)
	}
	e.forgetCache()
	return nil
}

// ChangeSettings runs fn in one transaction that changes the network's
// settings (SetNetwork, districts, bank holidays), and forgets the
// engine's cached settings once it has committed. Forgetting only inside
// the transaction is not enough: a reader between then and the commit
// still sees the old row, and would keep it for the cache's lifetime.
func (e *Engine) ChangeSettings(ctx context.Context, fn func(pgx.Tx) error) error {
	defer e.forgetCache()
	return pgx.BeginFunc(ctx, e.pool, fn)
}

const (
	sqlInsertWording     = `INSERT INTO consent_wordings (version, body, sha256, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (version) DO NOTHING`
	sqlSelectWording     = `SELECT body, sha256 FROM consent_wordings WHERE version = $1`
	sqlSetConsentCurrent = `UPDATE network_settings SET consent_version = $1, updated_at = $2`
)

// ConsentWording is one version of the words a client agrees to, in one
// language.
type ConsentWording struct {
	Version  string
	Language string // "en" for the network's own wording
	Body     string
	SHA256   []byte
}

const (
	sqlInsertTranslation = `INSERT INTO consent_wording_translations (version, language, body, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version, language) DO NOTHING`
	// sqlSelectWordingIn is the wording of a version in a language, or the
	// English when it has no translation in that language.
	sqlSelectWordingIn = `
SELECT coalesce(t.language, 'en'), coalesce(t.body, w.body), coalesce(t.sha256, w.sha256)
FROM consent_wordings w
LEFT JOIN consent_wording_translations t ON t.version = w.version AND t.language = $2
WHERE w.version = $1`
)

// PublishConsentTranslation stores the wording of an existing version in
// another language, hashed like the English. A translation, once stored,
// never changes: different words for the same version and language are
// refused (publish a new version).
func (e *Engine) PublishConsentTranslation(ctx context.Context, db DB, version, language, body string) error {
	if language == "" || language == "en" || body == "" {
		return &ValidationError{Fields: []FieldError{{Field: "language", Message: "a translation needs a language other than English and some words"}}}
	}
	// As opening_hours_translations: a translation under a key that is no
	// language clients may choose ("Polish") would never be shown.
	known, err := clientLanguages()
	if err != nil {
		return err
	}
	if !slices.Contains(known, language) {
		others := slices.DeleteFunc(slices.Clone(known), func(c string) bool { return c == "en" })
		return &ValidationError{Fields: []FieldError{{Field: "language", Message: fmt.Sprintf(
			"%q is not a language clients may choose; give one of %s", language, strings.Join(others, ", "))}}}
	}
	if _, err := e.wording(ctx, db, version); err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(body))
	if _, err := db.Exec(ctx, sqlInsertTranslation, version, language, body, sum[:], e.clock.Now()); err != nil {
		return fmt.Errorf("store consent wording %s in %s: %w", version, language, err)
	}
	w, err := e.wordingIn(ctx, db, version, language)
	if err != nil {
		return err
	}
	if string(w.SHA256) != string(sum[:]) {
		return fmt.Errorf("consent wording %s in %s already exists with different words; publish a new version", version, language)
	}
	return nil
}

// ConsentWordingIn is a wording version in a language: its translation,
// or the English (Language "en") when it has none in that language.
func (e *Engine) ConsentWordingIn(ctx context.Context, version, language string) (ConsentWording, error) {
	return e.wordingIn(ctx, e.pool, version, language)
}

func (e *Engine) wordingIn(ctx context.Context, db DB, version, language string) (ConsentWording, error) {
	if language == "" {
		language = "en"
	}
	key := version + "\x00" + language
	e.cache.mu.Lock()
	w, ok := e.cache.wordings[key]
	e.cache.mu.Unlock()
	if ok {
		return w, nil
	}
	w.Version = version
	err := db.QueryRow(ctx, sqlSelectWordingIn, version, language).Scan(&w.Language, &w.Body, &w.SHA256)
	if errors.Is(err, pgx.ErrNoRows) {
		return w, &ValidationError{Fields: []FieldError{{Field: "consent.wording_version", Message: fmt.Sprintf("consent wording version %q does not exist", version)}}}
	}
	if err != nil {
		return w, fmt.Errorf("read consent wording %s in %s: %w", version, language, err)
	}
	e.cache.mu.Lock()
	if e.cache.wordings == nil {
		e.cache.wordings = map[string]ConsentWording{}
	}
	e.cache.wordings[key] = w
	e.cache.mu.Unlock()
	return w, nil
}

// PublishConsentWording stores a new wording version and makes it the one
// clients are shown. A version, once stored, never changes: publishing
// different words under an existing version is refused.
func (e *Engine) PublishConsentWording(ctx context.Context, db DB, version, body string) error {
	if version == "" || body == "" {
		return &ValidationError{Fields: []FieldError{{Field: "version", Message: "a consent wording needs a version and some words"}}}
	}
	sum := sha256.Sum256([]byte(body))
	if _, err := db.Exec(ctx, sqlInsertWording, version, body, sum[:], e.clock.Now()); err != nil {
		return fmt.Errorf("store consent wording %s: %w", version, err)
	}
	w, err := e.wording(ctx, db, version)
	if err != nil {
		return err
	}
	if string(w.SHA256) != string(sum[:]) {
		return fmt.Errorf("consent wording %s already exists with different words; publish it under a new version", version)
	}
	if _, err := db.Exec(ctx, sqlSetConsentCurrent, version, e.clock.Now()); err != nil {
		return fmt.Errorf("make consent wording %s current: %w", version, err)
	}
	e.forgetCache()
	return nil
}

// CurrentConsentWording returns the wording clients are shown now.
func (e *Engine) CurrentConsentWording(ctx context.Context) (ConsentWording, error) {
	n, err := e.Network(ctx)
	if err != nil {
		return ConsentWording{}, err
	}
	if n.ConsentVersion == "" {
		return ConsentWording{}, errors.New("no consent wording is published yet")
	}
	return e.wording(ctx, e.pool, n.ConsentVersion)
}

func (e *Engine) wording(ctx context.Context, db DB, version string) (ConsentWording, error) {
	var w ConsentWording
	w.Version, w.Language = version, "en"
	err := db.QueryRow(ctx, sqlSelectWording, version).Scan(&w.Body, &w.SHA256)
	if errors.Is(err, pgx.ErrNoRows) {
		return w, &ValidationError{Fields: []FieldError{{Field: "consent.wording_version", Message: fmt.Sprintf("consent wording version %q does not exist", version)}}}
	}
	if err != nil {
		return w, fmt.Errorf("read consent wording %s: %w", version, err)
	}
	return w, nil
}

// wordingHash is the SHA-256 of the wording a consent is given to, and
// the language it is in (English when the version has no translation in
// the client's language).
func (e *Engine) wordingHash(ctx context.Context, db DB, version, language string) ([]byte, string, error) {
	w, err := e.wordingIn(ctx, db, version, language)
	if err != nil {
		return nil, "", err
	}
	return w.SHA256, w.Language, nil
}

// District is a postcode district of the network's area.
type District struct {
	District    string `db:"district"`
	CouncilArea string `db:"council_area"`
	Town        string `db:"town"`
}

const sqlSelectDistricts = `SELECT district, council_area, town FROM postcode_districts ORDER BY district`

// Districts returns the network's postcode districts, by district.
func (e *Engine) Districts(ctx context.Context) (map[string]District, error) {
	c := &e.cache
	return cachedOr(&c.mu, &c.gen, func() (map[string]District, bool) {
		return c.districts, c.districts != nil && time.Since(c.districtsAt) < cacheTTL
	}, func() (map[string]District, error) {
		rows, _ := e.pool.Query(ctx, sqlSelectDistricts)
		ds, err := pgx.CollectRows(rows, pgx.RowToStructByName[District])
		if err != nil {
			return nil, fmt.Errorf("read postcode districts: %w", err)
		}
		m := make(map[string]District, len(ds))
		for _, d := range ds {
			m[d.District] = d
		}
		return m, nil
	}, func(m map[string]District) {
		c.districts, c.districtsAt = m, time.Now()
	})
}

const sqlUpsertDistrict = `
INSERT INTO postcode_districts (district, council_area, town) VALUES ($1, $2, $3)
ON CONFLICT (district) DO UPDATE SET council_area = $2, town = $3`

// AddDistrict records a postcode district of the network's area, its
// council area by GSS code (given by name or code).
func (e *Engine) AddDistrict(ctx context.Context, db DB, d District) error {
	district, err := ParseDistrict(d.District)
	if err != nil {
		return &ValidationError{Fields: []FieldError{{Field: "district", Message: err.Error()}}}
	}
	council := ""
	if strings.TrimSpace(d.CouncilArea) != "" {
		if council, err = ParseCouncilArea(d.CouncilArea); err != nil {
			return &ValidationError{Fields: []FieldError{{Field: "council area", Message: fmt.Sprintf("district %s: %v", district, err)}}}
		}
	}
	if _, err := db.Exec(ctx, sqlUpsertDistrict, district, council, d.Town); err != nil {
		return fmt.Errorf("add district %s: %w", district, err)
	}
	e.forgetCache()
	return nil
}

const sqlUpsertHoliday = `INSERT INTO bank_holidays (day, name) VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET name = $2`

// AddBankHoliday records a day the network does not work.
func (e *Engine) AddBankHoliday(ctx context.Context, db DB, day time.Time, name string) error {
	if _, err := db.Exec(ctx, sqlUpsertHoliday, day.Format(time.DateOnly), name); err != nil {
		return fmt.Errorf("add bank holiday %s: %w", day.Format(time.DateOnly), err)
	}
	e.forgetCache()
	return nil
}
