package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"go.yaml.in/yaml/v3"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/lang"
	"github.com/onward-network/onward/templates"
)

const networkUsage = `Usage: onward network import FILE.yaml
       onward network example
       onward network boundaries FILE.geojson

import sets a network up from a file: its settings and working
calendar, consent wording, postcode districts, bank holidays, agencies
with their services and staff. It is one transaction: any mistake in
the file is named (with where it is) and nothing is written. Import the
file again after changing it: agencies (by short name), their services
(by name) and staff (by email) already there are changed to what the
file says, and what is new is added, each change in the audit log. The
districts, bank holidays and need terms are the file's: those it no
longer lists are removed. Services, staff and agencies it no longer
lists are not removed: each is a warning saying how to remove it. The
summary says what was added, changed and left as it was.

example prints a commented example file to start from.

boundaries stores the areas the demand map draws under its circles (a
council area, wards): a GeoJSON FeatureCollection of Polygon or
MultiPolygon features in WGS84 longitude/latitude. A feature that is
not a polygon, or coordinates that are not WGS84 (eastings and
northings), are refused with the feature's index; importing again
replaces them.

Needs ONWARD_DATABASE_URL; migrates first.
`

//go:embed network.example.yaml
var networkExample []byte

func init() {
	register(command{name: "network", subs: []string{"import", "example", "boundaries"}, summary: "set up a network from a file, or print an example file", run: runNetwork})
}

// networkFile is the file `onward network import` reads.
type networkFile struct {
	Network struct {
		Name           string `yaml:"name"`
		Phone          string `yaml:"phone"`
		OpeningHours   string `yaml:"opening_hours"`
		CrisisLines    string `yaml:"crisis_lines"`
		DirectoryURL   string `yaml:"directory_url"`
		DataSharingURL string `yaml:"data_sharing_url"`
		Timezone       string `yaml:"timezone"`
		AutoRoute      bool   `yaml:"auto_route"`
		// OpeningHoursTranslations are opening_hours in the other
		// languages clients may choose, by language code ("pl"), as
		// consent.translations give the wording; a language left out
		// shows the English.
		OpeningHoursTranslations map[string]string `yaml:"opening_hours_translations"`
		// CrisisLinesTranslations are crisis_lines in those languages,
		// the same way; a language left out is given the fixed crisis
		// sentences in its own words and the English lines' other
		// numbers.
		CrisisLinesTranslations map[string]string `yaml:"crisis_lines_translations"`
		// Outcomes and AdviceTopics are offered when a referral is
		// completed; empty means all seven outcomes and the default
		// topics.
		Outcomes     []core.OutcomeOption `yaml:"outcomes"`
		AdviceTopics []core.AdviceTopic   `yaml:"advice_topics"`
		// The working calendar (working_days, working_hours,
		// quiet_hours, contact_check_days, contact_nudge_days,
		// crisis_ack_hours, crisis_same_day_before): core reads and
		// checks them; each left out is its default.
		core.CalendarSettings `yaml:",inline"`
		// DataController, DataProtectionEmail and DataProtectionPhone
		// are what the privacy notice (/privacy) names: who is
		// responsible for clients' details, and how to reach the data
		// protection officer. Each left out is a warning.
		DataController      string `yaml:"data_controller"`
		DataProtectionEmail string `yaml:"data_protection_email"`
		DataProtectionPhone string `yaml:"data_protection_phone"`
	} `yaml:"network"`
	Consent struct {
		Version string `yaml:"version"`
		Wording string `yaml:"wording"`
		// Translations are the wording in other languages, by language
		// code ("pl"), each kept and hashed under the same version.
		Translations map[string]string `yaml:"translations"`
	} `yaml:"consent"`
	Districts []struct {
		District    string `yaml:"district"`
		CouncilArea string `yaml:"council_area"`
		Town        string `yaml:"town"`
		// Lat and Lon are the district's point on the demand map
		// (WGS84); without them the map uses the middle of the
		// district's postcodes in the postcode file.
		Lat *float64 `yaml:"lat"`
		Lon *float64 `yaml:"lon"`
	} `yaml:"districts"`
	BankHolidays []struct {
		Date string `yaml:"date"`
		Name string `yaml:"name"`
	} `yaml:"bank_holidays"`
	Agencies []agencyEntry `yaml:"agencies"`
	// NeedTerms maps the network's needs to terms of other taxonomies:
	// the Open Referral feed publishes them beside the needs, and
	// imported services classified with them are given the need.
	NeedTerms []needTermEntry `yaml:"need_terms"`
}

type needTermEntry struct {
	Need     string `yaml:"need"`
	Taxonomy string `yaml:"taxonomy"`
	Term     string `yaml:"term"`
	Name     string `yaml:"name"`
}

type agencyEntry struct {
	Slug         string `yaml:"slug"`
	Name         string `yaml:"name"`
	Description  string `yaml:"description"`
	Phone        string `yaml:"phone"`
	Email        string `yaml:"email"`
	Website      string `yaml:"website"`
	Address      string `yaml:"address"`
	SlackChannel string `yaml:"slack_channel"`
	NotifyEmail  string `yaml:"notify_email"`
	EmailStaff   string `yaml:"email_staff"`
	// AckTargetHours and AcceptsSelfReferrals left out are the web
	// form's defaults: 16 working hours, and yes.
	AckTargetHours       *int           `yaml:"ack_target_hours"`
	AcceptsSelfReferrals *bool          `yaml:"accepts_self_referrals"`
	Services             []serviceEntry `yaml:"services"`
	Staff                []staffEntry   `yaml:"staff"`
}

type serviceEntry struct {
	Name         string   `yaml:"name"`
	Description  string   `yaml:"description"`
	Needs        []string `yaml:"needs"`
	Eligibility  string   `yaml:"eligibility"`
	Districts    []string `yaml:"districts"`
	CouncilAreas []string `yaml:"council_areas"`
	Languages    []string `yaml:"languages"`
	OpeningHours string   `yaml:"opening_hours"`
}

type staffEntry struct {
	Name      string `yaml:"name"`
	Email     string `yaml:"email"`
	Role      string `yaml:"role"`
	SlackUser string `yaml:"slack_user"`
}

func runNetwork(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("network", networkUsage, stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 1 && fs.Arg(0) == "example":
		_, err := stdout.Write(networkExample)
		return err
	case fs.NArg() == 2 && fs.Arg(0) == "import":
	case fs.NArg() == 2 && fs.Arg(0) == "boundaries":
		return importBoundaries(ctx, fs.Arg(1), stdout)
	default:
		fs.Usage()
		return errors.New("say `onward network import FILE.yaml`, `onward network example` or `onward network boundaries FILE.geojson`")
	}
	raw, err := os.ReadFile(fs.Arg(1))
	if err != nil {
		return err
	}
	var f networkFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(1), err)
	}
	eng, closeEng, err := openMigratingEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	// Read before the transaction: a read on the pool while it holds a
	// connection could wait for a second one.
	before, err := eng.Agencies(ctx)
	if err != nil {
		return err
	}
	var sum importSummary
	err = eng.ChangeSettings(ctx, func(tx pgx.Tx) error {
		var err error
		sum, err = importNetwork(ctx, eng, tx, f)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was imported)", fs.Arg(1), err)
	}
	sum.warnings = append(sum.warnings, agenciesNotIn(before, f.Agencies)...)
	fmt.Fprintf(stdout, "Imported %q: agencies %s; services %s; staff %s; districts: %d stored, %d removed; bank holidays: %d stored, %d removed; need terms: %d stored, %d removed; consent wording %s.\n",
		f.Network.Name, tally(sum.agencies), tally(sum.services), tally(sum.staff), len(f.Districts), len(sum.districtsRemoved),
		len(f.BankHolidays), sum.holidaysRemoved, len(f.NeedTerms), sum.needTermsRemoved, f.Consent.Version)
	for _, w := range sum.warnings {
		fmt.Fprintln(stderr, "Warning: "+w)
	}
	cat, err := lang.Load(templates.FS, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	for _, w := range untranslatedWarnings(f, cat.Languages()) {
		fmt.Fprintln(stderr, w)
	}
	return nil
}

// untranslatedWarnings names the languages clients may choose that the
// file gives no consent wording, opening hours or crisis lines in: a
// client choosing one is asked to agree to the English wording, inside a
// question in their own language, is shown the English hours, and in
// crisis is given only those English crisis lines that add a number to
// the fixed sentences in their language. The import goes
// ahead (the English stands in), but whoever runs it should know.
func untranslatedWarnings(f networkFile, langs []lang.Language) []string {
	var noConsent, noHours, noCrisis []string
	for _, l := range langs {
		if l.Code == lang.English {
			continue
		}
		if strings.TrimSpace(f.Consent.Translations[l.Code]) == "" {
			noConsent = append(noConsent, l.English+" ("+l.Code+")")
		}
		if strings.TrimSpace(f.Network.OpeningHoursTranslations[l.Code]) == "" {
			noHours = append(noHours, l.English+" ("+l.Code+")")
		}
		if strings.TrimSpace(f.Network.CrisisLines) != "" && strings.TrimSpace(f.Network.CrisisLinesTranslations[l.Code]) == "" {
			noCrisis = append(noCrisis, l.English+" ("+l.Code+")")
		}
	}
	var out []string
	if len(noConsent) > 0 {
		out = append(out, fmt.Sprintf("Warning: consent.translations has no wording in %s: clients who choose it are asked to agree to the English wording. Add each under consent.translations.",
			strings.Join(noConsent, ", ")))
	}
	if len(noHours) > 0 {
		out = append(out, fmt.Sprintf("Warning: network.opening_hours_translations has nothing in %s: clients who choose it are shown the English opening hours.",
			strings.Join(noHours, ", ")))
	}
	if len(noCrisis) > 0 {
		out = append(out, fmt.Sprintf("Warning: network.crisis_lines_translations has nothing in %s: clients in crisis who choose it are given the fixed crisis sentences (999, Samaritans, NHS 24) in their language, and only the sentences of the English crisis_lines that give another number.",
			strings.Join(noCrisis, ", ")))
	}
	return out
}

// importSummary is what an import did, per kind, and what its runner
// should know.
type importSummary struct {
	agencies, services, staff core.Tally
	districtsRemoved          []string
	holidaysRemoved           int
	needTermsRemoved          int
	warnings                  []string
}

// tally says a core.Tally in words.
func tally(t core.Tally) string {
	s := fmt.Sprintf("%d added, %d changed, %d unchanged", t.Added, t.Changed, t.Unchanged)
	if t.Skipped > 0 {
		s += fmt.Sprintf(", %d left out (see the warnings)", t.Skipped)
	}
	return s
}

// importNetwork writes the file inside tx, naming where any mistake is.
// Each item is named by its one-based place in its list and its name.
func importNetwork(ctx context.Context, eng *core.Engine, tx pgx.Tx, f networkFile) (importSummary, error) {
	var sum importSummary
	n := f.Network
	settings := core.NetworkSettings{Name: n.Name, Phone: n.Phone, OpeningHours: n.OpeningHours,
		CrisisLines: n.CrisisLines, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL,
		Timezone: n.Timezone, AutoRoute: n.AutoRoute, Outcomes: n.Outcomes, AdviceTopics: n.AdviceTopics,
		OpeningHoursTranslations: n.OpeningHoursTranslations, CrisisLinesTranslations: n.CrisisLinesTranslations,
		CalendarSettings: n.CalendarSettings, DataController: n.DataController,
		DataProtectionEmail: n.DataProtectionEmail, DataProtectionPhone: n.DataProtectionPhone}
	if err := eng.SetNetwork(ctx, tx, settings); err != nil {
		return sum, fmt.Errorf("network: %w", err)
	}
	if gaps := settings.PrivacyNoticeGaps(); len(gaps) > 0 {
		sum.warnings = append(sum.warnings, fmt.Sprintf("the privacy notice (/privacy) cannot say %s, as UK GDPR Article 13 asks: it tells clients to ask any agency in the directory instead. "+
			"Add network.data_controller (the organisation responsible for clients' details) and network.data_protection_email or network.data_protection_phone (its data protection officer).",
			strings.Join(gaps, " or ")))
	}
	if err := eng.PublishConsentWording(ctx, tx, f.Consent.Version, strings.TrimSpace(f.Consent.Wording)); err != nil {
		return sum, fmt.Errorf("consent: %w", err)
	}
	for _, code := range slices.Sorted(maps.Keys(f.Consent.Translations)) {
		if err := eng.PublishConsentTranslation(ctx, tx, f.Consent.Version, code, strings.TrimSpace(f.Consent.Translations[code])); err != nil {
			return sum, fmt.Errorf("consent: translations.%s: %w", code, err)
		}
	}
	keep := make([]string, len(f.Districts))
	for i, d := range f.Districts {
		where := fmt.Sprintf("districts: the %s district (%s)", core.Ordinal(i+1), d.District)
		district, err := core.ParseDistrict(d.District)
		if err != nil {
			return sum, fmt.Errorf("%s: %w", where, err)
		}
		if err := eng.AddDistrict(ctx, tx, core.District{District: district, CouncilArea: d.CouncilArea, Town: d.Town}); err != nil {
			return sum, fmt.Errorf("%s: %w", where, err)
		}
		if err := importDistrictPoint(ctx, eng, tx, district, d.Lat, d.Lon); err != nil {
			return sum, fmt.Errorf("%s: %w", where, err)
		}
		keep[i] = district
	}
	holidays := make([]core.BankHoliday, len(f.BankHolidays))
	for i, h := range f.BankHolidays {
		day, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			return sum, fmt.Errorf("bank_holidays: the %s bank holiday (%s): the date must look like 2026-12-25, got %q", core.Ordinal(i+1), h.Name, h.Date)
		}
		holidays[i] = core.BankHoliday{Day: day, Name: h.Name}
	}
	var err error
	if sum.holidaysRemoved, err = eng.SetBankHolidays(ctx, tx, holidays); err != nil {
		return sum, fmt.Errorf("bank_holidays: %w", err)
	}
	if sum.needTermsRemoved, err = importNeedTerms(ctx, eng, tx, f.NeedTerms); err != nil {
		return sum, err
	}
	seenSlug, seenEmail := map[string]int{}, map[string]string{}
	for i, a := range f.Agencies {
		where := fmt.Sprintf("the %s agency (%s)", core.Ordinal(i+1), a.Slug)
		if j, dup := seenSlug[a.Slug]; dup {
			return sum, fmt.Errorf("%s: the short name %q is also the %s agency's", where, a.Slug, core.Ordinal(j+1))
		}
		seenSlug[a.Slug] = i
		for k, st := range a.Staff {
			email := strings.ToLower(strings.TrimSpace(st.Email))
			if other, dup := seenEmail[email]; dup {
				return sum, fmt.Errorf("%s: the %s member of staff: the email %q is used twice in the file (also under %s)", where, core.Ordinal(k+1), st.Email, other)
			}
			seenEmail[email] = a.Slug
		}
		entry, err := agencyOf(a)
		if err != nil {
			return sum, fmt.Errorf("%s: %w", where, err)
		}
		done, err := eng.SyncAgency(ctx, tx, entry, cliActor)
		if err != nil {
			return sum, fmt.Errorf("%s: %w", where, err)
		}
		sum.agencies.Add(done.Agency)
		sum.services.Add(done.Services)
		sum.staff.Add(done.Staff)
		sum.warnings = append(sum.warnings, done.Warnings...)
	}
	removed, warnings, err := eng.RemoveDistrictsNotIn(ctx, tx, keep)
	if err != nil {
		return sum, fmt.Errorf("districts: %w", err)
	}
	sum.districtsRemoved = removed
	sum.warnings = append(sum.warnings, warnings...)
	return sum, nil
}

// agencyOf is an agency of the file as core takes it, with the web
// form's defaults for what the file leaves out.
func agencyOf(a agencyEntry) (core.AgencyEntry, error) {
	hours, self := core.DefaultAckTargetHours, true
	if a.AckTargetHours != nil {
		hours = *a.AckTargetHours
	}
	if a.AcceptsSelfReferrals != nil {
		self = *a.AcceptsSelfReferrals
	}
	out := core.AgencyEntry{NewAgency: core.NewAgency{Slug: a.Slug, Name: a.Name, Description: a.Description,
		Phone: a.Phone, Email: a.Email, Website: a.Website, Address: a.Address, SlackChannelID: a.SlackChannel,
		AckTargetHours: hours, AcceptsSelfReferrals: self,
		Notifications: core.AgencyNotifications{NotifyEmail: a.NotifyEmail, EmailStaff: a.EmailStaff}}}
	for j, s := range a.Services {
		needs := make([]core.Need, len(s.Needs))
		for k, n := range s.Needs {
			var err error
			if needs[k], err = core.ParseNeed(n); err != nil {
				return out, fmt.Errorf("the %s service (%s): %w", core.Ordinal(j+1), s.Name, err)
			}
		}
		out.Services = append(out.Services, core.NewService{Name: s.Name, Description: s.Description,
			Needs: needs, Eligibility: s.Eligibility, PostcodeDistricts: s.Districts, CouncilAreas: s.CouncilAreas,
			Languages: s.Languages, OpeningHours: s.OpeningHours})
	}
	for _, st := range a.Staff {
		out.Staff = append(out.Staff, core.NewStaff{Name: st.Name, Role: core.Role(st.Role), Email: st.Email, SlackUserID: st.SlackUser})
	}
	return out, nil
}

// agenciesNotIn warns of the agencies in the network (before the import)
// that the file does not list: they are left as they are.
func agenciesNotIn(before []core.Agency, listed []agencyEntry) []string {
	var out []string
	for _, a := range before {
		if a.RetiredAt == nil && !slices.ContainsFunc(listed, func(e agencyEntry) bool { return e.Slug == a.Slug }) {
			out = append(out, fmt.Sprintf("%s (%s) is in the network but not in the file: it is left as it is. A coordinator retires an agency that has left at /staff/admin/agencies; or add it to the file.", a.Name, a.Slug))
		}
	}
	return out
}

// importNeedTerms checks and writes the need_terms section: each entry
// a need we know and a taxonomy, term and name, no term twice. The terms
// are the file's: those it no longer lists are removed (how many is
// returned).
func importNeedTerms(ctx context.Context, eng *core.Engine, tx pgx.Tx, entries []needTermEntry) (int, error) {
	seen := map[[2]string]int{}
	terms := make([]core.NeedTerm, len(entries))
	for i, t := range entries {
		where := fmt.Sprintf("need_terms: the %s need term", core.Ordinal(i+1))
		need, err := core.ParseNeed(t.Need)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", where, err)
		}
		for _, f := range []struct{ name, value, says string }{
			{"taxonomy", t.Taxonomy, "the name (or id) of the taxonomy the term belongs to, like esd-service-types"},
			{"term", t.Term, "the term's id or code in that taxonomy"},
			{"name", t.Name, "the term's name, which the directory feed publishes"},
		} {
			if strings.TrimSpace(f.value) == "" {
				return 0, fmt.Errorf("%s: %s is missing: give %s", where, f.name, f.says)
			}
		}
		key := [2]string{strings.TrimSpace(t.Taxonomy), strings.TrimSpace(t.Term)}
		if j, dup := seen[key]; dup {
			return 0, fmt.Errorf("%s: the term %q of %q is also the %s need term; a term can mean only one need", where, key[1], key[0], core.Ordinal(j+1))
		}
		seen[key] = i
		terms[i] = core.NeedTerm{Need: need, Taxonomy: t.Taxonomy, Term: t.Term, Name: t.Name}
	}
	removed, err := eng.SetNeedTerms(ctx, tx, terms)
	if err != nil {
		return 0, fmt.Errorf("need_terms: %w", err)
	}
	return removed, nil
}
