package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestPartnerStopsWhileItsAgencyHasLeft: a partner system acting for an
// agency that has left the network is refused both ways in (a new token:
// AuthenticatePartner; a token already given out: ActingPartner), saying
// the agency has left, but only to a caller with the right secret. Other
// agencies' systems and a network-wide one carry on. Bringing the agency
// back lets the same credentials in again; a revoked system stays out,
// told only that it was revoked.
func TestPartnerStopsWhileItsAgencyHasLeft(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	co := env.Net.Coordinator.Actor()
	add := func(name string, agency core.AgencyID) core.PartnerCredentials {
		t.Helper()
		c, err := env.Engine.AddPartner(ctx, core.NewPartner{Name: name, AgencyID: agency, Scopes: []core.PartnerScope{core.ScopeRead}}, co)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cab, revoked := add("Kirkton casework", env.Net.CAB), add("Old Kirkton casework", env.Net.CAB)
	others := []core.PartnerCredentials{add("Welfare casework", env.Net.Welfare), add("Network dashboard", 0)}
	if err := env.Engine.RevokePartner(ctx, revoked.Partner.ID, co); err != nil {
		t.Fatal(err)
	}
	agency, err := env.Engine.Agency(ctx, env.Net.CAB)
	if err != nil {
		t.Fatal(err)
	}
	want := "the agency this partner system acts for, " + agency.Name + ", has left the network; ask the network's coordinators"

	// in checks both ways in for c: nil, or the refusal, which both give alike.
	in := func(c core.PartnerCredentials) error {
		t.Helper()
		p, authErr := env.Engine.AuthenticatePartner(ctx, c.Partner.ClientID, c.Secret)
		if authErr == nil && p.ID != c.Partner.ID {
			t.Fatalf("%s authenticated as partner %d", c.Partner.Name, p.ID)
		}
		p, tokenErr := env.Engine.ActingPartner(ctx, c.Partner.ID)
		if tokenErr == nil && p.ID != c.Partner.ID {
			t.Fatalf("%s's token named partner %d", c.Partner.Name, p.ID)
		}
		if (authErr == nil) != (tokenErr == nil) {
			t.Fatalf("%s: a new token %v, a token given out %v: want both refused or both taken", c.Partner.Name, authErr, tokenErr)
		}
		if authErr != nil && errors.As(authErr, new(*core.PartnerAgencyLeftError)) != errors.As(tokenErr, new(*core.PartnerAgencyLeftError)) {
			t.Fatalf("%s: a new token %v, a token given out %v: want the same refusal", c.Partner.Name, authErr, tokenErr)
		}
		return tokenErr
	}
	for _, c := range append(others, cab) {
		if err := in(c); err != nil {
			t.Fatalf("%s before the agency left: %v", c.Partner.Name, err)
		}
	}

	env.Clock.Advance(time.Hour)
	if err := env.Engine.RetireAgency(ctx, env.Net.CAB, co); err != nil {
		t.Fatal(err)
	}
	var left *core.PartnerAgencyLeftError
	if err := in(cab); !errors.As(err, &left) || err.Error() != want || !left.RetiredAt.Equal(env.Clock.Now()) {
		t.Fatalf("the CAB's system after the CAB left: %v; want %q", err, want)
	}
	if _, err := env.Engine.AuthenticatePartner(ctx, cab.Partner.ClientID, cab.Secret); !errors.Is(err, core.ErrBadCredentials) || err.Error() != want {
		t.Errorf("a new token for the CAB's system: %v; want %q, an ErrBadCredentials", err, want)
	}
	// Without the secret, nothing is told about the agency.
	if _, err := env.Engine.AuthenticatePartner(ctx, cab.Partner.ClientID, "onwsec_wrong"); err != core.ErrBadCredentials {
		t.Errorf("a wrong secret for the CAB's system: %v; want ErrBadCredentials alone", err)
	}
	// Revoked is revoked, whatever its agency.
	if _, err := env.Engine.AuthenticatePartner(ctx, revoked.Partner.ClientID, revoked.Secret); err != core.ErrBadCredentials {
		t.Errorf("a revoked system of the CAB: %v; want ErrBadCredentials alone", err)
	}
	if _, err := env.Engine.ActingPartner(ctx, revoked.Partner.ID); !errors.Is(err, core.ErrPartnerRevoked) {
		t.Errorf("a revoked system's token: %v; want ErrPartnerRevoked", err)
	}
	if _, err := env.Engine.ActingPartner(ctx, 987654); !errors.Is(err, core.ErrPartnerRevoked) {
		t.Errorf("a token of no partner: %v; want ErrPartnerRevoked", err)
	}
	for _, c := range others {
		if err := in(c); err != nil {
			t.Errorf("%s while the CAB has left: %v", c.Partner.Name, err)
		}
	}

	env.Clock.Advance(24 * time.Hour)
	if err := env.Engine.UnretireAgency(ctx, env.Net.CAB, co); err != nil {
		t.Fatal(err)
	}
	if err := in(cab); err != nil {
		t.Fatalf("the CAB's system with the same secret after the CAB came back: %v", err)
	}
	if _, err := env.Engine.ActingPartner(ctx, revoked.Partner.ID); !errors.Is(err, core.ErrPartnerRevoked) {
		t.Errorf("a revoked system's token after the CAB came back: %v; want ErrPartnerRevoked", err)
	}
}
