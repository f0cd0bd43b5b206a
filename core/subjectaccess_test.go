package core_test

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestSubjectAccessShowsTheConsentAsGiven: the export of everything held
// about a client shows each consent in the language it was given in, with
// the words the client was shown in that language (the hash stored is of
// those words).
func TestSubjectAccessShowsTheConsentAsGiven(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	in := coretest.SelfReferral("polish-consent")
	in.Consent.Language = "pl"
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := env.Engine.ExportClient(ctx, res.Referral.ClientID, env.Net.Coordinator.Actor(), "web", sarRequest(env))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Consents) != 1 {
		t.Fatalf("%d consents in the export, want 1", len(out.Consents))
	}
	if c := out.Consents[0]; c.Language != "pl" || c.Wording != coretest.ConsentTextPolish {
		t.Errorf("the export shows the consent in %q with the words %q; want pl and the Polish words the client agreed to", c.Language, c.Wording)
	}
}

// TestSubjectAccessExportIsADisclosure: a coordinator's export reads
// every detail held about the client, so it is one of the times someone
// saw them: audited with the channel, and listed in the export itself
// (and every later one) among who saw the client's details. A client
// nobody has seen has an empty list, not a missing one.
func TestSubjectAccessExportIsADisclosure(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("export-is-a-disclosure"))
	if err != nil {
		t.Fatal(err)
	}
	client := res.Referral.ClientID
	first, err := env.Engine.ExportClient(ctx, client, env.Net.Coordinator.Actor(), "web", sarRequest(env))
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Disclosures) != 1 || first.Disclosures[0].Via != "web" || first.Disclosures[0].Who == "" ||
		first.Disclosures[0].What != "Made a copy of everything we hold about you, on the staff website, answering your request SAR-2026-014" {
		t.Fatalf("the first export lists %+v, want itself, by the coordinator, through the staff web", first.Disclosures)
	}
	second, err := env.Engine.ExportClient(ctx, client, core.Actor{Kind: core.ActorSystem, Name: "onward command line"}, "cli", sarRequest(env))
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Disclosures) != 2 || second.Disclosures[1].Via != "cli" || !strings.HasPrefix(second.Disclosures[1].What, "Made a copy") {
		t.Fatalf("the second export lists %+v, want both exports, the second from the command line", second.Disclosures)
	}
	var vias []string
	rows, err := env.Pool.Query(ctx, `SELECT coalesce(data->>'via', '') FROM events WHERE kind = $1 AND client_id = $2 ORDER BY id`, string(core.EventSubjectAccess), client)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vias = append(vias, v)
	}
	if rows.Err() != nil || strings.Join(vias, ",") != "web,cli" {
		t.Fatalf("audited exports through %v (%v), want web,cli", vias, rows.Err())
	}
}

// sarRequest is a subject access request received today, as every export
// answers one.
func sarRequest(env *coretest.Env) core.SubjectAccessRequest {
	return core.SubjectAccessRequest{Channel: core.RequestLetter, Received: env.Clock.Now(), Reference: "SAR-2026-014"}
}

// TestSubjectAccessExportFollowsARecordedRequest (audit D 1): an export
// is refused without the request it answers (how it came in, the day,
// its reference), each missing or wrong part named and nothing read or
// audited; an adviser is refused whatever they give. With the request, the
// export's event keeps how it came in and the day in clear and the
// reference only sealed, under the client's key, also for a client who
// withdrew consent (the export stays their right).
func TestSubjectAccessExportFollowsARecordedRequest(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("export-request"))
	if err != nil {
		t.Fatal(err)
	}
	client, coord := res.Referral.ClientID, env.Net.Coordinator.Actor()
	now := env.Clock.Now()
	for _, c := range []struct {
		name  string
		req   core.SubjectAccessRequest
		field string
	}{
		{"nothing given", core.SubjectAccessRequest{}, "request_channel"},
		{"no date", core.SubjectAccessRequest{Channel: core.RequestEmail, Reference: "SAR-1"}, "request_received"},
		{"no reference", core.SubjectAccessRequest{Channel: core.RequestEmail, Received: now, Reference: " "}, "request_reference"},
		{"an unknown way in", core.SubjectAccessRequest{Channel: "pigeon", Received: now, Reference: "SAR-1"}, "request_channel"},
		{"received tomorrow", core.SubjectAccessRequest{Channel: core.RequestEmail, Received: now.AddDate(0, 0, 1), Reference: "SAR-1"}, "request_received"},
		{"a reference too long", core.SubjectAccessRequest{Channel: core.RequestEmail, Received: now, Reference: strings.Repeat("é", core.MaxRequestReference+1)}, "request_reference"},
		{"a reference of two lines", core.SubjectAccessRequest{Channel: core.RequestEmail, Received: now, Reference: "SAR-1\nMorag"}, "request_reference"},
	} {
		_, err := env.Engine.ExportClient(ctx, client, coord, "web", c.req)
		var ve *core.ValidationError
		if !errors.As(err, &ve) || ve.Field(c.field) == "" {
			t.Errorf("%s: %v, want refused naming %s", c.name, err, c.field)
		}
	}
	if _, err := env.Engine.ExportClient(ctx, client, env.Net.Adviser.Actor(), "web", sarRequest(env)); !isForbidden(err) {
		t.Errorf("an adviser's export: %v, want forbidden", err)
	}
	// A partner system, whatever its id, is not a coordinator: its id
	// may be a coordinator's staff id.
	for _, kind := range []core.ActorKind{core.ActorPartner, core.ActorClient} {
		by := coord
		by.Kind = kind
		if _, err := env.Engine.ExportClient(ctx, client, by, "web", sarRequest(env)); !isForbidden(err) {
			t.Errorf("an export by a %s: %v, want forbidden", kind, err)
		}
	}
	exports := func() []map[string]any {
		t.Helper()
		rows, err := env.Pool.Query(ctx, `SELECT data FROM events WHERE kind = $1 AND client_id = $2 ORDER BY id`, string(core.EventSubjectAccess), client)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []map[string]any
		for rows.Next() {
			var d map[string]any
			if err := rows.Scan(&d); err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
		return out
	}
	if n := len(exports()); n != 0 {
		t.Fatalf("%d exports audited after refusals, want none", n)
	}

	if _, err := env.Engine.WithdrawConsent(ctx, client, coord, "letter of 3 Dec"); err != nil {
		t.Fatal(err)
	}
	req := core.SubjectAccessRequest{Channel: core.RequestRepresentative, Received: now.Add(-48 * time.Hour), Reference: "LTR/2026/0042"}
	sa, err := env.Engine.ExportClient(ctx, client, coord, "web", req)
	if err != nil || sa.Client.Name != "Morag Baird" {
		t.Fatalf("export with the request, after withdrawal: %v", err)
	}
	got := exports()
	if len(got) != 1 {
		t.Fatalf("%d exports audited, want 1", len(got))
	}
	d := got[0]
	if d["request_channel"] != "representative" || d["request_received"] != req.Received.Format(time.DateOnly) {
		t.Errorf("the export's event keeps %v, want how the request came in and the day", d)
	}
	sealed, _ := d["request_reference_enc"].(string)
	raw, _ := base64.StdEncoding.DecodeString(sealed)
	if len(raw) == 0 || strings.Contains(string(raw), "LTR/2026/0042") {
		t.Errorf("the request's reference should be kept sealed, is %q", sealed)
	}
	for k, v := range d {
		if s, ok := v.(string); ok && strings.Contains(s, "LTR/2026/0042") {
			t.Errorf("the export's event keeps %s = %q in clear", k, s)
		}
	}
}

// TestSubjectAccessListsFindsByPhone: a member of staff who found the
// client by phone to refer them on was shown their name and area, so the
// export lists it among who saw their details, naming the agency.
func TestSubjectAccessListsFindsByPhone(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	in := coretest.SelfReferral("found-by-phone")
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	holder := res.Referral.ToAgencyID
	if holder == nil {
		t.Fatal("the self-referral went to triage; the test needs an agency holding it")
	}
	var by core.Actor
	for _, s := range []core.Staff{env.Net.Adviser, env.Net.WelfareAdviser, env.Net.HousingAdviser} {
		if s.AgencyID == *holder {
			by = s.Actor()
		}
	}
	if by.Kind == "" {
		t.Fatalf("no test adviser at agency %d", *holder)
	}
	if _, err := env.Engine.FindClient(ctx, by, in.Client.Phone, ""); err != nil {
		t.Fatal(err)
	}
	out, err := env.Engine.ExportClient(ctx, res.Referral.ClientID, env.Net.Coordinator.Actor(), "web", sarRequest(env))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Disclosures) != 2 || !strings.Contains(out.Disclosures[0].What, "Found your record by your phone number") || out.Disclosures[0].Agency == "" {
		t.Fatalf("the export lists %+v, want the find by phone (with its agency), then the export", out.Disclosures)
	}
}

// TestSubjectAccessNamesWhoSawTheDetails (review R2 F1): the export tells
// the client who saw their details. An event's actor id is a member of
// staff's or a partner system's, as its kind says, so a partner system's
// read is credited to that system and the agency it acts for, never to
// the member of staff who happens to share its id; staff keep their
// name and agency, Onward itself is Onward.
func TestSubjectAccessNamesWhoSawTheDetails(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "WR casework", AgencyID: n.Welfare,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeAct}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.StaffByID(ctx, core.StaffID(creds.Partner.ID)); err != nil {
		t.Fatalf("no member of staff shares the partner system's id %d, so the test would not tell: %v", creds.Partner.ID, err)
	}
	r := referToWelfare(t, env, "sar-who")
	if _, _, err := env.Engine.DiscloseClient(ctx, r.ID, creds.Partner.Actor(), "fhir"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: creds.Partner.Actor()}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Engine.DiscloseClient(ctx, r.ID, n.WelfareAdviser.Actor(), "web"); err != nil {
		t.Fatal(err)
	}
	out, err := env.Engine.ExportClient(ctx, r.ClientID, core.Actor{Kind: core.ActorSystem, Name: "onward command line"}, "cli", sarRequest(env))
	if err != nil {
		t.Fatal(err)
	}
	want := []core.SubjectDisclosure{
		{Who: "WR casework (partner system of Kingdom Council Welfare Rights)", Agency: "Kingdom Council Welfare Rights", Via: "fhir"},
		{Who: "Isla Moffat (Kingdom Council Welfare Rights)", Agency: "Kingdom Council Welfare Rights", Via: "web"},
		{Who: "Onward", Agency: "", Via: "cli"},
	}
	if len(out.Disclosures) != len(want) {
		t.Fatalf("the export lists %d disclosures (%+v), want %d", len(out.Disclosures), out.Disclosures, len(want))
	}
	for i, w := range want {
		if g := out.Disclosures[i]; g.Who != w.Who || g.Agency != w.Agency || g.Via != w.Via {
			t.Errorf("disclosure %d: who %q, agency %q, via %q; want %q, %q, %q", i, g.Who, g.Agency, g.Via, w.Who, w.Agency, w.Via)
		}
	}
	accepted := false
	for _, ev := range out.Events {
		if ev.Kind == core.EventTransition && ev.To == core.StatusAccepted {
			accepted = true
			if ev.Who != want[0].Who {
				t.Errorf("the acceptance is credited to %q, want %q", ev.Who, want[0].Who)
			}
		}
	}
	if !accepted {
		t.Errorf("no acceptance among the export's events: %+v", out.Events)
	}
}

// TestSubjectAccessNamesTheAgenciesConsentedTo: a consent for named
// agencies names them, by name, in the export and on the client's page,
// with how it was given in plain words (it said "the agencies named"
// and "by staff" before).
func TestSubjectAccessNamesTheAgenciesConsentedTo(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	in := coretest.SelfReferral("named-agencies")
	r, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "named-agencies", By: n.WelfareAdviser.Actor(),
		Client: in.Client, Needs: []core.Need{core.NeedDebt}, ToAgency: n.CAB, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	out, err := env.Engine.ExportClient(ctx, r.ClientID, n.Coordinator.Actor(), "web", sarRequest(env))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Consents) != 1 || !slices.Equal(out.Consents[0].AgencyNames, []string{"Kirkton Citizens Advice"}) {
		t.Fatalf("consents %+v; want one naming Kirkton Citizens Advice", out.Consents)
	}
	var page strings.Builder
	if err := core.WriteSubjectAccessHTML(&page, out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"share your details with Kirkton Citizens Advice.", "to a member of staff, who recorded it"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("the client's page does not say %q", want)
		}
	}
	if strings.Contains(page.String(), "the agencies named") {
		t.Error("the client's page says \"the agencies named\" without naming them")
	}
}

// TestRequestReferenceHoldsNoPersonalData (review ops F11): the request's
// reference is shown in clear on the data protection officer's list and
// in its register, so it must be the organisation's own case reference.
// A name, a phone number, an email address or a postcode (within it too)
// is refused, the
// field named and what it looks like said in plain words; case numbers
// of the usual shapes pass.
func TestRequestReferenceHoldsNoPersonalData(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	res, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("request-reference"))
	if err != nil {
		t.Fatal(err)
	}
	client, coord, now := res.Referral.ClientID, env.Net.Coordinator.Actor(), env.Clock.Now()
	for _, c := range []struct{ ref, says string }{
		{"Morag Baird 07700 900123", "phone number"},
		{"07700 900123", "phone number"},
		{"07700900123", "phone number"},
		{"+447700900123", "phone number"},
		{"+48 512 345 678", "phone number"},
		{"SAR-07700-900123", "phone number"},
		{"morag.baird@example.org", "email address"},
		{"KY1 1AB", "postcode"},
		{"KY11AB", "postcode"},
		{"KY11AB1", "postcode"},
		{"ky11ab-2", "postcode"},
		{"SAR-KY1-1AB", "postcode"},
		{"2026/EH11 1AA", "postcode"},
		{"Jane-Smith-2", "looks like a name"},
		{"jane.smith.2026", "looks like a name"},
		{"Morag Baird", "name or a description"},
		{"Letter from Morag's son", "name or a description"},
		{"SAR 2026 014", "without spaces"},
		{"MoragBaird", "looks like a name"},
		{"SAR#14", "letters, digits and - / . _ only"},
		{"SAR-2026-014\nMorag", "one line"},
	} {
		_, err := env.Engine.ExportClient(ctx, client, coord, "web", core.SubjectAccessRequest{Channel: core.RequestLetter, Received: now, Reference: c.ref})
		var ve *core.ValidationError
		if !errors.As(err, &ve) || !strings.HasPrefix(ve.Field("request_reference"), "request reference: ") ||
			!strings.Contains(ve.Field("request_reference"), c.says) || !strings.Contains(ve.Field("request_reference"), "SAR-2026-014") ||
			!strings.Contains(ve.Field("request_reference"), "your organisation's own case reference") {
			t.Errorf("reference %q: %v, want refused naming the request reference and saying %q", c.ref, err, c.says)
		}
	}
	var exports int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1`, string(core.EventSubjectAccess)).Scan(&exports); err != nil || exports != 0 {
		t.Fatalf("%d exports recorded after the refusals (%v), want none", exports, err)
	}
	for _, ref := range []string{"SAR-2026-014", "LTR/2026/0042", "DP_17", "2026.11.3", "2026000123", " SAR-7 ", "SAR2026AB", "DPO-SAR-2026-1", "Sar-2026-3", "REF-2026-KY1"} {
		if _, err := env.Engine.ExportClient(ctx, client, coord, "web", core.SubjectAccessRequest{Channel: core.RequestLetter, Received: now, Reference: ref}); err != nil {
			t.Errorf("reference %q refused: %v", ref, err)
		}
	}
}
