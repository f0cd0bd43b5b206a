package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// A client texted in English who wants a Romanian interpreter keeps that
// need when referred on, and the details disclosed to staff carry it.
func TestInterpreterLanguageKeptOnReferOnAndDisclosed(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	n := env.Net
	first := staffRefer(t, env, "interp-ro", core.ClientDetails{Name: "Ilinca Fictiva", Phone: "07700 900871", InterpreterLanguage: "ro"})

	c, _, err := env.Engine.DiscloseClient(ctx, first.ID, n.WelfareAdviser.Actor(), "web")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Interpreter || c.InterpreterLanguage != "ro" {
		t.Errorf("disclosed client: interpreter %v for %q; want true for \"ro\"", c.Interpreter, c.InterpreterLanguage)
	}

	on, err := env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "interp-ro-on", By: n.WelfareAdviser.Actor(), Parent: first.ID,
		Needs: []core.Need{core.NeedFood}, ToAgency: n.FoodBank, ConsentConfirmed: true, WordingVersion: n.ConsentVersion})
	if err != nil {
		t.Fatal(err)
	}
	need, err := env.Engine.ClientInterpreter(ctx, on.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := need.Label(), "Interpreter wanted: Romanian"; got != want {
		t.Errorf("after referring on: %q; want %q", got, want)
	}
}
