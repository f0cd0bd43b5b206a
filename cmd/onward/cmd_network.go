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
the file is named (with where it is) and nothing is written. Agencies
already there (by short name) and staff already there (by email) are
left as they are, so the same file can be imported again after adding
to it; coordinators edit details at /staff/directory.

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
	register(command{name: "network", summary: "set up a network from a file, or print an example file", run: runNetwork})
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
	Slug                 string         `yaml:"slug"`
	Name                 string         `yaml:"name"`
	Description          string         `yaml:"description"`
	Phone                string         `yaml:"phone"`
	Email                string         `yaml:"email"`
	Website              string         `yaml:"website"`
	Address              string         `yaml:"address"`
	SlackChannel         string         `yaml:"slack_channel"`
	NotifyEmail          string         `yaml:"notify_email"`
	EmailStaff           string         `yaml:"email_staff"`
	AckTargetHours       int            `yaml:"ack_target_hours"`
	AcceptsSelfReferrals bool           `yaml:"accepts_self_referrals"`
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
	eng, closeEng, err := openCLIEngine(ctx)
	if err != nil {
		return err
	}
	defer closeEng()
	pool := eng.Pool()
	if _, err := core.Migrate(ctx, pool); err != nil {
		return err
	}
	have, err := existingNetwork(ctx, eng)
	if err != nil {
		return err
	}
	var sum importSummary
	err = eng.ChangeSettings(ctx, func(tx pgx.Tx) error {
		var err error
		sum, err = importNetwork(ctx, eng, tx, f, have)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was imported)", fs.Arg(1), err)
	}
	fmt.Fprintf(stdout, "Imported %q: %d agencies added, %d already there; %d services; %d staff added, %d already there; %d districts; %d bank holidays; %d need terms; consent wording %s.\n",
		f.Network.Name, sum.agencies, sum.agenciesKept, sum.services, sum.staff, sum.staffKept, len(f.Districts), len(f.BankHolidays), len(f.NeedTerms), f.Consent.Version)
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
// file gives no consent wording or opening hours in: a client choosing
// one is asked to agree to the English wording, inside a question in
// their own language, and is shown the English hours. The import goes
// ahead (the English stands in), but whoever runs it should know.
func untranslatedWarnings(f networkFile, langs []lang.Language) []string {
	var noConsent, noHours []string
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
	return out
}

type importSummary struct{ agencies, agenciesKept, services, staff, staffKept int }

// existing is what the database already holds, by short name and email.
type existing struct {
	agencies map[string]core.AgencyID
	staff    map[string]bool
}

func existingNetwork(ctx context.Context, eng *core.Engine) (existing, error) {
	have := existing{agencies: map[string]core.AgencyID{}, staff: map[string]bool{}}
	agencies, err := eng.Agencies(ctx)
	if err != nil {
		return have, err
	}
	for _, a := range agencies {
		have.agencies[a.Slug] = a.ID
	}
	staff, err := eng.ListStaff(ctx, 0)
	if err != nil {
		return have, err
	}
	for _, s := range staff {
		have.staff[strings.ToLower(s.Email)] = true
	}
	return have, nil
}

// importNetwork writes the file inside tx, naming where any mistake is.
func importNetwork(ctx context.Context, eng *core.Engine, tx pgx.Tx, f networkFile, have existing) (importSummary, error) {
	var sum importSummary
	n := f.Network
	if err := eng.SetNetwork(ctx, tx, core.NetworkSettings{Name: n.Name, Phone: n.Phone, OpeningHours: n.OpeningHours,
		CrisisLines: n.CrisisLines, DirectoryURL: n.DirectoryURL, DataSharingURL: n.DataSharingURL,
		Timezone: n.Timezone, AutoRoute: n.AutoRoute, Outcomes: n.Outcomes, AdviceTopics: n.AdviceTopics,
		OpeningHoursTranslations: n.OpeningHoursTranslations, CalendarSettings: n.CalendarSettings}); err != nil {
		return sum, fmt.Errorf("network: %w", err)
	}
	if err := eng.PublishConsentWording(ctx, tx, f.Consent.Version, strings.TrimSpace(f.Consent.Wording)); err != nil {
		return sum, fmt.Errorf("consent: %w", err)
	}
	for _, code := range slices.Sorted(maps.Keys(f.Consent.Translations)) {
		if err := eng.PublishConsentTranslation(ctx, tx, f.Consent.Version, code, strings.TrimSpace(f.Consent.Translations[code])); err != nil {
			return sum, fmt.Errorf("consent: translations.%s: %w", code, err)
		}
	}
	for i, d := range f.Districts {
		district, err := core.ParseDistrict(d.District)
		if err != nil {
			return sum, fmt.Errorf("districts[%d]: %w", i, err)
		}
		if err := eng.AddDistrict(ctx, tx, core.District{District: district, CouncilArea: d.CouncilArea, Town: d.Town}); err != nil {
			return sum, fmt.Errorf("districts[%d]: %w", i, err)
		}
		if err := importDistrictPoint(ctx, eng, tx, district, d.Lat, d.Lon); err != nil {
			return sum, fmt.Errorf("districts[%d]: %w", i, err)
		}
	}
	for i, h := range f.BankHolidays {
		day, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			return sum, fmt.Errorf("bank_holidays[%d]: the date must look like 2026-12-25, got %q", i, h.Date)
		}
		if err := eng.AddBankHoliday(ctx, tx, day, h.Name); err != nil {
			return sum, fmt.Errorf("bank_holidays[%d]: %w", i, err)
		}
	}
	if err := importNeedTerms(ctx, eng, tx, f.NeedTerms); err != nil {
		return sum, err
	}
	seenSlug, seenEmail := map[string]bool{}, map[string]bool{}
	for i, a := range f.Agencies {
		where := fmt.Sprintf("agencies[%d] (%s)", i, a.Slug)
		if seenSlug[a.Slug] {
			return sum, fmt.Errorf("%s: the short name %q is used twice in the file", where, a.Slug)
		}
		seenSlug[a.Slug] = true
		id, kept := have.agencies[a.Slug]
		if kept {
			sum.agenciesKept++
		} else {
			var err error
			if id, err = importAgency(ctx, eng, tx, a, &sum); err != nil {
				return sum, fmt.Errorf("%s: %w", where, err)
			}
			sum.agencies++
		}
		for j, st := range a.Staff {
			email := strings.ToLower(strings.TrimSpace(st.Email))
			if seenEmail[email] {
				return sum, fmt.Errorf("%s: staff[%d]: the email %q is used twice in the file", where, j, st.Email)
			}
			seenEmail[email] = true
			if have.staff[email] {
				sum.staffKept++
				continue
			}
			if _, err := eng.AddStaff(ctx, tx, core.NewStaff{AgencyID: id, Name: st.Name, Role: core.Role(st.Role),
				Email: st.Email, SlackUserID: st.SlackUser}); err != nil {
				return sum, fmt.Errorf("%s: staff[%d]: %w", where, j, err)
			}
			sum.staff++
		}
	}
	return sum, nil
}

// importNeedTerms checks and writes the need_terms section: each entry
// a need we know and a taxonomy, term and name, no term twice.
func importNeedTerms(ctx context.Context, eng *core.Engine, tx pgx.Tx, entries []needTermEntry) error {
	seen := map[[2]string]int{}
	for i, t := range entries {
		where := fmt.Sprintf("need_terms[%d]", i)
		need, err := core.ParseNeed(t.Need)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		for _, f := range []struct{ name, value, says string }{
			{"taxonomy", t.Taxonomy, "the name (or id) of the taxonomy the term belongs to, like esd-service-types"},
			{"term", t.Term, "the term's id or code in that taxonomy"},
			{"name", t.Name, "the term's name, which the directory feed publishes"},
		} {
			if strings.TrimSpace(f.value) == "" {
				return fmt.Errorf("%s: %s is missing: give %s", where, f.name, f.says)
			}
		}
		key := [2]string{strings.TrimSpace(t.Taxonomy), strings.TrimSpace(t.Term)}
		if j, dup := seen[key]; dup {
			return fmt.Errorf("%s: the term %q of %q is also need_terms[%d]; a term can mean only one need", where, key[1], key[0], j)
		}
		seen[key] = i
		if err := eng.SetNeedTerm(ctx, tx, core.NeedTerm{Need: need, Taxonomy: t.Taxonomy, Term: t.Term, Name: t.Name}); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

// importAgency adds an agency and its services.
func importAgency(ctx context.Context, eng *core.Engine, tx pgx.Tx, a agencyEntry, sum *importSummary) (core.AgencyID, error) {
	id, err := eng.AddAgency(ctx, tx, core.NewAgency{Slug: a.Slug, Name: a.Name, Description: a.Description,
		Phone: a.Phone, Email: a.Email, Website: a.Website, Address: a.Address, SlackChannelID: a.SlackChannel,
		AckTargetHours: a.AckTargetHours, AcceptsSelfReferrals: a.AcceptsSelfReferrals,
		Notifications: core.AgencyNotifications{NotifyEmail: a.NotifyEmail, EmailStaff: a.EmailStaff}})
	if err != nil {
		return 0, err
	}
	for j, s := range a.Services {
		needs := make([]core.Need, len(s.Needs))
		for k, n := range s.Needs {
			if needs[k], err = core.ParseNeed(n); err != nil {
				return 0, fmt.Errorf("services[%d] (%s): %w", j, s.Name, err)
			}
		}
		if _, err := eng.AddService(ctx, tx, core.NewService{AgencyID: id, Name: s.Name, Description: s.Description,
			Needs: needs, Eligibility: s.Eligibility, PostcodeDistricts: s.Districts, CouncilAreas: s.CouncilAreas,
			Languages: s.Languages, OpeningHours: s.OpeningHours}); err != nil {
			return 0, fmt.Errorf("services[%d] (%s): %w", j, s.Name, err)
		}
		sum.services++
	}
	return id, nil
}
