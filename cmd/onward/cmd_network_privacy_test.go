package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

// TestNetworkFilePrivacyContact: the network file's data controller and
// data protection contact reach the network's settings (the privacy
// notice reads them there); an email that is not one, or a phone nobody
// could call, is refused in plain words naming what was given, and
// nothing is imported; a file without them imports with a warning that
// the privacy notice lacks them.
func TestNetworkFilePrivacyContact(t *testing.T) {
	ctx := context.Background()
	url := coretest.NewDatabase(t)
	t.Setenv("ONWARD_DATABASE_URL", url)
	t.Setenv("ONWARD_ENV", "dev") // the test engines chain events with the stand-in audit key
	dir := t.TempDir()
	var example bytes.Buffer
	if err := runNetwork(ctx, []string{"example"}, &example, io.Discard); err != nil {
		t.Fatal(err)
	}
	const (
		controller = "data_controller: Eastloch Advice Partnership SCIO"
		email      = "data_protection_email: dpo@advice.example.org"
		phone      = "data_protection_phone: 0800 000 0199"
	)
	for _, line := range []string{controller, email, phone} {
		if !strings.Contains(example.String(), line) {
			t.Fatalf("the example network file lacks %q", line)
		}
	}
	imp := func(body string) (string, error) {
		t.Helper()
		p := filepath.Join(dir, "network.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		var warnings bytes.Buffer
		err := runNetwork(ctx, []string{"import", p}, io.Discard, &warnings)
		return warnings.String(), err
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	network := func() core.Network {
		t.Helper()
		// A new engine each time: nothing cached from an import before.
		eng := core.NewEngine(pool, nil, core.SystemClock{}, core.RandomIDs{}, slog.New(slog.DiscardHandler))
		defer eng.Close()
		n, err := eng.Network(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	if warnings, err := imp(example.String()); err != nil || strings.Contains(warnings, "privacy notice") {
		t.Fatalf("the example: %v; warnings: %s", err, warnings)
	}
	if n := network(); n.DataController != "Eastloch Advice Partnership SCIO" || n.DataProtectionEmail != "dpo@advice.example.org" || n.DataProtectionPhone != "0800 000 0199" {
		t.Fatalf("after importing the example: controller %q, email %q, phone %q", n.DataController, n.DataProtectionEmail, n.DataProtectionPhone)
	}

	for _, c := range []struct {
		from, to string
		want     []string
	}{
		{email, "data_protection_email: dpo-at-advice.example.org",
			[]string{`network: invalid input: data protection email must be one email address, like dpo@network.example.org; "dpo-at-advice.example.org" is not`}},
		{phone, "data_protection_phone: ask at reception",
			[]string{`data protection phone must be a phone number people can call, like 0800 000 0101; "ask at reception" is not`}},
		{email + "\n  " + phone, "data_protection_email: \"dpo@advice.example.org, dpo2@advice.example.org\"\n  data_protection_phone: \"123\"",
			[]string{`data protection email must be one email address`, `data protection phone must be a phone number people can call`}},
	} {
		if !strings.Contains(example.String(), c.from) {
			t.Fatalf("the example lacks %q", c.from)
		}
		body := strings.Replace(example.String(), c.from, c.to, 1)
		body = strings.Replace(body, controller, "data_controller: Someone Else Ltd", 1)
		_, err := imp(body)
		for _, want := range c.want {
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "(nothing was imported)") {
				t.Errorf("%s: err = %v, want it to say %q and that nothing was imported", c.to, err, want)
			}
		}
		if n := network(); n.DataController != "Eastloch Advice Partnership SCIO" {
			t.Errorf("%s: a refused import changed the controller to %q", c.to, n.DataController)
		}
	}

	// Without them, the import goes ahead and warns.
	for _, c := range []struct {
		drop []string
		want string
	}{
		{[]string{controller, email, phone}, "the privacy notice (/privacy) cannot say who the data controller is or how to contact the data protection officer"},
		{[]string{email, phone}, "the privacy notice (/privacy) cannot say how to contact the data protection officer"},
		{[]string{controller}, "the privacy notice (/privacy) cannot say who the data controller is,"},
	} {
		body := example.String()
		for _, line := range c.drop {
			body = strings.Replace(body, "  "+line+"\n", "", 1)
		}
		warnings, err := imp(body)
		if err != nil {
			t.Fatalf("without %v: %v", c.drop, err)
		}
		if !strings.Contains(warnings, "Warning: "+c.want) || !strings.Contains(warnings, "network.data_controller") {
			t.Errorf("without %v: warnings %q, want %q", c.drop, warnings, c.want)
		}
	}
	if n := network(); n.DataController != "" || n.DataProtectionEmail != "dpo@advice.example.org" || n.DataProtectionPhone != "0800 000 0199" {
		t.Errorf("after importing a file without a controller: controller %q, email %q, phone %q", n.DataController, n.DataProtectionEmail, n.DataProtectionPhone)
	}
}
