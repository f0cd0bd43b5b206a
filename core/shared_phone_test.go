package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// staffRefer is an adviser at CAB referring a client to Welfare with the
// details given.
func staffRefer(t *testing.T, env *coretest.Env, key string, c core.ClientDetails) core.Referral {
	t.Helper()
	r, err := env.Engine.StaffRefer(context.Background(), core.StaffReferral{IdempotencyKey: key, By: env.Net.Adviser.Actor(),
		Client: c, Needs: []core.Need{core.NeedBenefits}, ToAgency: env.Net.Welfare, ConsentConfirmed: true,
		WordingVersion: env.Net.ConsentVersion})
	if err != nil {
		t.Fatalf("staff referral %s: %v", key, err)
	}
	return r
}

// A family's shared mobile typed by an adviser for a second person, with
// another name, gives that person a client record of their own: the first
// person's record is not renamed or changed, the second can still be
// texted, and erasing one leaves the other's referrals open.
func TestSharedPhoneDifferentNameKeepsTwoClients(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	morag := staffRefer(t, env, "shared-1", core.ClientDetails{Name: "Morag TestClient", Phone: "07700 900555",
		Email: "morag@example.org", Postcode: "KY11 2AB", ContactTime: "morning", Language: "pl"})
	other := staffRefer(t, env, "shared-2", core.ClientDetails{Name: "Different Person", Phone: "+44 7700 900555"})
	if other.ClientID == morag.ClientID {
		t.Fatal("a different name on a known phone joined the existing client")
	}
	first, err := env.Engine.ClientDetailsFor(ctx, morag.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if first.Name != "Morag TestClient" || first.Email != "morag@example.org" || first.Postcode != "KY11 2AB" ||
		first.ContactTime != "morning" || first.Language != "pl" || !first.PhoneProven {
		t.Errorf("the first client's record changed: %+v", first)
	}
	second, err := env.Engine.ClientDetailsFor(ctx, other.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if second.Name != "Different Person" || second.Phone != "+447700900555" || second.Postcode != "" || second.Email != "" {
		t.Errorf("the second client's record = %+v", second)
	}
	// The phone still finds the first client alone (texts from it,
	// withdrawal by text, a search by phone).
	if id, err := env.Engine.ClientByPhone(ctx, "+447700900555"); err != nil || id != morag.ClientID {
		t.Errorf("ClientByPhone = %d, %v; want the first client %d", id, err, morag.ClientID)
	}
	// A subject access export of the second person holds only theirs.
	sa, err := env.Engine.ExportClient(ctx, other.ClientID, n.Coordinator.Actor(), "web", sarRequest(env))
	if err != nil {
		t.Fatal(err)
	}
	if sa.Client.Name != "Different Person" || sa.Client.Postcode != "" || len(sa.Referrals) != 1 {
		t.Errorf("export of the second person: client %+v, %d referrals", sa.Client, len(sa.Referrals))
	}
	// Erasing the first person, at her request, leaves the second's
	// referral open and their details whole.
	if err := env.Engine.EraseClient(ctx, morag.ClientID, n.Coordinator.Actor(), core.ErasureClientAsked, "web"); err != nil {
		t.Fatal(err)
	}
	still, err := env.Engine.Referral(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if still.Status != core.StatusRequested {
		t.Errorf("the second person's referral is %s after the first was erased, want requested", still.Status)
	}
	if c, _, err := env.Engine.DiscloseClient(ctx, other.ID, n.WelfareAdviser.Actor(), "web"); err != nil || c.Name != "Different Person" {
		t.Errorf("the second person's details after the first was erased: %+v, %v", c, err)
	}
}

// The same person typed again with the name written differently (case,
// accents, punctuation, spacing, or the first name alone) joins their
// record, as before.
func TestSharedPhoneSameNameJoins(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	first := staffRefer(t, env, "same-0", core.ClientDetails{Name: "Mòrag O'Neil-Smith", Phone: "07700 900556", Postcode: "KY11 2AB"})
	for i, name := range []string{"MORAG ONEIL SMITH", "  morag   o'neil-smith. ", "Morag", "Morag O’Neil Smith"} {
		r := staffRefer(t, env, "same-"+string(rune('1'+i)), core.ClientDetails{Name: name, Phone: "07700 900556"})
		if r.ClientID != first.ClientID {
			t.Errorf("%q: a new client record, want the one for %q", name, "Mòrag O'Neil-Smith")
		}
	}
	c, err := env.Engine.ClientDetailsFor(ctx, first.ClientID)
	if err != nil || c.Postcode != "KY11 2AB" {
		t.Errorf("joined record = %+v, %v; want the postcode kept", c, err)
	}
}

// A partner system's referral (the partner API's and FHIR's entry point)
// with another name on a phone the network knows gets a record of its
// own, and the agency's own client record keeps what it sent.
func TestPartnerReferralSharedPhoneKeepsOthersRecord(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	bella := staffRefer(t, env, "bella", core.ClientDetails{Name: "Bella Original", Phone: "07700 900777",
		Email: "bella@example.com", Postcode: "KY2 5XY"})
	creds, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: "Casework", AgencyID: env.Net.Housing,
		Scopes: []core.PartnerScope{core.ScopeRead, core.ScopeRefer}}, core.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	r, err := env.Engine.PartnerRefer(ctx, core.PartnerReferral{IdempotencyKey: "api:1:guess", By: creds.Partner.Actor(),
		Client: core.ClientDetails{Name: "Mallory Guess", Phone: "+447700900777"}, Needs: []core.Need{core.NeedDebt},
		ToAgency: env.Net.CAB, Consent: core.PartnerConsent{WordingVersion: "v1", Scope: core.ScopeNetwork, WitnessedBy: "Isla Moffat"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.ClientID == bella.ClientID {
		t.Fatal("a partner's referral with another name joined the existing client")
	}
	c, err := env.Engine.ClientDetailsFor(ctx, bella.ClientID)
	if err != nil || c.Name != "Bella Original" || c.Email != "bella@example.com" || c.Postcode != "KY2 5XY" {
		t.Errorf("the existing client's record = %+v, %v", c, err)
	}
}

// The referrer learns nothing of whether a phone was known: a referral
// with a known phone and another name costs the round trips of one with
// a new phone or the same person's, and answers the same way.
func TestSharedPhoneSameRoundTrips(t *testing.T) {
	t.Parallel()
	env, trips := tracedEnv(t)
	ctx := context.Background()
	refer := func(key, name, phone string) []string {
		return trips.count(t, func() {
			if _, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: key, By: env.Net.WelfareAdviser.Actor(),
				Client: core.ClientDetails{Name: name, Phone: phone, Postcode: "KY2 5XY"},
				Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.CAB, ConsentConfirmed: true, WordingVersion: "v1"}); err != nil {
				t.Fatal(err)
			}
		})
	}
	refer("warm", "Duncan Urquhart", "07700 900450")
	newPhone := refer("new", "Duncan Urquhart", "07700 900456")
	same := refer("same", "Duncan Urquhart", "07700 900456")
	other := refer("other", "Flora Urquhart", "07700 900456")
	check(t, "a new phone", newPhone, 3)
	if len(same) != len(newPhone) || len(other) != len(newPhone) {
		t.Errorf("round trips: new phone %d, known phone and same person %d, known phone and another person %d; want the same",
			len(newPhone), len(same), len(other))
	}
}

// The client ids a referrer is given out say nothing of whether a phone
// was known as another person's: each new record takes the next id, the
// same for a new phone as for a known one with another name.
func TestSharedPhoneIDsAlike(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	a := staffRefer(t, env, "ids-1", core.ClientDetails{Name: "Duncan Urquhart", Phone: "07700 900461"})
	b := staffRefer(t, env, "ids-2", core.ClientDetails{Name: "Duncan Urquhart", Phone: "07700 900462"})
	c := staffRefer(t, env, "ids-3", core.ClientDetails{Name: "Flora Urquhart", Phone: "07700 900462"})
	d := staffRefer(t, env, "ids-4", core.ClientDetails{Name: "Ewan Urquhart", Phone: "07700 900463"})
	if b.ClientID-a.ClientID != c.ClientID-b.ClientID || c.ClientID-b.ClientID != d.ClientID-c.ClientID {
		t.Errorf("client ids %d, %d (new phones), %d (a known phone, another person), %d (a new phone): want even steps",
			a.ClientID, b.ClientID, c.ClientID, d.ClientID)
	}
}

// A contact check or feedback question texted to a phone an adviser gave
// for a client whose shared record is someone else's is answered by the
// reply from that phone, about that client's referral.
func TestSharedPhoneReplyAnswersOwnReferral(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	staffRefer(t, env, "reply-1", core.ClientDetails{Name: "Morag TestClient", Phone: "07700 900558"})
	other := staffRefer(t, env, "reply-2", core.ClientDetails{Name: "Different Person", Phone: "07700 900558"})
	if err := env.Engine.AwaitReply(ctx, other.ID, core.AwaitContactCheck, env.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	a, ok, err := env.Engine.Awaiting(ctx, "+447700900558")
	if err != nil || !ok || a.ReferralID != other.ID || a.Kind != core.AwaitContactCheck {
		t.Errorf("Awaiting = %+v, %v, %v; want the contact check of %s", a, ok, err, other.Reference)
	}
}

func TestSamePerson(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"Morag Smith", "Morag Smith", true},
		{"Morag Smith", "morag SMITH", true},
		{"Mòrag Smith", "Morag Smith", true},
		{"Łukasz Wójcik", "lukasz wojcik", true},
		{"Seònaid O'Neil", "Seonaid ONeil", true},
		{"Anne-Marie  Smith", "Anne Marie Smith.", true},
		{"Morag", "Morag Smith", true},
		{"Morag Smith", "MORAG", true},
		{"Олена Коваль", "олена коваль", true},
		{"Morag Smith", "Morag Jones", false},
		{"Morag TestClient", "Different Person", false},
		{"Morag", "Mhairi", false},
		{"Anne", "Anne-Marie Smith", false},
		{"M Smith", "Morag Smith", false},
		{"", "Morag", false},
		{"...", "...", false},
	} {
		if got := core.SamePerson(c.a, c.b); got != c.same {
			t.Errorf("SamePerson(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
		if got := core.SamePerson(c.b, c.a); got != c.same {
			t.Errorf("SamePerson(%q, %q) = %v, want %v", c.b, c.a, got, c.same)
		}
	}
}

// fieldsOf is the fields a validation error names, or nil.
func fieldsOf(err error) map[string]string {
	var ve *core.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	out := map[string]string{}
	for _, f := range ve.Fields {
		out[f.Field] = f.Message
	}
	return out
}
