package core_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// A client's language and best time to contact them are checked, from
// staff and from partner systems alike: every later text to the client is
// in that language, so one Onward has no words in is refused, as is a
// contact time the forms do not offer; each refusal names the field and
// what it accepts, and nothing is written.
func TestClientLanguageAndContactTimeChecked(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: n.Housing,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	bad := core.ClientDetails{Name: "T Fictional", Phone: "07700 900124", Language: "klingon", ContactTime: "never"}
	_, staffErr := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "bad-staff", By: n.Adviser.Actor(), Client: bad,
		Needs: []core.Need{core.NeedDebt}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	_, partnerErr := env.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: "api:1:bad", By: creds.Partner.Actor(),
		Client: bad, Needs: []core.Need{core.NeedDebt}, ToAgency: n.CAB,
		Consent: core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat"}})
	self := coretest.SelfReferral("bad-self")
	self.Client.Language, self.Client.ContactTime = "xx", "whenever"
	_, selfErr := env.Engine.SelfRefer(ctx, self)
	for what, err := range map[string]error{"staff": staffErr, "partner": partnerErr, "self-referral": selfErr} {
		f := fieldsOf(err)
		if lang := f["client.language"]; !strings.Contains(lang, "en, ") || !strings.Contains(lang, "pl") {
			t.Errorf("%s: language refusal %q (all: %v), want it to list the codes accepted", what, lang, err)
		}
		if when := f["client.best time to contact you"]; !strings.Contains(when, "morning, afternoon, evening, any") {
			t.Errorf("%s: contact time refusal %q (all: %v), want it to list the times accepted", what, when, err)
		}
	}
	if got := countReferrals(t, env); got != 0 {
		t.Errorf("%d referrals written, want none", got)
	}
	// Accepted values are stored as the forms give them.
	r := staffRefer(t, env, "good", core.ClientDetails{Name: "T Fictional", Phone: "07700 900124", Language: "pl-PL", ContactTime: "Evenings"})
	c, err := env.Engine.ClientDetailsFor(ctx, r.ClientID)
	if err != nil || c.Language != "pl" || c.ContactTime != "evening" {
		t.Errorf("stored language %q, contact time %q (%v); want pl, evening", c.Language, c.ContactTime, err)
	}
}

// A client whose record holds a contact time or language stored before
// they were checked can still be referred on: the bad value is left out,
// not refused at a member of staff who could not correct it.
func TestReferOnWithOldUncheckedValues(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	first := staffRefer(t, env, "old", core.ClientDetails{Name: "T Fictional", Phone: "07700 900125"})
	if _, err := env.Pool.Exec(ctx, `UPDATE clients SET language = 'klingon', contact_time = 'never' WHERE id = $1`, first.ClientID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "old-on", By: n.WelfareAdviser.Actor(), Parent: first.ID,
		Needs: []core.Need{core.NeedFood}, ToAgency: n.FoodBank, ConsentConfirmed: true, WordingVersion: n.ConsentVersion}); err != nil {
		t.Errorf("refer on a client with old values: %v", err)
	}
}

// Migration 031 mends contact times and languages stored before they were
// checked, so that what core now refuses is not held either.
func TestMigrationMendsClientFields(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	sql, err := os.ReadFile("migrations/031_client_contact_time_language.sql")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ time, lang, wantTime, wantLang string }{
		{"Mornings", "pl-PL", "morning", "pl"},
		{"any time", "UK", "any", "uk"},
		{"never", "klingon", "", "en"},
		{"evening", "gd", "evening", "gd"},
	}
	var ids []core.ClientID
	for i, c := range cases {
		r := staffRefer(t, env, fmt.Sprintf("old-%d", i), core.ClientDetails{Name: "T Fictional", Phone: fmt.Sprintf("07700 90013%d", i)})
		if _, err := env.Pool.Exec(ctx, `UPDATE clients SET contact_time = $2, language = $3 WHERE id = $1`, r.ClientID, c.time, c.lang); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ClientID)
	}
	if _, err := env.Pool.Exec(ctx, string(sql)); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		var gotTime, gotLang string
		if err := env.Pool.QueryRow(ctx, `SELECT contact_time, language FROM clients WHERE id = $1`, ids[i]).Scan(&gotTime, &gotLang); err != nil {
			t.Fatal(err)
		}
		if gotTime != c.wantTime || gotLang != c.wantLang {
			t.Errorf("%q, %q became %q, %q; want %q, %q", c.time, c.lang, gotTime, gotLang, c.wantTime, c.wantLang)
		}
	}
}

// A name is one line, however it came: a line break, a tab or an invisible
// direction override typed into a staff form or sent by a partner system
// would otherwise show a client's or a colleague's name over two lines in
// a plain-text email, or reversed on a page. Line breaks and tabs become
// spaces and the overrides go, as the web form and SMS already make them;
// a name of nothing but overrides names nobody and is refused.
func TestNamesAreOneLine(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	r := staffRefer(t, env, "one-line", core.ClientDetails{Name: "Anna\r\nNowak\t\u202eX", Phone: "07700 900125", Town: "Kirk\ncaldy"})
	c, err := env.Engine.ClientDetailsFor(ctx, r.ClientID)
	if err != nil || c.Name != "Anna Nowak X" || c.Town != "Kirk caldy" {
		t.Errorf("stored name %q, town %q (%v); want %q, %q", c.Name, c.Town, err, "Anna Nowak X", "Kirk caldy")
	}
	_, err = env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "no-name", By: n.Adviser.Actor(),
		Client: core.ClientDetails{Name: "\u202e\u2066", Phone: "07700 900126"}, Needs: []core.Need{core.NeedDebt},
		ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if got := fieldsOf(err)["client.name"]; got != "name is a required field" {
		t.Errorf("a name of direction overrides alone: refusal %q (all: %v), want the name required", got, err)
	}

	id, err := env.Engine.AddStaff(ctx, env.Engine.Pool(), core.NewStaff{AgencyID: n.CAB, Name: "Evil\r\nBcc: x@example.org",
		Role: core.RoleAdviser, Email: "one-line@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := env.Engine.StaffByID(ctx, id)
	if err != nil || st.Name != "Evil Bcc: x@example.org" {
		t.Errorf("staff name stored as %q (%v), want it on one line", st.Name, err)
	}
}
