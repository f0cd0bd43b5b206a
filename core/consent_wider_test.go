package core_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// staffReferralToCAB is a referral Isla (Welfare Rights) makes to
// Kirkton Citizens Advice with the form's default consent: Kirkton alone,
// an hour ago.
func staffReferralToCAB(t *testing.T, env *coretest.Env, key, phone string) core.Referral {
	t.Helper()
	r, err := env.Engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: key, By: env.Net.WelfareAdviser.Actor(),
		Client: core.ClientDetails{Name: "Duncan Urquhart", Phone: phone, Postcode: "KY2 5XY"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour) // the adviser calls the client later
	return r
}

// widerByPhone is Ailsa (Kirkton) recording, ten minutes ago by phone,
// that the client also agreed to the agencies given.
func widerByPhone(env *coretest.Env, r core.Referral, agencies ...core.AgencyID) core.WiderConsent {
	return core.WiderConsent{Referral: r.ID, By: env.Net.Adviser.Actor(), Scope: core.ScopeAgencies, Agencies: agencies,
		How: core.ConsentByPhone, GivenAt: env.Clock.Now().Add(-10 * time.Minute), WordingVersion: "v1", Confirmed: true, Via: "web"}
}

// TestWiderConsentLetsTheRedirectGoOn (review R1 #2): a referral made with
// consent for the receiving agency alone cannot be redirected; once the
// adviser holding it records that the client agreed to another agency,
// with how and when and themselves as witness, it can, to that agency.
// The first consent stays as it was; the referral, and the one it is
// redirected as, go on under the new one. The timeline tells it (which
// agencies only to those who may see the referral), and the client's
// subject access export holds the consent and its event.
func TestWiderConsentLetsTheRedirectGoOn(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := staffReferralToCAB(t, env, "wider-1", "07700 900456")
	adviser := env.Net.Adviser.Actor()
	_, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: adviser, ToAgency: env.Net.Housing})
	var scope *core.ConsentScopeError
	if !errors.As(err, &scope) {
		t.Fatalf("redirect before new consent: %v, want ConsentScopeError", err)
	}

	in := widerByPhone(env, r, env.Net.Housing)
	c, err := env.Engine.RecordWiderConsent(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if c.Scope != core.ScopeAgencies || !slices.Equal(c.AgencyIDs, []core.AgencyID{env.Net.CAB, env.Net.Housing}) ||
		c.Channel != core.ChannelStaff || c.StaffID == nil || *c.StaffID != env.Net.Adviser.ID ||
		c.Evidence != fmt.Sprintf("staff:%d:phone", env.Net.Adviser.ID) || !c.GivenAt.Equal(in.GivenAt) ||
		c.WordingVersion != "v1" || c.Language != "en" || len(c.WordingSHA256) == 0 || c.WithdrawnAt != nil {
		t.Fatalf("new consent = %+v", c)
	}
	old, err := env.Engine.Consent(ctx, r.ConsentID)
	if err != nil || old.WithdrawnAt != nil || !slices.Equal(old.AgencyIDs, []core.AgencyID{env.Net.CAB}) {
		t.Errorf("the first consent changed: %+v, %v", old, err)
	}
	if got, _ := env.Engine.Referral(ctx, r.ID); got.ConsentID != c.ID || got.Version != r.Version {
		t.Errorf("referral after new consent: consent %d version %d, want consent %d version %d", got.ConsentID, got.Version, c.ID, r.Version)
	}

	tl, err := env.Engine.Timeline(ctx, r.ID, adviser)
	if err != nil {
		t.Fatal(err)
	}
	last := tl[len(tl)-1]
	if last.Consent == nil || !slices.Equal(last.Consent.Added, []string{"Kingdom Housing Options"}) || last.Consent.Network ||
		last.Consent.How != core.ConsentByPhone || !last.Consent.GivenAt.Equal(in.GivenAt) || last.Actor != "Ailsa Brodie" {
		t.Fatalf("timeline's last entry = %+v (consent %+v)", last, last.Consent)
	}

	// The agency the client now agreed to: the redirect goes through, and
	// the referral it makes carries the new consent.
	res, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: adviser, ToAgency: env.Net.Housing})
	if err != nil {
		t.Fatalf("redirect after new consent: %v", err)
	}
	if res.Child == nil || res.Child.ConsentID != c.ID {
		t.Fatalf("redirected referral = %+v", res.Child)
	}
	// Not one the client did not name.
	r2 := staffReferralToCAB(t, env, "wider-2", "07700 900457")
	if _, err := env.Engine.RecordWiderConsent(ctx, widerByPhone(env, r2, env.Net.Housing)); err != nil {
		t.Fatal(err)
	}
	_, err = env.Engine.Act(ctx, core.TransitionRequest{Referral: r2.ID, Action: core.ActionRedirect, Actor: adviser, ToAgency: env.Net.Welfare})
	if !errors.As(err, &scope) {
		t.Errorf("redirect to an agency the client did not agree to: %v, want ConsentScopeError", err)
	}

	// Housing reads, of the referral before its own, that the client
	// agreed to more, not to whom; the referrer reads it in full.
	tl, err = env.Engine.Timeline(ctx, res.Child.ID, env.Net.HousingAdviser.Actor())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(tl, func(e core.TimelineEntry) bool { return e.Consent != nil })
	if i < 0 || tl[i].Consent.Added != nil || tl[i].Actor != "an adviser at Kirkton Citizens Advice" {
		t.Errorf("Housing's timeline tells the consent as %+v", tl)
	}
	tl, _ = env.Engine.Timeline(ctx, r.ID, env.Net.WelfareAdviser.Actor())
	if i := slices.IndexFunc(tl, func(e core.TimelineEntry) bool { return e.Consent != nil }); i < 0 || len(tl[i].Consent.Added) != 1 {
		t.Errorf("the referrer's timeline does not name the agency added: %+v", tl)
	}

	sa, err := env.Engine.ExportClient(ctx, r.ClientID, env.Net.Coordinator.Actor(), "web", sarRequest(env))
	if err != nil {
		t.Fatal(err)
	}
	var consents []core.ConsentID
	for _, k := range sa.Consents {
		consents = append(consents, k.ID)
	}
	if !slices.Contains(consents, c.ID) || !slices.Contains(consents, old.ID) {
		t.Errorf("subject access consents %v, want the first (%d) and the new (%d)", consents, old.ID, c.ID)
	}
	if !slices.ContainsFunc(sa.Events, func(e core.SubjectEvent) bool {
		return e.Kind == core.EventConsentGiven && e.Reference == r.Reference && strings.Contains(e.Who, "Ailsa Brodie")
	}) {
		t.Errorf("subject access events do not hold the new consent on %s: %+v", r.Reference, sa.Events)
	}
}

// TestWiderConsentToTheNetwork: the client may agree to any agency of the
// network; then there is nothing more to record.
func TestWiderConsentToTheNetwork(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := staffReferralToCAB(t, env, "wider-net", "07700 900456")
	in := widerByPhone(env, r)
	in.Scope, in.How = core.ScopeNetwork, core.ConsentInPerson
	c, err := env.Engine.RecordWiderConsent(ctx, in)
	if err != nil || c.Scope != core.ScopeNetwork || len(c.AgencyIDs) != 0 || c.Evidence != fmt.Sprintf("staff:%d:in-person", env.Net.Adviser.ID) {
		t.Fatalf("network consent = %+v, %v", c, err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect,
		Actor: env.Net.Adviser.Actor(), ToAgency: env.Net.Welfare}); err != nil {
		t.Fatalf("redirect under consent to the network: %v", err)
	}
	// A referral redirected is closed: nothing more is recorded on it.
	var transition *core.TransitionError
	if _, err := env.Engine.RecordWiderConsent(ctx, in); !errors.As(err, &transition) {
		t.Errorf("new consent on a redirected referral: %v, want TransitionError", err)
	}
	// Consent to the whole network leaves nothing to widen.
	self := referralIn(t, env, core.StatusRequested, "wider-self")
	in.Referral = self.ID
	var invalid *core.ValidationError
	if _, err := env.Engine.RecordWiderConsent(ctx, in); !errors.As(err, &invalid) || !strings.Contains(invalid.Field("scope"), "every agency") {
		t.Errorf("new consent on a self-referral (consent to the network): %v", err)
	}
}

// TestWiderConsentRefusesWhatWasNotSaid: each missing or wrong part of the
// evidence is named, and nothing is written.
func TestWiderConsentRefusesWhatWasNotSaid(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := staffReferralToCAB(t, env, "wider-invalid", "07700 900456")
	now := env.Clock.Now()
	for _, tc := range []struct {
		name   string
		change func(*core.WiderConsent)
		fields map[string]string // field: words its message holds
	}{
		{"nothing said", func(in *core.WiderConsent) { *in = core.WiderConsent{Referral: r.ID, By: env.Net.Adviser.Actor()} },
			map[string]string{"scope": "choose who", "how": "in person, by phone or in writing", "given_at": "say when",
				"wording": "wording changed", "confirm": "confirm you read"}},
		{"no agency ticked", func(in *core.WiderConsent) { in.Agencies = nil }, map[string]string{"agencies": "tick the agencies"}},
		{"only the agency it covers", func(in *core.WiderConsent) { in.Agencies = []core.AgencyID{env.Net.CAB} },
			map[string]string{"agencies": "already covers Kirkton Citizens Advice"}},
		{"no such agency", func(in *core.WiderConsent) { in.Agencies = []core.AgencyID{-1} }, map[string]string{"agencies": "from the list"}},
		{"how unknown", func(in *core.WiderConsent) { in.How = "carrier pigeon" }, map[string]string{"how": "in person"}},
		{"in the future", func(in *core.WiderConsent) { in.GivenAt = now.Add(time.Hour) }, map[string]string{"given_at": "future"}},
		{"before the consent it widens", func(in *core.WiderConsent) { in.GivenAt = r.CreatedAt.Add(-time.Hour) },
			map[string]string{"given_at": "comes after it"}},
		{"not confirmed", func(in *core.WiderConsent) { in.Confirmed = false }, map[string]string{"confirm": "they agreed"}},
	} {
		in := widerByPhone(env, r, env.Net.Housing)
		tc.change(&in)
		_, err := env.Engine.RecordWiderConsent(ctx, in)
		var invalid *core.ValidationError
		if !errors.As(err, &invalid) {
			t.Errorf("%s: %v, want ValidationError", tc.name, err)
			continue
		}
		if len(invalid.Fields) != len(tc.fields) {
			t.Errorf("%s: fields %+v, want %v", tc.name, invalid.Fields, tc.fields)
		}
		for field, words := range tc.fields {
			if !strings.Contains(invalid.Field(field), words) {
				t.Errorf("%s: %s = %q, want %q in it", tc.name, field, invalid.Field(field), words)
			}
		}
	}
	// The wording read must be the network's current one: a page shown
	// before a new version read the client the old words.
	if err := env.Engine.PublishConsentWording(ctx, env.Pool, "v2", coretest.ConsentText+" Ask us for a copy."); err != nil {
		t.Fatal(err)
	}
	_, err := env.Engine.RecordWiderConsent(ctx, widerByPhone(env, r, env.Net.Housing))
	var invalid *core.ValidationError
	if !errors.As(err, &invalid) || invalid.Field("wording") == "" {
		t.Errorf("old wording: %v, want a wording error", err)
	}
	if n := countRows(t, env, "consents"); n != 1 {
		t.Errorf("%d consents after refusals, want the first alone", n)
	}
	in := widerByPhone(env, r, env.Net.Housing)
	in.WordingVersion = "v2"
	if c, err := env.Engine.RecordWiderConsent(ctx, in); err != nil || c.WordingVersion != "v2" {
		t.Errorf("with the current wording: %+v, %v", c, err)
	}
}

// TestWiderConsentIsForWhoeverMovesTheReferralOn: the agency holding it
// while it can be redirected, and a coordinator in triage or for an agency
// that left; not the referrer, not a coordinator over the holder's head,
// not after it was accepted or the consent withdrawn. A refusal for who
// is asking is audited.
func TestWiderConsentIsForWhoeverMovesTheReferralOn(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := staffReferralToCAB(t, env, "wider-who", "07700 900456")
	var forbidden *core.ForbiddenError
	for _, by := range []core.Staff{env.Net.WelfareAdviser, env.Net.Coordinator, env.Net.HousingAdviser} {
		in := widerByPhone(env, r, env.Net.Housing)
		in.By = by.Actor()
		if _, err := env.Engine.RecordWiderConsent(ctx, in); !errors.As(err, &forbidden) {
			t.Errorf("%s: %v, want ForbiddenError", by.Name, err)
		}
	}
	var denied int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE referral_id = $1 AND kind = $2 AND data->>'action' = 'record-consent'`,
		r.ID, core.EventAccessDenied).Scan(&denied); err != nil || denied != 3 {
		t.Errorf("%d refusals audited (%v), want 3", denied, err)
	}
	if _, err := env.Engine.RecordWiderConsent(ctx, core.WiderConsent{Referral: r.ID, By: core.ClientActor}); !errors.As(err, &forbidden) {
		t.Errorf("the client as actor: %v", err)
	}

	// In triage: a coordinator, nobody else. A self-referral's consent
	// covers the network, so even they have nothing to record.
	self := referralIn(t, env, core.StatusRequested, "wider-triage")
	res, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: self.ID, Action: core.ActionReject, Actor: env.Net.Adviser.Actor(),
		Reason: core.ReasonNotEligible, Feedback: "Not for us"})
	if err != nil || res.Child == nil || !res.Child.InTriage() {
		t.Fatalf("rejected self-referral back to triage: %+v, %v", res.Child, err)
	}
	if err := env.Engine.WiderConsentRefusal(ctx, *res.Child, env.Net.Adviser.Actor()); !errors.As(err, &forbidden) {
		t.Errorf("an adviser on a referral in triage: %v, want ForbiddenError", err)
	}
	var invalid *core.ValidationError
	if err := env.Engine.WiderConsentRefusal(ctx, *res.Child, env.Net.Coordinator.Actor()); !errors.As(err, &invalid) {
		t.Errorf("a coordinator in triage, consent to the network: %v, want nothing to record", err)
	}

	// Withdrawn: nothing more is shared, nor agreed to here.
	gone := staffReferralToCAB(t, env, "wider-withdrawn", "07700 900458")
	if _, err := env.Engine.WithdrawConsent(ctx, gone.ClientID, env.Net.Adviser.Actor(), "phone call, spoke to the client"); err != nil {
		t.Fatal(err)
	}
	gone, _ = env.Engine.Referral(ctx, gone.ID)
	if _, err := env.Engine.RecordWiderConsent(ctx, widerByPhone(env, gone, env.Net.Housing)); !errors.Is(err, core.ErrConsentWithdrawn) {
		t.Errorf("new consent after the client withdrew: %v, want ErrConsentWithdrawn", err)
	}

	// Accepted: redirecting is over, so is new consent for it.
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionAccept, Actor: env.Net.Adviser.Actor()}); err != nil {
		t.Fatal(err)
	}
	r, _ = env.Engine.Referral(ctx, r.ID)
	var transition *core.TransitionError
	if err := env.Engine.WiderConsentRefusal(ctx, r, env.Net.Adviser.Actor()); !errors.As(err, &transition) || !strings.Contains(transition.Why, "refer them on") {
		t.Errorf("accepted: %v, want TransitionError pointing to referring on", err)
	}
	// Its agency leaves the network: the coordinator moves it on, and may
	// record the client's new consent to do so.
	if err := env.Engine.RetireAgency(ctx, env.Net.CAB, env.Net.Coordinator.Actor()); err != nil {
		t.Fatal(err)
	}
	r, _ = env.Engine.Referral(ctx, r.ID)
	in := widerByPhone(env, r, env.Net.Housing)
	in.By = env.Net.Coordinator.Actor()
	if _, err := env.Engine.RecordWiderConsent(ctx, in); err != nil {
		t.Errorf("coordinator, agency left: %v", err)
	}
	if _, err := env.Engine.Act(ctx, core.TransitionRequest{Referral: r.ID, Action: core.ActionRedirect, Actor: env.Net.Coordinator.Actor(),
		ToAgency: env.Net.Housing, Feedback: "Kirkton has closed"}); err != nil {
		t.Errorf("coordinator's redirect under the new consent: %v", err)
	}
}

// TestWiderConsentAndWithdrawalNeverCross: recorded while the client's
// withdrawal runs, a new consent is either refused or withdrawn with the
// rest; never left standing for a client who withdrew.
func TestWiderConsentAndWithdrawalNeverCross(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	for i := range 20 {
		r := staffReferralToCAB(t, env, fmt.Sprintf("wider-race-%d", i), fmt.Sprintf("07700 900%03d", 500+i))
		var wg sync.WaitGroup
		var werr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _ = env.Engine.RecordWiderConsent(ctx, widerByPhone(env, r, env.Net.Housing))
		}()
		go func() {
			defer wg.Done()
			_, werr = env.Engine.WithdrawConsent(ctx, r.ClientID, env.Net.Adviser.Actor(), "phone call, spoke to the client")
		}()
		wg.Wait()
		if werr != nil {
			t.Fatal(werr)
		}
		var standing int
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM consents WHERE client_id = $1 AND withdrawn_at IS NULL`, r.ClientID).Scan(&standing); err != nil {
			t.Fatal(err)
		}
		if standing != 0 {
			t.Fatalf("round %d: %d consents left standing after the client withdrew", i, standing)
		}
	}
}

// TestNotSuggestedGivesEveryReason (review R1 #2): an agency left out is
// left out with every reason that applies, so the redirect panel (which
// asks with the client's consent) and the refer-on form (whose consent is
// given with it) agree on what they share.
func TestNotSuggestedGivesEveryReason(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	onlyHousing := core.Consent{Scope: core.ScopeAgencies, AgencyIDs: []core.AgencyID{env.Net.Housing}}
	why := func(m core.Match, a core.AgencyID) string {
		for _, x := range m.Excluded {
			if x.Agency.ID == a {
				return strings.Join(x.Reasons.Strings(), ", ")
			}
		}
		return ""
	}
	q := core.MatchQuery{Needs: []core.Need{core.NeedDebt}, District: "KY16"}
	referOn, err := env.Engine.Suggest(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	q.Consent, q.Exclude = &onlyHousing, []core.AgencyID{env.Net.Welfare}
	redirect, err := env.Engine.Suggest(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := why(referOn, env.Net.CAB); got != "does not serve KY16" {
		t.Errorf("refer-on: Kirkton left out as %q", got)
	}
	if got := why(redirect, env.Net.CAB); got != "outside the client's consent, does not serve KY16" {
		t.Errorf("redirect: Kirkton left out as %q, want the consent and the area", got)
	}
	if got := why(redirect, env.Net.Welfare); got != "already tried for this client, outside the client's consent" {
		t.Errorf("redirect: Welfare Rights left out as %q", got)
	}
}
