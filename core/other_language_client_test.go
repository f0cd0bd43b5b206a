package core_test

import (
	"context"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// A client whose language Onward has no words in is texted in English and
// recorded as needing an interpreter in their own language (audit A1 #2):
// the interpreter's language is any language, apart from the texts'.
func TestClientInterpreterLanguageAnyLanguage(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	r := staffRefer(t, env, "ro", core.ClientDetails{Name: "Ana Fictiva", Phone: "07700 900131", InterpreterLanguage: "ro"})
	c, err := env.Engine.ClientDetailsFor(ctx, r.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Language != "en" || !c.Interpreter || c.InterpreterLanguage != "ro" || c.InterpreterFor() != "ro" {
		t.Errorf("stored language %q, interpreter %v %q; want texts in en, interpreter wanted in ro", c.Language, c.Interpreter, c.InterpreterLanguage)
	}
	need, err := env.Engine.ClientInterpreter(ctx, r.ClientID)
	if err != nil || need.Label() != "Interpreter wanted: Romanian" {
		t.Errorf("interpreter need %+v (%v), label %q; want Interpreter wanted: Romanian", need, err, need.Label())
	}
	// A Polish client who wants an interpreter: for Polish.
	pl := staffRefer(t, env, "pl", core.ClientDetails{Name: "Ola Fikcyjna", Phone: "07700 900132", Language: "pl", Interpreter: true})
	if need, err := env.Engine.ClientInterpreter(ctx, pl.ClientID); err != nil || need.Label() != "Interpreter wanted: Polish" {
		t.Errorf("Polish client's need %+v (%v), want Interpreter wanted: Polish", need, err)
	}
	// Nothing that is no language is stored.
	_, err = env.Engine.StaffRefer(ctx, core.StaffReferral{IdempotencyKey: "bad", By: env.Net.Adviser.Actor(),
		Client: core.ClientDetails{Name: "T Fictional", Phone: "07700 900133", InterpreterLanguage: "not a language"},
		Needs:  []core.Need{core.NeedDebt}, ToAgency: env.Net.Welfare, ConsentConfirmed: true, WordingVersion: env.Net.ConsentVersion})
	if fieldsOf(err)["client.interpreter language"] == "" {
		t.Errorf("a bad interpreter language gave %v, want a refusal of that field", err)
	}
}

// Clients name their language in English or in itself, with or without
// accents; words that name no language are no match.
func TestInterpreterLanguageNamed(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		words, want string
		ok          bool
	}{
		{"Romanian", "ro", true},
		{"romana", "ro", true},
		{"Română!", "ro", true},
		{"ትግርኛ", "ti", true},
		{"tigrinya language", "ti", true},
		{"Farsi", "fa", true},
		{"BSL", "bfi", true},
		{"interpret romana va rog", "", false},
		{"", "", false},
	} {
		got, ok := core.InterpreterLanguageNamed(c.words)
		if got != c.want || ok != c.ok {
			t.Errorf("InterpreterLanguageNamed(%q) = %q, %v; want %q, %v", c.words, got, ok, c.want, c.ok)
		}
	}
	if n := core.LanguageName("ti"); n != "Tigrinya" {
		t.Errorf("LanguageName(ti) = %q", n)
	}
}
