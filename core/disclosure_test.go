package core_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestMayDiscloseTable walks role × relation to the referral × status ×
// consent through the two rules every page, Slack action and API call
// asks: MaySee (the card) and MayDisclose (the client's details).
func TestMayDiscloseTable(t *testing.T) {
	t.Parallel()
	const holder, referrer, other, team core.AgencyID = 1, 2, 3, 4
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	closed := func(daysAgo int) *time.Time { t := now.AddDate(0, 0, -daysAgo); return &t }
	ref := func(to core.AgencyID, st core.Status, closedAt *time.Time) core.Referral {
		r := core.Referral{ID: 9, Status: st, ClosedAt: closedAt}
		f := referrer
		r.FromAgencyID = &f
		if to != 0 {
			r.ToAgencyID = &to
		}
		return r
	}
	actors := map[string]core.Actor{
		"holder adviser":      {Kind: core.ActorStaff, AgencyID: holder, Role: core.RoleAdviser},
		"referrer adviser":    {Kind: core.ActorStaff, AgencyID: referrer, Role: core.RoleAdviser},
		"other adviser":       {Kind: core.ActorStaff, AgencyID: other, Role: core.RoleAdviser},
		"coordinator":         {Kind: core.ActorStaff, AgencyID: team, Role: core.RoleCoordinator},
		"admin":               {Kind: core.ActorStaff, AgencyID: team, Role: core.RoleAdmin},
		"holder coordinator":  {Kind: core.ActorStaff, AgencyID: holder, Role: core.RoleCoordinator},
		"client":              core.ClientActor,
		"signed-out stranger": {},
	}
	referrals := map[string]core.Referral{
		"requested":        ref(holder, core.StatusRequested, nil),
		"accepted":         ref(holder, core.StatusAccepted, nil),
		"in-progress":      ref(holder, core.StatusInProgress, nil),
		"on-hold":          ref(holder, core.StatusOnHold, nil),
		"triage":           ref(0, core.StatusRequested, nil),
		"completed 5d ago": ref(holder, core.StatusCompleted, closed(5)),
		"rejected 5d ago":  ref(holder, core.StatusRejected, closed(5)),
		"completed 40d":    ref(holder, core.StatusCompleted, closed(40)),
		"cancelled 29d":    ref(holder, core.StatusCancelled, closed(29)),
	}
	type want struct{ see, details bool }
	open := map[string]want{
		"holder adviser": {true, true}, "referrer adviser": {true, true}, "other adviser": {false, false},
		"coordinator": {true, false}, "admin": {true, false}, "holder coordinator": {true, true},
		"client": {false, false}, "signed-out stranger": {false, false},
	}
	triage := map[string]want{
		"holder adviser": {false, false}, "referrer adviser": {true, true}, "other adviser": {false, false},
		"coordinator": {true, true}, "admin": {true, true}, "holder coordinator": {true, true},
		"client": {false, false}, "signed-out stranger": {false, false},
	}
	recentlyClosed := map[string]want{
		"holder adviser": {true, false}, "referrer adviser": {true, true}, "other adviser": {false, false},
		"coordinator": {true, false}, "admin": {true, false}, "holder coordinator": {true, false},
		"client": {false, false}, "signed-out stranger": {false, false},
	}
	longClosed := map[string]want{
		"holder adviser": {true, false}, "referrer adviser": {true, false}, "other adviser": {false, false},
		"coordinator": {true, false}, "admin": {true, false}, "holder coordinator": {true, false},
		"client": {false, false}, "signed-out stranger": {false, false},
	}
	expect := map[string]map[string]want{
		"requested": open, "accepted": open, "in-progress": open, "on-hold": open, "triage": triage,
		"completed 5d ago": recentlyClosed, "rejected 5d ago": recentlyClosed, "cancelled 29d": recentlyClosed,
		"completed 40d": longClosed,
	}
	// Every kind of consent state: details follow the table only while the
	// consent stands, covers the holder and the client is not erased.
	consents := []struct {
		name  string
		facts core.DisclosureFacts
		gate  func(actor string, w want) bool
	}{
		{"consent given", core.DisclosureFacts{ConsentCovers: true}, func(_ string, w want) bool { return w.details }},
		{"consent withdrawn", core.DisclosureFacts{ConsentCovers: true, ConsentWithdrawn: true}, func(string, want) bool { return false }},
		{"client erased", core.DisclosureFacts{ConsentCovers: true, Erased: true}, func(string, want) bool { return false }},
		{"consent not covering holder", core.DisclosureFacts{}, func(a string, w want) bool { return w.details && a != "holder adviser" && a != "holder coordinator" }},
	}
	for rname, r := range referrals {
		for aname, a := range actors {
			for _, c := range consents {
				w := expect[rname][aname]
				f := c.facts
				f.Now, f.ReferrerDetailsDays = now, 30
				if c.name == "consent not covering holder" && rname == "triage" {
					continue // no holder yet
				}
				name := fmt.Sprintf("%s/%s/%s", rname, aname, c.name)
				if got := a.MaySee(r); got != w.see {
					t.Errorf("%s: MaySee = %v, want %v", name, got, w.see)
				}
				got, why := a.MayDisclose(r, f)
				if wantDetails := c.gate(aname, w); got != wantDetails {
					t.Errorf("%s: MayDisclose = %v (%s), want %v", name, got, why, wantDetails)
				}
				if !got && why == "" {
					t.Errorf("%s: refused without a reason", name)
				}
				// The holder refused for the consent alone is told so, not
				// that only the holder may see them.
				if c.name == "consent not covering holder" && w.details && !got && aname == "holder adviser" &&
					why != "the client's consent does not cover sharing their details with this agency" {
					t.Errorf("%s: refused as %q, want the consent named", name, why)
				}
			}
		}
	}
	// Onward itself (sending texts, the worker) is never refused.
	if ok, _ := core.SystemActor.MayDisclose(referrals["completed 40d"], core.DisclosureFacts{Now: now}); !ok {
		t.Error("system actor refused")
	}
}

func countEvents(t *testing.T, env *coretest.Env, kind core.EventKind, ref core.ReferralID) int {
	t.Helper()
	var n int
	if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE kind = $1 AND referral_id = $2`, kind, ref).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// referToWelfare is the disclosure tests' referral: the seeded CAB
// adviser refers Morag Baird to welfare rights, with her consent, under
// key.
func referToWelfare(t *testing.T, env *coretest.Env, key string) core.Referral {
	t.Helper()
	n := env.Net
	r, err := env.Engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: key, By: n.Adviser.Actor(),
		Client: core.ClientDetails{Name: "Morag Baird", Phone: "07700 900123", Postcode: "KY1 1AB"},
		Needs:  []core.Need{core.NeedBenefits}, ToAgency: n.Welfare, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if err != nil {
		t.Fatalf("refer to welfare rights: %v", err)
	}
	return r
}

// rejectAsWelfare closes a referral held by welfare rights: its adviser
// turns it down.
func rejectAsWelfare(t *testing.T, env *coretest.Env, id core.ReferralID) {
	t.Helper()
	if _, err := env.Engine.Act(context.Background(), core.TransitionRequest{Referral: id, Action: core.ActionReject,
		Actor: env.Net.WelfareAdviser.Actor(), Reason: core.ReasonNoCapacity, Feedback: "No appointments free this month"}); err != nil {
		t.Fatalf("reject as welfare rights: %v", err)
	}
}

// checkAudited checks how many disclosures of the referral's client, and
// how many refusals, the event log holds.
func checkAudited(t *testing.T, env *coretest.Env, id core.ReferralID, disclosed, denied int) {
	t.Helper()
	if got := countEvents(t, env, core.EventDisclosed, id); got != disclosed {
		t.Errorf("disclosed events = %d, want %d", got, disclosed)
	}
	if got := countEvents(t, env, core.EventAccessDenied, id); got != denied {
		t.Errorf("access denied events = %d, want %d", got, denied)
	}
}

// Finding 3: an agency sees the details given with its referral, not what
// the client told another agency later; the referrer's view ends N days
// after closure; every disclosure and refusal is audited.
func TestDiscloseClientDetailsAsGivenAndOnlyWhileOpen(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	first := referToWelfare(t, env, "staff-1")
	// Later the same person tells another agency a new email and name.
	later := coretest.SelfReferral("later")
	later.Client.Name, later.Client.Email = "Morag Kerr", "morag.kerr@example.org"
	later.Needs = []core.Need{core.NeedFood}
	res, err := env.Engine.SelfRefer(ctx, later)
	if err != nil {
		t.Fatal(err)
	}
	if res.Referral.ClientID != first.ClientID {
		t.Fatalf("a proven phone should reach the same client record")
	}
	c, _, err := env.Engine.DiscloseClient(ctx, first.ID, n.WelfareAdviser.Actor(), "web")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Morag Baird" || c.Email != "" || c.Phone != "+447700900123" {
		t.Errorf("welfare rights saw %+v, want the details given with its referral", c)
	}
	// Another agency's adviser is refused, and the refusal is audited.
	if _, _, err := env.Engine.DiscloseClient(ctx, first.ID, n.HousingAdviser.Actor(), "slack"); !isForbidden(err) {
		t.Fatalf("housing adviser: err = %v, want forbidden", err)
	}
	rejectAsWelfare(t, env, first.ID)
	// Closed: the agency that turned it down no longer sees the details;
	// the referrer still does, until the network's days run out.
	if _, _, err := env.Engine.DiscloseClient(ctx, first.ID, n.WelfareAdviser.Actor(), "web"); !isForbidden(err) {
		t.Errorf("rejecting agency after closure: err = %v, want forbidden", err)
	}
	if _, _, err := env.Engine.DiscloseClient(ctx, first.ID, n.Adviser.Actor(), "web"); err != nil {
		t.Errorf("referrer within the window: %v", err)
	}
	env.Clock.Advance(31 * 24 * time.Hour)
	if _, _, err := env.Engine.DiscloseClient(ctx, first.ID, n.Adviser.Actor(), "web"); !isForbidden(err) {
		t.Errorf("referrer 31 days after closure: err = %v, want forbidden", err)
	}
	checkAudited(t, env, first.ID, 2, 3)
}

// Finding 1: typing a known client's phone into the web form, with new
// details, changes nothing the agencies see on that client's referrals,
// and texts nothing to that phone.
func TestWebDetailsWithoutProofDoNotReachTheClient(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	victim, err := env.Engine.SelfRefer(ctx, coretest.SelfReferral("sms-1"))
	if err != nil {
		t.Fatal(err)
	}
	forged := coretest.SelfReferral("web-1")
	forged.Source, forged.Consent.Channel, forged.PhoneProven, forged.ConfirmBySMS = core.SourceWeb, core.ChannelWeb, false, true
	forged.Client = core.ClientDetails{Name: "Someone Else", Phone: "07700 900123", Email: "other@example.org",
		Postcode: "KY2 5AB", PreferredContact: "email"}
	res, err := env.Engine.SelfRefer(ctx, forged)
	if err != nil {
		t.Fatal(err)
	}
	if res.Referral.ClientID == victim.Referral.ClientID {
		t.Fatal("unproven web details reached the existing client record")
	}
	cl, err := env.Engine.ClientDetailsFor(ctx, victim.Referral.ClientID)
	if err != nil || cl.Name != "Morag Baird" || cl.Email != "" || cl.Postcode != "KY1 1AB" || cl.PreferredContact != "text" {
		t.Errorf("victim's record = %+v, %v", cl, err)
	}
	c, _, err := env.Engine.DiscloseClient(ctx, victim.Referral.ID, env.Net.Adviser.Actor(), "web")
	if err != nil || c.Name != "Morag Baird" || c.Email != "" {
		t.Errorf("agency saw %+v, %v", c, err)
	}
	if got := outboxKinds(t, env, res.Referral.ID); got["sms.client:confirmation"] != 0 {
		t.Errorf("unproven web form caused a confirmation text: %v", got)
	}
	// The forged referral's own details are kept, as given, with it.
	own, err := env.Engine.ClientDetailsFor(ctx, res.Referral.ClientID)
	if err != nil || own.Name != "Someone Else" || own.PhoneProven {
		t.Errorf("web client = %+v, %v", own, err)
	}
	// The same form with the phone proven by a code reaches the record.
	forged.IdempotencyKey, forged.PhoneProven = "web-2", true
	res, err = env.Engine.SelfRefer(ctx, forged)
	if err != nil || res.Referral.ClientID != victim.Referral.ClientID {
		t.Fatalf("proven web referral: client %d, err %v", res.Referral.ClientID, err)
	}
	if got := outboxKinds(t, env, res.Referral.ID); got["sms.client:confirmation"] != 1 {
		t.Errorf("proven web referral: outbox %v, want one confirmation text", got)
	}
}

func isForbidden(err error) bool {
	var fe *core.ForbiddenError
	return errors.As(err, &fe)
}

// TestPartnerSystemsAskTheSameRule: a partner system sees a client's
// details exactly when the staff it stands in for would (MayDisclose):
// its agency's while the referral it holds is open, not after it closed;
// a network-wide partner, as a coordinator, only while one waits in
// triage. Each answer is audited.
func TestPartnerSystemsAskTheSameRule(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	partner := func(name string, agency core.AgencyID) core.Actor {
		creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: name, AgencyID: agency,
			Scopes: []core.PartnerScope{core.ScopeRead}}, core.SystemActor)
		if err != nil {
			t.Fatal(err)
		}
		return creds.Partner.Actor()
	}
	welfare, network := partner("Welfare casework", n.Welfare), partner("Council hub", 0)
	r := referToWelfare(t, env, "partner-rule")
	if c, _, err := env.Engine.DiscloseClient(ctx, r.ID, welfare, "fhir"); err != nil || c.Name != "Morag Baird" {
		t.Fatalf("the holding agency's system while open: %+v, %v", c, err)
	}
	if _, _, err := env.Engine.DiscloseClient(ctx, r.ID, network, "fhir"); !isForbidden(err) {
		t.Errorf("a network-wide system outside triage: err = %v, want forbidden", err)
	}
	rejectAsWelfare(t, env, r.ID)
	if _, _, err := env.Engine.DiscloseClient(ctx, r.ID, welfare, "fhir"); !isForbidden(err) {
		t.Errorf("the holding agency's system after it turned the referral down: err = %v, want forbidden", err)
	}
	checkAudited(t, env, r.ID, 1, 2)
}

// TestNoReferOnAfterWithdrawal: once the client withdrew consent (or was
// erased), their details go to nobody, so the agency that held a referral
// cannot refer them on from it, whatever consent the adviser ticks; before
// that it can.
func TestNoReferOnAfterWithdrawal(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	first := referToWelfare(t, env, "refer-on-1")
	on := func(key string) (core.Referral, error) {
		return env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: n.WelfareAdviser.Actor(), Parent: first.ID,
			Needs: []core.Need{core.NeedHousing}, ToAgency: n.CAB, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	}
	if d, err := env.Engine.Disclosure(ctx, first, n.WelfareAdviser.Actor()); err != nil || d.Withheld || !d.May {
		t.Fatalf("before the withdrawal the disclosure rule says %+v, %v; want the details shown to the holder", d, err)
	}
	if _, err := on("refer-on-before"); err != nil {
		t.Fatalf("refer on before the withdrawal: %v", err)
	}
	if _, err := env.Engine.WithdrawByReference(ctx, first.Reference, n.Coordinator.Actor(), "web", "phone call"); err != nil {
		t.Fatal(err)
	}
	if d, err := env.Engine.Disclosure(ctx, first, n.WelfareAdviser.Actor()); err != nil || !d.Withheld || d.May {
		t.Fatalf("after the withdrawal the disclosure rule says %+v, %v; want the details withheld from everyone", d, err)
	}
	before := countReferrals(t, env)
	var deniedBefore int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1 AND referral_id = $2`, core.EventAccessDenied, first.ID).Scan(&deniedBefore); err != nil {
		t.Fatal(err)
	}
	if _, err := on("refer-on-after"); !errors.Is(err, core.ErrConsentWithdrawn) {
		t.Fatalf("refer on after the withdrawal: %v, want ErrConsentWithdrawn", err)
	}
	if countReferrals(t, env) != before {
		t.Fatal("a refused refer-on made a referral")
	}
	// The refusal is recorded, as every refusal is (a data protection
	// review found this one was not).
	var denied int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind = $1 AND referral_id = $2`, core.EventAccessDenied, first.ID).Scan(&denied); err != nil {
		t.Fatal(err)
	}
	if denied != deniedBefore+1 {
		t.Errorf("%d refusals recorded for the refer-on after the withdrawal, want 1", denied-deniedBefore)
	}
}

func countReferrals(t *testing.T, env *coretest.Env) int {
	t.Helper()
	var n int
	if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM referrals`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
