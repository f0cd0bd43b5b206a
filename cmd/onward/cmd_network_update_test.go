package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// importFixture is a fresh database with the example network imported,
// and a way to import edited copies of the example.
type importFixture struct {
	t       *testing.T
	ctx     context.Context
	example string
	pool    *pgxpool.Pool
	eng     *core.Engine
	agency  core.AgencyID // eastloch-money-advice
}

func newImportFixture(t *testing.T) *importFixture {
	t.Helper()
	f := &importFixture{t: t, ctx: context.Background()}
	url := coretest.NewDatabase(t)
	t.Setenv("ONWARD_DATABASE_URL", url)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	var example bytes.Buffer
	if err := runNetwork(f.ctx, []string{"example"}, &example, io.Discard); err != nil {
		t.Fatal(err)
	}
	f.example = example.String()
	if _, _, err := f.imports(f.example); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(f.ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	f.pool = pool
	f.eng = core.NewEngine(pool, nil, core.SystemClock{}, core.RandomIDs{}, slog.New(slog.DiscardHandler))
	t.Cleanup(f.eng.Close)
	a, err := f.eng.AgencyBySlug(f.ctx, "eastloch-money-advice")
	if err != nil {
		t.Fatal(err)
	}
	f.agency = a.ID
	return f
}

// imports imports body, returning what it printed and its warnings.
func (f *importFixture) imports(body string) (out, warnings string, err error) {
	f.t.Helper()
	p := filepath.Join(f.t.TempDir(), "network.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		f.t.Fatal(err)
	}
	var o, w bytes.Buffer
	err = runNetwork(f.ctx, []string{"import", p}, &o, &w)
	return o.String(), w.String(), err
}

// edit is the example with each pair of from → to replaced once; a from
// not in the example fails the test.
func (f *importFixture) edit(pairs ...string) string {
	f.t.Helper()
	body := f.example
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(body, pairs[i]) {
			f.t.Fatalf("the example has no %q", pairs[i])
		}
		body = strings.Replace(body, pairs[i], pairs[i+1], 1)
	}
	return body
}

func (f *importFixture) strings(sql string, args ...any) []string {
	f.t.Helper()
	rows, _ := f.pool.Query(f.ctx, sql, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *importFixture) staff(email string) core.StaffRecord {
	f.t.Helper()
	s, err := f.eng.StaffRecordByEmail(f.ctx, email)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

const exampleServiceHours = "        opening_hours: Monday to Friday, 9am to 5pm\n"

// A second service for the example's agency, put before its staff.
const employmentService = `      - name: Employment rights advice
        description: Help with problems at work.
        needs: [employability]
        districts: [EH1]
        languages: [en]
        opening_hours: Mondays 1pm to 4pm
    staff:
`

// TestNetworkImportAppliesChangesToAnExistingAgency: importing the file
// again applies it to an agency already there (its details, where its
// notifications go, its services by name and its staff by email), each
// change audited with the command line as the actor, as a new agency and
// its staff are; staff the file leaves out are warned about, not
// deactivated; every value of an existing agency is checked, and a bad
// one changes nothing.
func TestNetworkImportAppliesChangesToAnExistingAgency(t *testing.T) {
	f := newImportFixture(t)
	kinds := func() []string {
		return f.strings(`SELECT kind || ' ' || actor_kind FROM events WHERE agency_id = $1 ORDER BY id`, f.agency)
	}
	if got, want := kinds(), []string{"agency.added system", "directory.service-added system", "staff.added system", "staff.added system"}; !slices.Equal(got, want) {
		t.Errorf("the first import's audit events: %q, want %q", got, want)
	}

	changed := f.edit(
		"description: Free, confidential help with debt, benefits and budgeting.", "description: Free help with debt and benefits.",
		"notify_email: advice-team@money.example.org", "notify_email: newteam@money.example.org",
		exampleServiceHours, "        opening_hours: Wednesdays only, 10am to 1pm\n",
		"    staff:\n", employmentService,
		"{name: Aileen Fictional, email: aileen@money.example.org, role: adviser}", "{name: Aileen Fictional, email: aileen@money.example.org, role: coordinator}",
		"      - {name: Rory Fictional, email: rory@money.example.org, role: coordinator, slack_user: \"\"}\n", "",
	)
	out, warnings, err := f.imports(changed)
	if err != nil {
		t.Fatal(err)
	}
	if want := "agencies 0 added, 1 changed, 0 unchanged; services 1 added, 1 changed, 0 unchanged; staff 0 added, 1 changed, 0 unchanged"; !strings.Contains(out, want) {
		t.Errorf("summary %q, want it to say %q", out, want)
	}
	if !strings.Contains(warnings, "Rory Fictional (rory@money.example.org)") || !strings.Contains(warnings, "`onward staff deactivate rory@money.example.org`") {
		t.Errorf("warnings %q; want one naming Rory and how to deactivate him", warnings)
	}
	a, err := f.eng.Agency(f.ctx, f.agency)
	if err != nil || a.Description != "Free help with debt and benefits." || a.NotifyEmail != "newteam@money.example.org" {
		t.Errorf("agency after the import: %+v, %v", a, err)
	}
	services, err := f.eng.Services(f.ctx, f.agency)
	if err != nil || len(services) != 2 {
		t.Fatalf("services %+v, %v; want two", services, err)
	}
	for _, s := range services {
		if s.Name == "Debt and benefits advice" && s.OpeningHours != "Wednesdays only, 10am to 1pm" {
			t.Errorf("the changed hours were not applied: %q", s.OpeningHours)
		}
	}
	if s := f.staff("aileen@money.example.org"); s.Role != core.RoleCoordinator {
		t.Errorf("Aileen's role %s, want coordinator", s.Role)
	}
	if s := f.staff("rory@money.example.org"); s.DeactivatedAt != nil {
		t.Error("Rory, left out of the file, was deactivated")
	}
	got := kinds()[4:]
	for _, want := range []string{"agency.details-changed system", "agency.notifications-changed system", "directory.service-changed system",
		"directory.service-added system", "staff.role-changed system"} {
		if !slices.Contains(got, want) {
			t.Errorf("the second import's audit events %q lack %q", got, want)
		}
	}

	// Importing the same file again changes nothing.
	out, _, err = f.imports(changed)
	if err != nil || !strings.Contains(out, "agencies 0 added, 0 changed, 1 unchanged; services 0 added, 0 changed, 2 unchanged; staff 0 added, 0 changed, 1 unchanged") {
		t.Errorf("the same file again: %q, %v", out, err)
	}

	// A bad value in an agency already there is refused like one in a
	// new agency, and nothing is written.
	for _, c := range []struct{ from, to, want string }{
		{"role: coordinator}", "role: advisor}", "the 1st member of staff (aileen@money.example.org): invalid input: role must be one of"},
		{"needs: [employability]", "needs: [food, fule]", `the 2nd service (Employment rights advice): "fule" is not a need`},
		{"languages: [en, pl]", "languages: [en, fr, xx]", `the 1st service (Debt and benefits advice): invalid input: languages: "xx" is not a language code`},
		{"email_staff: without-slack", "email_staff: sometimes", `email staff must be one of always, without-slack, never; "sometimes" is not`},
		{"ack_target_hours: 16 ", "ack_target_hours: -3 ", "acknowledgement target must be 1 or greater"},
	} {
		body := strings.Replace(changed, c.from, c.to, 1)
		body = strings.Replace(body, "description: Free help with debt and benefits.", "description: Changed by a refused file.", 1)
		if body == changed {
			t.Fatalf("%s is not in the file", c.from)
		}
		_, _, err := f.imports(body)
		if err == nil || !strings.Contains(err.Error(), "the 1st agency (eastloch-money-advice): ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: err = %v, want it to name the agency and say %q", c.from, c.to, err, c.want)
		}
		if a, _ := f.eng.Agency(f.ctx, f.agency); a.Description != "Free help with debt and benefits." {
			t.Fatalf("%s → %s: a refused file changed the agency", c.from, c.to)
		}
	}
}

// TestNetworkImportDeactivatedStaff: a deactivated member of staff the
// file still lists is a warning, and stays deactivated; adding them again
// says they were deactivated and names the command that reactivates them,
// which does, at another agency too, audited.
func TestNetworkImportDeactivatedStaff(t *testing.T) {
	f := newImportFixture(t)
	aileen := f.staff("aileen@money.example.org")
	if err := f.eng.DeactivateStaff(f.ctx, aileen.ID, cliActor); err != nil {
		t.Fatal(err)
	}
	out, warnings, err := f.imports(f.example)
	if err != nil {
		t.Fatalf("a file listing a deactivated member of staff is refused: %v", err)
	}
	if !strings.Contains(out, "staff 0 added, 0 changed, 1 unchanged, 1 left out (see the warnings)") {
		t.Errorf("summary %q", out)
	}
	if !strings.Contains(warnings, "aileen@money.example.org") || !strings.Contains(warnings, "was deactivated") ||
		!strings.Contains(warnings, "`onward staff reactivate aileen@money.example.org --agency eastloch-money-advice`") {
		t.Errorf("warnings %q; want one saying Aileen was deactivated and how to reactivate her", warnings)
	}
	if s := f.staff(aileen.Email); s.DeactivatedAt == nil {
		t.Fatal("the import reactivated a deactivated member of staff")
	}

	// A second agency, to come back at.
	body := strings.Replace(f.example, "\n# Where each need sits", `
  - slug: eastloch-food-bank
    name: Eastloch Food Bank
    description: Food parcels for anyone in need.
    services:
      - {name: Food parcels, needs: [food], districts: [EH1]}
    staff:
      - {name: Fergus Fictional, email: fergus@food.example.org, role: adviser}

# Where each need sits`, 1)
	if _, _, err := f.imports(body); err != nil {
		t.Fatal(err)
	}

	var stdout bytes.Buffer
	err = runStaff(f.ctx, []string{"add", "--agency", "eastloch-food-bank", "--name", "Aileen Fictional", aileen.Email}, &stdout, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "was deactivated") || !strings.Contains(err.Error(), "onward staff reactivate aileen@money.example.org") {
		t.Errorf("adding a deactivated member of staff again: %v; want it to say so and name the command", err)
	}
	if err := runStaff(f.ctx, []string{"reactivate", "--agency", "eastloch-food-bank", aileen.Email}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	s, err := f.eng.StaffByEmail(f.ctx, aileen.Email)
	if err != nil || s.AgencyName != "Eastloch Food Bank" || s.Role != core.RoleAdviser {
		t.Fatalf("after reactivating at the food bank: %+v, %v", s, err)
	}
	if !strings.Contains(stdout.String(), "Reactivated Aileen Fictional (adviser, Eastloch Food Bank; was Eastloch Money Advice)") {
		t.Errorf("reactivate said %q", stdout.String())
	}
	food, _ := f.eng.AgencyBySlug(f.ctx, "eastloch-food-bank")
	if got := f.strings(`SELECT kind || ' ' || actor_kind FROM events WHERE agency_id = $1 AND kind LIKE 'staff.%' ORDER BY id`, food.ID); !slices.Contains(got, "staff.reactivated system") {
		t.Errorf("the food bank's staff events %q lack staff.reactivated", got)
	}
	// The file still lists her at the money advice agency: refused,
	// naming the command that moves her.
	_, _, err = f.imports(body)
	if err == nil || !strings.Contains(err.Error(), "aileen@money.example.org is a member of staff of Eastloch Food Bank (eastloch-food-bank), not of eastloch-money-advice") ||
		!strings.Contains(err.Error(), "`onward staff move aileen@money.example.org --agency eastloch-money-advice`") {
		t.Errorf("a file listing her at her old agency: %v", err)
	}
	if err := runStaff(f.ctx, []string{"move", "--agency", "eastloch-money-advice", aileen.Email}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.imports(body); err != nil {
		t.Errorf("after moving her back: %v", err)
	}
}

// TestNetworkImportRefusesACopyOfAnAgency: a new short name for an agency
// already there (same name) is refused naming both, as is a member of
// staff listed under an agency not theirs; an agency without staff is a
// warning.
func TestNetworkImportRefusesACopyOfAnAgency(t *testing.T) {
	f := newImportFixture(t)
	_, _, err := f.imports(f.edit("slug: eastloch-money-advice", "slug: eastloch-money"))
	if err == nil || !strings.Contains(err.Error(), "the 1st agency (eastloch-money)") ||
		!strings.Contains(err.Error(), "another agency, Eastloch Money Advice (short name eastloch-money-advice), already has this name") {
		t.Errorf("a renamed short name: %v; want it refused naming both", err)
	}
	_, _, err = f.imports(f.edit("slug: eastloch-money-advice", "slug: eastloch-money", "name: Eastloch Money Advice", "name: Eastloch Money Help"))
	if err == nil || !strings.Contains(err.Error(), "aileen@money.example.org is a member of staff of Eastloch Money Advice (eastloch-money-advice), not of eastloch-money") {
		t.Errorf("staff under another agency: %v", err)
	}
	if as, _ := f.eng.Agencies(f.ctx); len(as) != 1 {
		t.Fatalf("%d agencies after refused files, want 1", len(as))
	}
	_, warnings, err := f.imports(f.edit(
		"      - {name: Aileen Fictional, email: aileen@money.example.org, role: adviser}\n", "",
		"      - {name: Rory Fictional, email: rory@money.example.org, role: coordinator, slack_user: \"\"}\n", "",
		"    staff:\n", "    staff: []\n",
		"slug: eastloch-money-advice", "slug: eastloch-money", "name: Eastloch Money Advice", "name: Eastloch Money Help"))
	if err != nil || !strings.Contains(warnings, "Eastloch Money Help (eastloch-money) has no staff") {
		t.Errorf("an agency without staff: %v, warnings %q", err, warnings)
	}
	if !strings.Contains(warnings, "Eastloch Money Advice (eastloch-money-advice) is in the network but not in the file") {
		t.Errorf("warnings %q; want one for the agency the file no longer lists", warnings)
	}
}

// TestNetworkImportRemovesWhatTheFileNoLongerLists: districts, bank
// holidays and need terms are the file's: those left out are removed and
// counted; a district a service still covers is refused naming it.
func TestNetworkImportRemovesWhatTheFileNoLongerLists(t *testing.T) {
	f := newImportFixture(t)
	const eh2 = "  - {district: EH2, council_area: S12000036, town: Eastloch}\n"
	body := f.edit(eh2, "",
		"  - {date: 2026-12-28, name: Boxing Day (substitute day)}\n", "",
		"  - {need: food, taxonomy: esd-service-types, term: \"1601\", name: Food banks}\n", "")
	_, _, err := f.imports(body)
	if err == nil || !strings.Contains(err.Error(), "EH2 is not in the file's districts, but services still cover it: Debt and benefits advice (eastloch-money-advice)") {
		t.Errorf("a district a service covers: %v", err)
	}
	if got := f.strings(`SELECT district FROM postcode_districts ORDER BY 1`); !slices.Equal(got, []string{"EH1", "EH2"}) {
		t.Fatalf("a refused file changed the districts: %v", got)
	}
	out, _, err := f.imports(strings.Replace(body, "districts: [EH1, EH2]", "districts: [EH1]", 1))
	if err != nil {
		t.Fatal(err)
	}
	if want := "districts: 1 stored, 1 removed; bank holidays: 1 stored, 1 removed; need terms: 1 stored, 1 removed"; !strings.Contains(out, want) {
		t.Errorf("summary %q, want %q", out, want)
	}
	for sql, want := range map[string][]string{
		`SELECT district FROM postcode_districts ORDER BY 1`: {"EH1"},
		`SELECT day::text FROM bank_holidays ORDER BY 1`:     {"2026-12-25"},
		`SELECT term FROM need_terms ORDER BY 1`:             {"1466"},
	} {
		if got := f.strings(sql); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", sql, got, want)
		}
	}
}

// TestNetworkImportChecksAndDefaults: values no check caught are refused,
// each named by the agency's place and short name; what the web form
// defaults the file defaults the same; a consent translation under a key
// that is not a language is named with the codes allowed.
func TestNetworkImportChecksAndDefaults(t *testing.T) {
	f := newImportFixture(t)
	newAgency := func(body string) string {
		body = strings.Replace(body, "slug: eastloch-money-advice", "slug: eastloch-new-agency", 1)
		body = strings.Replace(body, "name: Eastloch Money Advice", "name: Eastloch New Agency", 1)
		body = strings.Replace(body, "aileen@money.example.org", "aileen2@money.example.org", 1)
		return strings.Replace(body, "rory@money.example.org", "rory2@money.example.org", 1)
	}
	for _, c := range []struct{ from, to, want string }{
		{"languages: [en, pl]", "languages: [en, xx]", `the 1st agency (eastloch-new-agency): the 1st service (Debt and benefits advice): invalid input: languages: "xx" is not a language code`},
		{"districts: [EH1, EH2]", "districts: [EH1, EH9]", "EH9 is not one of the network's districts (EH1, EH2)"},
		{"phone: 0800 000 0101", "phone: call us", "phone must be a phone number people can call"},
		{"    description: Free, confidential help with debt, benefits and budgeting.\n", "", "description is required"},
		{"    pl: >-\n      Eastloch Advice", "    Polish: >-\n      Eastloch Advice", `consent: translations.Polish: invalid input: "Polish" is not a language clients may choose; give one of`},
	} {
		_, _, err := f.imports(newAgency(f.edit(c.from, c.to)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: err = %v, want it to say %q", c.from, c.to, err, c.want)
		}
	}
	if _, err := f.eng.AgencyBySlug(f.ctx, "eastloch-new-agency"); err == nil {
		t.Fatal("a refused file added an agency")
	}

	// Left out, the acknowledgement target is 16 hours and the agency
	// takes self-referrals, as the web form has it.
	if _, _, err := f.imports(newAgency(f.edit(
		"    ack_target_hours: 16       # working hours to accept or reject a new referral; default 16\n", "",
		"    accepts_self_referrals: true   # whether clients may refer themselves to it; default true\n", ""))); err != nil {
		t.Fatal(err)
	}
	a, err := f.eng.AgencyBySlug(f.ctx, "eastloch-new-agency")
	if err != nil || a.AckTargetHours != 16 || !a.AcceptsSelfReferrals {
		t.Errorf("an agency without ack_target_hours or accepts_self_referrals: %+v, %v", a, err)
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 101: "101st", 111: "111th"} {
		if got := core.Ordinal(n); got != want {
			t.Errorf("Ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}
