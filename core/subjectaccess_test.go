package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core/coretest"
)

// TestSubjectAccessShowsTheConsentAsGiven: the export of everything held
// about a client shows each consent in the language it was given in, with
// the words the client was shown in that language (the hash stored is of
// those words).
func TestSubjectAccessShowsTheConsentAsGiven(t *testing.T) {
	env := coretest.NewEnv(t)
	ctx := context.Background()
	in := coretest.SelfReferral("polish-consent")
	in.Consent.Language = "pl"
	res, err := env.Engine.SelfRefer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := env.Engine.ExportClient(ctx, res.Referral.ClientID, env.Net.Coordinator.Actor())
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
