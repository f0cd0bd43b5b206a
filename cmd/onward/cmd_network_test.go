package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
	"github.com/onward-network/onward/core/lang"
)

func TestNetworkImport(t *testing.T) {
	ctx := context.Background()
	url := coretest.NewDatabase(t)
	t.Setenv("ONWARD_DATABASE_URL", url)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	dir := t.TempDir()
	write := func(name string, body []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// The example prints, and imports as it is.
	var example bytes.Buffer
	if err := runNetwork(ctx, []string{"example"}, &example, io.Discard); err != nil {
		t.Fatal(err)
	}
	file := write("network.yaml", example.Bytes())
	var out, warnings bytes.Buffer
	if err := runNetwork(ctx, []string{"import", file}, &out, &warnings); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "agencies 1 added, 0 changed, 0 unchanged; services 1 added, 0 changed, 0 unchanged; staff 2 added, 0 changed, 0 unchanged") {
		t.Errorf("summary: %s", out.String())
	}
	if warnings.Len() != 0 {
		t.Errorf("the example gives every language clients may choose, yet the import warns: %s", warnings.String())
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	eng := core.NewEngine(pool, nil, core.SystemClock{}, core.RandomIDs{}, slog.New(slog.DiscardHandler))
	defer eng.Close()
	n, err := eng.Network(ctx)
	if err != nil || n.Name != "Eastloch Advice Partnership" {
		t.Fatalf("network %+v, %v", n, err)
	}
	// The example's wording says every way to withdraw the privacy
	// notice gives (a DPO's review found the first said only "call"), in
	// every language: the keyword replied, the withdrawal page, the phone.
	w, err := eng.CurrentConsentWording(ctx)
	if err != nil || w.Version != "v2" || !strings.Contains(w.Body, "reply WITHDRAW to our texts") {
		t.Errorf("the example's consent wording %s: %q, %v", w.Version, w.Body, err)
	}
	for _, code := range []string{"en", "pl", "uk", "ar", "ur", "gd"} {
		if w, err := eng.ConsentWordingIn(ctx, "v2", code); err != nil || w.Language != code ||
			!strings.Contains(w.Body, "advice.example.org/withdraw") || !strings.Contains(w.Body, "0800 000 0100") {
			t.Errorf("the example's consent wording in %s: %q, %v", code, w.Body, err)
		}
	}
	a, err := eng.AgencyBySlug(ctx, "eastloch-money-advice")
	if err != nil || a.AckTargetHours != 16 || !a.AcceptsSelfReferrals {
		t.Fatalf("agency %+v, %v", a, err)
	}
	if a.NotifyEmail != "advice-team@money.example.org" || a.EmailStaff != core.StaffEmailWithoutSlack {
		t.Errorf("agency notifications: shared %q, staff %q; want the file's", a.NotifyEmail, a.EmailStaff)
	}
	if s, err := eng.StaffByEmail(ctx, "rory@money.example.org"); err != nil || s.Role != core.RoleCoordinator {
		t.Fatalf("staff %+v, %v", s, err)
	}
	if ts, err := eng.NeedTerms(ctx); err != nil || len(ts) != 2 || ts[0] != (core.NeedTerm{Need: core.NeedDebt, Taxonomy: "esd-service-types", Term: "1466", Name: "Debt advice"}) {
		t.Fatalf("need terms %+v, %v", ts, err)
	}
	m, err := eng.Suggest(ctx, core.MatchQuery{Needs: []core.Need{core.NeedDebt}, District: "EH2", SelfReferral: true})
	if err != nil || len(m.Suggestions) != 1 || m.Suggestions[0].Agency.ID != a.ID {
		t.Fatalf("matching after import: %+v, %v", m.Suggestions, err)
	}

	// Importing again adds nothing and changes nothing.
	out.Reset()
	if err := runNetwork(ctx, []string{"import", file}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "agencies 0 added, 0 changed, 1 unchanged; services 0 added, 0 changed, 1 unchanged; staff 0 added, 0 changed, 2 unchanged") {
		t.Errorf("second import: %s", out.String())
	}

	// A mistake anywhere is named, and nothing of the file is written.
	for _, c := range []struct{ from, to, want string }{
		{"needs: [debt, benefits, income-maximisation]", "needs: [debt, hope]", `the 1st agency (eastloch-new-agency): the 1st service (Debt and benefits advice): "hope" is not a need`},
		{"slug: eastloch-money-advice", "slug: eastloch-food-bank\n    nmae: typo", "field nmae not found"},
		{"email: aileen@money.example.org", "email: not-an-email", "the 1st member of staff (not-an-email)"},
		{"{date: 2026-12-25, name: Christmas Day}", "{date: 25/12/2026, name: Christmas Day}", "bank_holidays: the 1st bank holiday (Christmas Day): the date must look like 2026-12-25"},
		{"{need: food, taxonomy", "{need: groceries, taxonomy", `need_terms: the 2nd need term: "groceries" is not a need`},
		{`term: "1601", name: Food banks`, `term: "", name: Food banks`, "need_terms: the 2nd need term: term is missing: give the term's id or code"},
		{`name: Debt advice}`, `name: ""}`, "need_terms: the 1st need term: name is missing"},
		{`{need: food, taxonomy: esd-service-types, term: "1601"`, `{need: food, taxonomy: esd-service-types, term: "1466"`, `need_terms: the 2nd need term: the term "1466" of "esd-service-types" is also the 1st need term`},
		{"notify_email: advice-team@money.example.org", "notify_email: advice team", `notify email must be one email address, like team@agency.example.org; "advice team" is not`},
		{"notify_email: advice-team@money.example.org", "notify_email: \"a@b.example\\r\\nBcc: x@y.example\"", "notify email must be one email address"},
		{"email_staff: without-slack", "email_staff: sometimes", `email staff must be one of always, without-slack, never; "sometimes" is not`},
	} {
		body := strings.Replace(example.String(), c.from, c.to, 1)
		body = strings.Replace(body, "slug: eastloch-money-advice", "slug: eastloch-new-agency", 1)
		body = strings.Replace(body, "name: Eastloch Money Advice", "name: Eastloch New Agency", 1)
		body = strings.Replace(body, "aileen@money.example.org", "aileen2@money.example.org", 1)
		body = strings.Replace(body, "rory@money.example.org", "rory2@money.example.org", 1)
		err := runNetwork(ctx, []string{"import", write("bad.yaml", []byte(body))}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: err = %v, want it to mention %q", c.from, c.to, err, c.want)
		}
		if _, err := eng.AgencyBySlug(ctx, "eastloch-new-agency"); err == nil {
			t.Fatalf("%s → %s: a failed import left an agency behind", c.from, c.to)
		}
	}
}

// TestNetworkImportCalendar: the working calendar in the network file is
// the one the engine works by; left out, each setting is its default
// again; bad values are all named at once and nothing is written.
func TestNetworkImportCalendar(t *testing.T) {
	ctx := context.Background()
	settings := networkSettingsReader(t)
	type calendar struct { // exported fields: %+v prints durations as 8h30m0s
		Days                                             string
		WorkingStart, WorkingEnd, QuietStart, QuietEnd   time.Duration
		ContactCheckDays, ContactNudgeDays, CrisisAckHrs int
		CrisisSameDayBefore                              time.Duration
	}
	calendarOf := func(n core.Network) calendar {
		return calendar{fmt.Sprint(n.WorkingDays), n.WorkingStart, n.WorkingEnd, n.QuietStart, n.QuietEnd,
			n.ContactCheckDays, n.ContactNudgeDays, n.CrisisAckHours, n.CrisisSameDayBefore}
	}
	defaults := calendar{"[1 2 3 4 5]", 9 * time.Hour, 17 * time.Hour, 21 * time.Hour, 8 * time.Hour, 3, 5, 2, 15 * time.Hour}
	keys := []string{"working_days", "working_hours", "quiet_hours", "contact_check_days", "contact_nudge_days",
		"crisis_ack_hours", "crisis_same_day_before"}
	setting := func(key string) *regexp.Regexp { return regexp.MustCompile(`(?m)^  ` + key + `: .*\n`) }
	// with gives the example file with each key's line set to its value,
	// or taken out when the value is "".
	var example bytes.Buffer
	if err := runNetwork(ctx, []string{"example"}, &example, io.Discard); err != nil {
		t.Fatal(err)
	}
	with := func(values map[string]string) string {
		body := example.String()
		for key, v := range values {
			line := ""
			if v != "" {
				line = "  " + key + ": " + v + "\n"
			}
			body = setting(key).ReplaceAllLiteralString(body, line)
		}
		return body
	}
	imports := func(body string) error {
		p := filepath.Join(t.TempDir(), "network.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return runNetwork(ctx, []string{"import", p}, io.Discard, io.Discard)
	}

	// The example shows every setting, at its default, and imports.
	for _, key := range keys {
		if !setting(key).MatchString(example.String()) {
			t.Errorf("the example does not show %s", key)
		}
	}
	if err := imports(example.String()); err != nil {
		t.Fatal(err)
	}
	if got := calendarOf(settings()); got != defaults {
		t.Errorf("the example's calendar:\n got %+v\nwant %+v", got, defaults)
	}

	// A network of four days, 08:30 to 16:30.
	custom := map[string]string{"working_days": "[mon, tue, wednesday, Thu]", "working_hours": `"08:30-16:30"`,
		"quiet_hours": `"20:00-09:00"`, "contact_check_days": "2", "contact_nudge_days": "4",
		"crisis_ack_hours": "3", "crisis_same_day_before": `"12:00"`}
	if err := imports(with(custom)); err != nil {
		t.Fatal(err)
	}
	want := calendar{"[1 2 3 4]", 8*time.Hour + 30*time.Minute, 16*time.Hour + 30*time.Minute, 20 * time.Hour, 9 * time.Hour,
		2, 4, 3, 12 * time.Hour}
	if got := calendarOf(settings()); got != want {
		t.Errorf("after importing a calendar:\n got %+v\nwant %+v", got, want)
	}

	// Left out, each is its default again.
	none := map[string]string{}
	for _, key := range keys {
		none[key] = ""
	}
	if err := imports(with(none)); err != nil {
		t.Fatal(err)
	}
	if got := calendarOf(settings()); got != defaults {
		t.Errorf("imported again without a calendar:\n got %+v\nwant the defaults %+v", got, defaults)
	}

	// Every mistake is named at once, and nothing of the file is written:
	// the four-day calendar and the network's name stand.
	if err := imports(with(custom)); err != nil {
		t.Fatal(err)
	}
	bad := with(map[string]string{"working_days": "[mon, fry]", "working_hours": `"17:00-09:00"`,
		"quiet_hours": `"21:00-21:00"`, "contact_check_days": "0", "contact_nudge_days": "61",
		"crisis_ack_hours": "0", "crisis_same_day_before": `"3 o'clock"`})
	bad = strings.Replace(bad, "name: Eastloch Advice Partnership", "name: Westloch Advice Partnership", 1)
	err := imports(bad)
	for _, msg := range []string{
		`working_days: "fry" is not a day of the week`,
		"working_hours: the end (09:00) must be after the start (17:00)",
		"quiet_hours: the start and the end are both 21:00",
		"contact_check_days must be between 1 and 60",
		"contact_nudge_days must be between 1 and 60",
		"crisis_ack_hours must be between 1 and 40",
		`crisis_same_day_before: "3 o'clock" is not a time of day`,
		"nothing was imported",
	} {
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("a file of bad settings: err = %v, want it to say %q", err, msg)
		}
	}
	if n := settings(); calendarOf(n) != want || n.Name != "Eastloch Advice Partnership" {
		t.Errorf("a refused file was written: %q, %+v", n.Name, calendarOf(n))
	}
}

// TestNetworkImportOpeningHours: the example file gives the opening hours
// in every language clients may choose, and the engine shows each; a
// translation in a language the network does not know, an empty one, one
// over two lines or too long is named, all at once, and nothing of the
// file is written.
func TestNetworkImportOpeningHours(t *testing.T) {
	ctx := context.Background()
	settings := networkSettingsReader(t)
	imports := func(body string) error {
		p := filepath.Join(t.TempDir(), "network.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return runNetwork(ctx, []string{"import", p}, io.Discard, io.Discard)
	}
	var example bytes.Buffer
	if err := runNetwork(ctx, []string{"example"}, &example, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := imports(example.String()); err != nil {
		t.Fatal(err)
	}
	n := settings()
	for code, want := range map[string]string{
		"en": "Monday to Friday, 9am to 5pm",
		"pl": "od poniedziałku do piątku, 9:00–17:00",
		"uk": "з понеділка по п’ятницю, з 9:00 до 17:00",
		"ar": "من الاثنين إلى الجمعة، من 9 صباحًا إلى 5 مساءً",
		"ur": "پیر سے جمعہ، صبح 9 بجے سے شام 5 بجے تک",
		"gd": "Diluain gu Dihaoine, 9 sa mhadainn gu 5 feasgar",
	} {
		if got := n.OpeningHoursIn(code); got != want {
			t.Errorf("the example's hours in %s: %q, want %q", code, got, want)
		}
	}
	// With them, each language's help text keeps to a translation's
	// budget (TestMessageBudgets): twice the English's three parts.
	var texts bytes.Buffer
	if err := runTexts(ctx, nil, &texts, io.Discard); err != nil {
		t.Fatal(err)
	}
	helps := regexp.MustCompile(`(?m)^help +([a-z]+) +(\d+) `).FindAllStringSubmatch(texts.String(), -1)
	if len(helps) != 6 {
		t.Fatalf("help texts in %d languages, want 6:\n%s", len(helps), texts.String())
	}
	for _, m := range helps {
		if n, _ := strconv.Atoi(m[2]); n > 6 {
			t.Errorf("the help text in %s with the example's hours is %d parts, over 6", m[1], n)
		}
	}

	bad := strings.Replace(example.String(), "name: Eastloch Advice Partnership", "name: Westloch Advice Partnership", 1)
	bad = regexp.MustCompile(`(?m)^    (pl|uk|ar|ur): ".*\n`).ReplaceAllLiteralString(bad, "")
	bad = strings.Replace(bad, "  opening_hours_translations:\n", "  opening_hours_translations:\n"+
		"    fr: \"du lundi au vendredi, de 9 h à 17 h\"\n"+
		"    pl: \"\"\n"+
		"    uk: \"з понеділка по п’ятницю,\\nз 9:00 до 17:00\"\n"+
		"    ar: \""+strings.Repeat("ساعات", 41)+"\"\n", 1)
	err := imports(bad)
	for _, msg := range []string{
		`opening_hours_translations.fr: "fr" is not a language clients may choose; give one of pl, uk, ar, ur, gd`,
		"opening_hours_translations.pl: the opening hours are empty",
		"opening_hours_translations.uk: has a control character",
		"opening_hours_translations.ar: 205 characters, over the 200",
		"nothing was imported",
	} {
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("a file of bad opening hours: err = %v, want it to say %q", err, msg)
		}
	}
	if after := settings(); after.Name != n.Name || after.OpeningHoursIn("pl") != n.OpeningHoursIn("pl") || after.OpeningHoursIn("uk") != n.OpeningHoursIn("uk") {
		t.Errorf("a refused file was written: %q, %v", after.Name, after.OpeningHoursTranslations)
	}
}

// networkSettingsReader points ONWARD_DATABASE_URL at a fresh database
// and returns a reader of the network settings in it. Each read uses a
// fresh engine: the import's engine is another one, and a kept engine's
// cache would hold what it read last.
func networkSettingsReader(t *testing.T) func() core.Network {
	t.Helper()
	ctx := context.Background()
	url := coretest.NewDatabase(t)
	t.Setenv("ONWARD_DATABASE_URL", url)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return func() core.Network {
		t.Helper()
		eng := core.NewEngine(pool, nil, core.SystemClock{}, core.RandomIDs{}, slog.New(slog.DiscardHandler))
		defer eng.Close()
		n, err := eng.Network(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// A network file without the consent wording or opening hours in a
// language clients may choose imports, and says which languages will be
// shown the English.
func TestNetworkImportWarnsOfUntranslatedConsent(t *testing.T) {
	var f networkFile
	f.Consent.Translations = map[string]string{"pl": "Zgoda…", "uk": "  "}
	f.Network.OpeningHoursTranslations = map[string]string{"pl": "9–17", "uk": "9–17", "ar": "9–17", "ur": "9–17", "gd": "9–17"}
	langs := []lang.Language{{Code: "en", English: "English"}, {Code: "pl", English: "Polish"}, {Code: "uk", English: "Ukrainian"},
		{Code: "ar", English: "Arabic"}, {Code: "ur", English: "Urdu"}, {Code: "gd", English: "Scottish Gaelic"}}
	got := untranslatedWarnings(f, langs)
	if len(got) != 1 || !strings.Contains(got[0], "Ukrainian (uk), Arabic (ar), Urdu (ur), Scottish Gaelic (gd)") ||
		!strings.Contains(got[0], "agree to the English wording") || strings.Contains(got[0], "Polish") {
		t.Fatalf("warnings %q; want one naming the four languages without consent wording", got)
	}
	f.Network.OpeningHoursTranslations["gd"] = ""
	if got := untranslatedWarnings(f, langs); len(got) != 2 || !strings.Contains(got[1], "Scottish Gaelic (gd)") || strings.Contains(got[1], "Polish") {
		t.Fatalf("warnings %q; want the hours' warning naming Gaelic", got)
	}
}
