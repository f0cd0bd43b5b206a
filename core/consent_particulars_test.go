package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// partnerReferral refers Morag Baird to Kirkton CAB from a partner system
// of Welfare Rights with consent c.
func partnerReferral(t *testing.T, env *coretest.Env, key string, c core.PartnerConsent) core.Referral {
	t.Helper()
	ctx := context.Background()
	p, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework " + key, AgencyID: env.Net.Welfare,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	r, err := env.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: "api:" + key, By: p.Partner.Actor(),
		Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123", Postcode: "KY1 1AB"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, Consent: c})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// consentRow is the consent's row and the client's events as PostgreSQL
// holds them, as text: what a dump of the database would show.
func consentRow(t *testing.T, env *coretest.Env, r core.Referral) string {
	t.Helper()
	var row, events string
	ctx := context.Background()
	if err := env.Pool.QueryRow(ctx, `SELECT to_jsonb(k)::text FROM consents k WHERE id = $1`, r.ConsentID).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if err := env.Pool.QueryRow(ctx, `SELECT coalesce(string_agg(data::text, ' '), '') FROM events`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	return row + "\n" + events
}

// TestPartnerConsentParticulars: when and how a partner's client agreed,
// and who recorded it, are kept with the consent, the free text sealed:
// neither name is in clear in the row or in the audit log, and both
// read back; the audit log says when and how. Left out, each is kept as
// not given.
func TestPartnerConsentParticulars(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	agreed := env.Clock.Now().Add(-40 * time.Minute)
	r := partnerReferral(t, env, "full", core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork,
		WitnessedBy: "Isla Moffat, welfare rights officer", GivenAt: &agreed, How: core.ConsentByPhone,
		RecordedBy: "Ewan Rennie, duty adviser"})
	stored := consentRow(t, env, r)
	for _, clear := range []string{"Isla", "Moffat", "Ewan", "Rennie"} {
		if strings.Contains(stored, clear) {
			t.Fatalf("%q is in clear in PostgreSQL:\n%s", clear, stored)
		}
	}
	c, err := env.Engine.Consent(ctx, r.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := env.Engine.ConsentParticulars(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if p.AgreedAt == nil || !p.AgreedAt.Equal(agreed) || p.How != core.ConsentByPhone ||
		p.RecordedBy != "Ewan Rennie, duty adviser" || p.WitnessedBy != "Isla Moffat, welfare rights officer" {
		t.Fatalf("particulars read back %+v", p)
	}
	if c.Evidence != "partner:"+strings.TrimPrefix(c.Evidence, "partner:") || strings.Contains(c.Evidence, " ") {
		t.Fatalf("evidence in clear %q, want the partner system's id alone", c.Evidence)
	}
	page, err := env.Engine.SearchAudit(ctx, core.AuditQuery{Kind: "consent-given"}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 || !strings.Contains(page.Entries[0].Detail, "how the client agreed: by phone") ||
		!strings.Contains(page.Entries[0].Detail, "when: 09:20 on 23 November 2026 UTC") {
		t.Fatalf("audit of the consent: %+v", page.Entries)
	}

	bare := partnerReferral(t, env, "bare", core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat"})
	c, err = env.Engine.Consent(ctx, bare.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = env.Engine.ConsentParticulars(ctx, c); err != nil {
		t.Fatal(err)
	}
	if p.AgreedAtWords(time.UTC) != core.NotGiven || p.HowWords() != core.NotGiven || p.RecordedByWords() != core.NotGiven || p.WitnessedBy != "Isla Moffat" {
		t.Fatalf("particulars left out read back %+v", p)
	}
	page, err = env.Engine.SearchAudit(ctx, core.AuditQuery{Kind: "consent-given"}, env.Net.Coordinator.Actor())
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 2 || !strings.Contains(page.Entries[0].Detail, "how the client agreed: not given; when: not given") {
		t.Fatalf("audit of a consent saying neither when nor how: %+v", page.Entries)
	}
}

// TestPartnerConsentParticularsRefused: each bad particular is refused,
// naming its field, and nothing is made.
func TestPartnerConsentParticularsRefused(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	p, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: env.Net.Welfare,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	now := env.Clock.Now()
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	for _, tc := range []struct {
		name  string
		set   func(*core.PartnerConsent)
		field string
		want  string
	}{
		{"in the future", func(c *core.PartnerConsent) { c.GivenAt = at(time.Hour) }, "consent.given_at", "2026-11-23T11:00:00Z is in the future"},
		{"over a year ago", func(c *core.PartnerConsent) { c.GivenAt = at(-366 * 24 * time.Hour) }, "consent.given_at", "more than a year ago"},
		{"a way not known", func(c *core.PartnerConsent) { c.How = "email" }, "consent.method", `"email" is not a way Onward records how a client agreed; use one of in-person, phone, writing, online`},
		{"recorded by spaces", func(c *core.PartnerConsent) { c.RecordedBy = "   " }, "consent.recorded_by", "only spaces name nobody"},
		{"recorded by too long", func(c *core.PartnerConsent) { c.RecordedBy = strings.Repeat("a", 121) }, "consent.recorded_by", "120"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat"}
			tc.set(&c)
			_, err := env.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: "api:" + tc.name, By: p.Partner.Actor(),
				Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123", Postcode: "KY1 1AB"},
				Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, Consent: c})
			ve, ok := err.(*core.ValidationError)
			if !ok || len(ve.Fields) != 1 || ve.Fields[0].Field != tc.field || !strings.Contains(ve.Fields[0].Message, tc.want) {
				t.Fatalf("refused with %v, want %s: %s", err, tc.field, tc.want)
			}
		})
	}
	// Within a few minutes' difference of clocks is taken.
	partnerReferral(t, env, "skew", core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat", GivenAt: at(2 * time.Minute)})
}

// TestSealPartnerEvidence: a partner consent recorded before its evidence
// was sealed (the witness in clear in evidence) is sealed by
// SealPartnerEvidence, which leaves the partner's id alone in clear, reads
// back the same, and finds nothing more to do the second time.
func TestSealPartnerEvidence(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := partnerReferral(t, env, "old", core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat"})
	c, err := env.Engine.Consent(ctx, r.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	// As an older version wrote it.
	if _, err := env.Pool.Exec(ctx, `UPDATE consents SET evidence = evidence || ' witnessed by Isla Moffat', evidence_enc = NULL WHERE id = $1`, r.ConsentID); err != nil {
		t.Fatal(err)
	}
	if row := consentRow(t, env, r); !strings.Contains(row, "Isla Moffat") {
		t.Fatalf("the old row is not as an older version wrote it:\n%s", row)
	}
	n, err := env.Engine.SealPartnerEvidence(ctx)
	if err != nil || n != 1 {
		t.Fatalf("sealed %d, %v; want 1", n, err)
	}
	if row := consentRow(t, env, r); strings.Contains(row, "Isla") || strings.Contains(row, "Moffat") {
		t.Fatalf("the witness is still in clear:\n%s", row)
	}
	sealed, err := env.Engine.Consent(ctx, r.ConsentID)
	if err != nil {
		t.Fatal(err)
	}
	if sealed.Evidence != c.Evidence || len(sealed.EvidenceEnc) == 0 {
		t.Fatalf("evidence %q (%d bytes sealed), want %q and the witness sealed", sealed.Evidence, len(sealed.EvidenceEnc), c.Evidence)
	}
	p, err := env.Engine.ConsentParticulars(ctx, sealed)
	if err != nil || p.WitnessedBy != "Isla Moffat" {
		t.Fatalf("witness read back %q, %v", p.WitnessedBy, err)
	}
	if n, err := env.Engine.SealPartnerEvidence(ctx); err != nil || n != 0 {
		t.Fatalf("second run sealed %d, %v; want none", n, err)
	}
}

// TestSubjectAccessPartnerConsent: the subject access export gives what
// the partner system said of the client's consent, in the JSON and on
// the readable page, "not given" where it did not say.
func TestSubjectAccessPartnerConsent(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	agreed := env.Clock.Now().Add(-40 * time.Minute)
	r := partnerReferral(t, env, "sar", core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork,
		WitnessedBy: "Isla Moffat", GivenAt: &agreed, How: core.ConsentInPerson})
	out, err := env.Engine.ExportClient(ctx, r.ClientID, env.Net.Coordinator.Actor(), "web", sarRequest(env))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"agreed_at":"2026-11-23T09:20:00Z"`, `"how":"in-person"`, `"how_words":"in person"`,
		`"recorded_by":""`, `"recorded_by_words":"not given"`, `"witnessed_by":"Isla Moffat"`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Fatalf("export lacks %s:\n%s", want, raw)
		}
	}
	var page bytes.Buffer
	if err := core.WriteSubjectAccessHTML(&page, out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"When you agreed: 09:20 on 23 November 2026", "How you agreed: in person",
		"Recorded there by: not given", "Confirmed with you by: Isla Moffat"} {
		if !strings.Contains(page.String(), want) {
			t.Fatalf("readable page lacks %q:\n%s", want, page.String())
		}
	}
}
